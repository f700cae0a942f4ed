// Package secret makes and hashes the bearer tokens of the helpdesk (device codes, sessions,
// one-time links), signs the links it derives from a master key (requester and session
// links), and seals secrets kept at rest (AES-256-GCM).
package secret
