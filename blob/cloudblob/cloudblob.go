package cloudblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"syscall"

	gcblob "gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/deskkit/helpdesk/blob"
)

// Store is a [blob.Store] on a bucket of gocloud.dev/blob. It is safe for concurrent use.
type Store struct {
	b *gcblob.Bucket
}

var (
	_ blob.Store  = (*Store)(nil)
	_ blob.Lister = (*Store)(nil)
)

// New returns a Store keeping its contents in b. The caller keeps ownership of b and closes
// it after the last use of the Store.
func New(b *gcblob.Bucket) *Store {
	return &Store{b: b}
}

// Put writes everything r yields to the object key, with contentType as its Content-Type
// (detected from the first 512 bytes when empty). The object appears only when the upload
// completes; when reading r fails or ctx ends, the upload is aborted and the earlier object,
// if any, stays. Returns blob.ErrInvalidKey, the error of r (wrapped), ctx's error
// (wrapped), or the bucket's error (wrapped; gcerrors.Code classifies it), for instance for
// a malformed contentType.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) error {
	if !blob.ValidKey(key) {
		return fmt.Errorf("put %q: %w", key, blob.ErrInvalidKey)
	}
	// Cancelling the writer's ctx is how gocloud aborts an upload.
	wctx, abort := context.WithCancel(ctx)
	defer abort()
	w, err := s.b.NewWriter(wctx, key, &gcblob.WriterOptions{ContentType: contentType})
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	if _, err := io.Copy(w, ctxReader{ctx, r}); err != nil {
		abort()
		_ = w.Close() // required even after an abort; its error is the abort's
		return fmt.Errorf("put %q: %w", key, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// Open returns a reader of the object key, a *gcblob.Reader (which can seek and tells the
// object's ContentType). Reading it uses ctx: the reader stops working once ctx ends.
// Returns blob.ErrNotFound when there is no such object, blob.ErrInvalidKey, or the
// bucket's error (wrapped).
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if !blob.ValidKey(key) {
		return nil, fmt.Errorf("open %q: %w", key, blob.ErrInvalidKey)
	}
	r, err := s.b.NewReader(ctx, key, nil)
	if notFound(err) {
		return nil, fmt.Errorf("open %q: %w: %w", key, blob.ErrNotFound, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	return r, nil
}

// Delete removes the object key; a missing object is not an error. Returns
// blob.ErrInvalidKey, or the bucket's error (wrapped).
func (s *Store) Delete(ctx context.Context, key string) error {
	if !blob.ValidKey(key) {
		return fmt.Errorf("delete %q: %w", key, blob.ErrInvalidKey)
	}
	if err := s.b.Delete(ctx, key); err != nil && !notFound(err) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	return nil
}

// notFound reports whether err says that the object does not exist. Besides gocloud's
// NotFound code, that is a file system's "not a directory" (fileblob's code Unknown), which
// means that a directory of the key is another key's file, and so the key is not there.
func notFound(err error) bool {
	return gcerrors.Code(err) == gcerrors.NotFound || errors.Is(err, syscall.ENOTDIR)
}

// ctxReader fails with ctx's error once ctx has ended, so that an upload from a slow or
// endless reader stops between two chunks; gocloud itself looks at ctx only when it talks
// to the service, which for small objects is at Close.
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

// List yields the bucket's objects whose key starts with prefix, with their size and
// modification time, skipping names that are no valid key (objects the helpdesk did not put).
// Returns the bucket's error (wrapped) as the listing's last item.
func (s *Store) List(ctx context.Context, prefix string) iter.Seq2[blob.Info, error] {
	return func(yield func(blob.Info, error) bool) {
		it := s.b.List(&gcblob.ListOptions{Prefix: prefix})
		for {
			o, err := it.Next(ctx)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(blob.Info{}, fmt.Errorf("list %q: %w", prefix, err))
				return
			}
			if o.IsDir || !blob.ValidKey(o.Key) {
				continue
			}
			if !yield(blob.Info{Key: o.Key, Size: o.Size, ModTime: o.ModTime}, nil) {
				return
			}
		}
	}
}
