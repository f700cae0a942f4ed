package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/blob"
)

// files lists the regular files below root, as slash-separated paths relative to it.
func files(t *testing.T, root string) []string {
	t.Helper()
	var got []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		got = append(got, filepath.ToSlash(rel))
		return err
	})
	require.NoError(t, err)
	return got
}

func TestNewDirCreatesRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "var", "helpdesk-media")
	d := newDir(t, root)

	fi, err := os.Stat(root)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	if runtime.GOOS != "windows" {
		assert.Zero(t, fi.Mode().Perm()&^0o750, "root mode %v", fi.Mode().Perm())
	}
	assert.Empty(t, files(t, root), "NewDir left its probe behind")
	require.NoError(t, d.Put(t.Context(), "k", strings.NewReader("x"), ""))
	assert.Equal(t, []string{"k"}, files(t, root))
}

func TestNewDirRelativeRoot(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	d := newDir(t, "media")

	t.Chdir(t.TempDir()) // a later change of directory does not move the store
	require.NoError(t, d.Put(t.Context(), "a/b", strings.NewReader("x"), ""))
	assert.Equal(t, []string{"a/b"}, files(t, filepath.Join(wd, "media")))
}

func TestNewDirRefuses(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	tests := []struct {
		name, root, wantErr string
	}{
		{"empty root", "", "empty root"},
		{"root is a file", file, "not a directory"},
		{"parent is a file", filepath.Join(file, "media"), "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := blob.NewDir(tt.root)
			assert.Nil(t, d)
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestNewDirRefusesReadOnlyRoot(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("the permission bits do not stop this user from writing")
	}
	root := filepath.Join(t.TempDir(), "ro")
	require.NoError(t, os.Mkdir(root, 0o500))

	_, err := blob.NewDir(root)

	assert.ErrorContains(t, err, "not writable")
}

func TestDirLayout(t *testing.T) {
	root := t.TempDir()
	d := newDir(t, root)

	require.NoError(t, d.Put(t.Context(), "t1/T-42/photo.jpg", strings.NewReader("JPEG"), "image/jpeg"))

	b, err := os.ReadFile(filepath.Join(root, "t1", "T-42", "photo.jpg"))
	require.NoError(t, err)
	assert.Equal(t, "JPEG", string(b))
	assert.Equal(t, []string{"t1/T-42/photo.jpg"}, files(t, root), "only the content, no sidecar or temporary file")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(root, "t1", "T-42", "photo.jpg"))
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o640), fi.Mode().Perm())
		fi, err = os.Stat(filepath.Join(root, "t1", "T-42"))
		require.NoError(t, err)
		assert.Zero(t, fi.Mode().Perm()&^0o750, "directory mode %v", fi.Mode().Perm())
	}
}

func TestDirDeletePrunesEmptyDirectories(t *testing.T) {
	root := t.TempDir()
	d := newDir(t, root)
	ctx := t.Context()
	for _, key := range []string{"a/b/c/1", "a/2"} {
		require.NoError(t, d.Put(ctx, key, strings.NewReader(key), ""))
	}

	require.NoError(t, d.Delete(ctx, "a/b/c/1"))
	assert.NoDirExists(t, filepath.Join(root, "a", "b"), "emptied directories are removed")
	assert.DirExists(t, filepath.Join(root, "a"), "a directory that still holds a key stays")

	require.NoError(t, d.Delete(ctx, "a/2"))
	assert.NoDirExists(t, filepath.Join(root, "a"))
	assert.DirExists(t, root, "the root stays")
}

func TestDirLeavesNoTemporaryFiles(t *testing.T) {
	root := t.TempDir()
	d := newDir(t, root)
	errBoom := errors.New("boom")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	err := d.Put(t.Context(), "x/failed", io.MultiReader(strings.NewReader("part"), iotest.ErrReader(errBoom)), "")
	require.ErrorIs(t, err, errBoom)
	err = d.Put(ctx, "x/cancelled", strings.NewReader("never"), "")
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, d.Put(t.Context(), "x/ok", strings.NewReader("ok"), ""))
	// A Put whose rename fails, because a directory of longer keys is in the way.
	require.NoError(t, d.Put(t.Context(), "y/z", strings.NewReader("z"), ""))
	err = d.Put(t.Context(), "y", strings.NewReader("y"), "")
	require.Error(t, err)

	assert.ElementsMatch(t, []string{"x/ok", "y/z"}, files(t, root))
}

func TestDirKeyBesideLongerKey(t *testing.T) {
	d := newDir(t, t.TempDir())
	ctx := t.Context()
	require.NoError(t, d.Put(ctx, "file", strings.NewReader("f"), ""))
	require.NoError(t, d.Put(ctx, "dir/key", strings.NewReader("k"), ""))

	err := d.Put(ctx, "file/below", strings.NewReader("b"), "")
	assert.Error(t, err, "a key below another key's file")
	assert.NotErrorIs(t, err, blob.ErrInvalidKey, "the key is valid; the file system refuses it")

	tests := []struct{ name, key string }{
		{"below a file", "file/below"},
		{"a directory of longer keys", "dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.Open(ctx, tt.key)
			assert.ErrorIs(t, err, blob.ErrNotFound, "Open")
			assert.NoError(t, d.Delete(ctx, tt.key), "Delete")
		})
	}
	for key, want := range map[string]string{"file": "f", "dir/key": "k"} {
		rc, err := d.Open(ctx, key)
		require.NoError(t, err, key)
		b, err := io.ReadAll(rc)
		require.NoError(t, errors.Join(err, rc.Close()))
		assert.Equal(t, want, string(b), "%s is untouched", key)
	}
}

func TestDirOpenSeeks(t *testing.T) {
	d := newDir(t, t.TempDir())
	require.NoError(t, d.Put(t.Context(), "video.mp4", bytes.NewReader([]byte("0123456789")), "video/mp4"))

	rc, err := d.Open(t.Context(), "video.mp4")
	require.NoError(t, err)
	t.Cleanup(func() { _ = rc.Close() })
	rs, ok := rc.(io.ReadSeeker)
	require.True(t, ok, "Open should return a seekable *os.File, got %T", rc)
	_, err = rs.Seek(6, io.SeekStart)
	require.NoError(t, err)
	rest, err := io.ReadAll(rs)
	require.NoError(t, err)
	assert.Equal(t, "6789", string(rest))
}
