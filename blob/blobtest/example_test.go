package blobtest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/blob/blobtest"
)

// A Store's test runs the suite against a fresh, empty Store per check. The function below
// is the body of such a test, "func TestConformance(t *testing.T)" in the Store's package;
// the example is compiled but not run, as it needs the *testing.T of a running test.
func ExampleRunStore() {
	testConformance := func(t *testing.T) {
		blobtest.RunStore(t, blobtest.Harness{
			New: func(t *testing.T) blob.Store {
				d, err := blob.NewDir(t.TempDir())
				require.NoError(t, err)
				return d
			},
		})
	}
	_ = testConformance
}
