package blob

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
)

// Mem is a [Store] in memory, for tests and examples. It keeps a copy of each content and
// ignores content types. The zero value is not usable; call [NewMem].
type Mem struct {
	mu sync.RWMutex
	m  map[string][]byte
}

var _ Store = (*Mem)(nil)

// NewMem returns an empty Mem.
func NewMem() *Mem {
	return &Mem{m: make(map[string][]byte)}
}

// Put reads r to its end, then stores what it read under key. Returns ErrInvalidKey, the
// error of r (wrapped), or ctx's error (wrapped) when ctx ends before r is read; in each
// case the earlier content under key is kept.
func (s *Mem) Put(ctx context.Context, key string, r io.Reader, _ string) error {
	if !ValidKey(key) {
		return fmt.Errorf("put %q: %w", key, ErrInvalidKey)
	}
	// Reading happens outside the lock, so that a slow reader holds up no other call.
	b, err := io.ReadAll(ctxReader{ctx, r})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = b
	return nil
}

// Open returns the content under key, as an io.ReadSeekCloser. Returns ErrNotFound,
// ErrInvalidKey.
func (s *Mem) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if !ValidKey(key) {
		return nil, fmt.Errorf("open %q: %w", key, ErrInvalidKey)
	}
	s.mu.RLock()
	b, ok := s.m[key]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("open %q: %w", key, ErrNotFound)
	}
	// Stored slices are never written to again, so readers can share them.
	return memReader{bytes.NewReader(b)}, nil
}

// Delete removes the content under key; a missing key is not an error. Returns ErrInvalidKey.
func (s *Mem) Delete(_ context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("delete %q: %w", key, ErrInvalidKey)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

type memReader struct{ *bytes.Reader }

func (memReader) Close() error { return nil }
