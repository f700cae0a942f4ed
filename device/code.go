package device

import (
	"slices"
	"time"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/google/uuid"
)

// Action is something a code's public page offers.
type Action string

// The actions a code can allow.
const (
	ActionView           Action = "view"            // read the device's public information
	ActionOpenTicket     Action = "open_ticket"     // submit a ticket for the device
	ActionRequestSession Action = "request_session" // ask for a video session
	ActionUploadMedia    Action = "upload_media"    // upload photos and videos
)

// Actions lists every Action, in a stable order.
func Actions() []Action {
	return []Action{ActionView, ActionOpenTicket, ActionRequestSession, ActionUploadMedia}
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(Actions(), a) }

// ErrorCorrection is a QR code's error-correction level.
type ErrorCorrection string

// The QR error-correction levels, from 7% to 30% recoverable.
const (
	CorrectionLow      ErrorCorrection = "L"
	CorrectionMedium   ErrorCorrection = "M"
	CorrectionQuartile ErrorCorrection = "Q"
	CorrectionHigh     ErrorCorrection = "H"
)

// Appearance is how a code's QR image is drawn (see NewQR and the package documentation's
// "QR images" for the rules an appearance must keep to scan).
type Appearance struct {
	// Foreground and Background are colours as "#rrggbb". The foreground must be the darker
	// one, with a contrast of at least MinContrast.
	Foreground string
	Background string
	// Size is the image's width and height in pixels, MinSize to MaxSize.
	Size       int
	Correction ErrorCorrection
	// QuietZone is the margin of background around the symbol, in modules, MinQuietZone to
	// MaxQuietZone; 0 means MinQuietZone. The pixels left over when whole-pixel modules fill
	// Size widen it.
	QuietZone int
	// Logo names the image drawn in the centre; "" means none. The Desk keeps uploaded logos
	// in its blob store and sets Logo to the blob's key; whoever draws passes the decoded
	// image along (see QR.PNG).
	Logo string
	// LogoSize is the logo's edge in percent of the symbol's edge, MinLogoSize to
	// MaxLogoSize(Correction); 0 means MaxLogoSize(Correction).
	LogoSize int
}

// DefaultAppearance is black on white, 256 pixels, medium error correction, the standard's
// quiet zone of 4 modules, no logo.
func DefaultAppearance() Appearance {
	return Appearance{Foreground: "#000000", Background: "#ffffff", Size: 256, Correction: CorrectionMedium, QuietZone: MinQuietZone}
}

// Code is an unguessable token whose URL opens one device's public page. Holding it grants access
// to that device alone.
type Code struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	DeviceID uuid.UUID
	// Token is the secret in the code's URL: 256 random bits, base64url without padding.
	Token  string
	Active bool
	// ExpiresAt ends the code's validity; nil means it never expires.
	ExpiresAt *time.Time
	// Actions lists what the public page offers.
	Actions []Action
	// PINHash is set when the page asks for a PIN before anything is shown (see HashPIN).
	PINHash    string
	Appearance Appearance
	ScanCount  int64
	LastScanAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int64
}

// TokenBytes is how many random bytes a code token carries.
const TokenBytes = secret.TokenBytes

// NewToken returns a fresh code token of TokenBytes random bytes, base64url-encoded.
func NewToken() string { return secret.NewToken() }

// Allows reports whether the code offers action a.
func (c *Code) Allows(a Action) bool { return slices.Contains(c.Actions, a) }

// Usable reports whether the code is active and not expired at now.
func (c *Code) Usable(now time.Time) bool {
	return c.Active && (c.ExpiresAt == nil || now.Before(*c.ExpiresAt))
}
