package device

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	qrcode "github.com/skip2/go-qrcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xdraw "golang.org/x/image/draw"
)

// The QR tests read every image they draw back with gozxing, a decoder written independently
// of the encoder (skip2/go-qrcode), and check the content and the error-correction level it
// reports. gozxing is told the image holds nothing but the code (PURE_BARCODE): its finder-
// pattern search, unlike its decoding, trips over some perfectly sharp synthetic symbols
// whatever drew them, so it would make the tests depend on the random tokens in the URLs. The
// quiet zone, which that search needs and pure decoding does not, is checked pixel by pixel.

// codeURL is a code's URL as the Desk builds it: a base URL, "/c/" and a 43-character token.
const codeURL = "https://desk.example.com/c/q0Vx3-KpL7mZ_a1bC2dE3fG4hI5jK6lM7nO8pQ9rSt"

// decode reads a QR code from img and returns its text and error-correction level.
func decode(t *testing.T, img image.Image) (string, string) {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	require.NoError(t, err, "the decoder cannot read the image")
	return res.GetText(), fmt.Sprint(res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL])
}

// assertDecodes decodes img and checks its content and level.
func assertDecodes(t *testing.T, img image.Image, content string, level ErrorCorrection) {
	t.Helper()
	text, ecl := decode(t, img)
	assert.Equal(t, content, text)
	assert.Equal(t, string(level), ecl, "error-correction level")
}

// drawPNG draws q as a PNG and decodes the file.
func drawPNG(t *testing.T, q *QR, logo image.Image) image.Image {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, q.PNG(&buf, logo))
	img, err := png.Decode(&buf)
	require.NoError(t, err)
	return img
}

// svgPath is one dark run of the SVG's path: a rectangle drawn clockwise from its top left.
var svgPath = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v(\d+)h-(\d+)z`)

// rasterSVG paints an SVG image as SVG does, from the little SVG drawing writes: the root's
// width, height and viewBox, a background rect, one path of rectangles and an optional
// embedded PNG. It fails on anything else, so the SVG's structure is checked too. It returns
// the image and where the logo went (empty without one).
func rasterSVG(t *testing.T, data []byte) (*image.NRGBA, image.Rectangle) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var img *image.NRGBA
	var logoAt image.Rectangle
	attrs := func(se xml.StartElement) map[string]string {
		m := map[string]string{}
		for _, a := range se.Attr {
			m[a.Name.Local] = a.Value
		}
		return m
	}
	num := func(s string) int {
		n, err := strconv.Atoi(s)
		require.NoError(t, err)
		return n
	}
	fill := func(s string) color.NRGBA {
		c, err := parseColour("fill", s)
		require.NoError(t, err)
		return c
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		a := attrs(se)
		switch se.Name.Local {
		case "svg":
			w, h := num(a["width"]), num(a["height"])
			require.Equal(t, fmt.Sprintf("0 0 %d %d", w, h), a["viewBox"])
			img = image.NewNRGBA(image.Rect(0, 0, w, h))
		case "rect":
			require.NotNil(t, img)
			draw.Draw(img, image.Rect(0, 0, num(a["width"]), num(a["height"])), image.NewUniform(fill(a["fill"])), image.Point{}, draw.Src)
		case "path":
			require.NotNil(t, img)
			d := a["d"]
			require.Empty(t, svgPath.ReplaceAllString(d, ""), "the path holds only rectangles")
			c := image.NewUniform(fill(a["fill"]))
			for _, m := range svgPath.FindAllStringSubmatch(d, -1) {
				x, y, w, h, back := num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5])
				require.Equal(t, w, back, "each rectangle closes")
				draw.Draw(img, image.Rect(x, y, x+w, y+h), c, image.Point{}, draw.Src)
			}
		case "image":
			require.NotNil(t, img)
			href := a["href"]
			require.True(t, strings.HasPrefix(href, "data:image/png;base64,"), "the logo is embedded, never linked")
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(href, "data:image/png;base64,"))
			require.NoError(t, err)
			logo, err := png.Decode(bytes.NewReader(raw))
			require.NoError(t, err)
			x, y := num(a["x"]), num(a["y"])
			logoAt = image.Rect(x, y, x+num(a["width"]), y+num(a["height"]))
			xdraw.CatmullRom.Scale(img, logoAt, logo, logo.Bounds(), xdraw.Over, nil)
		default:
			t.Fatalf("unexpected SVG element %s", se.Name.Local)
		}
	}
	require.NotNil(t, img, "no svg element")
	return img, logoAt
}

// checkLayout checks a drawn image against q's layout: its exact size, a quiet zone of the
// background at least QuietZone modules wide on every side, and every module's pixels in the
// colour Dark says, except inside the logo's square.
func checkLayout(t *testing.T, q *QR, img image.Image) {
	t.Helper()
	a := q.Appearance()
	require.Equal(t, image.Rect(0, 0, a.Size, a.Size), img.Bounds(), "exactly Size × Size pixels")
	fg, _ := parseColour("", a.Foreground)
	bg, _ := parseColour("", a.Background)
	n, m, lo := q.Modules(), q.ModulePixels(), q.Margin()
	require.GreaterOrEqual(t, m, MinModulePixels)
	require.GreaterOrEqual(t, lo, a.QuietZone*m, "quiet zone on the left and top")
	require.GreaterOrEqual(t, a.Size-lo-n*m, a.QuietZone*m, "quiet zone on the right and bottom")
	require.LessOrEqual(t, a.Size-lo-n*m-lo, 1, "the quiet zone is centred")
	pix := toNRGBA(img)
	at := func(x, y int) color.NRGBA {
		i := pix.PixOffset(x, y)
		return color.NRGBA{R: pix.Pix[i], G: pix.Pix[i+1], B: pix.Pix[i+2], A: pix.Pix[i+3]}
	}
	symbol := image.Rect(lo, lo, lo+n*m, lo+n*m)
	logo := q.LogoRect()
	bad := 0
	for y := 0; y < a.Size; y++ {
		for x := 0; x < a.Size; x++ {
			p := image.Pt(x, y)
			switch {
			case !p.In(symbol):
				if at(x, y) != bg {
					bad++
				}
			case p.In(logo):
			default:
				want := bg
				if q.Dark((x-lo)/m, (y-lo)/m) {
					want = fg
				}
				if at(x, y) != want {
					bad++
				}
			}
		}
	}
	assert.Zero(t, bad, "pixels in the wrong colour")
}

// Logos of several kinds, to be drawn in the centre.

func noiseLogo(w, h int) image.Image {
	r := rand.New(rand.NewPCG(1, 2))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
		if i%4 == 3 {
			img.Pix[i] = 0xff
		}
	}
	return img
}

// glassLogo is a see-through gradient: its transparent pixels show the background square.
func glassLogo() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 120, 120))
	for y := range 120 {
		for x := range 120 {
			img.SetNRGBA(x, y, color.NRGBA{R: 0x20, G: uint8(2 * x), B: 0x80, A: uint8(2 * y)})
		}
	}
	return img
}

// checkerLogo alternates dark and light squares of cell pixels: modules' worth of confusion.
func checkerLogo(w, h, cell int) image.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if (x/cell+y/cell)%2 == 0 {
				img.SetGray(x, y, color.Gray{Y: 0xff})
			}
		}
	}
	return img
}

func TestQRDecodes(t *testing.T) {
	short := "https://x.io/c/AbC"
	long := "https://desk.example.com/c/" + strings.Repeat("q0Vx3-KpL7mZ_a1bC2dE3fG4hI5jK6lM7nO8pQ9rSt", 7)
	logos := map[string]image.Image{
		"solid":   uniform(64, 64, color.NRGBA{R: 0xc0, A: 0xff}),
		"noise":   noiseLogo(100, 100),
		"wide":    checkerLogo(400, 100, 7),
		"tall":    checkerLogo(60, 200, 3),
		"glass":   glassLogo(),
		"checker": checkerLogo(256, 256, 4),
	}
	type tc struct {
		name    string
		content string
		a       Appearance
		logo    string
	}
	cases := []tc{
		{"default", codeURL, Appearance{}, ""},
		{"L", codeURL, Appearance{Correction: CorrectionLow}, ""},
		{"M", codeURL, Appearance{Correction: CorrectionMedium}, ""},
		{"Q", codeURL, Appearance{Correction: CorrectionQuartile}, ""},
		{"H", codeURL, Appearance{Correction: CorrectionHigh}, ""},
		{"navy on cream", codeURL, Appearance{Foreground: "#1B3A5C", Background: "#f5e9c8", Correction: CorrectionQuartile}, ""},
		{"maroon on ivory", codeURL, Appearance{Foreground: "#5a0000", Background: "#ffffe0", Size: 333}, ""},
		{"green on mint, wide quiet zone", codeURL, Appearance{Foreground: "#004d00", Background: "#e8ffe8", QuietZone: 10, Size: 500}, ""},
		{"smallest size", "x.io/c/AbC", Appearance{Size: MinSize}, ""},
		{"odd size", codeURL, Appearance{Size: 257}, ""},
		{"large", long, Appearance{Size: 2000, Correction: CorrectionHigh}, ""},
		{"largest size", codeURL, Appearance{Size: MaxSize, Foreground: "#1b3a5c"}, "noise"},
		{"short content with a logo", short, Appearance{Correction: CorrectionHigh}, "solid"},
		{"smallest logo", codeURL, Appearance{Correction: CorrectionMedium, LogoSize: MinLogoSize}, "checker"},
		{"long content with a logo", long, Appearance{Size: 1200, Correction: CorrectionQuartile}, "noise"},
		{"logo on colours", codeURL, Appearance{Foreground: "#1b3a5c", Background: "#f5e9c8", Correction: CorrectionHigh, Size: 400}, "glass"},
	}
	for _, level := range []ErrorCorrection{CorrectionMedium, CorrectionQuartile, CorrectionHigh} {
		for name := range logos {
			// The largest logo the level allows, by default and asked for.
			cases = append(cases,
				tc{fmt.Sprintf("largest logo at %s, %s", level, name), codeURL, Appearance{Correction: level}, name},
				tc{fmt.Sprintf("largest logo at %s, %s, asked for, small", level, name), short, Appearance{Correction: level, LogoSize: MaxLogoSize(level), Size: 150}, name})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logo image.Image
			if c.logo != "" {
				c.a.Logo = "logos/" + c.logo
				logo = logos[c.logo]
			}
			q, err := NewQR(c.content, c.a)
			require.NoError(t, err)
			a := q.Appearance()
			if c.logo != "" {
				require.GreaterOrEqual(t, q.Version(), MinLogoVersion)
				size := c.a.LogoSize
				if size == 0 {
					size = MaxLogoSize(a.Correction)
				}
				assert.LessOrEqual(t, q.LogoModules()*100, size*q.Modules(), "the logo's square is at most LogoSize percent of the symbol")
				assert.Greater(t, (q.LogoModules()+2)*100, size*q.Modules(), "and the largest odd square that is")
				assert.Equal(t, 1, q.LogoModules()%2)
			}

			pngImg := drawPNG(t, q, logo)
			checkLayout(t, q, pngImg)
			assertDecodes(t, pngImg, c.content, a.Correction)

			var svg bytes.Buffer
			require.NoError(t, q.SVG(&svg, logo))
			svgImg, logoAt := rasterSVG(t, svg.Bytes())
			checkLayout(t, q, svgImg)
			assert.Equal(t, c.logo != "", !logoAt.Empty(), "an embedded logo exactly when there is one")
			assert.True(t, logoAt.In(q.LogoRect()) || logoAt.Empty(), "the logo stays in its square")
			pngPix := toNRGBA(pngImg)
			for y := range a.Size {
				for x := range a.Size {
					if i := pngPix.PixOffset(x, y); !image.Pt(x, y).In(logoAt) && !bytes.Equal(pngPix.Pix[i:i+4], svgImg.Pix[i:i+4]) {
						require.Failf(t, "SVG and PNG differ", "at %d,%d", x, y)
					}
				}
			}
			assertDecodes(t, svgImg, c.content, a.Correction)
		})
	}
}

// toNRGBA returns img as an *image.NRGBA, converting it when it is not one.
func toNRGBA(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok {
		return n
	}
	n := image.NewNRGBA(img.Bounds())
	draw.Draw(n, n.Bounds(), img, img.Bounds().Min, draw.Src)
	return n
}

func uniform(w, h int, c color.Color) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// contentOfVersion returns content that needs QR version v at level c, at its smallest.
func contentOfVersion(t *testing.T, v int, c ErrorCorrection) string {
	t.Helper()
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
	text := func(n int) string {
		b := []byte("https://desk.example.com/c/")
		for i := 0; len(b) < n; i++ {
			b = append(b, alphabet[(i*37+11)%len(alphabet)])
		}
		return string(b[:n])
	}
	level := map[ErrorCorrection]qrcode.RecoveryLevel{CorrectionMedium: qrcode.Medium, CorrectionQuartile: qrcode.High, CorrectionHigh: qrcode.Highest}[c]
	version := func(n int) int {
		q, err := qrcode.New(text(n), level) // the version, without drawing
		if err != nil {
			return 41
		}
		return q.VersionNumber
	}
	lo, hi := 1, 3000 // the smallest length of version v or more
	for lo < hi {
		mid := (lo + hi) / 2
		if version(mid) >= v {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	require.Equal(t, v, version(lo), "no content of version %d at %s", v, c)
	return text(lo)
}

// TestQRLargestLogoWorstCase checks the logo rule where it matters most: at every version a
// logo can be drawn at, and each level that allows one, the largest logo allowed is replaced
// by the worst a logo can draw, the exact inverse of every module under its square, and the
// code must still decode, at the smallest modules allowed.
func TestQRLargestLogoWorstCase(t *testing.T) {
	for _, level := range []ErrorCorrection{CorrectionMedium, CorrectionQuartile, CorrectionHigh} {
		t.Run(string(level), func(t *testing.T) {
			for v := MinLogoVersion; v <= 40; v++ {
				content := contentOfVersion(t, v, level)
				n := 17 + 4*v
				q, err := NewQR(content, Appearance{Correction: level, Logo: "worst", Size: MinModulePixels * (n + 2*MinQuietZone)})
				require.NoError(t, err, "version %d", v)
				require.Equal(t, v, q.Version())
				img := drawPNG(t, q, uniform(16, 16, color.White)).(draw.Image)
				lo := (n - q.LogoModules()) / 2
				for y := lo; y < lo+q.LogoModules(); y++ {
					for x := lo; x < lo+q.LogoModules(); x++ {
						c := color.Color(color.Black)
						if q.modules[y][x] {
							c = color.White
						}
						px, py := q.Margin()+x*q.ModulePixels(), q.Margin()+y*q.ModulePixels()
						draw.Draw(img, image.Rect(px, py, px+q.ModulePixels(), py+q.ModulePixels()), image.NewUniform(c), image.Point{}, draw.Src)
					}
				}
				text, ecl := decode(t, img)
				require.Equal(t, content, text, "version %d", v)
				require.Equal(t, string(level), ecl)
			}
		})
	}
}

func TestQRScanRules(t *testing.T) {
	probe, err := NewQR(codeURL, Appearance{Correction: CorrectionHigh})
	require.NoError(t, err)
	n := probe.Modules()
	leastSize := MinModulePixels * (n + 2*MinQuietZone)
	cases := []struct {
		name    string
		content string
		a       Appearance
		field   string // "" means accepted
		err     error
	}{
		// Rule 1: contrast, WCAG ratio at least 4.5:1, the foreground darker.
		{"contrast just enough", codeURL, Appearance{Foreground: "#767676"}, "", nil},
		{"contrast just too little", codeURL, Appearance{Foreground: "#777777"}, "foreground", ErrUnscannable},
		{"pale on white", codeURL, Appearance{Foreground: "#ffe4e1"}, "foreground", ErrUnscannable},
		{"dark on dark", codeURL, Appearance{Foreground: "#000000", Background: "#303030"}, "foreground", ErrUnscannable},
		{"same colour", codeURL, Appearance{Foreground: "#336699", Background: "#336699"}, "foreground", ErrUnscannable},
		{"inverted", codeURL, Appearance{Foreground: "#ffffff", Background: "#000000"}, "foreground", ErrUnscannable},
		{"inverted with good contrast", codeURL, Appearance{Foreground: "#f5e9c8", Background: "#1b3a5c"}, "foreground", ErrUnscannable},
		// Rule 2: modules of at least 2 pixels.
		{"2-pixel modules", codeURL, Appearance{Correction: CorrectionHigh, Size: leastSize}, "", nil},
		{"1-pixel modules", codeURL, Appearance{Correction: CorrectionHigh, Size: leastSize - 1}, "size", ErrUnscannable},
		{"smallest size, long content", codeURL, Appearance{Size: MinSize}, "size", ErrUnscannable},
		{"wide quiet zone leaves 1-pixel modules", codeURL, Appearance{Correction: CorrectionHigh, Size: leastSize, QuietZone: 5}, "size", ErrUnscannable},
		// Rule 3: the logo, by level.
		{"logo at L", codeURL, Appearance{Correction: CorrectionLow, Logo: "x"}, "correction", ErrUnscannable},
		{"logo at L, small", codeURL, Appearance{Correction: CorrectionLow, Logo: "x", LogoSize: MinLogoSize}, "correction", ErrUnscannable},
		{"largest logo at M", codeURL, Appearance{Correction: CorrectionMedium, Logo: "x", LogoSize: 15}, "", nil},
		{"logo too large at M", codeURL, Appearance{Correction: CorrectionMedium, Logo: "x", LogoSize: 16}, "logo_size", ErrUnscannable},
		{"largest logo at Q", codeURL, Appearance{Correction: CorrectionQuartile, Logo: "x", LogoSize: 20}, "", nil},
		{"logo too large at Q", codeURL, Appearance{Correction: CorrectionQuartile, Logo: "x", LogoSize: 21}, "logo_size", ErrUnscannable},
		{"largest logo at H", codeURL, Appearance{Correction: CorrectionHigh, Logo: "x", LogoSize: 25}, "", nil},
		{"logo too large at H", codeURL, Appearance{Correction: CorrectionHigh, Logo: "x", LogoSize: 26}, "logo_size", ErrUnscannable},
		{"logo filling the code", codeURL, Appearance{Correction: CorrectionHigh, Logo: "x", LogoSize: 100}, "logo_size", ErrUnscannable},
		{"logo size without a logo", codeURL, Appearance{Correction: CorrectionLow, LogoSize: 50}, "", nil},
		// Rule 4: the quiet zone.
		{"standard quiet zone", codeURL, Appearance{QuietZone: 4}, "", nil},
		{"narrow quiet zone", codeURL, Appearance{QuietZone: 3}, "quiet_zone", ErrUnscannable},
		// Content no QR code holds.
		{"too long", strings.Repeat("x", 3000), Appearance{Size: MaxSize}, "content", ErrUnscannable},
		// Malformed settings.
		{"named colour", codeURL, Appearance{Foreground: "black"}, "foreground", ErrInvalidAppearance},
		{"short colour", codeURL, Appearance{Background: "#fff"}, "background", ErrInvalidAppearance},
		{"colour with a sign", codeURL, Appearance{Background: "#+fffff"}, "background", ErrInvalidAppearance},
		{"tiny", codeURL, Appearance{Size: 10}, "size", ErrInvalidAppearance},
		{"huge", codeURL, Appearance{Size: MaxSize + 1}, "size", ErrInvalidAppearance},
		{"negative size", codeURL, Appearance{Size: -1}, "size", ErrInvalidAppearance},
		{"unknown level", codeURL, Appearance{Correction: "X"}, "correction", ErrInvalidAppearance},
		{"negative quiet zone", codeURL, Appearance{QuietZone: -1}, "quiet_zone", ErrInvalidAppearance},
		{"wide quiet zone", codeURL, Appearance{QuietZone: MaxQuietZone + 1}, "quiet_zone", ErrInvalidAppearance},
		{"logo too small", codeURL, Appearance{Correction: CorrectionHigh, Logo: "x", LogoSize: MinLogoSize - 1}, "logo_size", ErrInvalidAppearance},
		{"logo over 100%", codeURL, Appearance{Correction: CorrectionHigh, Logo: "x", LogoSize: 101}, "logo_size", ErrInvalidAppearance},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := NewQR(c.content, c.a)
			assert.Equal(t, err, c.a.Check(c.content), "Check says what NewQR says")
			if c.field == "" {
				require.NoError(t, err)
				require.NotNil(t, q)
				return
			}
			assert.Nil(t, q)
			var ae *AppearanceError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, c.field, ae.Field)
			assert.ErrorIs(t, err, c.err)
			assert.NotEmpty(t, ae.Problem)
			if c.err == ErrUnscannable {
				assert.NotErrorIs(t, err, ErrInvalidAppearance)
			}
		})
	}
}

func TestContrast(t *testing.T) {
	for _, c := range []struct {
		fg, bg string
		want   float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#000000", 21},
		{"#777777", "#777777", 1},
		{"#767676", "#ffffff", 4.54},
		{"#777777", "#FFFFFF", 4.48},
	} {
		got, err := Contrast(c.fg, c.bg)
		require.NoError(t, err)
		assert.InDelta(t, c.want, got, 0.005, "%s on %s", c.fg, c.bg)
	}
	_, err := Contrast("#00000", "#ffffff")
	assert.ErrorIs(t, err, ErrInvalidAppearance)
}

func TestQRLogoRequired(t *testing.T) {
	q, err := NewQR(codeURL, Appearance{Correction: CorrectionHigh, Logo: "logos/a"})
	require.NoError(t, err)
	for _, f := range []Format{FormatPNG, FormatSVG} {
		assert.Error(t, q.Write(&bytes.Buffer{}, f, nil), "a named logo without its image is not left out")
	}
	plain, err := NewQR(codeURL, Appearance{})
	require.NoError(t, err)
	for _, f := range []Format{FormatPNG, FormatSVG} {
		assert.Error(t, plain.Write(&bytes.Buffer{}, f, noiseLogo(20, 20)), "an image for no logo is not drawn")
	}
	assert.Error(t, plain.Write(&bytes.Buffer{}, "gif", nil))
	assert.True(t, FormatPNG.Valid())
	assert.False(t, Format("jpeg").Valid())
	assert.Equal(t, "image/svg+xml", FormatSVG.ContentType())
}

func encodeLogo(t *testing.T, img image.Image, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	switch format {
	case "png":
		require.NoError(t, png.Encode(&buf, img))
	case "jpeg":
		require.NoError(t, jpeg.Encode(&buf, img, nil))
	case "gif":
		require.NoError(t, gif.Encode(&buf, img, nil))
	}
	return buf.Bytes()
}

func TestDecodeLogo(t *testing.T) {
	pngLogo := encodeLogo(t, glassLogo(), "png")
	cases := []struct {
		name string
		data []byte
		want string // content type; "" means refused
	}{
		{"png", pngLogo, "image/png"},
		{"jpeg", encodeLogo(t, noiseLogo(300, 200), "jpeg"), "image/jpeg"},
		{"smallest", encodeLogo(t, noiseLogo(MinLogoEdge, MinLogoEdge), "png"), "image/png"},
		{"largest", encodeLogo(t, checkerLogo(MaxLogoEdge, MinLogoEdge, 8), "png"), "image/png"},
		{"gif", encodeLogo(t, noiseLogo(50, 50), "gif"), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ""},
		{"empty", nil, ""},
		{"too narrow", encodeLogo(t, noiseLogo(MinLogoEdge-1, 100), "png"), ""},
		{"too wide", encodeLogo(t, checkerLogo(MaxLogoEdge+1, 20, 8), "png"), ""},
		{"too tall", encodeLogo(t, checkerLogo(20, MaxLogoEdge+1, 8), "jpeg"), ""},
		{"truncated", pngLogo[:len(pngLogo)/2], ""},
		{"a PNG header only", pngLogo[:8], ""},
		{"too many bytes", append(bytes.Clone(pngLogo), make([]byte, MaxLogoBytes)...), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, ct, err := DecodeLogo(c.data)
			if c.want != "" {
				require.NoError(t, err)
				assert.Equal(t, c.want, ct)
				assert.False(t, img.Bounds().Empty())
				return
			}
			var ae *AppearanceError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "logo", ae.Field)
			assert.ErrorIs(t, err, ErrInvalidAppearance)
			assert.Nil(t, img)
		})
	}
}

func TestAppearanceDefaults(t *testing.T) {
	assert.Equal(t, DefaultAppearance(), Appearance{}.WithDefaults())
	assert.NoError(t, DefaultAppearance().Validate())
	a := Appearance{Foreground: "#102030", LogoSize: 20}.WithDefaults()
	assert.Equal(t, "#102030", a.Foreground)
	assert.Equal(t, 20, a.LogoSize)
	assert.Zero(t, Appearance{}.WithDefaults().LogoSize, "a zero logo size follows the level")
	var ae *AppearanceError
	assert.True(t, errors.As(Appearance{Foreground: "#fff"}.Validate(), &ae))
	assert.Equal(t, map[ErrorCorrection]int{"L": 0, "M": 15, "Q": 20, "H": 25, "X": 0},
		map[ErrorCorrection]int{"L": MaxLogoSize("L"), "M": MaxLogoSize("M"), "Q": MaxLogoSize("Q"), "H": MaxLogoSize("H"), "X": MaxLogoSize("X")})
}
