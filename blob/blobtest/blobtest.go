package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/blob"
)

// Harness connects [RunStore] to the Store under test.
type Harness struct {
	// New returns an empty Store, cleaned up via t.Cleanup. Every check calls it once.
	New func(t *testing.T) blob.Store
}

// waitBound is how long the suite waits for what a correct Store does at once (another Put
// reaching its reader, an Open returning). It is generous so that a slow CI machine never
// fails a check; a Store that serializes the calls never gets there.
const waitBound = 10 * time.Second

// chunk is the most a test reader yields per Read, so that every Put reads many times
// whatever buffer size the Store copies with.
const chunk = 16 << 10

// RunStore runs the conformance suite against the Store h.New builds, as subtests of t:
//
//   - RoundTrip: empty, small and 1 MiB+ contents read back byte for byte, and the Store
//     keeps its own copy of what it read.
//   - Overwrite: a second Put replaces a longer content entirely.
//   - OpenMissing, DeleteThenOpen: Open of a key never put, or deleted, returns
//     [blob.ErrNotFound].
//   - DeleteMissing: Delete of a missing key returns nil.
//   - InvalidKeys: Put, Open and Delete all return [blob.ErrInvalidKey] for keys that
//     [blob.ValidKey] refuses (empty, absolute, trailing or double slash, dot segments,
//     backslash, space, 1025 bytes…).
//   - ValidKeys: odd but valid keys, up to [blob.MaxKeyLen] bytes, work.
//   - NestedKeys: keys sharing directories stay apart, deleting one leaves its siblings, and
//     a key can be put again below directories that deleting emptied.
//   - NotVisibleDuringPut: while a Put is reading, Open returns the earlier content or
//     ErrNotFound, and does not wait for the Put.
//   - FailingReader: a reader that fails midway fails Put with the reader's error, and
//     leaves nothing under the key, or the earlier content.
//   - CancelledContext: a ctx cancelled before Put, or while it reads, fails Put with
//     context.Canceled, without reading r to its end, and leaves nothing under the key, or
//     the earlier content.
//   - Concurrent: 8 goroutines put distinct keys at once, each holding its reader open until
//     all have started, then put and delete keys in one shared directory; every call
//     succeeds and every content reads back.
//   - List (for a Store that is a [blob.Lister]): every content put is listed once with its
//     size and a modification time around its Put, under its prefix only; deleted ones are
//     not; breaking out of the listing stops it.
func RunStore(t *testing.T, h Harness) {
	t.Helper()
	require.NotNil(t, h.New, "blobtest: Harness.New is nil")

	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, h) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, h) })
	t.Run("OpenMissing", func(t *testing.T) { testOpenMissing(t, h) })
	t.Run("DeleteThenOpen", func(t *testing.T) { testDeleteThenOpen(t, h) })
	t.Run("DeleteMissing", func(t *testing.T) { testDeleteMissing(t, h) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, h) })
	t.Run("ValidKeys", func(t *testing.T) { testValidKeys(t, h) })
	t.Run("NestedKeys", func(t *testing.T) { testNestedKeys(t, h) })
	t.Run("NotVisibleDuringPut", func(t *testing.T) { testNotVisibleDuringPut(t, h) })
	t.Run("FailingReader", func(t *testing.T) { testFailingReader(t, h) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelledContext(t, h) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, h) })
	t.Run("List", func(t *testing.T) { testList(t, h) })
}

func testList(t *testing.T, h Harness) {
	s := h.New(t)
	l, ok := s.(blob.Lister)
	if !ok {
		t.Skipf("%T is no blob.Lister", s)
	}
	started := time.Now()
	contents := map[string][]byte{"t1/a/one": []byte("1"), "t1/a/two": content(3000, 3), "t1/b/three": nil,
		"t2/a/four": []byte("4444")}
	for k, b := range contents {
		put(t, s, k, b)
	}
	put(t, s, "t1/a/gone", []byte("x"))
	require.NoError(t, s.Delete(opContext(t), "t1/a/gone"))

	list := func(prefix string) map[string]blob.Info {
		t.Helper()
		got := map[string]blob.Info{}
		for in, err := range l.List(opContext(t), prefix) {
			require.NoError(t, err, "list %q", prefix)
			_, dup := got[in.Key]
			assert.False(t, dup, "%s listed twice", in.Key)
			got[in.Key] = in
		}
		return got
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"t1/a/one", "t1/a/two", "t1/b/three", "t2/a/four"}},
		{"t1/", []string{"t1/a/one", "t1/a/two", "t1/b/three"}},
		{"t1/a/", []string{"t1/a/one", "t1/a/two"}},
		{"t1/a/t", []string{"t1/a/two"}},
		{"t3/", nil},
	}
	for _, tt := range tests {
		got := list(tt.prefix)
		var keys []string
		for k, in := range got {
			keys = append(keys, k)
			assert.Equal(t, int64(len(contents[k])), in.Size, "size of %s", k)
			// File systems and buckets may round times to a second or two.
			assert.WithinRange(t, in.ModTime, started.Add(-2*time.Second), time.Now().Add(2*time.Second), "time of %s", k)
		}
		assert.ElementsMatch(t, tt.want, keys, "list %q", tt.prefix)
	}
	n := 0
	for range l.List(opContext(t), "") {
		n++
		break
	}
	assert.Equal(t, 1, n, "breaking out stops the listing")
}

// opContext bounds every call of the suite, so that a hanging Store fails the test instead
// of hanging it.
func opContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// content returns n pseudo-random bytes, different for each seed, so that a misplaced or
// mixed-up chunk shows.
func content(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

func put(t *testing.T, s blob.Store, key string, b []byte) {
	t.Helper()
	require.NoError(t, s.Put(opContext(t), key, bytes.NewReader(b), "application/octet-stream"), "put %q", key)
}

// read returns the content under key, failing the test when there is none.
func read(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	b, err := readErr(opContext(t), s, key)
	require.NoError(t, err, "open %q", key)
	return b
}

func readErr(ctx context.Context, s blob.Store, key string) ([]byte, error) {
	rc, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	return b, err
}

// assertContent checks that key holds want, or nothing when want is nil.
func assertContent(t *testing.T, s blob.Store, key string, want []byte, msgAndArgs ...any) bool {
	t.Helper()
	got, err := readErr(opContext(t), s, key)
	if want == nil {
		return assert.ErrorIs(t, err, blob.ErrNotFound, msgAndArgs...)
	}
	return assert.NoError(t, err, msgAndArgs...) && equalBytes(t, want, got, msgAndArgs...)
}

// equalBytes is assert.Equal without a megabyte-long diff.
func equalBytes(t *testing.T, want, got []byte, msgAndArgs ...any) bool {
	t.Helper()
	if len(want) <= 256 && len(got) <= 256 {
		return assert.Equal(t, want, got, msgAndArgs...)
	}
	if bytes.Equal(want, got) {
		return true
	}
	first := 0
	for first < min(len(want), len(got)) && want[first] == got[first] {
		first++
	}
	return assert.Fail(t, fmt.Sprintf("content differs: want %d bytes, got %d, first difference at byte %d",
		len(want), len(got), first), msgAndArgs...)
}

// hookReader yields r in chunks of at most chunk bytes, and calls hook at the start of the
// second Read, after the Store has had the first chunk. A hook error fails that Read.
type hookReader struct {
	r     io.Reader
	reads int
	hook  func() error
}

func (h *hookReader) Read(p []byte) (int, error) {
	h.reads++
	if h.reads == 2 && h.hook != nil {
		if err := h.hook(); err != nil {
			return 0, err
		}
	}
	return h.r.Read(p[:min(len(p), chunk)])
}

// errReader is the error of a reader that fails midway.
var errReader = errors.New("blobtest: reader failed midway")

func testRoundTrip(t *testing.T, h Harness) {
	tests := []struct {
		name string
		want []byte
	}{
		{"empty", []byte{}},
		{"small", []byte("Grüße from T-000042 😀\n")},
		{"1MiB+1", content(1<<20+1, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := h.New(t)
			src := bytes.Clone(tt.want)

			err := s.Put(opContext(t), "round/trip", &hookReader{r: bytes.NewReader(src)}, "application/octet-stream")
			require.NoError(t, err)
			clear(src) // the caller may reuse its buffer once Put has returned

			equalBytes(t, tt.want, read(t, s, "round/trip"), "first read")
			equalBytes(t, tt.want, read(t, s, "round/trip"), "second read")
		})
	}
}

func testOverwrite(t *testing.T, h Harness) {
	s := h.New(t)
	put(t, s, "over/write", content(100<<10, 2))
	put(t, s, "over/write", []byte("short"))
	assertContent(t, s, "over/write", []byte("short"), "the second Put should replace the first entirely")
}

func testOpenMissing(t *testing.T, h Harness) {
	s := h.New(t)
	put(t, s, "present/a", []byte("a"))

	for _, key := range []string{"missing", "present/b", "present/a/b", "present"} {
		rc, err := s.Open(opContext(t), key)
		if rc != nil {
			_ = rc.Close()
		}
		assert.ErrorIs(t, err, blob.ErrNotFound, "open %q", key)
		assert.Nil(t, rc, "open %q should return no reader", key)
	}
}

func testDeleteThenOpen(t *testing.T, h Harness) {
	s := h.New(t)
	put(t, s, "doomed/file", []byte("bye"))
	put(t, s, "doomed/sibling", []byte("stays"))

	require.NoError(t, s.Delete(opContext(t), "doomed/file"))

	assertContent(t, s, "doomed/file", nil, "deleted key")
	assertContent(t, s, "doomed/sibling", []byte("stays"), "sibling of the deleted key")
	assert.NoError(t, s.Delete(opContext(t), "doomed/file"), "deleting again")
}

func testDeleteMissing(t *testing.T, h Harness) {
	s := h.New(t)
	put(t, s, "here/a", []byte("a"))

	for _, key := range []string{"nowhere", "here/b", "here/a/b", "nowhere/deep/key"} {
		assert.NoError(t, s.Delete(opContext(t), key), "delete %q", key)
	}
	assertContent(t, s, "here/a", []byte("a"))
}

func testInvalidKeys(t *testing.T, h Harness) {
	tests := []struct {
		name, key string
	}{
		{"empty", ""},
		{"absolute", "/a"},
		{"trailing_slash", "a/"},
		{"double_slash", "a//b"},
		{"dotdot_first", "../x"},
		{"dotdot_inside", "a/../b"},
		{"dotdot_alone", ".."},
		{"dot", "a/./b"},
		{"backslash", `a\b`},
		{"space", "a b"},
		{"nul", "a\x00b"},
		{"colon", "c:a"},
		{"non_ascii", "grüße"},
		{"1025_bytes", strings.Repeat("k", blob.MaxKeyLen+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.False(t, blob.ValidKey(tt.key), "blobtest: blob.ValidKey accepts %q", tt.key)
			s := h.New(t)
			ctx := opContext(t)

			err := s.Put(ctx, tt.key, strings.NewReader("x"), "text/plain")
			assert.ErrorIs(t, err, blob.ErrInvalidKey, "Put")
			rc, err := s.Open(ctx, tt.key)
			if rc != nil {
				_ = rc.Close()
			}
			assert.ErrorIs(t, err, blob.ErrInvalidKey, "Open")
			assert.ErrorIs(t, s.Delete(ctx, tt.key), blob.ErrInvalidKey, "Delete")
		})
	}
}

// maxKey is a valid key of blob.MaxKeyLen bytes: eight segments short enough for any file
// system's name limit.
func maxKey() string {
	segs := make([]string, 8)
	for i := range segs {
		segs[i] = strings.Repeat(string(rune('a'+i)), 127)
	}
	segs[7] += "h" // 8×127 + 7 slashes + 1 = 1024
	return strings.Join(segs, "/")
}

func testValidKeys(t *testing.T, h Harness) {
	keys := []string{
		"a",
		"AZaz09._-",
		"...",
		"..a",
		".hidden/x.",
		"-/_/.-_",
		"a/b/c/d/e/f/g/h/i/j",
		maxKey(),
	}
	for i, key := range keys {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			require.True(t, blob.ValidKey(key), "blobtest: blob.ValidKey refuses %q", key)
			s := h.New(t)
			want := fmt.Appendf(nil, "content of %q", key)

			require.NoError(t, s.Put(opContext(t), key, bytes.NewReader(want), "text/plain"), "put %q", key)
			assertContent(t, s, key, want, "key %q", key)
			require.NoError(t, s.Delete(opContext(t), key), "delete %q", key)
			assertContent(t, s, key, nil, "key %q after delete", key)
		})
	}
}

func testNestedKeys(t *testing.T, h Harness) {
	s := h.New(t)
	keys := []string{"n/x/y/z", "n/x/y/w", "n/x/yz", "n/x.y/z", "n/x-y", "m/x/y/z"}
	for _, key := range keys {
		put(t, s, key, []byte(key))
	}
	for _, key := range keys {
		assertContent(t, s, key, []byte(key))
	}

	require.NoError(t, s.Delete(opContext(t), "n/x/y/z"))
	assertContent(t, s, "n/x/y/z", nil)
	assertContent(t, s, "n/x/y/w", []byte("n/x/y/w"), "a sibling of a deleted key")
	require.NoError(t, s.Delete(opContext(t), "n/x/y/w"))
	assertContent(t, s, "n/x/yz", []byte("n/x/yz"), "a key beside an emptied directory")

	put(t, s, "n/x/y/z", []byte("again"))
	assertContent(t, s, "n/x/y/z", []byte("again"), "a key put again after its directory was emptied")
}

func testNotVisibleDuringPut(t *testing.T, h Harness) {
	for _, exists := range []bool{false, true} {
		t.Run(fmt.Sprintf("exists=%t", exists), func(t *testing.T) {
			s := h.New(t)
			const key = "in/progress"
			var before []byte
			if exists {
				before = []byte("earlier content")
				put(t, s, key, before)
			}
			want := content(256<<10, 3)
			var seen []byte
			var seenErr error
			openCtx := opContext(t)
			r := &hookReader{r: bytes.NewReader(want), hook: func() error {
				seen, seenErr = readWithin(openCtx, s, key)
				return nil
			}}

			require.NoError(t, s.Put(opContext(t), key, r, "application/octet-stream"))

			if errors.Is(seenErr, errWaited) {
				require.Fail(t, "Open of a key waited for a Put in progress", "gave up after %v", waitBound)
			}
			if exists {
				if assert.NoError(t, seenErr, "Open during Put") {
					equalBytes(t, before, seen, "Open during Put should return the earlier content")
				}
			} else {
				assert.ErrorIs(t, seenErr, blob.ErrNotFound,
					"Open during Put should find nothing (found %d bytes)", len(seen))
			}
			assertContent(t, s, key, want, "after Put")
		})
	}
}

var errWaited = errors.New("blobtest: Open did not return")

// readWithin is readErr, giving up after waitBound.
func readWithin(ctx context.Context, s blob.Store, key string) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := readErr(ctx, s, key)
		done <- result{b, err}
	}()
	bound := time.NewTimer(waitBound)
	defer bound.Stop()
	select {
	case r := <-done:
		return r.b, r.err
	case <-bound.C:
		return nil, errWaited
	}
}

func testFailingReader(t *testing.T, h Harness) {
	for _, exists := range []bool{false, true} {
		t.Run(fmt.Sprintf("exists=%t", exists), func(t *testing.T) {
			s := h.New(t)
			const key = "failing/reader"
			var before []byte
			if exists {
				before = []byte("earlier content")
				put(t, s, key, before)
			}
			r := io.MultiReader(bytes.NewReader(content(100<<10, 4)), iotest.ErrReader(errReader))

			err := s.Put(opContext(t), key, &hookReader{r: r}, "application/octet-stream")

			assert.ErrorIs(t, err, errReader, "Put should return the reader's error")
			assertContent(t, s, key, before, "after the failed Put")
		})
	}
}

var errKeptReading = errors.New("blobtest: Put went on reading after its ctx was cancelled")

func testCancelledContext(t *testing.T, h Harness) {
	tests := []struct {
		name   string
		exists bool
		before bool // cancel before Put, rather than after its first chunk
	}{
		{"before_put", false, true},
		{"mid_put", false, false},
		{"mid_put_exists", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := h.New(t)
			const key = "cancelled/put"
			var before []byte
			if tt.exists {
				before = []byte("earlier content")
				put(t, s, key, before)
			}
			ctx, cancel := context.WithCancel(opContext(t))
			defer cancel()
			// 2 MiB, then an error: a Put that goes on reading after ctx ends gets it.
			r := &hookReader{r: io.MultiReader(bytes.NewReader(content(2<<20, 5)), iotest.ErrReader(errKeptReading))}
			if tt.before {
				cancel()
			} else {
				r.hook = func() error { cancel(); return nil } // and keep on yielding
			}

			err := s.Put(ctx, key, r, "application/octet-stream")

			require.NotErrorIs(t, err, errKeptReading, "Put should stop reading once ctx is cancelled")
			assert.ErrorIs(t, err, context.Canceled, "Put should return ctx's error")
			assertContent(t, s, key, before, "after the cancelled Put")
		})
	}
}

var errNotConcurrent = errors.New("blobtest: the other Puts did not start reading")

func testConcurrent(t *testing.T, h Harness) {
	const (
		writers = 8
		churns  = 20
	)
	s := h.New(t)
	ctx := opContext(t)

	// Each reader, after its first chunk, waits until every writer has had one, so that the
	// Puts overlap for certain.
	var started sync.WaitGroup
	started.Add(writers)
	allStarted := make(chan struct{})
	go func() { started.Wait(); close(allStarted) }()
	bound, cancel := context.WithTimeout(ctx, waitBound)
	defer cancel()
	barrier := func() error {
		started.Done()
		select {
		case <-allStarted:
			return nil
		case <-bound.Done():
			return errNotConcurrent
		}
	}

	key := func(i int) string { return fmt.Sprintf("concurrent/blobs/%d", i) }
	churnKey := func(i int) string { return fmt.Sprintf("concurrent/churn/%d", i) }
	want := make([][]byte, writers)
	errs := make([][]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		want[i] = content(128<<10, byte(10+i))
		wg.Go(func() {
			r := &hookReader{r: bytes.NewReader(want[i]), hook: barrier}
			if err := s.Put(ctx, key(i), r, "application/octet-stream"); err != nil {
				errs[i] = append(errs[i], err)
			}
			// Puts and Deletes in one directory race each other's creating and pruning.
			for range churns {
				if err := s.Put(ctx, churnKey(i), strings.NewReader("churn"), "text/plain"); err != nil {
					errs[i] = append(errs[i], err)
				}
				if err := s.Delete(ctx, churnKey(i)); err != nil {
					errs[i] = append(errs[i], err)
				}
			}
		})
	}
	wg.Wait()

	for i := range writers {
		for _, err := range errs[i] {
			if errors.Is(err, errNotConcurrent) {
				assert.Fail(t, "Puts to distinct keys did not overlap: one held up the others while reading", "writer %d: %v", i, err)
			} else {
				assert.NoError(t, err, "writer %d", i)
			}
		}
		assertContent(t, s, key(i), want[i], "writer %d", i)
		assertContent(t, s, churnKey(i), nil, "writer %d's deleted key", i)
	}
}
