package helpdesk_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"
)

// brandingImage encodes a w×h image as format ("png" or "jpeg").
func brandingImage(t testing.TB, format string, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 0x12, G: 0x34, B: 0x56, A: 0xff})
	}
	var b bytes.Buffer
	if format == "png" {
		require.NoError(t, png.Encode(&b, img))
	} else {
		require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 50}))
	}
	return b.Bytes()
}

// brandingPNG is a logo of the least size allowed.
func brandingPNG(t testing.TB) []byte { return brandingImage(t, "png", 1024, 680) }
