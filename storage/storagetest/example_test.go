package storagetest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/storagetest"
)

// A HarnessFunc hands the suite a fresh store per call and registers its cleanup. In a test of
// your storage package, pass it to Run:
//
//	func TestConformance(t *testing.T) { storagetest.Run(t, harness) }
func ExampleHarnessFunc() {
	// open stands in for your Store's constructor, such as bunstore.Open followed by MigrateUp.
	var open func(ctx context.Context, dsn string) (storage.Store, error)

	harness := storagetest.HarnessFunc(func(t *testing.T) storage.Store {
		t.Helper()
		store, err := open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { _ = store.Close() })
		return store
	})

	var h storagetest.Harness = harness
	fmt.Printf("%T\n", h)
	// Output: storagetest.HarnessFunc
}
