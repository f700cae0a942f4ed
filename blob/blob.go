package blob

import (
	"context"
	"errors"
	"io"
	"strings"
)

// The errors a Store returns, wrapped with the operation and key; test with errors.Is.
var (
	// ErrNotFound means that nothing is stored under the key.
	ErrNotFound = errors.New("blob: not found")
	// ErrInvalidKey means that [ValidKey] refuses the key.
	ErrInvalidKey = errors.New("blob: invalid key")
)

// MaxKeyLen is the length of the longest key [ValidKey] accepts, in bytes.
const MaxKeyLen = 1024

// Store keeps file contents under keys. Implementations are safe for concurrent use, and
// Puts to distinct keys proceed concurrently: a slow reader holds up no other Put.
type Store interface {
	// Put stores everything r yields under key, replacing what was there once r is read to
	// its end. contentType is the content's media type; a Store may keep it or ignore it.
	// The new content becomes readable whole or not at all: while Put reads, Open returns
	// the earlier content (or ErrNotFound), and a Put that fails or whose ctx ends leaves
	// the earlier content as it was. Returns ErrInvalidKey for a key ValidKey refuses, the
	// error of r (wrapped) when reading fails, and ctx's error (wrapped) when ctx ends
	// before r is read to its end.
	Put(ctx context.Context, key string, r io.Reader, contentType string) error
	// Open returns the content under key; the caller closes it. Returns ErrNotFound when
	// nothing is stored under key, ErrInvalidKey for a key ValidKey refuses.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the content under key. Deleting a missing key returns nil. Returns
	// ErrInvalidKey for a key ValidKey refuses.
	Delete(ctx context.Context, key string) error
}

// ValidKey reports whether key is usable with a [Store]: 1 to [MaxKeyLen] bytes of segments
// separated by "/", each segment non-empty, made of A-Z, a-z, 0-9, '.', '_' and '-', and
// neither "." nor "..". Such a key is a relative path on every file system and a plain
// object name in every cloud bucket: it cannot be absolute, climb out of a directory, hold a
// backslash or need escaping.
func ValidKey(key string) bool {
	if len(key) == 0 || len(key) > MaxKeyLen {
		return false
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for i := range len(seg) {
			if !keyByte(seg[i]) {
				return false
			}
		}
	}
	return true
}

func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// ctxReader fails with ctx's error once ctx has ended, so that copying a slow or endless
// reader stops between two chunks instead of running to its end.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
