package storage_test

import (
	"errors"
	"fmt"

	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
)

func ExampleDecodeCursor() {
	id := uuid.MustParse("019ab0c4-0000-7000-8000-000000000001")
	cursor := storage.EncodeCursor(id)
	back, err := storage.DecodeCursor(cursor)
	fmt.Println(cursor, back == id, err)
	_, err = storage.DecodeCursor("not-a-cursor")
	fmt.Println(errors.Is(err, storage.ErrInvalidCursor))
	// Output:
	// AZqwxAAAcACAAAAAAAAAAQ true <nil>
	// true
}

func ExamplePageRequest_Size() {
	fmt.Println(storage.PageRequest{}.Size(), storage.PageRequest{Limit: 20}.Size(), storage.PageRequest{Limit: 10000}.Size())
	// Output: 50 20 500
}
