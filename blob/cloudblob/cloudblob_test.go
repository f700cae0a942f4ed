package cloudblob_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	gcblob "gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/memblob"

	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/blob/blobtest"
	"github.com/deskkit/helpdesk/blob/cloudblob"
)

// store adapts b, closing it at the end of the test.
func store(t *testing.T, b *gcblob.Bucket) blob.Store {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	return cloudblob.New(b)
}

func TestMemblobConformance(t *testing.T) {
	blobtest.RunStore(t, blobtest.Harness{New: func(t *testing.T) blob.Store {
		return store(t, memblob.OpenBucket(nil))
	}})
}

func TestFileblobConformance(t *testing.T) {
	blobtest.RunStore(t, blobtest.Harness{New: func(t *testing.T) blob.Store {
		b, err := fileblob.OpenBucket(t.TempDir(), nil)
		require.NoError(t, err)
		return store(t, b)
	}})
}
