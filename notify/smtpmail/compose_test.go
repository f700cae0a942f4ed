package smtpmail

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaults(t *testing.T) {
	tests := []struct {
		security Security
		wantAddr string
	}{
		{"", "smtp.example.com:587"},
		{SecurityStartTLS, "smtp.example.com:587"},
		{SecurityTLS, "smtp.example.com:465"},
		{SecurityPlain, "smtp.example.com:25"},
	}
	for _, tt := range tests {
		t.Run(string(tt.security), func(t *testing.T) {
			m, err := New(Config{Host: "smtp.example.com", Security: tt.security, From: "a@example.com"})
			require.NoError(t, err)
			assert.Equal(t, tt.wantAddr, m.addr)
			assert.Equal(t, "localhost", m.helo)
			assert.Equal(t, 30*time.Second, m.timeout)
			assert.Equal(t, "smtp.example.com", m.tls.ServerName)
			assert.NotNil(t, m.now)
		})
	}
	t.Run("IPv6", func(t *testing.T) {
		m, err := New(Config{Host: "::1", Port: 2525, From: "a@example.com"})
		require.NoError(t, err)
		assert.Equal(t, "[::1]:2525", m.addr)
	})
}

func TestCompose(t *testing.T) {
	m, err := New(Config{
		Host: "smtp.example.com",
		From: `"Kundendienst Müller" <support@example.com>`,
		Now:  func() time.Time { return time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600)) },
	})
	require.NoError(t, err)
	longLine := strings.Repeat("Grüße – ñ 😀 € ", 20)

	raw, err := m.compose(&mail.Address{Name: "Zoë Müller", Address: "zoe@example.com"},
		"<key-1@helpdesk>", "Ticket T-000001: Grüße", "Hallo\n"+longLine, "<p>"+longLine+"</p>")
	require.NoError(t, err)

	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n") {
		assert.LessOrEqual(t, len(line), 78, "line %d is too long: %q", i, line)
		assert.NotContains(t, line, "\n", "bare LF in line %d", i)
	}
	for i, c := range raw {
		if c >= 0x80 {
			t.Fatalf("byte %d is not 7-bit: %q", i, raw[max(0, i-20):i+1])
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	h := msg.Header
	assert.Equal(t, "<key-1@helpdesk>", h.Get("Message-ID"))
	assert.Equal(t, "Sun, 01 Mar 2026 09:30:00 +0100", h.Get("Date"))
	assert.Equal(t, "1.0", h.Get("MIME-Version"))
	assert.Equal(t, "auto-generated", h.Get("Auto-Submitted"))
	assert.Equal(t, "=?utf-8?q?Ticket_T-000001:_Gr=C3=BC=C3=9Fe?=", h.Get("Subject"))
	assert.Equal(t, "=?utf-8?q?Zo=C3=AB_M=C3=BCller?= <zoe@example.com>", h.Get("To"))
	from, err := h.AddressList("From")
	require.NoError(t, err)
	assert.Equal(t, []*mail.Address{{Name: "Kundendienst Müller", Address: "support@example.com"}}, from)
	assert.True(t, strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative; boundary="))
}

func TestMessageIDLocal(t *testing.T) {
	tests := []struct{ key, want string }{
		{"0195f3c2-6b1e-7c4a-9d2e-8f1a2b3c4d5e", "0195f3c2-6b1e-7c4a-9d2e-8f1a2b3c4d5e"},
		{"notification.42", "notification.42"},
		{"a b", "a%20b"},
		{"x@y", "x%40y"},
		{"<id>", "%3Cid%3E"},
		{"100%", "100%25"},
		{".a", "%2Ea"},
		{"a..b", "a%2E%2Eb"},
		{"ü", "%C3%BC"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			assert.Equal(t, tt.want, messageIDLocal(tt.key))
		})
	}
}
