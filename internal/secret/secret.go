// Package secret makes and hashes the bearer tokens of the helpdesk: device codes and requester
// links.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// TokenBytes is how many random bytes a token carries (256 bits).
const TokenBytes = 32

// NewToken returns a fresh token of TokenBytes random bytes, base64url-encoded without padding.
func NewToken() string {
	b := make([]byte, TokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the hex SHA-256 of a token. Tokens carry 256 random bits, so a fast hash is
// enough: there is nothing to brute-force.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Derive returns the token of one purpose ("requester", …) for one record, keyed by a tenant's
// link secret: HMAC-SHA256(key, purpose, id), base64url-encoded without padding. The same
// inputs always give the same token, so a link can be rebuilt for every notification while
// only its Hash is stored; without the key it is as unguessable as NewToken.
func Derive(key []byte, purpose string, id [16]byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(id[:])
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
