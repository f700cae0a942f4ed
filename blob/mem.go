package blob

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"
	"time"
)

// Mem is a [Store] and a [Lister] in memory, for tests and examples. It keeps a copy of each
// content and ignores content types. The zero value is not usable; call [NewMem].
type Mem struct {
	// Now dates each Put (the ModTime that List reports). Defaults to time.Now; a test with a
	// fake clock sets its own before the first Put.
	Now func() time.Time

	mu sync.RWMutex
	m  map[string]memEntry
}

// memEntry is one content of a Mem and when it was put.
type memEntry struct {
	b  []byte
	at time.Time
}

var (
	_ Store  = (*Mem)(nil)
	_ Lister = (*Mem)(nil)
)

// NewMem returns an empty Mem.
func NewMem() *Mem {
	return &Mem{m: make(map[string]memEntry)}
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
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = memEntry{b: b, at: now()}
	return nil
}

// Open returns the content under key, as an io.ReadSeekCloser. Returns ErrNotFound,
// ErrInvalidKey.
func (s *Mem) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if !ValidKey(key) {
		return nil, fmt.Errorf("open %q: %w", key, ErrInvalidKey)
	}
	s.mu.RLock()
	e, ok := s.m[key]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("open %q: %w", key, ErrNotFound)
	}
	// Stored slices are never written to again, so readers can share them.
	return memReader{bytes.NewReader(e.b)}, nil
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

// List yields the contents under prefix, as they were when List was called. It never fails.
func (s *Mem) List(_ context.Context, prefix string) iter.Seq2[Info, error] {
	s.mu.RLock()
	var infos []Info
	for k, e := range s.m {
		if strings.HasPrefix(k, prefix) {
			infos = append(infos, Info{Key: k, Size: int64(len(e.b)), ModTime: e.at})
		}
	}
	s.mu.RUnlock()
	return func(yield func(Info, error) bool) {
		for _, in := range infos {
			if !yield(in, nil) {
				return
			}
		}
	}
}

type memReader struct{ *bytes.Reader }

func (memReader) Close() error { return nil }
