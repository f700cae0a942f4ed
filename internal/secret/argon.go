package secret

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost parameters of an argon2id hash. They are written into every
// encoded hash, so raising them later leaves existing hashes verifiable.
type Argon2Params struct {
	// MemoryKiB is the memory cost in KiB.
	MemoryKiB uint32
	// Iterations is the number of passes over the memory.
	Iterations uint32
	// Threads is the degree of parallelism (lanes).
	Threads uint8
}

// OWASPMinimum is the argon2id configuration OWASP's Password Storage Cheat Sheet gives as its
// minimum: 19 MiB of memory, 2 iterations, 1 lane.
var OWASPMinimum = Argon2Params{MemoryKiB: 19 * 1024, Iterations: 2, Threads: 1}

// AtLeast reports whether p costs at least as much as min in every parameter.
func (p Argon2Params) AtLeast(min Argon2Params) bool {
	return p.MemoryKiB >= min.MemoryKiB && p.Iterations >= min.Iterations && p.Threads >= min.Threads
}

const (
	argonSaltLen = 16
	argonKeyLen  = 32
)

// errMalformed is returned by ParseArgon2 for text HashArgon2 did not produce.
var errMalformed = errors.New("malformed argon2id hash")

// HashArgon2 returns the encoded argon2id hash of plain under p, with a fresh random salt:
// "argon2id$v=19$m=…,t=…,p=…$salt$key" (salt and key base64 without padding).
func HashArgon2(plain string, p Argon2Params) string {
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(plain), salt, p.Iterations, p.MemoryKiB, p.Threads, argonKeyLen)
	return fmt.Sprintf("argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Iterations, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// ParseArgon2 returns the parameters, salt and key of an encoded hash.
func ParseArgon2(encoded string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 5 || parts[0] != "argon2id" {
		return p, nil, nil, errMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[1], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errMalformed
	}
	if _, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Iterations, &p.Threads); err != nil ||
		p.Threads == 0 || p.Iterations == 0 || p.MemoryKiB == 0 {
		return p, nil, nil, errMalformed
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[3])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[4])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return p, nil, nil, errMalformed
	}
	return p, salt, key, nil
}

// VerifyArgon2 reports, in constant time, whether plain matches an encoded hash, and returns
// the parameters the hash was made with. A malformed hash never matches.
func VerifyArgon2(encoded, plain string) (ok bool, p Argon2Params) {
	p, salt, want, err := ParseArgon2(encoded)
	if err != nil {
		return false, p
	}
	got := argon2.IDKey([]byte(plain), salt, p.Iterations, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, p
}
