package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"

	"github.com/deskkit/helpdesk/device"
)

// demoLogo draws the demo operator's logo, a white cross on a teal disc, as a PNG file: the
// image an operator would upload.
func demoLogo() []byte {
	const n = 96
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	teal, white := color.NRGBA{R: 0x0b, G: 0x4f, B: 0x6c, A: 0xff}, color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	for y := range n {
		for x := range n {
			dx, dy := x-n/2, y-n/2
			switch {
			case dx*dx+dy*dy > (n/2-1)*(n/2-1):
				continue // transparent outside the disc
			case (dx >= -8 && dx < 8 && dy >= -28 && dy < 28) || (dy >= -8 && dy < 8 && dx >= -28 && dx < 28):
				img.Set(x, y, white)
			default:
				img.Set(x, y, teal)
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // writing to memory does not fail
	return buf.Bytes()
}

// terminalQR draws url as a QR code with text: two rows of modules per line in half blocks,
// light modules and a quiet zone of 2 modules lit, for a terminal to show and a phone to
// scan. On a terminal, colours are set so that it reads on a light background too.
func terminalQR(url string) (string, error) {
	q, err := device.NewQR(url, device.Appearance{Correction: device.CorrectionLow, Size: device.MaxSize})
	if err != nil {
		return "", err
	}
	const quiet = 2
	n := q.Modules()
	light := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		return x < 0 || y < 0 || x >= n || y >= n || !q.Dark(x, y)
	}
	start, end := "", ""
	if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		start, end = "\x1b[97;40m", "\x1b[0m"
	}
	var b strings.Builder
	for y := 0; y < n+2*quiet; y += 2 {
		b.WriteString("  " + start)
		for x := range n + 2*quiet {
			top, bottom := light(x, y), y+1 < n+2*quiet && light(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString(end + "\n")
	}
	return b.String(), nil
}
