package main

import (
	"os"
	"strings"

	"github.com/deskkit/helpdesk/device"
)

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
