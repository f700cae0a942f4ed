package secret_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPasswordArgon2Params(t *testing.T) {
	minimum := secret.OWASPMinimum
	assert.Equal(t, secret.Argon2Params{MemoryKiB: 19456, Iterations: 2, Threads: 1}, minimum)
	cases := []struct {
		name string
		p    secret.Argon2Params
		want bool
	}{
		{"the minimum itself", minimum, true},
		{"more of everything", secret.Argon2Params{MemoryKiB: 64 * 1024, Iterations: 3, Threads: 4}, true},
		{"zero", secret.Argon2Params{}, false},
		{"less memory", secret.Argon2Params{MemoryKiB: 19455, Iterations: 2, Threads: 1}, false},
		{"fewer iterations", secret.Argon2Params{MemoryKiB: 19456, Iterations: 1, Threads: 1}, false},
		{"no lanes", secret.Argon2Params{MemoryKiB: 19456, Iterations: 2}, false},
		{"more memory cannot buy off fewer iterations", secret.Argon2Params{MemoryKiB: 1 << 20, Iterations: 1, Threads: 8}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.p.AtLeast(minimum))
		})
	}
}

func TestPasswordArgon2(t *testing.T) {
	const plain = "Correct1horse"
	p := secret.OWASPMinimum
	encoded := secret.HashArgon2(plain, p)

	t.Run("encodes the parameters, salt and key", func(t *testing.T) {
		assert.True(t, strings.HasPrefix(encoded, "argon2id$v=19$m=19456,t=2,p=1$"), encoded)
		got, salt, key, err := secret.ParseArgon2(encoded)
		require.NoError(t, err)
		assert.Equal(t, p, got)
		assert.Len(t, salt, 16)
		assert.Len(t, key, 32)
		parts := strings.Split(encoded, "$")
		require.Len(t, parts, 5)
		assert.Equal(t, base64.RawStdEncoding.EncodeToString(salt), parts[3])
		assert.NotContains(t, encoded, plain)
	})
	t.Run("salts every hash", func(t *testing.T) {
		other := secret.HashArgon2(plain, p)
		assert.NotEqual(t, encoded, other)
		ok, _ := secret.VerifyArgon2(other, plain)
		assert.True(t, ok)
	})
	t.Run("verifies and returns the hash's parameters", func(t *testing.T) {
		ok, got := secret.VerifyArgon2(encoded, plain)
		assert.True(t, ok)
		assert.Equal(t, p, got)
		ok, _ = secret.VerifyArgon2(encoded, plain+"x")
		assert.False(t, ok)
		ok, _ = secret.VerifyArgon2(encoded, "")
		assert.False(t, ok)
	})
	t.Run("higher parameters are written into the hash", func(t *testing.T) {
		hp := secret.Argon2Params{MemoryKiB: 20 * 1024, Iterations: 3, Threads: 2}
		h := secret.HashArgon2(plain, hp)
		assert.Contains(t, h, "$m=20480,t=3,p=2$")
		ok, got := secret.VerifyArgon2(h, plain)
		assert.True(t, ok)
		assert.Equal(t, hp, got)
	})
	t.Run("malformed hashes do not parse or match", func(t *testing.T) {
		parts := strings.Split(encoded, "$")
		join := func(p ...string) string { return strings.Join(p, "$") }
		for name, h := range map[string]string{
			"empty":            "",
			"plain text":       plain,
			"argon2i":          join("argon2i", parts[1], parts[2], parts[3], parts[4]),
			"version 16":       join(parts[0], "v=16", parts[2], parts[3], parts[4]),
			"no version":       join(parts[0], "", parts[2], parts[3], parts[4]),
			"zero memory":      join(parts[0], parts[1], "m=0,t=2,p=1", parts[3], parts[4]),
			"zero iterations":  join(parts[0], parts[1], "m=19456,t=0,p=1", parts[3], parts[4]),
			"zero lanes":       join(parts[0], parts[1], "m=19456,t=2,p=0", parts[3], parts[4]),
			"lanes overflow":   join(parts[0], parts[1], "m=19456,t=2,p=256", parts[3], parts[4]),
			"negative memory":  join(parts[0], parts[1], "m=-1,t=2,p=1", parts[3], parts[4]),
			"garbled params":   join(parts[0], parts[1], "memory=19456", parts[3], parts[4]),
			"salt not base64":  join(parts[0], parts[1], parts[2], "*"+parts[3], parts[4]),
			"key not base64":   join(parts[0], parts[1], parts[2], parts[3], parts[4]+"*"),
			"empty key":        join(parts[0], parts[1], parts[2], parts[3], ""),
			"padded base64":    join(parts[0], parts[1], parts[2], parts[3], base64.StdEncoding.EncodeToString(make([]byte, 32))),
			"four parts":       join(parts[0], parts[1], parts[2], parts[4]),
			"six parts":        encoded + "$",
			"prefixed by junk": "$" + encoded,
		} {
			_, _, _, err := secret.ParseArgon2(h)
			assert.Error(t, err, name)
			ok, _ := secret.VerifyArgon2(h, plain)
			assert.False(t, ok, name)
		}
	})
	t.Run("a tampered hash does not match", func(t *testing.T) {
		parts := strings.Split(encoded, "$")
		change := func(s string) string {
			b, i := []byte(s), len(s)/2
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return string(b)
		}
		join := func(p ...string) string { return strings.Join(p, "$") }
		for name, h := range map[string]string{
			"key":        join(parts[0], parts[1], parts[2], parts[3], change(parts[4])),
			"salt":       join(parts[0], parts[1], parts[2], change(parts[3]), parts[4]),
			"iterations": join(parts[0], parts[1], "m=19456,t=3,p=1", parts[3], parts[4]),
			"lanes":      join(parts[0], parts[1], "m=19456,t=2,p=2", parts[3], parts[4]),
		} {
			require.NotEqual(t, encoded, h, name)
			ok, _ := secret.VerifyArgon2(h, plain)
			assert.False(t, ok, name)
		}
	})
}
