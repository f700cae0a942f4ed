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
//
// # QR images
//
// [NewQR] encodes a code's URL (or any link, such as a share-login link) and lays it out for an
// [Appearance]; [QR.PNG] and [QR.SVG] draw it, pixel for pixel the same. The image is exactly
// Size × Size pixels: every module is the same whole number of pixels and the pixels left over
// widen the quiet zone. Drawing reads nothing from the network: a logo is an image the caller
// passes in (the Desk keeps uploaded logos in its blob store, checked by [DecodeLogo]).
//
// An appearance that scanners could not be relied on to read is refused with an
// [*AppearanceError] wrapping [ErrUnscannable], before anything is drawn:
//   - the foreground must be darker than the background, with a WCAG contrast of at least
//     [MinContrast] ([Contrast]);
//   - modules must be at least [MinModulePixels] wide, which with the content's length sets the
//     smallest Size;
//   - the quiet zone must be at least [MinQuietZone] modules;
//   - a logo hides the modules under it, which error correction must restore: level L allows
//     none, and M, Q and H allow a logo of at most [MaxLogoSize] percent of the symbol's edge;
//     content with a logo is drawn at QR version [MinLogoVersion] or more.
//
// The QR encoder is github.com/skip2/go-qrcode, used only for its module matrix: the drawing
// (exact size, colours, quiet zone, logo, SVG) is this package's.
package device
