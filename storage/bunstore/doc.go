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
//
// # Notifications
//
// The outbox is the notifications table. Dispatchers claim due notifications in batches: on
// PostgreSQL with one UPDATE whose CTE takes the rows FOR UPDATE SKIP LOCKED, so that any number
// of dispatchers claim side by side without waiting for or repeating each other; on SQLite, where
// one writer runs at a time, in one IMMEDIATE transaction. A partial index holds only the pending
// notifications, so a claim costs what the due work costs, not what the history does. Outcomes
// are recorded in one statement (UPDATE … FROM VALUES) per batch.
//
// On PostgreSQL every enqueue also sends NOTIFY helpdesk_outbox in its transaction, and
// [Store.ListenOutbox] listens for it, so that dispatchers in any process wake as soon as a
// transaction that enqueued commits. On SQLite ListenOutbox returns an error wrapping
// errors.ErrUnsupported and dispatchers poll.
package bunstore
