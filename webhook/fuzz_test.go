package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/webhook"
)

// FuzzVerify signs random messages with random keys and checks Verify as a receiver runs it:
// the headers Headers writes verify, under the current secret or the previous one, and their
// signature is the specification's HMAC computed here independently; a changed body, message
// ID or timestamp, another key, or random header values are refused with one of Verify's
// errors, never accepted; a malformed secret is ErrSecret.
func FuzzVerify(f *testing.F) {
	key := strings.Repeat("k", 32)
	for _, s := range []struct {
		key, other     string
		id             string
		unix           int64
		body           []byte
		hID, hTS, hSig string
		skew           int64
	}{
		{key, "", "msg_2Kx", 1_700_000_000, []byte(`{"type":"ticket.closed"}`), "", "", "", 0},
		{key, strings.Repeat("o", 24), "msg.1.2", 1_700_000_000, []byte("x.y"), "", "", "", 299},
		{key, "", "m", 1_700_000_000, nil, "", "", "", 301},
		{strings.Repeat("a", 23), "", "m", 0, []byte("b"), "", "", "", 0},
		{strings.Repeat("a", 65), "", "m", -1, []byte("b"), "", "", "", 0},
		{key, "", "m", 1_700_000_000, []byte("b"), "m", "1700000000", "v1,AAAA v1,", 0},
		{key, "", "m", 1_700_000_000, []byte("b"), "m", "+1700000000", "", 0},
		{key, "", "m", 1_700_000_000, []byte("b"), "m", "1.7e9", "v2,x", 0},
		{key, "", "m", 9_223_372_036, []byte("b"), "", "9223372036854775807", "", 0},
		{key, "", "", 1_700_000_000, []byte("b"), "", "", "", 0},
	} {
		f.Add([]byte(s.key), []byte(s.other), s.id, s.unix, s.body, s.hID, s.hTS, s.hSig, s.skew)
	}
	f.Fuzz(func(t *testing.T, key, other []byte, id string, unix int64, body []byte, hID, hTS, hSig string, skew int64) {
		secret := webhook.SecretPrefix + base64.StdEncoding.EncodeToString(key)
		previous := webhook.SecretPrefix + base64.StdEncoding.EncodeToString(other)
		// Keep the sender's clock within time.Time's range (±2^40 s, some 35,000 years); forged
		// timestamps below go beyond it.
		unix %= 1 << 40
		ts := time.Unix(unix, 0)
		now := ts.Add(time.Duration(skew%600) * time.Second)
		within := skew%600 >= -300 && skew%600 <= 300

		h, err := webhook.Headers([]string{secret}, id, ts, body)
		if len(key) < webhook.MinSecretBytes || len(key) > webhook.MaxSecretBytes {
			if !errors.Is(err, webhook.ErrSecret) {
				t.Fatalf("Headers with a %d-byte key: %v, want ErrSecret", len(key), err)
			}
			h := http.Header{}
			h.Set(webhook.HeaderID, "m")
			h.Set(webhook.HeaderTimestamp, strconv.FormatInt(unix, 10))
			h.Set(webhook.HeaderSignature, "v1,x")
			if err := webhook.Verify([]string{secret}, h, body, ts, 0); !errors.Is(err, webhook.ErrSecret) {
				t.Fatalf("Verify with a %d-byte key: %v, want ErrSecret", len(key), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Headers: %v", err)
		}
		// The specification's signature, computed here.
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id + "." + strconv.FormatInt(unix, 10) + "."))
		mac.Write(body)
		if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); h.Get(webhook.HeaderSignature) != want {
			t.Fatalf("signature %q, want %q", h.Get(webhook.HeaderSignature), want)
		}
		err = webhook.Verify([]string{secret}, h, body, now, 0)
		switch {
		case id == "":
			if !errors.Is(err, webhook.ErrMissingHeaders) {
				t.Fatalf("no message ID: %v", err)
			}
			return
		case !within:
			if !errors.Is(err, webhook.ErrTimestamp) {
				t.Fatalf("%ds off: %v, want ErrTimestamp", skew%600, err)
			}
			return
		case err != nil:
			t.Fatalf("Verify of what Headers signed: %v", err)
		}
		// A receiver rotating holds the previous secret too; the sender's current one still verifies.
		if len(other) >= webhook.MinSecretBytes && len(other) <= webhook.MaxSecretBytes {
			if err := webhook.Verify([]string{previous, secret}, h, body, now, 0); err != nil {
				t.Fatalf("Verify with the previous secret first: %v", err)
			}
			// HMAC pads a key to the hash's block (64 bytes, MaxSecretBytes) with zeros, so keys
			// that differ only in trailing zero bytes sign alike: they are one key.
			if !bytes.Equal(bytes.TrimRight(other, "\x00"), bytes.TrimRight(key, "\x00")) {
				if err := webhook.Verify([]string{previous}, h, body, now, 0); !errors.Is(err, webhook.ErrNoMatch) {
					t.Fatalf("Verify under another key: %v, want ErrNoMatch", err)
				}
			}
		}
		if err := webhook.Verify([]string{secret}, h, append(body[:len(body):len(body)], '!'), now, 0); !errors.Is(err, webhook.ErrNoMatch) {
			t.Fatalf("a changed body: %v, want ErrNoMatch", err)
		}
		// Random header values in place of the genuine ones.
		forged := h.Clone()
		for name, v := range map[string]string{webhook.HeaderID: hID, webhook.HeaderTimestamp: hTS, webhook.HeaderSignature: hSig} {
			if v != "" {
				forged.Set(name, v)
			}
		}
		if hID == "" && hTS == "" && hSig == "" {
			return
		}
		err = webhook.Verify([]string{secret}, forged, body, now, 0)
		if err == nil {
			// Only the genuine signature of what the forged headers say may pass.
			fts, _ := strconv.ParseInt(forged.Get(webhook.HeaderTimestamp), 10, 64)
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(forged.Get(webhook.HeaderID) + "." + strconv.FormatInt(fts, 10) + "."))
			mac.Write(body)
			if !slices.Contains(strings.Fields(forged.Get(webhook.HeaderSignature)), "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil))) {
				t.Fatalf("forged headers %v accepted", forged)
			}
			return
		}
		for _, want := range []error{webhook.ErrMissingHeaders, webhook.ErrTimestamp, webhook.ErrNoMatch} {
			if errors.Is(err, want) {
				return
			}
		}
		t.Fatalf("forged headers %v: %v is none of Verify's errors", forged, err)
	})
}
