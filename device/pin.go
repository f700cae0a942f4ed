package device

import (
	"errors"
	"strings"

	"github.com/deskkit/helpdesk/internal/secret"
)

// PIN hashing uses argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane); the parameters are
// stored in the hash so they can be raised later without invalidating existing PINs.

// ErrInvalidPIN is returned by HashPIN for a PIN that is not 4 to 12 digits.
var ErrInvalidPIN = errors.New("a PIN is 4 to 12 digits")

// HashPIN returns an encoded argon2id hash of pin ("argon2id$v=19$m=…,t=…,p=…$salt$hash"). It
// returns ErrInvalidPIN unless pin is 4 to 12 ASCII digits.
func HashPIN(pin string) (string, error) {
	if !ValidPIN(pin) {
		return "", ErrInvalidPIN
	}
	return secret.HashArgon2(pin, secret.OWASPMinimum), nil
}

// ValidPIN reports whether pin could be a PIN: 4 to 12 ASCII digits. A check of anything else
// can be refused without hashing.
func ValidPIN(pin string) bool {
	return len(pin) >= 4 && len(pin) <= 12 && strings.Trim(pin, "0123456789") == ""
}

// CheckPIN reports whether pin matches an encoded hash made by HashPIN, in constant time. A
// malformed hash never matches.
func CheckPIN(encoded, pin string) bool {
	ok, _ := secret.VerifyArgon2(encoded, pin)
	return ok
}
