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
// A database that cannot be reached or will not serve (a refused or dropped connection, a
// server restarting, no connection slot left, a cancelled statement, a SQLite file still locked
// when the busy timeout ends) is storage.ErrUnavailable, wrapped around the driver's error.
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
//
// # Timers
//
// Pending timers are rows of the timers table, unique per subject (the session, or the ticket
// for its own timers) and kind, so that arming again replaces the pending timer in one upsert.
// Claims work as the outbox's do and share its code: FOR UPDATE SKIP LOCKED on PostgreSQL, one
// IMMEDIATE transaction on SQLite, both reading the index on the run time from its start. A
// claim leases a timer (its run time moves to the lease's end) and counts an attempt; firing
// deletes the timer only while the attempts are still those of the claim, so a timer fires at
// most once however many schedulers run.
//
// # A ticket's rows
//
// A page of a ticket's messages, history, sessions or attachments is one statement: the rows
// after the cursor's row by time and ID, a row comparison against that row read by its ID in a
// subquery through the listing's own filter, so that a cursor of another ticket, tenant or
// listing finds no row to start from (an empty page after a cursor then costs one more read
// telling that apart, as storage.ErrInvalidCursor). Indexes on (ticket_id, time, id) serve the
// order and the range on both engines; messages and attachments also have partial ones of
// their public rows, so a requester's page reads the rows it shows, not the internal ones in
// between. The history a requester reads leaves entries out by action, which no index holds:
// its scan passes over the entries left out between the rows it shows.
//
// # Integrity
//
// Timers and attachments are only stored on a ticket, session or message of their own tenant:
// the insert checks that in the same statement, and an insert that finds nothing returns
// storage.ErrNotFound. Foreign keys cascade deletions on both engines (Open turns them on for
// SQLite), and a violated one is storage.ErrNotFound too, as a unique violation is
// storage.ErrConflict.
package bunstore
