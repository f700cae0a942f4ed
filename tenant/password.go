package tenant

import (
	"errors"
	"strings"
	"unicode"

	"github.com/deskkit/helpdesk/internal/secret"
)

// PasswordRule names one rule of the password policy.
type PasswordRule string

// The rules of the password policy: at least 8 characters, with an upper-case letter, a
// lower-case letter and a digit, and at most MaxPasswordBytes bytes.
const (
	RuleMinLength PasswordRule = "min_length"
	RuleUpper     PasswordRule = "upper"
	RuleLower     PasswordRule = "lower"
	RuleDigit     PasswordRule = "digit"
	RuleMaxLength PasswordRule = "max_length"
)

// MinPasswordLen is the fewest characters (Unicode code points) a password may have, and
// MaxPasswordBytes the most bytes (hashing cost grows with length).
const (
	MinPasswordLen   = 8
	MaxPasswordBytes = 1024
)

// ErrWeakPassword is wrapped by every *PasswordError.
var ErrWeakPassword = errors.New("password breaks the policy")

// PasswordError reports the rules a password breaks. It wraps ErrWeakPassword.
type PasswordError struct {
	// Broken lists the rules broken, in the order of the policy.
	Broken []PasswordRule
}

var ruleText = map[PasswordRule]string{
	RuleMinLength: "at least 8 characters",
	RuleUpper:     "an upper-case letter",
	RuleLower:     "a lower-case letter",
	RuleDigit:     "a digit",
}

// Error names what the password lacks, as in "password needs at least 8 characters and a digit".
func (e *PasswordError) Error() string {
	if len(e.Broken) == 1 && e.Broken[0] == RuleMaxLength {
		return "password is longer than 1024 bytes"
	}
	var parts []string
	for _, r := range e.Broken {
		parts = append(parts, ruleText[r])
	}
	if len(parts) > 1 {
		parts = append(parts[:len(parts)-2], parts[len(parts)-2]+" and "+parts[len(parts)-1])
	}
	return "password needs " + strings.Join(parts, ", ")
}

// Unwrap returns ErrWeakPassword.
func (e *PasswordError) Unwrap() error { return ErrWeakPassword }

// CheckPassword applies the password policy. It returns nil or a *PasswordError listing every
// rule pw breaks.
func CheckPassword(pw string) error {
	if len(pw) > MaxPasswordBytes {
		return &PasswordError{Broken: []PasswordRule{RuleMaxLength}}
	}
	var upper, lower, digit bool
	n := 0
	for _, r := range pw {
		n++
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	var broken []PasswordRule
	for _, c := range []struct {
		ok   bool
		rule PasswordRule
	}{{n >= MinPasswordLen, RuleMinLength}, {upper, RuleUpper}, {lower, RuleLower}, {digit, RuleDigit}} {
		if !c.ok {
			broken = append(broken, c.rule)
		}
	}
	if broken != nil {
		return &PasswordError{Broken: broken}
	}
	return nil
}

// PasswordParams are argon2id's cost parameters for password hashes.
type PasswordParams = secret.Argon2Params

// MinPasswordParams is the floor for password hashing, OWASP's minimum for argon2id: 19 MiB of
// memory, 2 iterations, 1 lane. HashPassword refuses anything cheaper.
var MinPasswordParams = secret.OWASPMinimum

// ErrWeakParams is returned by HashPassword for parameters below MinPasswordParams.
var ErrWeakParams = errors.New("argon2id parameters below OWASP's minimum (19 MiB, 2 iterations, 1 lane)")

// HashPassword returns the encoded argon2id hash of pw under p, parameters included
// ("argon2id$v=19$m=19456,t=2,p=1$salt$key"), so they can be raised later. It does not apply
// the password policy (see CheckPassword). Returns ErrWeakParams for p below MinPasswordParams.
func HashPassword(pw string, p PasswordParams) (string, error) {
	if !p.AtLeast(MinPasswordParams) {
		return "", ErrWeakParams
	}
	return secret.HashArgon2(pw, p), nil
}

// VerifyPassword reports whether pw matches an encoded hash, in constant time, and whether the
// hash should be remade because it was made with cheaper parameters than want. A malformed
// or empty hash never matches.
func VerifyPassword(encoded, pw string, want PasswordParams) (ok, rehash bool) {
	ok, p := secret.VerifyArgon2(encoded, pw)
	return ok, ok && !p.AtLeast(want)
}
