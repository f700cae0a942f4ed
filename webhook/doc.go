// Package webhook holds the types and the wire format of the helpdesk's webhooks: the
// endpoints a tenant registers, the deliveries of its events to them, and the signatures of
// the Standard Webhooks specification (https://www.standardwebhooks.com, version 1) that let a
// receiver check that a request came from the helpdesk and was not replayed later.
//
// It is a leaf package: the root package writes and delivers webhooks (Desk.CreateWebhook,
// Desk.DeliverWebhooksOnce), storage keeps them, and an embedder's receiver may import this
// package alone to verify what arrives.
//
// # Wire format
//
// Every delivery is an HTTP POST whose body is a Payload in JSON,
//
//	{"type":"ticket.assigned","timestamp":"2026-12-06T10:00:00Z","data":{"ticket":{...},"actor":{...}}}
//
// with three headers: webhook-id (the message's ID, the same on every retry and replay, so a
// receiver can drop duplicates), webhook-timestamp (unix seconds of this attempt) and
// webhook-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>"; during a secret rotation
// one signature per secret, separated by spaces).
//
// # Secrets
//
// A secret is "whsec_" followed by the base64 of 24 to 64 random bytes (NewSecret makes 32);
// the HMAC key is the decoded bytes. Any library of the specification verifies our requests
// given the same secret string.
package webhook
