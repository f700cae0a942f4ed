// Package public serves the pages a member of the public reaches without an account: a
// device's page opened by its QR code, the request form, the requester's ticket page through
// the requester link, and the video-session link pages. [New] returns them as one
// http.Handler over a [helpdesk.Desk]; an application mounts it at the root of the host its
// Config.BaseURL names (the URLs the Desk hands out, such as [helpdesk.Desk.CodeURL], point
// there).
//
// The pages are rendered on the server and work with JavaScript off, mobile first, in English,
// German, French, Spanish and Polish (the visitor's Accept-Language, then the switcher). Every
// answer carries the headers of [web.Secure]: a Content-Security-Policy without inline
// scripts or styles, Referrer-Policy no-referrer (the URLs carry secrets), and cross-origin
// form posts are refused. Look-ups by token are rate-limited per client, uploads capped and
// type-checked by the Desk, and the access log names routes, never the tokens in them.
//
// Bad input gets a page in the visitor's language with the status of its error kind
// ([web.Status]), and nothing is stored.
package public
