package device_test

import (
	"fmt"
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
