// Package device holds devices (the digital twins tickets are opened for), their templates
// (device types with custom-field definitions and public content) and codes.
//
// # Codes
//
// A [Code] is an unguessable token ([NewToken]: 256 random bits) whose URL opens one device's
// public page; holding it grants access to that device alone. A code can be switched off, can
// expire, offers a chosen set of [Action]s, may require a PIN (hashed with argon2id by
// [HashPIN]) and records how often it was scanned. Its [Appearance] says how the QR image is
// drawn.
package device
