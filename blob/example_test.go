package blob_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/deskkit/helpdesk/blob"
)

func ExampleDir() {
	ctx := context.Background()
	root, err := os.MkdirTemp("", "helpdesk-media")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)

	store, err := blob.NewDir(root)
	if err != nil {
		log.Fatal(err)
	}
	key := "tenant-1/T-000042/photo-1.jpg"
	if err := store.Put(ctx, key, strings.NewReader("JPEG bytes"), "image/jpeg"); err != nil {
		log.Fatal(err)
	}
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

	if err := store.Delete(ctx, key); err != nil {
		log.Fatal(err)
	}
	_, err = store.Open(ctx, key)
	fmt.Println("after delete, not found:", errors.Is(err, blob.ErrNotFound))
	// Output:
	// JPEG bytes
	// after delete, not found: true
}

func ExampleMem() {
	ctx := context.Background()
	store := blob.NewMem()

	_ = store.Put(ctx, "t/1/notes.txt", strings.NewReader("first"), "text/plain")
	_ = store.Put(ctx, "t/1/notes.txt", strings.NewReader("second"), "text/plain")
	rc, err := store.Open(ctx, "t/1/notes.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()
	content, _ := io.ReadAll(rc)
	fmt.Printf("%s\n", content)
	// Output: second
}

func ExampleValidKey() {
	for _, key := range []string{"tenant/ticket/file.jpg", "../etc/passwd", "/abs", `a\b`, "a b"} {
		fmt.Printf("%-24q %t\n", key, blob.ValidKey(key))
	}
	// Output:
	// "tenant/ticket/file.jpg" true
	// "../etc/passwd"          false
	// "/abs"                   false
	// "a\\b"                   false
	// "a b"                    false
}
