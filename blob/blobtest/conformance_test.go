package blobtest_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/blob/blobtest"
)

// brokenStore is a blob.Mem with the defect mutant names; with no mutant it is correct.
type brokenStore struct {
	mem    *blob.Mem
	mutant string

	mu      sync.Mutex
	staging []byte                   // "staging": one buffer shared by all Puts
	locks   map[string]*sync.RWMutex // "lockskey": a lock per key, held while Put reads
}

var _ blob.Store = (*brokenStore)(nil)

// key maps key to the key the Mem stores it under, or fails as the mutant's validation does.
func (s *brokenStore) key(op, key string) (string, error) {
	switch {
	case s.mutant == "novalidate", s.mutant == "validateputonly" && op != "put":
		if !blob.ValidKey(key) {
			return "escaped/k" + hex.EncodeToString([]byte(key)), nil
		}
	case s.mutant == "nodots":
		for seg := range strings.SplitSeq(key, "/") {
			if strings.HasPrefix(seg, ".") {
				return "", blob.ErrInvalidKey
			}
		}
	case s.mutant == "short":
		if len(key) > 255 {
			return "", blob.ErrInvalidKey
		}
	case s.mutant == "flat":
		if blob.ValidKey(key) {
			return path.Base(key), nil
		}
	}
	return key, nil
}

func (s *brokenStore) keyLock(key string) *sync.RWMutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locks[key] == nil {
		s.locks[key] = new(sync.RWMutex)
	}
	return s.locks[key]
}

func (s *brokenStore) Put(ctx context.Context, key string, r io.Reader, contentType string) error {
	key, err := s.key("put", key)
	if err != nil {
		return err
	}
	if !blob.ValidKey(key) {
		return s.mem.Put(ctx, key, r, contentType)
	}
	switch s.mutant {
	case "truncate": // keeps the first MiB
		r = io.LimitReader(r, 1<<20)
	case "keepfirst": // does not overwrite
		if rc, err := s.mem.Open(ctx, key); err == nil {
			_ = rc.Close()
			_, err := io.Copy(io.Discard, r)
			return err
		}
	case "partial": // stores what it read before the reader failed
		b, err := io.ReadAll(r)
		if perr := s.mem.Put(ctx, key, bytes.NewReader(b), contentType); err == nil {
			err = perr
		}
		return err
	case "dropsold": // deletes the earlier content first
		_ = s.mem.Delete(ctx, key)
	case "swallow": // reports success when reading failed
		if err := s.mem.Put(ctx, key, r, contentType); errors.Is(err, blob.ErrInvalidKey) {
			return err
		}
		return nil
	case "ignorectx":
		ctx = context.Background()
	case "ctxfirst": // checks ctx once, before reading
		if err := ctx.Err(); err != nil {
			return err
		}
		ctx = context.Background()
	case "ctxlast": // checks ctx once, after reading everything
		b, err := io.ReadAll(r)
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return err
		}
		return s.mem.Put(ctx, key, bytes.NewReader(b), contentType)
	case "inplace": // makes each chunk readable as it arrives
		var got []byte
		buf := make([]byte, 8<<10)
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if perr := s.mem.Put(ctx, key, bytes.NewReader(got), contentType); perr != nil {
				return perr
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	case "staging": // collects chunks in a buffer shared by all Puts
		buf := make([]byte, 8<<10)
		for {
			n, err := r.Read(buf)
			s.mu.Lock()
			s.staging = append(s.staging, buf[:n]...)
			s.mu.Unlock()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
		s.mu.Lock()
		b := s.staging
		s.staging = nil
		s.mu.Unlock()
		return s.mem.Put(ctx, key, bytes.NewReader(b), contentType)
	case "serial": // holds one lock for the whole Put
		s.mu.Lock()
		defer s.mu.Unlock()
	case "lockskey": // makes Open of the key wait while Put reads
		l := s.keyLock(key)
		l.Lock()
		defer l.Unlock()
	}
	return s.mem.Put(ctx, key, r, contentType)
}

func (s *brokenStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	key, err := s.key("open", key)
	if err != nil {
		return nil, err
	}
	if s.mutant == "lockskey" && blob.ValidKey(key) {
		l := s.keyLock(key)
		l.RLock()
		defer l.RUnlock()
	}
	rc, err := s.mem.Open(ctx, key)
	if s.mutant == "emptymissing" && errors.Is(err, blob.ErrNotFound) {
		return io.NopCloser(strings.NewReader("")), nil
	}
	return rc, err
}

func (s *brokenStore) Delete(ctx context.Context, key string) error {
	key, err := s.key("delete", key)
	if err != nil {
		return err
	}
	switch s.mutant {
	case "nodelete":
		if blob.ValidKey(key) {
			return nil
		}
	case "deletemissingerr":
		rc, err := s.mem.Open(ctx, key)
		if err != nil {
			return err
		}
		_ = rc.Close()
	}
	return s.mem.Delete(ctx, key)
}

func harness(mutant string) blobtest.Harness {
	return blobtest.Harness{New: func(t *testing.T) blob.Store {
		return &brokenStore{mem: blob.NewMem(), mutant: mutant, locks: make(map[string]*sync.RWMutex)}
	}}
}

func TestRunStore(t *testing.T) {
	blobtest.RunStore(t, harness(""))
}

// mutantEnv names the broken store TestMutantChild runs the suite against.
const mutantEnv = "HELPDESK_BLOBTEST_MUTANT"

// TestMutantChild runs the suite against a broken store in a child process started by
// TestSuiteCatchesBrokenStores, which reads its verdict.
func TestMutantChild(t *testing.T) {
	mutant := os.Getenv(mutantEnv)
	if mutant == "" {
		t.Skip("run by TestSuiteCatchesBrokenStores")
	}
	blobtest.RunStore(t, harness(mutant))
}

// TestSuiteCatchesBrokenStores shows that each check of the suite fails for a store with the
// defect it is there to catch. The suite runs in a child process, since a failing check
// fails the *testing.T it is given.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	tests := []struct {
		mutant   string
		wantFail string
	}{
		{"truncate", "RoundTrip"},
		{"keepfirst", "Overwrite"},
		{"emptymissing", "OpenMissing"},
		{"nodelete", "DeleteThenOpen"},
		{"deletemissingerr", "DeleteMissing"},
		{"novalidate", "InvalidKeys"},
		{"validateputonly", "InvalidKeys"},
		{"nodots", "ValidKeys"},
		{"short", "ValidKeys"},
		{"flat", "NestedKeys"},
		{"inplace", "NotVisibleDuringPut"},
		{"lockskey", "NotVisibleDuringPut"},
		{"partial", "FailingReader"},
		{"dropsold", "FailingReader"},
		{"swallow", "FailingReader"},
		{"ignorectx", "CancelledContext"},
		{"ctxfirst", "CancelledContext"},
		{"ctxlast", "CancelledContext"},
		{"staging", "Concurrent"},
		{"serial", "Concurrent"},
	}
	for _, tt := range tests {
		t.Run(tt.mutant, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMutantChild$", "-test.v")
			cmd.Env = append(os.Environ(), mutantEnv+"="+tt.mutant)
			out, err := cmd.CombinedOutput()

			require.Error(t, err, "the suite passed a broken store:\n%s", out)
			assert.Contains(t, string(out), "--- FAIL: TestMutantChild/"+tt.wantFail+" ",
				"the %s check should have failed:\n%s", tt.wantFail, out)
		})
	}
}
