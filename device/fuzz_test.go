package device

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// fuzzDecodeMax bounds the images FuzzQR draws and decodes, in pixels of edge, so that one
// input takes milliseconds; larger appearances are still validated and laid out.
const fuzzDecodeMax = 800

// FuzzQR draws random appearances and logos. An appearance is either refused with an
// *AppearanceError wrapping ErrInvalidAppearance or ErrUnscannable, or its PNG and SVG keep the
// layout (exact size, quiet zone, every module in its colour outside the logo) and decode, with
// an independent decoder, to the content at the level asked for. A logo file is either read by
// DecodeLogo within its limits or refused with an *AppearanceError.
func FuzzQR(f *testing.F) {
	var pngLogo, jpegLogo bytes.Buffer
	if err := png.Encode(&pngLogo, checkerLogo(40, 24, 5)); err != nil {
		f.Fatal(err)
	}
	if err := jpeg.Encode(&jpegLogo, noiseLogo(32, 32), nil); err != nil {
		f.Fatal(err)
	}
	for _, s := range []struct {
		content, fg, bg, correction string
		size, quiet, logoSize       int
		logoKind                    uint8
		logo                        []byte
	}{
		{codeURL, "", "", "", 0, 0, 0, 0, nil},
		{codeURL, "#1B3A5C", "#f5e9c8", "Q", 300, 0, 0, 0, nil},
		{codeURL, "#000000", "#ffffff", "H", 400, 4, 25, 1, nil},
		{codeURL, "#000000", "#ffffff", "M", 256, 4, 15, 2, nil},
		{codeURL, "#1b3a5c", "#f5e9c8", "Q", 200, 6, 20, 3, nil},
		{"x.io/c/AbC", "", "", "L", MinSize, 0, 0, 0, nil},
		{codeURL, "", "", "L", 256, 0, 0, 1, nil},
		{codeURL, "#777777", "#888888", "M", 256, 0, 0, 0, nil},
		{codeURL, "#ffffff", "#000000", "M", 256, 0, 0, 0, nil},
		{codeURL, "#12345", "#ffffff", "M", 256, 0, 0, 0, nil},
		{codeURL, "#-12345", "#+fffff", "X", 63, 17, 9, 0, nil},
		{codeURL, "", "", "M", 4097, -1, 101, 0, nil},
		{strings.Repeat("https://desk.example.com/c/q0Vx3-KpL7mZ", 20), "", "", "H", 100, 16, 0, 0, nil},
		{strings.Repeat("A", 3000), "", "", "L", 800, 4, 0, 0, nil},
		{codeURL, "", "", "H", 500, 4, 10, 4, pngLogo.Bytes()},
		{codeURL, "", "", "M", 500, 4, 0, 4, jpegLogo.Bytes()},
		{codeURL, "", "", "M", 500, 4, 0, 4, pngLogo.Bytes()[:30]},
		{codeURL, "", "", "M", 500, 4, 0, 4, []byte("<svg/>")},
	} {
		f.Add(s.content, s.fg, s.bg, s.correction, s.size, s.quiet, s.logoSize, s.logoKind, s.logo)
	}
	f.Fuzz(func(t *testing.T, content, fg, bg, correction string, size, quiet, logoSize int, logoKind uint8, logoData []byte) {
		// The content is read back by gozxing, which guesses the charset of byte-mode data:
		// keep to printable ASCII, as code URLs are.
		content = strings.Map(func(r rune) rune {
			if r < ' ' || r > '~' {
				return -1
			}
			return r
		}, content)
		a := Appearance{Foreground: fg, Background: bg, Size: size, Correction: ErrorCorrection(correction),
			QuietZone: quiet, LogoSize: logoSize}
		var logo image.Image
		switch logoKind % 5 {
		case 1:
			logo = checkerLogo(16+int(logoKind), 16+int(logoKind)/2, 1+int(logoKind)%9)
		case 2:
			logo = noiseLogo(16+int(logoKind)/3, 40)
		case 3:
			logo = uniform(50, 20+int(logoKind), color.NRGBA{R: logoKind, G: 0x10, B: 0x80, A: logoKind})
		case 4:
			img, ct, err := DecodeLogo(logoData)
			if err != nil {
				var ae *AppearanceError
				if !errors.As(err, &ae) || ae.Field != "logo" || !errors.Is(err, ErrInvalidAppearance) || img != nil {
					t.Fatalf("DecodeLogo: %v is not an *AppearanceError on the logo", err)
				}
				break
			}
			b := img.Bounds()
			if (ct != "image/png" && ct != "image/jpeg") || b.Dx() < MinLogoEdge || b.Dy() < MinLogoEdge || b.Dx() > MaxLogoEdge || b.Dy() > MaxLogoEdge {
				t.Fatalf("DecodeLogo accepted a %s of %v", ct, b)
			}
			logo = img
		}
		if logo != nil {
			a.Logo = "logos/fuzz"
		}
		q, err := NewQR(content, a)
		if err != nil {
			var ae *AppearanceError
			if !errors.As(err, &ae) || (!errors.Is(err, ErrInvalidAppearance) && !errors.Is(err, ErrUnscannable)) {
				t.Fatalf("NewQR: %v is not an *AppearanceError", err)
			}
			if verr := a.Validate(); verr == nil && ae.Field != "size" && ae.Field != "content" {
				t.Fatalf("Validate accepts %+v but NewQR refuses it: %v", a, err)
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("NewQR accepts %+v but Validate refuses it: %v", a, err)
		}
		got := q.Appearance()
		if logo != nil && q.Version() < MinLogoVersion {
			t.Fatalf("a logo on version %d", q.Version())
		}
		if got.Size > fuzzDecodeMax {
			return
		}
		img := drawPNG(t, q, logo)
		checkLayout(t, q, img)
		assertDecodes(t, img, content, got.Correction)
		var svg bytes.Buffer
		if err := q.SVG(&svg, logo); err != nil {
			t.Fatal(err)
		}
		svgImg, _ := rasterSVG(t, svg.Bytes())
		checkLayout(t, q, svgImg)
		assertDecodes(t, svgImg, content, got.Correction)
	})
}
