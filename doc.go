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
// # Actors
//
// Build actors with tenant.Employee, tenant.CustomerUser, tenant.System and tenant.SystemFor, or
// get a code holder from [Desk.OpenCode]. An actor only ever reaches its own tenant; records of
// other tenants, and records within the tenant that the actor may not see, are reported as
// not found, so their existence does not leak.
//
// # Errors
//
// Errors wrap sentinels that errors.Is recognises: [ErrInvalid] (every [*ValidationError]),
// [ErrForbidden], [ErrCodeUnusable], [ErrSupportLapsed], [ErrTicketClosed],
// [storage.ErrNotFound], [storage.ErrConflict] and [ticket.ErrInvalidTransition]. [ErrorCode]
// classifies any of them into a [Code] for mapping onto a protocol status.
package helpdesk
