package device

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
	xdraw "golang.org/x/image/draw"
)

// Format is an image format a QR code is drawn in.
type Format string

// The formats a QR code is drawn in.
const (
	FormatPNG Format = "png"
	FormatSVG Format = "svg"
)

// Valid reports whether f is FormatPNG or FormatSVG.
func (f Format) Valid() bool { return f == FormatPNG || f == FormatSVG }

// ContentType returns f's media type ("image/png", "image/svg+xml"), or "" for an unknown format.
func (f Format) ContentType() string {
	switch f {
	case FormatPNG:
		return "image/png"
	case FormatSVG:
		return "image/svg+xml"
	}
	return ""
}

// Errors of QR images, wrapped by *AppearanceError; test with errors.Is.
var (
	// ErrUnscannable means an appearance would draw a QR code that scanners could not be
	// relied on to read: too little contrast, modules under MinModulePixels, a quiet zone under
	// MinQuietZone modules, or a logo too large for the error-correction level.
	ErrUnscannable = errors.New("the QR code would not scan")
	// ErrInvalidAppearance means an appearance setting or a logo is malformed or out of range:
	// a colour that is not "#rrggbb", a size outside MinSize to MaxSize, an unknown
	// error-correction level, a logo that is not a PNG or JPEG image within the limits.
	ErrInvalidAppearance = errors.New("invalid QR appearance")
)

// AppearanceError names the Appearance setting a QR image is refused for. It wraps
// ErrUnscannable or ErrInvalidAppearance.
type AppearanceError struct {
	// Field is the setting: "foreground", "background", "size", "correction", "quiet_zone",
	// "logo", "logo_size", or "content" for content too long for any QR code.
	Field string
	// Problem says what is wrong and, where it can, what would do, in words fit to show a user.
	Problem string
	// Err is ErrUnscannable or ErrInvalidAppearance.
	Err error
}

// Error returns "FIELD: PROBLEM".
func (e *AppearanceError) Error() string { return e.Field + ": " + e.Problem }

// Unwrap returns ErrUnscannable or ErrInvalidAppearance.
func (e *AppearanceError) Unwrap() error { return e.Err }

func unscannable(field, format string, args ...any) error {
	return &AppearanceError{Field: field, Problem: fmt.Sprintf(format, args...), Err: ErrUnscannable}
}

func badAppearance(field, format string, args ...any) error {
	return &AppearanceError{Field: field, Problem: fmt.Sprintf(format, args...), Err: ErrInvalidAppearance}
}

// Limits of an Appearance and of a logo. The scan rules they serve are in the package
// documentation ("QR images").
const (
	// MinSize and MaxSize bound Appearance.Size, in pixels.
	MinSize = 64
	MaxSize = 4096
	// MinQuietZone is the margin the QR standard asks around a symbol, in modules; MaxQuietZone
	// bounds Appearance.QuietZone.
	MinQuietZone = 4
	MaxQuietZone = 16
	// MinModulePixels is the smallest module drawn, in pixels: below it, printing and cameras
	// blur modules into their neighbours.
	MinModulePixels = 2
	// MinContrast is the smallest WCAG contrast ratio between the foreground and the background
	// (see Contrast): 4.5:1, WCAG's level AA for text.
	MinContrast = 4.5
	// MinLogoVersion is the smallest QR version (37 modules) drawn with a logo: content that
	// would fit a smaller symbol is drawn at this version, so that the logo covers few enough
	// codewords of every error-correction block.
	MinLogoVersion = 5
	// MinLogoSize is the smallest Appearance.LogoSize, in percent of the symbol's edge.
	MinLogoSize = 10
	// MaxLogoBytes caps a logo file.
	MaxLogoBytes = 1 << 20
	// MinLogoEdge and MaxLogoEdge bound a logo's width and height, in pixels.
	MinLogoEdge = 16
	MaxLogoEdge = 2048
)

// MaxLogoSize returns the largest logo allowed at error-correction level c, as its edge in
// percent of the symbol's edge: 0 at L (no logo), 15 at M, 20 at Q and 25 at H, so that the
// logo covers at most 2.25%, 4% and 6.25% of the symbol. It returns 0 for an unknown level.
//
// The numbers keep a margin: a logo of these sizes drawn as the exact inverse of the modules it
// hides (the worst a logo can do) still decodes at every version from MinLogoVersion to 40,
// where the worst versions fail at about 5.8% (M), 10% (Q) and 9.3% (H) of the symbol, so
// smudges, glare and a tilted camera keep part of the error correction for themselves.
func MaxLogoSize(c ErrorCorrection) int {
	switch c {
	case CorrectionMedium:
		return 15
	case CorrectionQuartile:
		return 20
	case CorrectionHigh:
		return 25
	}
	return 0
}

// Contrast returns the WCAG 2 contrast ratio of two "#rrggbb" colours, from 1 (equal
// luminance) to 21 (black and white): (L1 + 0.05) / (L2 + 0.05) of their relative luminances,
// the lighter one first. Returns *AppearanceError (ErrInvalidAppearance) for a malformed colour.
func Contrast(foreground, background string) (float64, error) {
	fg, err := parseColour("foreground", foreground)
	if err != nil {
		return 0, err
	}
	bg, err := parseColour("background", background)
	if err != nil {
		return 0, err
	}
	l1, l2 := luminance(fg), luminance(bg)
	return (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05), nil
}

// luminance is WCAG 2's relative luminance of an sRGB colour.
func luminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

func parseColour(field, s string) (color.NRGBA, error) {
	if len(s) != 7 || s[0] != '#' {
		return color.NRGBA{}, badAppearance(field, "%q is not a colour such as #1a2b3c", s)
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return color.NRGBA{}, badAppearance(field, "%q is not a colour such as #1a2b3c", s)
	}
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}, nil
}

// WithDefaults returns a with its zero Foreground, Background, Size, Correction and QuietZone
// set to DefaultAppearance's. A zero LogoSize stays zero: it means MaxLogoSize of whatever
// level the code has.
func (a Appearance) WithDefaults() Appearance {
	def := DefaultAppearance()
	if a.Foreground == "" {
		a.Foreground = def.Foreground
	}
	if a.Background == "" {
		a.Background = def.Background
	}
	if a.Size == 0 {
		a.Size = def.Size
	}
	if a.Correction == "" {
		a.Correction = def.Correction
	}
	if a.QuietZone == 0 {
		a.QuietZone = def.QuietZone
	}
	return a
}

// Validate checks a's settings and the scan rules that do not depend on the content, with zero
// fields read as WithDefaults sets them. Returns *AppearanceError wrapping ErrInvalidAppearance
// for a malformed or out-of-range setting, or ErrUnscannable for too little contrast, a quiet
// zone under MinQuietZone, or a logo too large for the error-correction level.
func (a Appearance) Validate() error {
	a = a.WithDefaults()
	fg, err := parseColour("foreground", a.Foreground)
	if err != nil {
		return err
	}
	bg, err := parseColour("background", a.Background)
	if err != nil {
		return err
	}
	switch {
	case a.Size < MinSize || a.Size > MaxSize:
		return badAppearance("size", "%d is outside %d to %d pixels", a.Size, MinSize, MaxSize)
	case a.Correction != CorrectionLow && a.Correction != CorrectionMedium && a.Correction != CorrectionQuartile && a.Correction != CorrectionHigh:
		return badAppearance("correction", "%q is not one of L, M, Q, H", a.Correction)
	case a.QuietZone > MaxQuietZone || a.QuietZone < 0:
		return badAppearance("quiet_zone", "%d is outside %d to %d modules", a.QuietZone, MinQuietZone, MaxQuietZone)
	case a.QuietZone < MinQuietZone:
		return unscannable("quiet_zone", "%d modules is less than the %d the QR standard asks for", a.QuietZone, MinQuietZone)
	case a.LogoSize != 0 && (a.LogoSize < MinLogoSize || a.LogoSize > 100):
		return badAppearance("logo_size", "%d is outside %d to 100 percent", a.LogoSize, MinLogoSize)
	}
	lf, lb := luminance(fg), luminance(bg)
	if lf >= lb {
		return unscannable("foreground", "%s is not darker than the background %s: scanners look for dark modules on a light ground", a.Foreground, a.Background)
	}
	if ratio := (lb + 0.05) / (lf + 0.05); ratio < MinContrast {
		return unscannable("foreground", "%s on %s has a contrast of %.2f:1, less than %.1f:1", a.Foreground, a.Background, ratio, MinContrast)
	}
	if a.Logo == "" {
		return nil
	}
	most := MaxLogoSize(a.Correction)
	if most == 0 {
		return unscannable("correction", "level %s leaves no room for a logo: choose M, Q or H", a.Correction)
	}
	if a.LogoSize > most {
		return unscannable("logo_size", "a logo of %d%% is too large for level %s, which allows %d%%", a.LogoSize, a.Correction, most)
	}
	return nil
}

// Check reports whether content drawn with a would scan: Validate's rules, and modules of at
// least MinModulePixels at a.Size. Returns *AppearanceError as Validate and NewQR do.
func (a Appearance) Check(content string) error {
	_, err := NewQR(content, a)
	return err
}

// QR is content encoded as a QR symbol and laid out in an image of an Appearance: the module
// grid, the pixels per module, the quiet zone and the logo's place. Make one with NewQR.
type QR struct {
	a       Appearance
	modules [][]bool // [y][x], the symbol without its quiet zone
	module  int      // pixels per module
	margin  int      // pixels left of and above the symbol
	logo    int      // the logo's square in modules (odd, centred), 0 without a logo
}

// NewQR encodes content at a.Correction (the smallest version that holds it, at least
// MinLogoVersion with a logo) and lays it out in an image of exactly a.Size × a.Size pixels:
// every module is the same whole number of pixels, the quiet zone is at least a.QuietZone
// modules, widened by the pixels left over, and a logo gets the largest odd square of modules
// centred in the symbol whose edge is at most a.LogoSize percent of the symbol's. Zero fields
// of a are read as WithDefaults sets them.
//
// Returns *AppearanceError: as Validate does, ErrUnscannable for modules under
// MinModulePixels, and ErrUnscannable with Field "content" for content no QR code holds.
func NewQR(content string, a Appearance) (*QR, error) {
	a = a.WithDefaults()
	if err := a.Validate(); err != nil {
		return nil, err
	}
	level := map[ErrorCorrection]qrcode.RecoveryLevel{CorrectionLow: qrcode.Low, CorrectionMedium: qrcode.Medium,
		CorrectionQuartile: qrcode.High, CorrectionHigh: qrcode.Highest}[a.Correction]
	enc, err := qrcode.New(content, level)
	if err == nil && a.Logo != "" && enc.VersionNumber < MinLogoVersion {
		enc, err = qrcode.NewWithForcedVersion(content, MinLogoVersion, level)
	}
	if err != nil {
		return nil, unscannable("content", "%d bytes do not fit in a QR code at level %s", len(content), a.Correction)
	}
	enc.DisableBorder = true
	q := &QR{a: a, modules: enc.Bitmap()} // Bitmap encodes: call it once
	n := len(q.modules)
	q.module = a.Size / (n + 2*a.QuietZone)
	if q.module < MinModulePixels {
		return nil, unscannable("size", "%d pixels make modules of less than %d pixels for a symbol of %d modules and a quiet zone of %d; it needs at least %d pixels",
			a.Size, MinModulePixels, n, a.QuietZone, MinModulePixels*(n+2*a.QuietZone))
	}
	q.margin = (a.Size - n*q.module) / 2
	if a.Logo != "" {
		size := a.LogoSize
		if size == 0 {
			size = MaxLogoSize(a.Correction)
		}
		q.logo = n * size / 100
		if q.logo%2 == 0 {
			q.logo-- // odd, so that it is centred on the module grid
		}
	}
	return q, nil
}

// Appearance returns the appearance q is laid out for, with its defaults set.
func (q *QR) Appearance() Appearance { return q.a }

// Version returns the QR version of the symbol, 1 to 40.
func (q *QR) Version() int { return (len(q.modules) - 17) / 4 }

// Modules returns the symbol's edge in modules, without the quiet zone: 17 + 4 × Version.
func (q *QR) Modules() int { return len(q.modules) }

// ModulePixels returns a module's edge in pixels.
func (q *QR) ModulePixels() int { return q.module }

// Margin returns the pixels left of and above the symbol, the quiet zone; the right and bottom
// ones get one pixel more when the pixels left over are odd.
func (q *QR) Margin() int { return q.margin }

// LogoModules returns the edge of the logo's square in modules, 0 without a logo.
func (q *QR) LogoModules() int { return q.logo }

// Dark reports whether the module in column x and row y of the symbol is drawn in the
// foreground colour; modules under the logo's square are not.
func (q *QR) Dark(x, y int) bool { return q.modules[y][x] && !q.underLogo(x, y) }

func (q *QR) underLogo(x, y int) bool {
	lo := (len(q.modules) - q.logo) / 2
	return q.logo > 0 && x >= lo && x < lo+q.logo && y >= lo && y < lo+q.logo
}

// LogoRect returns the logo's square in pixels of the image, filled with the background; it is
// empty without a logo.
func (q *QR) LogoRect() image.Rectangle {
	if q.logo == 0 {
		return image.Rectangle{}
	}
	lo := q.margin + (len(q.modules)-q.logo)/2*q.module
	return image.Rect(lo, lo, lo+q.logo*q.module, lo+q.logo*q.module)
}

// logoFit returns where a logo of bounds b is drawn: inside LogoRect less half a module on
// each side, as large as fits with its aspect ratio kept, centred.
func (q *QR) logoFit(b image.Rectangle) image.Rectangle {
	in := q.LogoRect().Inset(q.module / 2)
	w, h := in.Dx(), b.Dy()*in.Dx()/b.Dx()
	if h > in.Dy() {
		w, h = b.Dx()*in.Dy()/b.Dy(), in.Dy()
	}
	w, h = max(w, 1), max(h, 1)
	x, y := in.Min.X+(in.Dx()-w)/2, in.Min.Y+(in.Dy()-h)/2
	return image.Rect(x, y, x+w, y+h)
}

// checkLogo requires a logo image exactly when the appearance names one.
func (q *QR) checkLogo(logo image.Image) error {
	switch {
	case q.a.Logo != "" && logo == nil:
		return fmt.Errorf("device: the appearance names the logo %q but no image was given", q.a.Logo)
	case q.a.Logo == "" && logo != nil:
		return errors.New("device: a logo image was given but the appearance names no logo")
	case logo != nil && logo.Bounds().Empty():
		return badAppearance("logo", "the image is empty")
	}
	return nil
}

// Write draws q in format f to w, with logo in the centre (nil without one). See PNG and SVG.
func (q *QR) Write(w io.Writer, f Format, logo image.Image) error {
	switch f {
	case FormatPNG:
		return q.PNG(w, logo)
	case FormatSVG:
		return q.SVG(w, logo)
	}
	return fmt.Errorf("device: %q is not an image format (png, svg)", f)
}

// PNG draws q as a PNG image of exactly Size × Size pixels to w, with logo (required when the
// appearance names a logo, nil otherwise) scaled into its square over the background. Returns
// an error for a missing or unexpected logo, and w's errors.
func (q *QR) PNG(w io.Writer, logo image.Image) error {
	if err := q.checkLogo(logo); err != nil {
		return err
	}
	fg, _ := parseColour("foreground", q.a.Foreground)
	bg, _ := parseColour("background", q.a.Background)
	r := image.Rect(0, 0, q.a.Size, q.a.Size)
	var img draw.Image
	if logo == nil {
		img = image.NewPaletted(r, color.Palette{bg, fg}) // two colours: the smallest file
	} else {
		img = image.NewNRGBA(r)
	}
	draw.Draw(img, r, image.NewUniform(bg), image.Point{}, draw.Src)
	dark := image.NewUniform(fg)
	n := len(q.modules)
	for y := range n {
		for x := 0; x < n; {
			if !q.Dark(x, y) {
				x++
				continue
			}
			end := x + 1
			for end < n && q.Dark(end, y) {
				end++
			}
			px, py := q.margin+x*q.module, q.margin+y*q.module
			draw.Draw(img, image.Rect(px, py, q.margin+end*q.module, py+q.module), dark, image.Point{}, draw.Src)
			x = end
		}
	}
	if logo != nil {
		xdraw.CatmullRom.Scale(img, q.logoFit(logo.Bounds()), logo, logo.Bounds(), xdraw.Over, nil)
	}
	bw := bufio.NewWriter(w)
	if err := png.Encode(bw, img); err != nil {
		return fmt.Errorf("device: write PNG: %w", err)
	}
	return bw.Flush()
}

// svgLogoEdge caps the longer edge of the logo embedded in an SVG image, in pixels: enough for
// print at several times the nominal size, small enough to keep the file light.
const svgLogoEdge = 512

// SVG draws q as an SVG image to w: width, height and viewBox are Size, a background
// rectangle, one path of the dark modules in whole pixels (the same pixels as PNG's), and the
// logo (required when the appearance names a logo, nil otherwise) embedded as a PNG in its
// place, at most 512 pixels on its longer edge. Returns an error for a missing or unexpected
// logo, and w's errors.
func (q *QR) SVG(w io.Writer, logo image.Image) error {
	if err := q.checkLogo(logo); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	s := q.a.Size
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges">`+"\n", s, s, s, s)
	fmt.Fprintf(bw, `<rect width="%d" height="%d" fill="%s"/>`+"\n", s, s, strings.ToLower(q.a.Background))
	fmt.Fprintf(bw, `<path fill="%s" d="`, strings.ToLower(q.a.Foreground))
	n := len(q.modules)
	for y := range n {
		for x := 0; x < n; {
			if !q.Dark(x, y) {
				x++
				continue
			}
			end := x + 1
			for end < n && q.Dark(end, y) {
				end++
			}
			fmt.Fprintf(bw, "M%d %dh%dv%dh-%dz", q.margin+x*q.module, q.margin+y*q.module, (end-x)*q.module, q.module, (end-x)*q.module)
			x = end
		}
	}
	bw.WriteString("\"/>\n")
	if logo != nil {
		var buf bytes.Buffer
		if err := png.Encode(&buf, shrink(logo, svgLogoEdge)); err != nil {
			return fmt.Errorf("device: encode logo: %w", err)
		}
		r := q.logoFit(logo.Bounds())
		fmt.Fprintf(bw, `<image x="%d" y="%d" width="%d" height="%d" preserveAspectRatio="none" xlink:href="data:image/png;base64,%s"/>`+"\n",
			r.Min.X, r.Min.Y, r.Dx(), r.Dy(), base64.StdEncoding.EncodeToString(buf.Bytes()))
	}
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

// shrink returns img scaled down to at most edge pixels on its longer side, or img itself when
// it is no larger.
func shrink(img image.Image, edge int) image.Image {
	b := img.Bounds()
	if b.Dx() <= edge && b.Dy() <= edge {
		return img
	}
	w, h := edge, b.Dy()*edge/b.Dx()
	if b.Dy() > b.Dx() {
		w, h = b.Dx()*edge/b.Dy(), edge
	}
	out := image.NewNRGBA(image.Rect(0, 0, max(w, 1), max(h, 1)))
	xdraw.CatmullRom.Scale(out, out.Bounds(), img, b, xdraw.Src, nil)
	return out
}

// Draw draws content as a QR code with appearance a in format f to w; logo is the image
// a.Logo names (nil when it names none). It is NewQR followed by Write. Returns
// *AppearanceError as NewQR does, and Write's errors.
func Draw(w io.Writer, content string, a Appearance, logo image.Image, f Format) error {
	q, err := NewQR(content, a)
	if err != nil {
		return err
	}
	return q.Write(w, f, logo)
}

// DecodeLogo reads an uploaded logo: a PNG or JPEG image (told by its content, whatever its
// name says) of at most MaxLogoBytes, MinLogoEdge to MaxLogoEdge pixels wide and high. The
// size is read from the header before the pixels are decoded, so an image that would take
// too much memory is refused cheaply. It returns the image and its media type ("image/png"
// or "image/jpeg"). Returns *AppearanceError (Field "logo", ErrInvalidAppearance) for
// anything else.
func DecodeLogo(data []byte) (image.Image, string, error) {
	var (
		decodeConfig func(io.Reader) (image.Config, error)
		decode       func(io.Reader) (image.Image, error)
		contentType  string
	)
	switch {
	case len(data) > MaxLogoBytes:
		return nil, "", badAppearance("logo", "the file has more than %d bytes", MaxLogoBytes)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		decodeConfig, decode, contentType = png.DecodeConfig, png.Decode, "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		decodeConfig, decode, contentType = jpeg.DecodeConfig, jpeg.Decode, "image/jpeg"
	default:
		return nil, "", badAppearance("logo", "the file is not a PNG or JPEG image")
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", badAppearance("logo", "the image cannot be read: %v", err)
	}
	if cfg.Width < MinLogoEdge || cfg.Height < MinLogoEdge || cfg.Width > MaxLogoEdge || cfg.Height > MaxLogoEdge {
		return nil, "", badAppearance("logo", "the image is %d × %d pixels; each side must be %d to %d", cfg.Width, cfg.Height, MinLogoEdge, MaxLogoEdge)
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", badAppearance("logo", "the image cannot be read: %v", err)
	}
	return img, contentType, nil
}
