package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web/api"
	"github.com/deskkit/helpdesk/web/api/internal/apiclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDatabaseUnavailable takes PostgreSQL away from a running API (a proxy drops and refuses
// its connections, as a restart does): every request, with a token or with an
// Idempotency-Key, gets 503 with Retry-After and the problem code "unavailable", whose detail
// names no host, and the document declares the header (a generated client reads it); the token
// stays valid (not 401). The log says why, as a warning. Once the database is back the same
// requests succeed, and the keyed retry opens its ticket once.
func TestDatabaseUnavailable(t *testing.T) {
	proxy, dsn := pgtest.NewProxy(t, pgtest.Schema(t))
	ctx := t.Context()
	d, err := helpdesk.New(openStore(t, dsn), &helpdesk.Config{BaseURL: "http://helpdesk.test", SecretKeys: [][]byte{[]byte(secretKey)},
		Blobs: blob.NewMem(), Logger: slog.New(slog.DiscardHandler), MaxConcurrentHashes: 4})
	require.NoError(t, err)
	var logs lockedBuffer
	h, err := api.New(d, &api.Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	ten, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme", Language: "en"})
	require.NoError(t, err)
	u, _, err := d.CreateUser(ctx, tenant.SystemFor(ten.ID), helpdesk.NewUser{Email: "admin@example.com", Name: "Admin",
		Role: tenant.RoleAdmin, Password: pw})
	require.NoError(t, err)
	_, token, err := d.CreateAPIToken(ctx, tenant.Employee(ten.ID, u.ID, tenant.RoleAdmin, u.Name), helpdesk.NewAPIToken{
		Name: "Tests", Scopes: tenant.ScopeRead | tenant.ScopeWrite, ExpiresAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)

	do := func(method, path, key, body string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+api.Prefix+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		_ = res.Body.Close()
		conform(t, req, res, b)
		res.Body = io.NopCloser(bytes.NewReader(b))
		return res
	}
	open := `{"title":"Pump alarms while the database restarts"}`

	proxy.Cut()
	for round := range 3 { // the pool's dead connections first, then refused dials
		for _, r := range []struct{ method, path, key, body string }{
			{http.MethodGet, "/tickets", "", ""},
			{http.MethodPost, "/tickets", "", open},
			{http.MethodPost, "/tickets", "opening-1", open},
		} {
			res := do(r.method, r.path, r.key, r.body)
			var p problem
			require.NoError(t, json.NewDecoder(res.Body).Decode(&p))
			assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode, "%s %s %s in round %d: %+v", r.method, r.path, r.key, round, p)
			assert.Equal(t, "unavailable", p.Code)
			assert.Equal(t, "5", res.Header.Get("Retry-After"))
			assert.NotContains(t, p.Detail, "127.0.0.1", "no host in the answer")
			assert.NotEmpty(t, p.Detail)
		}
	}
	// A client generated from the document reads the wait as a typed header.
	gen, err := apiclient.NewClientWithResponses(srv.URL+api.Prefix, apiclient.WithRequestEditorFn(
		func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	require.NoError(t, err)
	listed, err := gen.ListTicketsWithResponse(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, listed.StatusCode())
	require.NotNil(t, listed.HeadersDefault)
	require.NotNil(t, listed.HeadersDefault.RetryAfter)
	assert.Equal(t, 5, *listed.HeadersDefault.RetryAfter)
	require.NotNil(t, listed.ApplicationproblemJSONDefault)
	assert.Equal(t, "unavailable", string(listed.ApplicationproblemJSONDefault.Code))
	assert.Contains(t, logs.String(), `"level":"WARN"`)
	assert.Contains(t, logs.String(), "unavailable")
	assert.Contains(t, logs.String(), "connection refused", "the cause is in the log")

	proxy.Restore()
	var res *http.Response
	for range 10 { // connections that died with the proxy may still be in the pool
		if res = do(http.MethodPost, "/tickets", "opening-1", open); res.StatusCode != http.StatusServiceUnavailable {
			break
		}
	}
	assert.Equal(t, http.StatusCreated, res.StatusCode, "the keyed retry once the database is back")
	again := do(http.MethodPost, "/tickets", "opening-1", open)
	assert.Equal(t, http.StatusCreated, again.StatusCode)
	assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	list := do(http.MethodGet, "/tickets", "", "")
	require.Equal(t, http.StatusOK, list.StatusCode)
	var page struct{ Items []json.RawMessage }
	require.NoError(t, json.NewDecoder(list.Body).Decode(&page))
	assert.Len(t, page.Items, 1, "one ticket, however many retries")
}

// lockedBuffer is a log sink that handlers of several requests write to at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
