package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Dir is a [Store] in a directory of the local file system: the content under key "a/b/c"
// is the file a/b/c below the root. It ignores content types (the helpdesk keeps each file's
// media type in its database).
//
// Because keys are paths, Dir cannot hold both a key and another key below it ("a" and
// "a/b"): the second Put fails. On a case-insensitive file system (the defaults of macOS
// and Windows) keys that differ only in case name the same file. The helpdesk's keys
// (tenant/ticket/attachment IDs) meet neither case.
type Dir struct {
	root string
}

var (
	_ Store  = (*Dir)(nil)
	_ Lister = (*Dir)(nil)
)

// tempPattern names the files Put writes before renaming them into place. Its '+' is not a
// key byte, so no key can name a temporary file.
const tempPattern = "put+*.tmp"

// NewDir returns a Dir keeping its files below root, which it creates (mode 0o750, with
// missing parents) if needed. It returns an error when root cannot be created, is not a
// directory, or is not writable.
func NewDir(root string) (*Dir, error) {
	if root == "" {
		return nil, errors.New("blob: NewDir: empty root")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("blob: NewDir %s: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("blob: NewDir %s: %w", root, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("blob: NewDir %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("blob: NewDir %s: not a directory", root)
	}
	// Probe with a file of the kind Put writes, so that a read-only root fails here, once,
	// rather than at every upload.
	f, err := os.CreateTemp(abs, tempPattern)
	if err != nil {
		return nil, fmt.Errorf("blob: NewDir %s: not writable: %w", root, err)
	}
	_ = f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return nil, fmt.Errorf("blob: NewDir %s: %w", root, err)
	}
	return &Dir{root: abs}, nil
}

// path is the file of key, which must be valid.
func (d *Dir) path(key string) string {
	return filepath.Join(d.root, filepath.FromSlash(key))
}

// Put writes everything r yields to a temporary file beside the target, syncs it to disk and
// renames it into place, so that readers see the earlier content or the whole new one, never
// a part. The directories of key are created as needed (mode 0o750); files get mode 0o640.
// On any error, and when ctx ends before r is read to its end, the temporary file is removed
// and the earlier content under key is kept. Returns ErrInvalidKey, the error of r (wrapped),
// ctx's error (wrapped), or the file system's error (wrapped), for instance when key's
// directory is an existing key's file.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, _ string) (err error) {
	if !ValidKey(key) {
		return fmt.Errorf("put %q: %w", key, ErrInvalidKey)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	dst := d.path(key)
	f, err := d.createTemp(filepath.Dir(dst))
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
			err = fmt.Errorf("put %q: %w", key, err)
		}
	}()
	if err := f.Chmod(0o640); err != nil {
		return err
	}
	if _, err := io.Copy(f, ctxReader{ctx, r}); err != nil {
		return err
	}
	// The check after the last chunk catches a ctx that ended while r returned io.EOF.
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return err
	}
	// The content is in place; syncing the directory makes the rename itself durable. A
	// failure here cannot undo the rename, and not every system can sync a directory.
	if df, err := os.Open(filepath.Dir(dst)); err == nil {
		_ = df.Sync()
		_ = df.Close()
	}
	return nil
}

// createTemp creates a temporary file in dir, creating dir first. A concurrent Delete may
// remove dir again as soon as it is empty, between the two steps; then it tries again.
func (d *Dir) createTemp(dir string) (*os.File, error) {
	for attempt := 1; ; attempt++ {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		f, err := os.CreateTemp(dir, tempPattern)
		if err == nil || !errors.Is(err, fs.ErrNotExist) || attempt == 10 {
			return f, err
		}
	}
}

// Open returns the file under key, an *os.File (so callers may seek in it, for HTTP range
// requests). Returns ErrNotFound when there is no file under key (a directory of longer keys
// is no content), ErrInvalidKey, or the file system's error (wrapped).
func (d *Dir) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if !ValidKey(key) {
		return nil, fmt.Errorf("open %q: %w", key, ErrInvalidKey)
	}
	f, err := os.Open(d.path(key))
	if missing(err) {
		return nil, fmt.Errorf("open %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = ErrNotFound
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	return f, nil
}

// Delete removes the file under key, then those of its directories that are left empty, up
// to the root (which stays). A missing key is not an error. Returns ErrInvalidKey, or the
// file system's error (wrapped) when the file cannot be removed.
func (d *Dir) Delete(_ context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("delete %q: %w", key, ErrInvalidKey)
	}
	p := d.path(key)
	fi, err := os.Lstat(p)
	if missing(err) || err == nil && fi.IsDir() {
		return nil // a directory holds longer keys, not content under key
	}
	if err == nil {
		err = os.Remove(p)
	}
	if err != nil && !missing(err) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	// Best effort: os.Remove refuses a directory that is not empty, which ends the walk; a
	// directory that stays behind costs nothing but an entry.
	for dir := filepath.Dir(p); len(dir) > len(d.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// missing reports whether err says that a path does not exist, including when one of its
// directories is a file.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// List yields the files below the root whose key starts with prefix, dated by their
// modification time. It walks only the directory the prefix names up to its last "/", and
// skips what no key can name (Put's temporary files). A directory that vanishes while List
// walks (Delete removes emptied ones) is skipped; other file-system errors end the listing.
func (d *Dir) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		start := d.root
		if i := strings.LastIndexByte(prefix, '/'); i > 0 {
			if !ValidKey(prefix[:i]) {
				return // no key lies below an invalid one
			}
			start = d.path(prefix[:i])
		}
		err := filepath.WalkDir(start, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				if missing(err) {
					return nil
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, rerr := filepath.Rel(d.root, p)
			if rerr != nil || e.IsDir() || !e.Type().IsRegular() {
				return nil
			}
			key := filepath.ToSlash(rel)
			if !ValidKey(key) || !strings.HasPrefix(key, prefix) {
				return nil
			}
			fi, err := e.Info()
			if missing(err) {
				return nil // deleted meanwhile
			}
			if err != nil {
				return err
			}
			if !yield(Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(Info{}, fmt.Errorf("list %q: %w", prefix, err))
		}
	}
}

// errStop ends a walk whose consumer stopped ranging.
var errStop = errors.New("stop")
