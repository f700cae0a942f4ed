package blob

import (
	"context"
	"iter"
	"time"
)

// Info describes one content a [Lister] lists.
type Info struct {
	Key string
	// Size is the content's length in bytes.
	Size int64
	// ModTime is when the content was last put.
	ModTime time.Time
}

// Lister is implemented by Stores that can list what they keep. The helpdesk's housekeeping
// needs it to find the contents no record refers to any more (orphans); with a Store that is
// no Lister, orphans stay.
type Lister interface {
	// List yields the contents whose key starts with prefix ("" for all), in no particular
	// order; a content put or deleted while List runs may be yielded or not. An error ends
	// the listing: it is yielded once, with a zero Info, and nothing follows. Stopping early
	// (breaking out of the range loop) is fine.
	List(ctx context.Context, prefix string) iter.Seq2[Info, error]
}
