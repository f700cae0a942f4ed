// Package web is the HTTP plumbing that the helpdesk's handlers share: one table from error
// kinds to HTTP statuses, UI strings in five languages, the base layout and its embedded
// static assets, and the middleware every page needs (security headers, cross-origin
// protection, a per-client rate limit, an access log that never writes a secret).
//
// The handlers themselves live in sub-packages: web/public serves the pages a device's QR code
// opens. They are importable: an embedding application mounts them in its own mux.
//
// # Errors
//
// [Status] maps every [helpdesk.ErrorKind] to an HTTP status in one place. A page that fails
// renders the error page in the visitor's language with that status.
//
// # Languages
//
// [Catalog] holds the UI strings of en, de, fr, es and pl with their CLDR plural rules (Polish
// has one, few and many). [Catalog.For] picks a request's language: a "lang" query parameter,
// then the "lang" cookie it sets, then Accept-Language, then English.
//
// # Security
//
// [Secure] wraps a handler with the headers every page sends (a Content-Security-Policy
// without unsafe-inline, no referrer, no framing, no sniffing) and refuses cross-origin
// unsafe requests (http.CrossOriginProtection). [Limiter] limits requests per client.
// [AccessLog] logs each request by its route pattern, so tokens in paths never reach a log.
//
// # Operations
//
// [Trace] wraps a whole site for its operator: each request gets an ID (a sane X-Request-ID
// from the request, or a new one) on the response and in its context ([RequestID]), one JSON
// log line once answered (method, route pattern, status, duration, bytes, request ID), and
// its route pattern and latency go to observers such as the metrics of web/ops. Within it,
// the handlers' AccessLog hands over their route pattern instead of logging a second line;
// [LogRequestIDs] adds the request ID to every record logged with the request's context.
package web
