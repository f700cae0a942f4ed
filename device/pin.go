package device

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PIN hashing uses argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane); the parameters are
// stored in the hash so they can be raised later without invalidating existing PINs.
const (
	pinMemoryKiB = 19 * 1024
	pinTime      = 2
	pinThreads   = 1
	pinKeyLen    = 32
)

// ErrInvalidPIN is returned by HashPIN for a PIN that is not 4 to 12 digits.
var ErrInvalidPIN = errors.New("a PIN is 4 to 12 digits")

// HashPIN returns an encoded argon2id hash of pin ("argon2id$v=19$m=…,t=…,p=…$salt$hash"). It
// returns ErrInvalidPIN unless pin is 4 to 12 ASCII digits.
func HashPIN(pin string) (string, error) {
	if len(pin) < 4 || len(pin) > 12 || strings.Trim(pin, "0123456789") != "" {
		return "", ErrInvalidPIN
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pin), salt, pinTime, pinMemoryKiB, pinThreads, pinKeyLen)
	return fmt.Sprintf("argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, pinMemoryKiB, pinTime, pinThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPIN reports whether pin matches an encoded hash made by HashPIN, in constant time. A
// malformed hash never matches.
func CheckPIN(encoded, pin string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 5 || parts[0] != "argon2id" {
		return false
	}
	var version int
	var mem, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[1], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &mem, &passes, &threads); err != nil || threads == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[3])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[4])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, passes, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
