// Package tenant holds who the helpdesk serves and who acts in it: operators ([Tenant]), their
// corporate customers ([Customer]), departments and projects, the people who sign in ([User],
// [Team], [MetaTeam]), the [Actor] every operation is performed by, and the one access policy
// ([Authorize]) that decides what each actor may do.
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
// constructors, or from a stored user with [User.Actor]; [Actor.Validate] reports an actor
// missing what its kind needs.
//
// # Access policy
//
// [Authorize] decides every (actor, [Action], [Resource]): first from the actor alone (may it
// ever do this?), then for the record an operation loaded. A record outside the actor's reach
// (another tenant, another customer, another device or ticket) is [ErrHidden], which callers
// report as not found so that existence does not leak; an action that is not the actor's is
// [ErrForbidden].
//
// # Scopes
//
// A person acting through an API token carries the token's [Scopes] in [Actor].Scopes. Every
// action needs one scope ([ScopeOf]: read for reading, write for the day's work, admin for
// setting up and for credentials), and [Authorize] asks for it after the role's rule, so a
// scope never adds a right the role lacks. Zero scopes mean "not restricted": sign-in
// sessions, the system and public links.
//
// # Passwords
//
// [CheckPassword] applies the password policy (at least 8 characters with an upper-case
// letter, a lower-case letter and a digit) and names every rule broken. [HashPassword] uses
// argon2id at or above OWASP's minimum (19 MiB, 2 iterations, 1 lane) and writes the
// parameters into the hash, so [VerifyPassword] can tell when a hash should be remade with
// stronger ones.
package tenant
