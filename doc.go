// Package helpdesk is an embeddable service desk for physical devices.
//
// A platform operator (a tenant) supports devices that its corporate customers own. Each device
// has a public page reached through an unguessable code (printed as a QR code); whoever holds
// the code can read the device's public information and open a ticket for that device alone.
// Employees work tickets through a lifecycle, post public and internal messages, and every
// change is recorded in the ticket's history.
//
// # The Desk
//
// A [Desk] is built with [New] from a [storage.Store] (see package storage/bunstore for
// PostgreSQL and SQLite). Every operation takes a context and the acting [tenant.Actor], checks
// what that actor may do, validates its input and writes one storage transaction holding the
// new state and its history entry.
//
// # Sessions, media and timers
//
// A ticket holds video sessions ([Desk.RequestSession], [Desk.Invite], [Desk.SessionTransition],
// [Desk.JoinSession]) whose moves drive the ticket's in the same transaction; a video provider's
// room events reach [Desk.HandleRoomEvent]. Requesters upload photos and videos
// ([Desk.UploadMedia]) kept in Config.Blobs. Escalations, expiries, reminders and auto-closing
// are timers stored with the change that arms them; [Desk.Run] fires them as they come due
// (and delivers notifications and webhooks), exactly once across any number of processes.
//
// # Webhooks
//
// Admins register endpoints ([Desk.CreateWebhook]) that hear of the events of the notify
// catalogue as HTTP POSTs signed per the Standard Webhooks specification (package webhook),
// written to the outbox in the transaction of each change and delivered at least once by
// [Desk.DeliverWebhooksOnce], which [Desk.Run] runs.
//
// # Housekeeping
//
// [Desk.Run] also deletes, hourly and in small batches, what nothing needs any more
// ([Desk.HousekeepOnce]): expired sign-in sessions, used or expired one-time links, closed
// login-failure windows, old idempotency records and webhook deliveries, notifications past
// their tenant's retention (tenant.Settings.NotificationRetentionDays; never the bell's unread
// ones) and stored files no record refers to. [HousekeepingConfig] tunes it.
//
// # Actors
//
// People sign in with [Desk.SignIn] and an application turns the session token back into their
// actor with [Desk.Authenticate] on every request; they join by invitation ([Desk.CreateUser],
// [Desk.AcceptInvitation]), by an admin-set password, or by registering where the tenant allows
// it ([Desk.Register]). Public requesters get a code holder from [Desk.OpenCode] and a requester
// link from [Desk.OpenRequesterLink]; timers and automation act as tenant.SystemFor. Every
// operation asks the access policy, tenant.Authorize, before it touches storage. An actor only
// ever reaches its own tenant; records of other tenants, and records within the tenant that
// the actor may not see, are reported as not found, so their existence does not leak.
//
// # API tokens and idempotency
//
// A person makes API tokens for themself ([Desk.CreateAPIToken]): a secret shown once, stored
// as its hash, with scopes (tenant.ScopeRead, ScopeWrite, ScopeAdmin) that narrow what the
// token may do and never widen the person's rights. [Desk.AuthenticateAPIToken] turns a secret
// back into the person's actor with its Scopes, as long as the token is neither revoked nor
// expired and the person is active. An API server claims each POST's Idempotency-Key with
// [Desk.BeginIdempotent] and stores the response with [Desk.FinishIdempotent] (or gives the key
// up with [Desk.AbandonIdempotent]); the claim is one row in the database, so retries reaching
// other instances are answered from the first response too.
//
// # Errors
//
// Errors wrap sentinels that errors.Is recognises: [ErrInvalid] (every [*ValidationError]),
// [ErrForbidden], [ErrCodeUnusable], [ErrWrongPIN], [ErrSupportLapsed], [ErrTicketClosed],
// [ErrBadCredentials], [ErrTooManyAttempts], [ErrUnauthenticated], [ErrInvalidLink],
// [ErrRegistrationClosed], [ErrNotOffered], [ErrNoOpenOffer], [ErrDefaultTeam], [ErrUploadsClosed], [ErrMediaLimit],
// [ErrQuotaExceeded], [ErrVideoUnavailable], [ErrBusy], [ErrTooManyAPITokens], [ErrIdempotencyMismatch],
// [ErrIdempotencyInProgress], [storage.ErrNotFound], [storage.ErrConflict] and
// [ticket.ErrInvalidTransition]. [KindOf] classifies any of them into an [ErrorKind] for
// mapping onto a protocol status; the concept guide (docs/concepts.md) has the whole table.
//
// # Secrets
//
// Requester and session links are signed with Config.SecretKeys rather than stored, and the
// one-time links in queued notifications are sealed with them; no result of the Desk carries a
// password hash or a live link from storage.
package helpdesk
