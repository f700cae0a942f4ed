package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// MinKeyBytes is the shortest master key accepted (256 bits).
const MinKeyBytes = 32

// linkMACBytes is the length of a link's MAC: 128 bits, beyond guessing.
const linkMACBytes = 16

// LinkLen is the length of a signed link token: base64url of two IDs and the MAC.
var LinkLen = base64.RawURLEncoding.EncodedLen(32 + linkMACBytes)

// subkey derives the key of one use from a master key, so that one master key serves links
// and sealing without the two ever sharing a key.
func subkey(master []byte, use string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("deskkit/helpdesk " + use))
	return m.Sum(nil)
}

// Link returns the signed token of a link of one purpose ("requester", "session") to record
// id of tenant at version: base64url(tenant ‖ id ‖ MAC), where the MAC is HMAC-SHA256 under a
// key derived from master, over the purpose, both IDs and the version, cut to 128 bits. The
// same inputs always give the same token, so a link can be rebuilt for every notification
// without storing it; raising the version revokes every earlier token.
func Link(master []byte, purpose string, tenant, id [16]byte, version int64) string {
	b := make([]byte, 0, 32+linkMACBytes)
	b = append(b, tenant[:]...)
	b = append(b, id[:]...)
	b = append(b, linkMAC(master, purpose, tenant, id, version)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func linkMAC(master []byte, purpose string, tenant, id [16]byte, version int64) []byte {
	m := hmac.New(sha256.New, subkey(master, "link"))
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(tenant[:])
	m.Write(id[:])
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(version)))
	return m.Sum(nil)[:linkMACBytes]
}

// ParseLink returns the tenant and record IDs a link token names, without checking its MAC
// (CheckLink does, once the record's version is known). ok is false for anything Link did
// not produce.
func ParseLink(token string) (tenant, id [16]byte, ok bool) {
	if len(token) != LinkLen {
		return tenant, id, false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 32+linkMACBytes {
		return tenant, id, false
	}
	copy(tenant[:], b[:16])
	copy(id[:], b[16:32])
	return tenant, id, true
}

// CheckLink reports whether token is the link of purpose to id of tenant at version under any
// of the master keys. Each comparison takes constant time.
func CheckLink(masters [][]byte, token, purpose string, tenant, id [16]byte, version int64) bool {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 32+linkMACBytes {
		return false
	}
	found := false
	for _, k := range masters {
		if hmac.Equal(b[32:], linkMAC(k, purpose, tenant, id, version)) {
			found = true
		}
	}
	return found
}

// ErrUnsealable means sealed text was not made by Seal under any of the keys given, or was
// made for other associated data.
var ErrUnsealable = errors.New("sealed secret cannot be opened with the configured keys")

// Seal encrypts plain with AES-256-GCM under a key derived from master, bound to ad (the ID
// of the record it belongs to, so that it cannot be moved to another record), and returns
// base64 text: nonce ‖ ciphertext.
func Seal(master, plain, ad []byte) string {
	gcm := newGCM(master)
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(gcm.Seal(nonce, nonce, plain, ad))
}

// Open decrypts what Seal made under any of the master keys, with the same ad. Returns
// ErrUnsealable otherwise.
func Open(masters [][]byte, sealed string, ad []byte) ([]byte, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, ErrUnsealable
	}
	for _, k := range masters {
		gcm := newGCM(k)
		if len(b) < gcm.NonceSize() {
			return nil, ErrUnsealable
		}
		if plain, err := gcm.Open(nil, b[:gcm.NonceSize()], b[gcm.NonceSize():], ad); err == nil {
			return plain, nil
		}
	}
	return nil, ErrUnsealable
}

func newGCM(master []byte) cipher.AEAD {
	block, err := aes.NewCipher(subkey(master, "seal")) // 32 bytes: AES-256, never an error
	if err != nil {
		panic(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return gcm
}
