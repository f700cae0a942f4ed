package safehttp_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/deskkit/helpdesk/internal/safehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": true, "8.8.8.8": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "224.0.0.1": false, "255.255.255.255": false, "::ffff:127.0.0.1": false,
		"::ffff:10.0.0.1": false, "198.18.0.1": false, "192.0.2.1": false,
	} {
		assert.Equal(t, want, safehttp.Public(netip.MustParseAddr(addr)), addr)
	}
}

func TestPublicHost(t *testing.T) {
	for host, want := range map[string]bool{
		"fcm.googleapis.com": true, "updates.push.services.mozilla.com:443": true, "[2606:2800:21f::1]:443": true,
		"localhost": false, "LOCALHOST:8080": false, "api.localhost": false, "127.0.0.1:443": false,
		"[::1]": false, "169.254.169.254": false, "": false, "10.0.0.1.": false,
	} {
		assert.Equal(t, want, safehttp.PublicHost(host), host)
	}
}

// The client refuses to dial a loopback server, which a permissive client reaches; neither
// follows a redirect.
func TestClient(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/inside", http.StatusFound)
			return
		}
		_, _ = w.Write([]byte("inside"))
	}))
	t.Cleanup(srv.Close)

	_, err := safehttp.NewClient(safehttp.Options{}).Get(srv.URL + "/")
	require.ErrorIs(t, err, safehttp.ErrNotPublic)
	assert.Zero(t, hits, "nothing reached the server")

	c := safehttp.NewClient(safehttp.Options{AllowPrivate: true})
	res, err := c.Get(srv.URL + "/redirect")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusFound, res.StatusCode, "the redirect is returned, not followed")
	assert.Equal(t, 1, hits)
}
