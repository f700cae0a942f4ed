// Command chaos is the fault test of the helpdesk on PostgreSQL: it runs several instances of
// the example server (examples/backoffice) on one new database while a loader submits tickets
// over the JSON API and timers come due, SIGKILLs random instances and restarts PostgreSQL,
// then checks that nothing was lost and that nothing happened twice. It exits non-zero, saying
// why, when any check fails.
//
//	go run ./internal/cmd/chaos                                          # the full run: 20 kills, 2 restarts
//	go run ./internal/cmd/chaos -kills 5 -db-restarts 1 -duration 90s    # the short one of .ci/run
//
// # What it runs
//
// The run creates a database of its own on the -dsn server (helpdesk_chaos_…, dropped at the
// end unless -keep) and a tenant whose offers time out after -offer-timeout and whose waiting
// tickets close after -expiration. Each of -instances example servers listens on an address of
// its own and sends its e-mail to an SMTP sink the run holds, naming itself in EHLO
// (-smtp-helo), so that every message received is traced to the process that sent it. A
// supervisor starts each instance again whenever its process ends, as a service manager would,
// without looking at why.
//
// The loader submits a ticket every -interval for -duration (or -tickets of them) with POST
// /api/v1/tickets and an API token, as a careful client does: every request carries an
// Idempotency-Key and is retried with the same key, on any instance, after a network error, a
// 5xx, a 409 or a 429; a 409 saying the request was carried out but its answer lost (its
// server died between its change and keeping the answer) ends the retries: the ticket exists,
// but the loader is not told about it. Every -expire-every-th ticket is then accepted and made to wait, so
// that its max expiration closes it; the others stay open, so that their offer timeout
// escalates them.
//
// Meanwhile -kills SIGKILLs of a random running instance and -db-restarts restarts of
// PostgreSQL (-db-restart-command) are spread evenly over -duration. After the load, no one
// intervenes: the run waits up to -drain-bound for the outbox to send every e-mail and for
// every timer to fire.
//
// # What it checks
//
//   - tickets kept: every ticket the loader was answered 2xx for is stored, under the
//     reference it was told, with its history starting with its submission;
//   - created once: no submission (one Idempotency-Key) made two tickets;
//   - timers fired: no timer is left due;
//   - offer timeout once, expiration once: a ticket still open was escalated exactly once, no
//     ticket more than once; a ticket made to wait was closed by its expiration exactly once,
//     with one ticket.auto_closed e-mail;
//   - no double transition: each lifecycle entry of a history starts in the state the previous
//     one ended in;
//   - notifications delivered: every e-mail of the outbox is sent, and the mail server
//     received it (by its Message-ID); it received nothing the outbox does not hold;
//   - duplicates explained: a message received more than once was, before each repeat, sent by
//     a process killed within the dispatch lease after sending it, or while PostgreSQL
//     restarted: a send in flight at a fault, which the outbox could not record;
//   - instances recovered: each killed instance served again within -recovery-bound;
//   - drained: the outbox and the timers were done within -drain-bound after the faults.
//
// # The summary
//
// It prints the tickets answered and stored, the timers fired, the e-mails in the outbox and
// received with their duplicates (at a kill, at a restart), the recovery times of the killed
// instances, the processes that ended by themselves (starts that failed while PostgreSQL was
// down) and were started again, how long the drain took, and the loader's failed attempts by
// kind. BENCHMARKS.md ("Faults: the chaos run") holds the figures of a full run.
package main
