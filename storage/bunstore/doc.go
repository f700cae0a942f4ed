// Package bunstore implements storage.Store on bun, for PostgreSQL (through pgdriver) and
// SQLite (through sqliteshim, pure Go).
//
// # Opening
//
// [Open] takes a DSN: "postgres://…", "sqlite:path.db" or "sqlite::memory:". [New] wraps a
// bun.DB you opened yourself. Call [Store.MigrateUp] before first use: the migrations are
// embedded SQL run by bun/migrate (up and down), recorded in helpdesk_migrations so they never
// collide with the application's own.
//
// # Concurrency
//
// Updates carry the record's version and fail with storage.ErrConflict when it moved; unique
// violations, serialization failures and lock timeouts are ErrConflict too. SQLite files run in
// WAL mode with a busy timeout and BEGIN IMMEDIATE transactions, so writers queue rather than
// deadlock.
package bunstore
