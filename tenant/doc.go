// Package tenant holds who the helpdesk serves and who acts in it: operators ([Tenant]), their
// corporate customers ([Customer]), departments and projects, and the [Actor] every operation
// is performed by.
//
// # Tenancy
//
// An operator owns everything below it; a customer is a sub-tenant of one operator. Every
// stored record carries its operator's ID and is only ever read through it.
//
// # Actors
//
// An [Actor] is an operator employee, a customer user, a code holder (anyone with a device's
// code URL), a requester following the link to their ticket, or the system. Build them with the
// constructors; [Actor.Validate] reports an actor missing what its kind needs.
package tenant
