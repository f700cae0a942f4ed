// Command quickstart runs a whole service case on an embedded SQLite database: it creates an
// operator and its first admin, who signs in, invites an agent (who accepts and signs in), and
// sets up a team, a customer and a device with a QR code; a member of the public submits a
// ticket through the code; the signed-in agent walks it to closed (accepted, a message each
// way, done, rated); and it prints the ticket's history and the notifications the case sent
// (here printed instead of being handed to an SMTP server or Twilio).
//
//	go run ./examples/quickstart            # in memory
//	go run ./examples/quickstart -dsn sqlite:helpdesk.db
//	go run ./examples/quickstart -dsn 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
package main
