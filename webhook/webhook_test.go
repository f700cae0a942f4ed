package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/webhook"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// specSignature is the specification's signature written out independently of the package:
// base64(HMAC-SHA256(key, "id.timestamp.body")) with the key the base64 after "whsec_".
func specSignature(t *testing.T, secret, id string, ts int64, body []byte) string {
	t.Helper()
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	require.NoError(t, err)
	m := hmac.New(sha256.New, k)
	fmt.Fprintf(m, "%s.%d.%s", id, ts, body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func newSecret(t *testing.T) string {
	t.Helper()
	s, err := webhook.NewSecret()
	require.NoError(t, err)
	return s
}

func TestNewSecret(t *testing.T) {
	a, b := newSecret(t), newSecret(t)
	assert.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, "whsec_"))
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	require.NoError(t, err)
	assert.Len(t, k, 32)
}

// Headers sign with every secret given; each signature is the specification's, and the
// official library verifies a request holding either secret alone (a rotation window).
func TestHeadersRotation(t *testing.T) {
	current, previous := newSecret(t), newSecret(t)
	body := []byte(`{"type":"ticket.assigned","data":{}}`)
	at := time.Now().Truncate(time.Second)
	h, err := webhook.Headers([]string{current, previous}, "msg_1", at, body)
	require.NoError(t, err)
	assert.Equal(t, "msg_1", h.Get("webhook-id"))
	assert.Equal(t, fmt.Sprint(at.Unix()), h.Get("webhook-timestamp"))
	assert.Equal(t, specSignature(t, current, "msg_1", at.Unix(), body)+" "+specSignature(t, previous, "msg_1", at.Unix(), body),
		h.Get("webhook-signature"))
	for name, secret := range map[string]string{"current": current, "previous": previous} {
		t.Run(name, func(t *testing.T) {
			wh, err := standardwebhooks.NewWebhook(secret)
			require.NoError(t, err)
			assert.NoError(t, wh.Verify(body, h))
			assert.NoError(t, webhook.Verify([]string{secret}, h, body, at, 0))
		})
	}
	other, err := standardwebhooks.NewWebhook(newSecret(t))
	require.NoError(t, err)
	assert.Error(t, other.Verify(body, h), "a third secret matches neither")
}

func TestVerify(t *testing.T) {
	secret := newSecret(t)
	at := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"webhook.test"}`)
	good, err := webhook.Headers([]string{secret}, "msg_2", at, body)
	require.NoError(t, err)
	with := func(k, v string) http.Header {
		h := good.Clone()
		h.Set(k, v)
		return h
	}
	for _, tc := range []struct {
		name    string
		secrets []string
		h       http.Header
		body    string
		now     time.Time
		want    error
	}{
		{"good", []string{secret}, good, string(body), at, nil},
		{"second secret of two", []string{newSecret(t), secret}, good, string(body), at, nil},
		{"within tolerance", []string{secret}, good, string(body), at.Add(4 * time.Minute), nil},
		{"too old", []string{secret}, good, string(body), at.Add(6 * time.Minute), webhook.ErrTimestamp},
		{"too new", []string{secret}, good, string(body), at.Add(-6 * time.Minute), webhook.ErrTimestamp},
		{"changed body", []string{secret}, good, `{"type":"ticket.closed"}`, at, webhook.ErrNoMatch},
		{"other id", []string{secret}, with("webhook-id", "msg_3"), string(body), at, webhook.ErrNoMatch},
		{"other timestamp", []string{secret}, with("webhook-timestamp", fmt.Sprint(at.Unix()+1)), string(body), at, webhook.ErrNoMatch},
		{"bad timestamp", []string{secret}, with("webhook-timestamp", "soon"), string(body), at, webhook.ErrTimestamp},
		{"no signature", []string{secret}, with("webhook-signature", ""), string(body), at, webhook.ErrMissingHeaders},
		{"other secret", []string{newSecret(t)}, good, string(body), at, webhook.ErrNoMatch},
		{"bad secret", []string{"whsec_short"}, good, string(body), at, webhook.ErrSecret},
		{"noise around", []string{secret}, with("webhook-signature", "v1,bm90IGl0 "+good.Get("webhook-signature")+" v2,x"), string(body), at, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify(tc.secrets, tc.h, []byte(tc.body), tc.now, 0)
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestSignRefusesBadSecrets(t *testing.T) {
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!", "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23)),
		"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65))} {
		_, err := webhook.Sign(s, "msg", time.Now(), nil)
		assert.ErrorIs(t, err, webhook.ErrSecret, s)
	}
}
