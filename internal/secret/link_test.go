package secret

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLink(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	ten, id := [16]byte{1, 2, 3}, [16]byte{9, 8, 7}
	tok := Link(k1, "requester", ten, id, 1)
	require.Len(t, tok, LinkLen)
	assert.Equal(t, tok, Link(k1, "requester", ten, id, 1), "derivation is deterministic")

	gotTen, gotID, ok := ParseLink(tok)
	require.True(t, ok)
	assert.Equal(t, ten, gotTen)
	assert.Equal(t, id, gotID)

	assert.True(t, CheckLink([][]byte{k1}, tok, "requester", ten, id, 1))
	assert.True(t, CheckLink([][]byte{k2, k1}, tok, "requester", ten, id, 1), "an older key still verifies during a rotation")
	for name, ok := range map[string]bool{
		"other key":     CheckLink([][]byte{k2}, tok, "requester", ten, id, 1),
		"no key":        CheckLink(nil, tok, "requester", ten, id, 1),
		"other purpose": CheckLink([][]byte{k1}, tok, "session", ten, id, 1),
		"other record":  CheckLink([][]byte{k1}, tok, "requester", ten, [16]byte{1}, 1),
		"other tenant":  CheckLink([][]byte{k1}, tok, "requester", [16]byte{5}, id, 1),
		"rotated":       CheckLink([][]byte{k1}, tok, "requester", ten, id, 2),
		"tampered":      CheckLink([][]byte{k1}, tok[:len(tok)-2]+"AA", "requester", ten, id, 1),
	} {
		assert.False(t, ok, name)
	}
	for _, bad := range []string{"", "short", tok + "A", tok[:len(tok)-1] + "!"} {
		_, _, ok := ParseLink(bad)
		assert.False(t, ok, bad)
	}
}

func TestSeal(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	sealed := Seal(k1, []byte("the secret"), []byte("record-1"))
	assert.NotContains(t, sealed, "secret")
	plain, err := Open([][]byte{k2, k1}, sealed, []byte("record-1"))
	require.NoError(t, err)
	assert.Equal(t, "the secret", string(plain))
	assert.NotEqual(t, sealed, Seal(k1, []byte("the secret"), []byte("record-1")), "every seal has its own nonce")

	for name, open := range map[string]func() ([]byte, error){
		"other key":    func() ([]byte, error) { return Open([][]byte{k2}, sealed, []byte("record-1")) },
		"other record": func() ([]byte, error) { return Open([][]byte{k1}, sealed, []byte("record-2")) },
		"garbage":      func() ([]byte, error) { return Open([][]byte{k1}, "!!", nil) },
		"truncated":    func() ([]byte, error) { return Open([][]byte{k1}, sealed[:8], []byte("record-1")) },
	} {
		_, err := open()
		assert.ErrorIs(t, err, ErrUnsealable, name)
	}
}
