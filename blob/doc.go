// Package blob is the file-content port of the helpdesk: the [Store] interface that keeps the
// photos and videos of tickets and the attachments of messages, and two implementations of it,
// [Dir] on the local file system and [Mem] in memory.
//
// # Keys
//
// Content is stored under a key such as "tenant/ticket/attachment": segments separated by
// "/" and made of letters, digits, '.', '_' and '-' ([ValidKey]). Keys are checked by every
// method of every Store, so that no key, whoever built it, can name a path outside the store,
// and so that the same key works unchanged on a file system and in a cloud bucket. A refused
// key gets [ErrInvalidKey].
//
// # Contract
//
// [Store.Put] is all or nothing: content becomes readable under its key only once Put has
// read all of it and returns nil. A Put whose reader fails, or whose ctx ends, leaves the
// earlier content under the key (if any) as it was. [Store.Open] of a missing key returns
// [ErrNotFound]; [Store.Delete] of a missing key succeeds, so deleting can be retried.
// Stores are safe for concurrent use. The suite in package blob/blobtest checks all of this,
// and every implementation runs it.
//
// Content types are passed to Put for stores that serve files directly (a cloud bucket
// behind a CDN); the helpdesk itself keeps each file's media type in its database, and
// neither Dir nor Mem records it.
//
// # Listing
//
// A Store may also be a [Lister], which yields what it keeps under a key prefix with each
// content's size and modification time. [Dir], [Mem] and blob/cloudblob's Store are. The
// helpdesk's housekeeping lists its Store to delete the contents that no record refers to any
// more (left behind when a process died between writing a file and its record, or between
// deleting a record and its file); with a Store that is no Lister, such orphans stay.
//
// # Implementations
//
// [Dir] is the default: files below one directory, written to a temporary file and renamed
// into place. It suits one server, or several sharing a network file system. To store at
// scale in S3, Google Cloud Storage or Azure Blob Storage, package blob/cloudblob adapts a
// bucket of gocloud.dev/blob. [Mem] keeps everything in memory, for tests.
package blob
