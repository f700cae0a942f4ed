package cloudblob_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"gocloud.dev/blob/memblob"

	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/blob/cloudblob"
)

func Example() {
	ctx := context.Background()
	// In production: gcblob.OpenBucket(ctx, "s3://…"), with the driver imported.
	bucket := memblob.OpenBucket(nil)
	defer bucket.Close()
	store := cloudblob.New(bucket)

	key := "tenant-1/T-000042/invoice.pdf"
	if err := store.Put(ctx, key, strings.NewReader("%PDF-1.7 …"), "application/pdf"); err != nil {
		log.Fatal(err)
	}
	attrs, err := bucket.Attributes(ctx, key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("content type in the bucket:", attrs.ContentType)

	rc, err := store.Open(ctx, key)
	if err != nil {
		log.Fatal(err)
	}
	content, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", content)

	_, err = store.Open(ctx, "tenant-1/T-000042/missing.pdf")
	fmt.Println("missing:", errors.Is(err, blob.ErrNotFound))
	// Output:
	// content type in the bucket: application/pdf
	// %PDF-1.7 …
	// missing: true
}
