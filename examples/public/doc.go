// Command public serves the helpdesk's public pages (web/public): the pages a device's QR code
// opens, the request form, the requester's ticket page and the session links, on a database of
// your own. It seeds nothing: set up tenants, devices and codes with the library or the demo.
//
//	HELPDESK_SECRET_KEY=$(head -c 32 /dev/urandom | base64) \
//	go run ./examples/public -db "sqlite:helpdesk.db" -addr 127.0.0.1:8080 -base-url https://desk.example.com
//
// The master key (base64, 32 bytes or more) signs the links the Desk hands out; give every
// instance the same one. -db takes a bunstore DSN: "sqlite:FILE" or "postgres://…".
//
// GET /healthz, /readyz and /metrics serve the operator (web/ops); logs are one JSON object a
// line (-log-format text for key=value), each request's with its request_id.
package main
