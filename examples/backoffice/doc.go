// Command backoffice serves a helpdesk's back office (web/backoffice) and its public pages
// (web/public) on one address, on a database of your own, with the Desk's background work
// (notifications, timers) running. It is a thin main: read it to see how an application
// puts the library together.
//
// # The first run
//
// The master key signs the links the Desk hands out and seals the tenants' SMTP passwords;
// give every instance the same one. The first run creates the tenant and its admin, and
// prints the admin's invitation link (also e-mailed when SMTP is set) and the tenant's ID:
//
//	export HELPDESK_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
//	go run ./examples/backoffice -db sqlite:helpdesk.db -new-tenant "Acme Service" -new-admin ada@acme.example
//
// Later runs name the tenant:
//
//	go run ./examples/backoffice -db sqlite:helpdesk.db -tenant 0193…
//
// It prints the back office's URL (/login) and the public pages' ones; Ctrl-C stops it
// cleanly.
//
// # Settings
//
// Every flag may be given as the environment variable named in -help instead; a flag given
// wins over its variable. Secrets are better given in the environment, which a process list
// does not show.
//
//	-db DSN                      HELPDESK_DB        sqlite:FILE (default sqlite:helpdesk.db) or postgres://…
//	-db-max-conns N              HELPDESK_DB_MAX_CONNS  most PostgreSQL connections of this instance
//	                                                (default 20): all instances' together stay
//	                                                under the server's max_connections
//	-addr ADDRESS                HELPDESK_ADDR      where to listen (default 127.0.0.1:8080)
//	-ops-addr ADDRESS            HELPDESK_OPS_ADDR  a private address for /healthz, /readyz and
//	                                                /metrics; /metrics then leaves -addr (default:
//	                                                all three on -addr)
//	-base-url URL                HELPDESK_BASE_URL  the public URL, for links (default http://ADDR)
//	-files FOLDER                HELPDESK_FILES     attachments, media and logos (default helpdesk-files)
//	-tenant ID                   HELPDESK_TENANT    the tenant whose people sign in
//	-new-tenant NAME             HELPDESK_NEW_TENANT  create a tenant, once, with
//	-new-admin EMAIL             HELPDESK_NEW_ADMIN   its admin, who gets an invitation link
//	-log-format FORMAT           HELPDESK_LOG_FORMAT  json (default: one object a line, each
//	                                                  request's with its request_id) or text
//
// E-mail goes through an SMTP server (without -smtp-host, there is none; tenants may still
// give their own server in My Company):
//
//	-smtp-host HOST              HELPDESK_SMTP_HOST
//	-smtp-port PORT              HELPDESK_SMTP_PORT      (default 587 for starttls, 465 for tls)
//	-smtp-security MODE          HELPDESK_SMTP_SECURITY  starttls (default), tls or plain
//	-smtp-user NAME              HELPDESK_SMTP_USER
//	-smtp-password PASSWORD      HELPDESK_SMTP_PASSWORD
//	-smtp-from ADDRESS           HELPDESK_SMTP_FROM      "Support <support@example.com>"
//	-smtp-helo NAME              HELPDESK_SMTP_HELO      the name given in EHLO (default localhost):
//	                                                     one per instance tells the mail server's
//	                                                     log which instance sent a message
//
// Text messages and video calls go through Twilio:
//
//	-twilio-account-sid SID          TWILIO_ACCOUNT_SID            the account (AC…)
//	-twilio-api-key SID              TWILIO_API_KEY                an API key (SK…), and
//	-twilio-api-secret SECRET        TWILIO_API_SECRET             its secret
//	-twilio-auth-token TOKEN         TWILIO_AUTH_TOKEN             checks Twilio's status callbacks,
//	                                                               served at /twilio/sms-status and
//	                                                               /twilio/video-status
//	-twilio-messaging-service SID    TWILIO_MESSAGING_SERVICE_SID  sends the text messages (MG…), or
//	-twilio-from NUMBER              TWILIO_FROM                   a sender number (E.164)
//	-twilio-video                    HELPDESK_TWILIO_VIDEO=1       video sessions on Twilio Video
//	-allow-private-targets           HELPDESK_ALLOW_PRIVATE_TARGETS=1  webhooks to your own network
//
// From the environment only:
//
//	HELPDESK_SECRET_KEY          the master key, base64, 32 bytes or more (required)
//	HELPDESK_VAPID_PUBLIC_KEY    the Web Push key pair: without it push notifications are off.
//	HELPDESK_VAPID_PRIVATE_KEY   Make one once with -make-vapid-keys and keep it: a new pair
//	                             ends every browser's subscription
//	HELPDESK_VAPID_SUBJECT       the contact push services may write to (default
//	                             mailto:postmaster@ the base URL's host)
//
// # Routes
//
// The public pages answer under /c/, /request-links/, /requests/ and /sessions/ (a device's
// code, request links, requester links, session links); everything else is the back office,
// installable as a web app from any of its pages.
//
// For the operator (web/ops): GET /healthz answers 200 while the process serves, GET /readyz
// 200 while the database answers and is migrated (503 with the reason otherwise), GET
// /metrics the Prometheus metrics. Keep /metrics from the public at the load balancer. Every
// answer carries an X-Request-ID (the request's own when sane), which its log line names.
// docs/deployment.md runs several instances on one PostgreSQL.
package main
