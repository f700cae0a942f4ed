package main

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"

	"github.com/deskkit/helpdesk"
)

// The demo's branding images are drawn here, as an operator would upload them: the Desk asks
// for at least helpdesk.MinBrandingWidth × MinBrandingHeight pixels, a PNG logo and a JPEG
// background.
const brandW, brandH = helpdesk.MinBrandingWidth, helpdesk.MinBrandingHeight

// brandTeal is the logo's colour.
var brandTeal = color.NRGBA{R: 0x0b, G: 0x4f, B: 0x6c, A: 0xff}

// brandLogo draws the demo operator's logo as a PNG on a transparent ground: a teal disc with
// a white cross, and a heartbeat line beside it. The public pages show it, and the monitor's
// QR code carries it in its centre.
func brandLogo() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, brandW, brandH))
	const cx, cy, r = 340.0, 340.0, 300.0
	// The heartbeat, as a thick polyline from the disc's edge to the right edge.
	beat := [][2]float64{{600, 340}, {700, 340}, {740, 250}, {790, 470}, {840, 180}, {880, 400}, {910, 340}, {990, 340}}
	const half = 22.0 // half the line's width
	for y := range brandH {
		for x := range brandW {
			px, py := float64(x)+.5, float64(y)+.5
			// Coverage by distance, for smooth edges without supersampling; each shape only
			// where it may be, to keep the demo's start quick.
			var disc, cross, line float64
			if px < cx+r+1 {
				disc = cover(r - math.Hypot(px-cx, py-cy))
				dx, dy := math.Abs(px-cx), math.Abs(py-cy)
				cross = cover(-math.Min(math.Max(dx-55, dy-190), math.Max(dy-55, dx-190)))
			}
			if px > beat[0][0]-half-1 {
				for i := 1; i < len(beat); i++ {
					line = math.Max(line, cover(half-segmentDistance(px, py, beat[i-1], beat[i])))
				}
			}
			// The disc is teal where the cross is not; the cross is white inside the disc.
			alpha := math.Max(disc, line)
			if alpha == 0 {
				continue
			}
			white := cross * disc
			c := color.NRGBA{A: uint8(255 * alpha)}
			c.R = mix(brandTeal.R, 0xff, white)
			c.G = mix(brandTeal.G, 0xff, white)
			c.B = mix(brandTeal.B, 0xff, white)
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	_ = enc.Encode(&buf, img) // writing to memory does not fail
	return buf.Bytes()
}

// brandBackground draws a soft background as a JPEG: a light diagonal gradient from mint to
// a pale blue with two faint rings, light enough for dark text to read on it.
func brandBackground() []byte {
	img := image.NewRGBA(image.Rect(0, 0, brandW, brandH))
	from, to := [3]float64{0xe3, 0xf4, 0xf1}, [3]float64{0xe8, 0xef, 0xfa}
	for y := range brandH {
		for x := range brandW {
			t := (float64(x)/brandW + float64(y)/brandH) / 2
			// Two wide rings, a shade darker, centred off the right edge.
			ring := 0.0
			for _, c := range [][3]float64{{980, 120, 260}, {900, 620, 380}} {
				d := math.Abs(math.Hypot(float64(x)-c[0], float64(y)-c[1]) - c[2])
				ring = math.Max(ring, math.Max(0, 1-d/28))
			}
			var px [3]uint8
			for i := range px {
				v := from[i] + (to[i]-from[i])*t
				px[i] = uint8(v - 14*ring)
			}
			img.SetRGBA(x, y, color.RGBA{R: px[0], G: px[1], B: px[2], A: 0xff})
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}) // writing to memory does not fail
	return buf.Bytes()
}

// cover turns a signed distance inside an edge (in pixels) into how much of a pixel is covered.
func cover(inside float64) float64 { return math.Max(0, math.Min(1, inside+.5)) }

// segmentDistance is the distance from (px, py) to the segment from a to b.
func segmentDistance(px, py float64, a, b [2]float64) float64 {
	vx, vy := b[0]-a[0], b[1]-a[1]
	t := ((px-a[0])*vx + (py-a[1])*vy) / (vx*vx + vy*vy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(px-(a[0]+t*vx), py-(a[1]+t*vy))
}

// mix blends a toward b by t (0 to 1).
func mix(a, b uint8, t float64) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t + .5) }
