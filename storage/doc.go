// Package storage is the persistence port of the helpdesk: the [Store] interface, listing
// filters, keyset pages and the errors every implementation returns.
//
// # Contract
//
// Every method is scoped by tenant; a record of another tenant reads as [ErrNotFound]. Updates
// are optimistic: a stale Version gets [ErrConflict]. [Store.InTx] runs several calls in one
// transaction. Listings are keyset-paginated, newest first, with opaque cursors.
//
// # Implementations
//
// Package storage/bunstore implements Store for PostgreSQL and SQLite; package
// storage/storagetest is the conformance suite any implementation runs.
package storage
