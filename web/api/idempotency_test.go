package api_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/deskkit/helpdesk/web/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIdempotentRetries sends every POST scenario twice with one Idempotency-Key, as the first
// actor it succeeds for: the retry answers exactly as the first request did, marked
// Idempotent-Replayed, and (where the answer names a record) makes no second record.
func TestIdempotentRetries(t *testing.T) {
	all := scenarios()
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		for _, o := range api.Ops() {
			if o.Method != http.MethodPost {
				continue
			}
			for i, sc := range all[o.ID] {
				as := ""
				for _, n := range actorNames {
					if sc.want[n]/100 == 2 {
						as = n
						break
					}
				}
				if as == "" {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s", o.ID, sc.name), func(t *testing.T) {
					if sc.setup != nil {
						sc.setup(t, w)
					}
					key := fmt.Sprintf("retry-%s-%d-%s", o.ID, i, e.name)
					hdr := append(slices.Clone(sc.header), "Idempotency-Key", key)
					first := w.call(t, as, o.Method, sc.path, sc.body, hdr...)
					require.Equal(t, sc.want[as], first.StatusCode, first.body)
					again := w.call(t, as, o.Method, sc.path, sc.body, hdr...)
					assert.Equal(t, first.StatusCode, again.StatusCode)
					assert.Equal(t, first.body, again.body, "the retry answers as the first request did")
					assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
					assert.Empty(t, first.Header.Get("Idempotent-Replayed"))
					for _, h := range []string{"Location", "ETag", "Content-Type"} {
						assert.Equal(t, first.Header.Get(h), again.Header.Get(h), h)
					}
				})
			}
		}
	})
}

// TestIdempotencyKey checks the key's rules: one record for any number of retries, also when
// they race and when they reach another instance; the key belongs to its caller; the same key
// with another request is refused.
func TestIdempotencyKey(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		count := func(title string) int {
			a := w.call(t, "admin", http.MethodGet, "/tickets?limit=100&q="+strings.ReplaceAll(title, " ", "+"), "")
			require.Equal(t, http.StatusOK, a.StatusCode)
			return strings.Count(a.body, `"title":"`+title+`"`)
		}
		body := func(title string) string { return `{"title":"` + title + `"}` }

		// Racing retries: one ticket, every answer the same ticket (or 409 while the first runs).
		const n = 6
		answers := make([]answer, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				answers[i] = w.call(t, "agent", http.MethodPost, "/tickets", body("Raced once"), "Idempotency-Key", "race-1")
			})
		}
		wg.Wait()
		var created string
		for _, a := range answers {
			switch a.StatusCode {
			case http.StatusCreated:
				if created == "" {
					created = a.body
				}
				assert.Equal(t, created, a.body)
			case http.StatusConflict:
				assert.Contains(t, a.body, "conflict")
			default:
				t.Errorf("racing retry answered %d: %s", a.StatusCode, a.body)
			}
		}
		assert.Equal(t, 1, count("Raced once"))

		// Another instance on the same database replays the answer too.
		h2, err := api.New(w.desk, &api.Config{Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		srv2 := httptest.NewServer(h2)
		t.Cleanup(srv2.Close)
		first := w.call(t, "agent", http.MethodPost, "/tickets", body("Two instances"), "Idempotency-Key", "inst-1")
		require.Equal(t, http.StatusCreated, first.StatusCode)
		req, _ := http.NewRequest(http.MethodPost, srv2.URL+api.Prefix+"/tickets", strings.NewReader(body("Two instances")))
		req.Header.Set("Authorization", "Bearer "+w.tokens["agent"])
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "inst-1")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusCreated, res.StatusCode)
		assert.Equal(t, "true", res.Header.Get("Idempotent-Replayed"))
		assert.Equal(t, 1, count("Two instances"))

		// The key is the caller's: another person's identical request is their own.
		other := w.call(t, "supervisor", http.MethodPost, "/tickets", body("Two instances"), "Idempotency-Key", "inst-1")
		assert.Equal(t, http.StatusCreated, other.StatusCode)
		assert.Empty(t, other.Header.Get("Idempotent-Replayed"))
		assert.Equal(t, 2, count("Two instances"))

		// The same key with another request is a client's mistake.
		mismatch := w.call(t, "agent", http.MethodPost, "/tickets", body("Something else"), "Idempotency-Key", "inst-1")
		assert.Equal(t, http.StatusUnprocessableEntity, mismatch.StatusCode, mismatch.body)
		if p := decodeProblem(t, mismatch); assert.Len(t, p.Errors, 1) {
			assert.Equal(t, "Idempotency-Key", p.Errors[0].Field)
		}
		assert.Equal(t, 0, count("Something else"))

		// A refused request changed nothing and keeps no answer: the corrected request may use
		// its key.
		bad := w.call(t, "agent", http.MethodPost, "/tickets", `{"title":""}`, "Idempotency-Key", "bad-1")
		assert.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode)
		fixed := w.call(t, "agent", http.MethodPost, "/tickets", body("Corrected"), "Idempotency-Key", "bad-1")
		assert.Equal(t, http.StatusCreated, fixed.StatusCode, fixed.body)
		assert.Equal(t, 1, count("Corrected"))

		long := w.call(t, "agent", http.MethodPost, "/tickets", body("Long key"), "Idempotency-Key", strings.Repeat("k", 256))
		assert.Equal(t, http.StatusUnprocessableEntity, long.StatusCode, long.body)
	})
}
