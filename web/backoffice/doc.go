// Package backoffice serves the back office: the pages employees work cases in all day, and
// the slimmed version a customer's users see for their own devices. [New] returns them as one
// http.Handler over a [helpdesk.Desk], on the same web layer as the public pages
// (web.Secure, the catalogues of five languages, one error table).
//
// # Signing in
//
// People sign in with their e-mail address and password on /login (the tenant comes from
// Config.Tenant, so one deployment may serve one operator or pick one by host name), accept
// an invitation on /invitation/{token}, reset a forgotten password on /reset-password, and
// sign a phone in by scanning the share-login QR code of their profile
// (/share-login/{token}): the paths of the links the Desk hands out. The session's token is
// kept in an HttpOnly, SameSite=Lax cookie (Secure over TLS or when the Desk's BaseURL is
// https) and turned back into the actor with Desk.Authenticate on every request; a page asked
// for while signed out leads to /login and back.
//
// Every page renders on the server and works with JavaScript off; a form posted from another
// origin is refused (http.CrossOriginProtection). Sign-in throttling is shown as the Desk
// reports it, and no page shows an internal error's text.
//
// # Tickets
//
// /tickets lists the tickets a person may see (a customer's user: their customer's), with
// filters kept in the URL and keyset paging; /tickets/{id}, where the Desk's ticket links
// lead, shows one ticket and offers only what the lifecycle allows from its state and the
// access policy lets the person do. The Desk decides every change; a refusal is shown on the
// ticket page with its kind's status, and a ticket of another tenant or customer is not found
// on every route that names it. The list changes the ticked tickets at once (assign, close),
// one Desk call each, and tells which did not change and why; the ticket page edits the
// ticket (a stale edit is told, the input kept) and works its video sessions: invite now,
// propose a time (in the browser's time zone with its script, else UTC), join, and what the
// session's lifecycle allows. /sessions lists the video sessions across tickets, by state,
// day, customer and agent.
//
// The dashboard shows the requests by state, the person's open offers (accepted from there),
// their tasks, the calls planned today and the last 30 days' figures; on a phone it starts
// with large links to tickets, sessions and devices.
//
// # Templates and devices
//
// /templates (the operator's staff only) lists the device types with their statistics
// (tickets, sessions, mean rating) and edits each one's public content and custom fields;
// /devices lists the devices (a customer's user: their customer's) by template, customer and
// text, each with its statistics, and /devices/{id} shows one with its fields, codes, recent
// tickets and the forms the policy allows.
//
// # Codes, customers and projects
//
// The operator's staff list a tenant's codes on /codes (by device and state, a page at a
// time) and open one on /codes/{id}: its URL, scans, settings and the QR configurator, whose
// preview a script redraws as the inputs change (the Preview button does it without
// JavaScript); an appearance that would not scan is shown at the field that causes it and
// nothing is saved. /codes/{id}/qr.png and qr.svg download the image. /customers lists the
// customers with their statistics; /customers/{id} shows one with its devices, users and
// support plan; /projects lists and edits projects. Customer users find none of these pages.
//
// # My Company
//
// /company lists the sections the person may use. An operator's admins and moderators manage
// employees (/company/users: invite, role, department, deactivate), departments, teams and
// meta-teams with the default group (warned about while it has no member), custom statuses
// and priorities, and canned responses per language; a customer's admin manages their
// company's users on the same page. The settings pages are the admins': /company/settings
// (event switches per channel, durations, offer, access, request form, report template,
// branding; each section its own form, a stale version told with the input kept),
// /company/templates (notification templates with a live preview and the SMS segment
// count), /company/smtp (the tenant's mail server, its password never shown, with a test send
// that names the failing step), /company/webhooks (endpoints subscribed to events, each
// secret shown once when made or rotated, a test send with its answer, the delivery log with
// a replay per delivery), /company/notifications (failed ones, retried from there) and
// /company/audit.
//
// # Routes
//
// Each module keeps its part of the one route table beside its handlers (see the doc comments
// of coreRoutes, ticketRoutes, sessionRoutes, catalogRoutes, codeRoutes, companyRoutes,
// settingsRoutes, webhookRoutes and appRoutes). The tests walk the table: every route as every role, and
// every route that names a record with another tenant's and another customer's, which must
// not be found.
//
// # The web app
//
// The back office installs as a web app from any of its pages: they link the manifest
// (/manifest.webmanifest: the tenant's name and accent colour, icons) and load
// static/backoffice.js, which registers the service worker (/sw.js, scope "/"). The worker
// shows the push notifications the Desk sends through notify/webpush and opens their link
// when clicked. On the profile a person chooses their language (the UI switches to it),
// switches push on or off and subscribes this browser with the VAPID key of the Desk's push
// notifier (Desk.PushPublicKey; without one the profile says push is not set up). The script
// also keeps the bell's count fresh (/notifications/count, every 30 seconds while the tab is
// visible), marks notifications read without a reload, shows every <time> in the reader's
// time zone and opens the menu, which a phone shows behind its Menu button.
//
// # API tokens
//
// Every signed-in person manages their own API tokens under the profile (/profile/tokens):
// the list (scopes, created, expires, last used, revoked), a form for a new one (name, scopes,
// expiry date, 90 days ahead by default; the admin scope only for roles with admin actions)
// and a revoke button per token. The secret is shown once, on the answer to the form itself
// (not behind a redirect, never cached).
package backoffice
