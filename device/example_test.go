package device_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"time"

	"github.com/deskkit/helpdesk/device"
)

func ExampleCode_Usable() {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	end := now.Add(24 * time.Hour)
	c := device.Code{Active: true, ExpiresAt: &end, Actions: []device.Action{device.ActionView}}
	fmt.Println(c.Usable(now), c.Usable(end), c.Allows(device.ActionOpenTicket))
	// Output: true false false
}

func ExampleHashPIN() {
	hash, err := device.HashPIN("4711")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(device.CheckPIN(hash, "4711"), device.CheckPIN(hash, "1174"))
	_, err = device.HashPIN("12ab")
	fmt.Println(err)
	// Output:
	// true false
	// a PIN is 4 to 12 digits
}

// A code's URL drawn as a 300-pixel PNG, navy on cream at error-correction level Q; an
// appearance that would not scan is refused before anything is drawn.
func ExampleNewQR() {
	url := "https://desk.example.com/c/q0Vx3-KpL7mZ_a1bC2dE3fG4hI5jK6lM7nO8pQ9rSt"
	a := device.Appearance{Foreground: "#1b3a5c", Background: "#f5e9c8", Size: 300, Correction: device.CorrectionQuartile}
	qr, err := device.NewQR(url, a)
	if err != nil {
		fmt.Println(err)
		return
	}
	var file bytes.Buffer
	if err := qr.PNG(&file, nil); err != nil {
		fmt.Println(err)
		return
	}
	img, err := png.Decode(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("version %d, %d modules of %d px, %d × %d pixels\n",
		qr.Version(), qr.Modules(), qr.ModulePixels(), img.Bounds().Dx(), img.Bounds().Dy())

	a.Foreground = "#b0a080" // too pale on cream
	_, err = device.NewQR(url, a)
	fmt.Println(errors.Is(err, device.ErrUnscannable), err)
	// Output:
	// version 6, 41 modules of 6 px, 300 × 300 pixels
	// true foreground: #b0a080 on #f5e9c8 has a contrast of 2.12:1, less than 4.5:1
}
