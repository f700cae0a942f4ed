// Package safehttp makes the HTTP clients that carry requests to addresses people chose: a
// browser's push service, later a webhook receiver. Such an address must not reach into the
// network the server runs in (server-side request forgery): the clients refuse to connect to
// loopback, private, link-local and other non-public addresses, checked on the address the
// connection actually dials (after DNS, so a name that resolves inward is caught too), they
// use no proxy from the environment, and they follow no redirect.
//
// # Use
//
// NewClient(Options{Timeout: 30 * time.Second}) for production; Options.AllowPrivate for
// tests and for deployments whose receivers live on a private network by design. PublicHost
// checks a URL's host when it is stored, so that an obviously inward address is refused
// with a clear error before anything is sent.
package safehttp
