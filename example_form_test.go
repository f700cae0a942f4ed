package helpdesk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"log"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
)

// exampleDesk opens a Desk on an in-memory database with one operator and a device.
func exampleDesk(ctx context.Context) (*helpdesk.Desk, *tenant.Tenant, *device.Device, func()) {
	store, err := bunstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	if err := store.MigrateUp(ctx); err != nil {
		log.Fatal(err)
	}
	desk, err := helpdesk.New(store, &helpdesk.Config{BaseURL: "https://desk.acme.example",
		SecretKeys: [][]byte{[]byte("an example's master key, 32 b ++")}})
	if err != nil {
		log.Fatal(err)
	}
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service", Language: "de"})
	if err != nil {
		log.Fatal(err)
	}
	dev, err := desk.CreateDevice(ctx, tenant.SystemFor(op.ID), helpdesk.NewDevice{Name: "Pump 7"})
	if err != nil {
		log.Fatal(err)
	}
	return desk, op, dev, func() { store.Close() }
}

// A code's QR image, drawn in the operator's colours; an appearance that would not scan is
// refused before it is saved.
func ExampleDesk_CodeImage() {
	ctx := context.Background()
	desk, op, dev, done := exampleDesk(ctx)
	defer done()
	admin := tenant.SystemFor(op.ID)
	code, err := desk.CreateCode(ctx, admin, dev.ID, helpdesk.NewCode{
		Appearance: device.Appearance{Foreground: "#0b4f6c", Background: "#fbfbff", Size: 300, Correction: device.CorrectionQuartile}})
	if err != nil {
		log.Fatal(err)
	}
	img, err := desk.CodeImage(ctx, admin, code.ID, device.FormatPNG)
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.ContentType, cfg.Width, cfg.Height)
	fmt.Println(desk.CodeURL(code.Token) == "https://desk.acme.example/c/"+code.Token)

	_, err = desk.UpdateCode(ctx, admin, code.ID, helpdesk.CodeSettings{
		Appearance: device.Appearance{Foreground: "#9ab0c0", Background: "#fbfbff"}})
	fmt.Println(errors.Is(err, device.ErrUnscannable), helpdesk.KindOf(err))
	// Output:
	// image/png 300 300
	// true
	// true invalid
}

// The request form's settings: texts per language with fallbacks, a type list and terms the
// requester must accept. Settings are versioned: a change made from a stale read is refused.
func ExampleDesk_UpdateSettings() {
	ctx := context.Background()
	desk, op, dev, done := exampleDesk(ctx)
	defer done()
	admin := tenant.SystemFor(op.ID)
	s := op.Settings
	s.Form = tenant.RequestForm{
		Texts: map[string]tenant.FormTexts{
			"en": {Welcome: "Welcome to Acme service", RequestHint: "Tell us what the display shows."},
			"de": {Welcome: "Willkommen beim Acme-Service"},
		},
		Types:    []string{"Alarm", "Damage", "Question"},
		TermsURL: "https://acme.example/terms",
	}
	updated, err := desk.UpdateSettings(ctx, admin, op.Version, s)
	if err != nil {
		log.Fatal(err)
	}
	_, err = desk.UpdateSettings(ctx, admin, op.Version, s)
	fmt.Println(errors.Is(err, storage.ErrConflict), updated.Version > op.Version)

	code, err := desk.CreateCode(ctx, admin, dev.ID, helpdesk.NewCode{})
	if err != nil {
		log.Fatal(err)
	}
	page, err := desk.OpenCode(ctx, code.Token, "")
	if err != nil {
		log.Fatal(err)
	}
	fr := page.Form.Text("fr") // no French texts: the tenant's German, then English
	fmt.Printf("%s / %s\n", fr.Welcome, fr.RequestHint)

	in := helpdesk.NewTicket{Title: "Alarm", Type: "Alarm", Requester: ticket.Contact{Name: "Nina", Email: "nina@example.com"}}
	_, err = desk.SubmitTicket(ctx, page.Actor, in)
	var ve *helpdesk.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field)
	in.AcceptTerms = true
	sub, err := desk.SubmitTicket(ctx, page.Actor, in)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sub.State, sub.Type)
	// Output:
	// true true
	// Willkommen beim Acme-Service / Tell us what the display shows.
	// true accept_terms
	// open Alarm
}
