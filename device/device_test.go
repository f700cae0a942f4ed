package device_test

import (
	"encoding/base64"
	"testing"

	"github.com/deskkit/helpdesk/device"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := device.NewToken()
		b, err := base64.RawURLEncoding.DecodeString(tok)
		require.NoError(t, err)
		assert.Len(t, b, device.TokenBytes)
		assert.False(t, seen[tok], "tokens repeat")
		seen[tok] = true
	}
	assert.GreaterOrEqual(t, device.TokenBytes*8, 128, "at least 128 random bits")
}

func TestPIN(t *testing.T) {
	for _, bad := range []string{"", "123", "1234567890123", "12a4", " 1234", "١٢٣٤"} {
		_, err := device.HashPIN(bad)
		assert.ErrorIs(t, err, device.ErrInvalidPIN, "%q", bad)
	}
	h1, err := device.HashPIN("123456")
	require.NoError(t, err)
	h2, err := device.HashPIN("123456")
	require.NoError(t, err)
	assert.NotEqual(t, h1, h2, "salted")
	assert.Contains(t, h1, "m=19456,t=2,p=1", "OWASP minimum parameters are stored with the hash")
	assert.True(t, device.CheckPIN(h1, "123456"))
	assert.False(t, device.CheckPIN(h1, "123457"))
	for _, broken := range []string{"", "argon2id$v=19$m=1,t=1,p=0$AA$AA", "bcrypt$x", h1[:len(h1)-3] + "!!!"} {
		assert.False(t, device.CheckPIN(broken, "123456"), "%q", broken)
	}
}
