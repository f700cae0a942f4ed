// Package storage is the persistence port of the helpdesk: the [Store] interface, listing
// filters, keyset pages and the errors every implementation returns.
//
// # Contract
//
// Every method is scoped by tenant; a record of another tenant reads as [ErrNotFound]. Updates
// are optimistic: a stale Version gets [ErrConflict]. [Store.InTx] runs several calls in one
// transaction. Listings are keyset-paginated, newest first, with opaque cursors.
//
// # A ticket's rows
//
// The listings of one ticket's rows (ListMessages, ListHistory, ListSessions and
// ListAttachments) are keyset-paginated too, oldest first: by creation time, rows created at
// the same time by ID. The next page starts after the row the cursor names, so rows added
// while a client pages neither repeat nor push rows off a page. The rows a listing leaves out
// (internal ones, excluded actions) are left out by the query itself, so every page but the
// last is full. A cursor naming no row of the same listing (another ticket's, another
// tenant's, another listing's, or a row the listing leaves out) is [ErrInvalidCursor]. A
// ticket the tenant does not have has no rows: its first page is empty.
//
// # Implementations
//
// Package storage/bunstore implements Store for PostgreSQL and SQLite; package
// storage/storagetest is the conformance suite any implementation runs.
package storage
