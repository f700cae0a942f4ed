package blob_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/blob/blobtest"
)

func TestMemConformance(t *testing.T) {
	blobtest.RunStore(t, blobtest.Harness{New: func(*testing.T) blob.Store { return blob.NewMem() }})
}

func TestDirConformance(t *testing.T) {
	blobtest.RunStore(t, blobtest.Harness{New: func(t *testing.T) blob.Store { return newDir(t, t.TempDir()) }})
}

func newDir(t *testing.T, root string) *blob.Dir {
	t.Helper()
	d, err := blob.NewDir(root)
	require.NoError(t, err)
	return d
}
