// Command demo runs the helpdesk's public pages on an embedded SQLite database seeded with demo
// data: an operator with a team, a customer, devices with their codes and a few tickets. It
// prints the address of a device's page (scan its QR code with a phone on the same network,
// or open it in a browser), a mailbox page showing the e-mails and text messages that would
// have been sent, with working links, and a small staff console to answer requests.
//
//	go run ./examples/demo [-db helpdesk-demo.db] [-addr 127.0.0.1:8080] [-base-url http://127.0.0.1:8080]
//
// The data stays in the database file; delete it (and the files beside it) to start afresh.
// Ctrl-C stops the server cleanly.
package main
