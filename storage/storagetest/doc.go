// Package storagetest is the conformance suite for implementations of [storage.Store]. Every
// Store shipped with the helpdesk runs it, and so should yours: the Desk relies on exactly the
// behaviour it checks.
//
// # What it checks
//
// [Run] checks the contract written on the storage interfaces:
//
//   - Create, read and update of every record type (tenants, customers, departments, projects,
//     devices, templates, codes, tickets, sessions, statuses, priorities, users, teams with
//     their members, notification templates) with every field set, and create and list of
//     messages, history entries, attachments and meta-teams. What is read back equals what was written, up
//     to the microsecond precision databases keep.
//   - Optimistic locking: an update increments Version by one and hands it back to the caller;
//     a stale Version fails with [storage.ErrConflict], a missing record with
//     [storage.ErrNotFound]; a taken ID, code token, token hash, per-tenant ticket number or
//     per-tenant e-mail address or notification template key fails with ErrConflict.
//   - Tenant isolation: a record of another tenant is not found, not updated, not listed, not
//     counted, not scanned, not deleted, and no timer or attachment is stored on it; its timers
//     are not cancelled, fired or retried.
//   - Transactions: [storage.Store.InTx] commits all of its writes or none, returns fn's error
//     with its identity, hands out ticket numbers again after a rollback, and lets exactly one
//     of two concurrent updates from the same Version win.
//   - Listings: keyset pagination of tickets, devices and users newest first, stable while rows
//     are inserted, with an empty Next on the last page and [storage.ErrInvalidCursor] for a
//     garbage cursor; every TicketFilter, DeviceFilter and UserFilter field alone and combined;
//     ticket counts per state; the documented order of every other listing.
//   - The pages of a ticket's messages, history, sessions and attachments, with and without
//     internal rows (and a HistoryFilter of one and two actions): every row once, oldest first
//     with rows of the same time by ID (also when IDs run against time), every page but the
//     last full however many rows the listing leaves out, the default and maximum page sizes,
//     rows added while paging joining the end; [storage.ErrInvalidCursor] for a malformed or
//     tampered cursor and for a cursor naming a row of another ticket, tenant or listing or a
//     row the listing leaves out; nothing of another tenant's ticket.
//   - DeleteTicket removing the ticket's messages, history, sessions, timers and attachments.
//   - Sessions found by the hash of their link and by their video room, whatever their tenant;
//     never by an empty one.
//   - Timers: armed on a ticket or one of its sessions of the tenant only (else
//     [storage.ErrNotFound]), running at their due time without attempts; one pending timer per
//     subject and kind, re-arming replacing it so that the old claim cannot fire it; listed by
//     due time; cancelled by every TimerScope field alone and combined; claimed across tenants
//     only when due, earliest first, each claim counting an attempt and leasing the timer;
//     fired only by the latest claim, once; retried at a later time with the error recorded,
//     unless the claim is stale; the next run time; eight schedulers claiming and firing 2,000
//     timers at once firing each exactly once.
//   - Attachments: refused on a ticket or message the tenant does not have; listed oldest first,
//     those of internal messages only on request; media (attachments without a message)
//     counted.
//   - Sign-in records: one-time user tokens found by hash and used exactly once even by
//     concurrent callers; a user's unused tokens of one purpose removed together; sign-in
//     sessions ended one by one or all of a user's; failed sign-ins counted per tenant and key
//     in an expiring window without losing a count to concurrency.
//   - API tokens: found by their secret's hash whatever the tenant, with their user read in the
//     token's tenant; listed per user, newest first; a hash or ID taken once; revoked by their
//     own user only and once (the first time stays), all of a user's at once; LastUsedAt
//     written at most once per interval.
//   - Idempotency keys: claimed once per tenant, principal and key, also by two concurrent
//     claims; a held key answers with its record; finished responses (status, headers, body)
//     read back whole and never taken over; a lapsed lease taken over only with the same
//     fingerprint; records a day old count as absent; unfinished claims abandoned.
//   - The outbox: notifications enqueued in one statement (all or none) and read back whole;
//     listed newest first with every NotificationFilter field and pages; claimed across
//     tenants only when pending and due, earliest first, each claim counting an attempt and
//     leasing the notification until it is due again; concurrent claims (eight at once over
//     500 notifications) never returning one twice nor losing one; outcomes recorded for sent,
//     pending and failed, and ignored once another claim has overtaken them; the next due
//     time; retries of failed notifications only; providers' reports found by channel and
//     provider ID in any tenant; unread counts and marking read, one user's in-app
//     notifications only. A stored notification's Message.Attempt reads back as its Attempts.
//     Deleting a ticket keeps its notifications.
//   - Notification templates: unique per tenant, event, channel and language; deleted one by
//     one; listed by event, channel and language.
//   - The tenant's link secret: made by CreateTenant (32 random bytes) unless the caller set
//     one, returned by NextTicketNumber, never changed by UpdateTenant.
//   - Migrations, for stores that implement [storage.Migrator]: down, up, and both again.
//
// # Running it for your Store
//
// Implement [Harness], or wrap a function in [HarnessFunc], returning a fresh, empty and
// migrated store for each call, and call Run from a test in your package:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, storagetest.HarnessFunc(func(t *testing.T) storage.Store {
//			store, err := mystore.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { _ = store.Close() })
//			if err := store.MigrateUp(context.Background()); err != nil {
//				t.Fatal(err)
//			}
//			return store
//		}))
//	}
//
// Each top-level subtest (Tenant, Ticket, Pagination, …) asks the harness for one store and its
// cases share it, each within tenants of its own; the cases of NotificationClaims and
// TimerClaims, whose claims see every tenant, ask for a store each. Nothing runs in parallel. Select a part with
// go test's -run flag, for example -run 'TestConformance/Pagination' for the test above. The
// store must accept concurrent calls: the ConcurrentUpdate cases run two transactions at once.
// A store backed by a file or server, rather than a private in-memory database per connection,
// makes that contention real.
//
// # Fixtures
//
// The suite makes its own records: IDs are UUIDv7 (so that creation order is ID order, which
// the "newest first" listings follow), times are UTC and truncated to the microsecond, and
// every reference (a ticket's device, customer, project, priority, status and code) points at a
// record that exists, so stores that enforce foreign keys accept them. Other references
// (assignees, a ticket's team, agents, actors, some team members) are random IDs, so a store
// must not require them to exist.
package storagetest
