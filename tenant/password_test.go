package tenant_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPasswordPolicy(t *testing.T) {
	cases := []struct {
		name   string
		pw     string
		broken []tenant.PasswordRule
		msg    string
	}{
		{"meets every rule", "Correct1horse", nil, ""},
		{"exactly 8 characters", "Abcdefg1", nil, ""},
		{"8 code points in more bytes", "Ääöüß1xy", nil, ""},
		{"only 7 characters", "Abcdef1", []tenant.PasswordRule{tenant.RuleMinLength},
			"password needs at least 8 characters"},
		{"7 code points in 8 or more bytes", "Ääöüß1x", []tenant.PasswordRule{tenant.RuleMinLength},
			"password needs at least 8 characters"},
		{"no upper-case letter", "correct1horse", []tenant.PasswordRule{tenant.RuleUpper},
			"password needs an upper-case letter"},
		{"no lower-case letter", "CORRECT1HORSE", []tenant.PasswordRule{tenant.RuleLower},
			"password needs a lower-case letter"},
		{"no digit", "Correcthorse", []tenant.PasswordRule{tenant.RuleDigit},
			"password needs a digit"},
		{"short without a digit", "Abcdef", []tenant.PasswordRule{tenant.RuleMinLength, tenant.RuleDigit},
			"password needs at least 8 characters and a digit"},
		{"digits only", "12345678", []tenant.PasswordRule{tenant.RuleUpper, tenant.RuleLower},
			"password needs an upper-case letter and a lower-case letter"},
		{"short, lower-case only", "abc", []tenant.PasswordRule{tenant.RuleMinLength, tenant.RuleUpper, tenant.RuleDigit},
			"password needs at least 8 characters, an upper-case letter and a digit"},
		{"empty", "", []tenant.PasswordRule{tenant.RuleMinLength, tenant.RuleUpper, tenant.RuleLower, tenant.RuleDigit},
			"password needs at least 8 characters, an upper-case letter, a lower-case letter and a digit"},
		{"spaces only", "          ", []tenant.PasswordRule{tenant.RuleUpper, tenant.RuleLower, tenant.RuleDigit},
			"password needs an upper-case letter, a lower-case letter and a digit"},
		{"at the byte limit", "Aa1" + strings.Repeat("x", tenant.MaxPasswordBytes-3), nil, ""},
		{"one byte over the limit", "Aa1" + strings.Repeat("x", tenant.MaxPasswordBytes-2),
			[]tenant.PasswordRule{tenant.RuleMaxLength}, "password is longer than 1024 bytes"},
		{"over the limit and weak", strings.Repeat("x", tenant.MaxPasswordBytes+1),
			[]tenant.PasswordRule{tenant.RuleMaxLength}, "password is longer than 1024 bytes"},
		{"over the limit in multi-byte characters", "Aa1" + strings.Repeat("ä", tenant.MaxPasswordBytes/2),
			[]tenant.PasswordRule{tenant.RuleMaxLength}, "password is longer than 1024 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := tenant.CheckPassword(c.pw)
			if c.broken == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tenant.ErrWeakPassword)
			var pe *tenant.PasswordError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, c.broken, pe.Broken, "broken rules, in the policy's order")
			assert.Equal(t, c.msg, err.Error())
		})
	}
}

func TestPasswordHash(t *testing.T) {
	const pw = "Correct1horse"
	minimum := tenant.MinPasswordParams
	hash, err := tenant.HashPassword(pw, minimum)
	require.NoError(t, err)

	t.Run("the minimum is OWASP's", func(t *testing.T) {
		assert.Equal(t, tenant.PasswordParams{MemoryKiB: 19456, Iterations: 2, Threads: 1}, minimum)
		assert.True(t, strings.HasPrefix(hash, "argon2id$v=19$m=19456,t=2,p=1$"), hash)
		assert.NotContains(t, hash, pw)
	})
	t.Run("refuses parameters below the minimum", func(t *testing.T) {
		for name, p := range map[string]tenant.PasswordParams{
			"zero":               {},
			"one KiB less":       {MemoryKiB: 19*1024 - 1, Iterations: 2, Threads: 1},
			"one iteration":      {MemoryKiB: 19 * 1024, Iterations: 1, Threads: 1},
			"no lanes":           {MemoryKiB: 19 * 1024, Iterations: 2, Threads: 0},
			"more memory, t=1":   {MemoryKiB: 64 * 1024, Iterations: 1, Threads: 4},
			"more passes, 8 MiB": {MemoryKiB: 8 * 1024, Iterations: 10, Threads: 1},
		} {
			h, err := tenant.HashPassword(pw, p)
			assert.ErrorIs(t, err, tenant.ErrWeakParams, name)
			assert.Empty(t, h, name)
		}
	})
	t.Run("a fresh salt each time", func(t *testing.T) {
		again, err := tenant.HashPassword(pw, minimum)
		require.NoError(t, err)
		assert.NotEqual(t, hash, again)
		ok, _ := tenant.VerifyPassword(again, pw, minimum)
		assert.True(t, ok)
	})
	t.Run("verifies the right password only", func(t *testing.T) {
		ok, rehash := tenant.VerifyPassword(hash, pw, minimum)
		assert.True(t, ok)
		assert.False(t, rehash, "made with the wanted parameters")
		for _, wrong := range []string{"correct1horse", "Correct1hors", "Correct1horse ", ""} {
			ok, rehash := tenant.VerifyPassword(hash, wrong, minimum)
			assert.False(t, ok, wrong)
			assert.False(t, rehash, "a wrong password is never rehashed (%q)", wrong)
		}
	})
	t.Run("asks for a rehash when the wanted parameters are higher", func(t *testing.T) {
		for name, want := range map[string]tenant.PasswordParams{
			"more memory":     {MemoryKiB: 20 * 1024, Iterations: 2, Threads: 1},
			"more iterations": {MemoryKiB: 19 * 1024, Iterations: 3, Threads: 1},
			"more lanes":      {MemoryKiB: 19 * 1024, Iterations: 2, Threads: 2},
		} {
			ok, rehash := tenant.VerifyPassword(hash, pw, want)
			assert.True(t, ok, name)
			assert.True(t, rehash, name)
		}
		ok, rehash := tenant.VerifyPassword(hash, "Wrong1horse", tenant.PasswordParams{MemoryKiB: 20 * 1024, Iterations: 2, Threads: 1})
		assert.False(t, ok)
		assert.False(t, rehash)
	})
	t.Run("does not ask for a rehash of a costlier hash", func(t *testing.T) {
		costly, err := tenant.HashPassword(pw, tenant.PasswordParams{MemoryKiB: 20 * 1024, Iterations: 3, Threads: 1})
		require.NoError(t, err)
		assert.Contains(t, costly, "m=20480,t=3,p=1")
		ok, rehash := tenant.VerifyPassword(costly, pw, minimum)
		assert.True(t, ok)
		assert.False(t, rehash)
	})
	t.Run("a tampered or malformed hash never matches", func(t *testing.T) {
		parts := strings.Split(hash, "$")
		require.Len(t, parts, 5)
		flip := func(s string) string {
			b := []byte(s)
			if b[0] == 'A' {
				b[0] = 'B'
			} else {
				b[0] = 'A'
			}
			return string(b)
		}
		join := func(p ...string) string { return strings.Join(p, "$") }
		for name, h := range map[string]string{
			"empty":             "",
			"the password":      pw,
			"key changed":       join(parts[0], parts[1], parts[2], parts[3], flip(parts[4])),
			"salt changed":      join(parts[0], parts[1], parts[2], flip(parts[3]), parts[4]),
			"memory changed":    join(parts[0], parts[1], "m=19457,t=2,p=1", parts[3], parts[4]),
			"key truncated":     join(parts[0], parts[1], parts[2], parts[3], parts[4][:len(parts[4])-4]),
			"key missing":       join(parts[0], parts[1], parts[2], parts[3], ""),
			"other algorithm":   join("argon2i", parts[1], parts[2], parts[3], parts[4]),
			"other version":     join(parts[0], "v=16", parts[2], parts[3], parts[4]),
			"zero iterations":   join(parts[0], parts[1], "m=19456,t=0,p=1", parts[3], parts[4]),
			"no parameters":     join(parts[0], parts[1], "", parts[3], parts[4]),
			"key not base64":    join(parts[0], parts[1], parts[2], parts[3], "!!!!"),
			"a part too few":    join(parts[0], parts[1], parts[2], parts[4]),
			"a part too many":   hash + "$x",
			"leading space":     " " + hash,
			"upper-case prefix": strings.ToUpper(parts[0]) + hash[len(parts[0]):],
		} {
			require.NotEqual(t, hash, h, name)
			ok, rehash := tenant.VerifyPassword(h, pw, minimum)
			assert.False(t, ok, name)
			assert.False(t, rehash, name)
		}
	})
}

func TestPasswordErrorIsWeakPassword(t *testing.T) {
	err := error(&tenant.PasswordError{Broken: []tenant.PasswordRule{tenant.RuleDigit}})
	assert.True(t, errors.Is(err, tenant.ErrWeakPassword))
	assert.False(t, errors.Is(tenant.ErrWeakParams, tenant.ErrWeakPassword))
}
