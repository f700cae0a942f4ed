package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// demoPassword is the password of the demo's staff accounts.
const demoPassword = "Demo-desk-2026"

// world is what the demo's pages act on: the operator, its staff and its devices' codes. It is
// kept in a file beside the database, so a restarted demo finds them again.
type world struct {
	TenantID uuid.UUID
	Admin    tenant.Actor
	Agent    tenant.Actor
	// Codes are the demo devices' codes, with a label for the index page.
	Codes []demoCode
}

type demoCode struct {
	ID                uuid.UUID
	Label, Token, PIN string
}

func (w *world) save(path string) error {
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func loadWorld(path string) (*world, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var w world
	return &w, json.Unmarshal(b, &w)
}

// seed creates the demo's operator, staff, customer, templates, devices, codes and a few
// tickets in different states.
func seed(ctx context.Context, d *helpdesk.Desk) (*world, error) {
	op, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Medical Service", Language: "en", DefaultGroup: "Field service"})
	if err != nil {
		return nil, err
	}
	w := &world{TenantID: op.ID}
	sys := tenant.SystemFor(op.ID)
	ada, _, err := d.CreateUser(ctx, sys, helpdesk.NewUser{Email: "ada@acme.example", Name: "Ada Admin",
		Role: tenant.RoleAdmin, Password: demoPassword})
	if err != nil {
		return nil, err
	}
	w.Admin = tenant.Employee(op.ID, ada.ID, tenant.RoleAdmin, ada.Name)
	sam, _, err := d.CreateUser(ctx, w.Admin, helpdesk.NewUser{Email: "sam@acme.example", Name: "Sam Agent",
		Role: tenant.RoleAgent, Password: demoPassword})
	if err != nil {
		return nil, err
	}
	w.Agent = tenant.Employee(op.ID, sam.ID, tenant.RoleAgent, sam.Name)
	// The tenant came with its default group: Ada leads it and Sam is offered its tickets.
	group, err := d.Teams(ctx, w.Admin)
	if err != nil {
		return nil, err
	}
	for _, t := range group {
		if t.ID == op.DefaultTeamID {
			t.SupervisorID, t.Members = ada.ID, []uuid.UUID{sam.ID}
			if _, err := d.UpdateTeam(ctx, w.Admin, t); err != nil {
				return nil, err
			}
		}
	}
	// The request form the device pages show: texts, types, links, support address, accent.
	ten, err := d.Tenant(ctx, w.Admin)
	if err != nil {
		return nil, err
	}
	settings := ten.Settings
	settings.Form = tenant.RequestForm{
		Texts: map[string]tenant.FormTexts{
			"en": {Welcome: "Welcome to Acme Medical Service. We look after this device.",
				RequestHint: "Tell us what the display shows and since when.",
				Help:        "In an emergency, call the ward's duty technician."},
			"de": {Welcome: "Willkommen beim Acme Medical Service. Wir betreuen dieses Gerät.",
				RequestHint: "Beschreiben Sie, was das Display anzeigt und seit wann.",
				Help:        "Im Notfall rufen Sie den diensthabenden Techniker der Station an."},
			"fr": {Welcome: "Bienvenue chez Acme Medical Service. Nous assurons la maintenance de cet appareil.",
				RequestHint: "Indiquez ce qu'affiche l'écran et depuis quand.",
				Help:        "En cas d'urgence, appelez le technicien de garde du service."},
			"es": {Welcome: "Bienvenido a Acme Medical Service. Nos ocupamos de este equipo.",
				RequestHint: "Indique qué muestra la pantalla y desde cuándo.",
				Help:        "En caso de emergencia, llame al técnico de guardia de la planta."},
			"pl": {Welcome: "Witamy w Acme Medical Service. Opiekujemy się tym urządzeniem.",
				RequestHint: "Prosimy opisać, co pokazuje wyświetlacz i od kiedy.",
				Help:        "W nagłym przypadku prosimy dzwonić do dyżurnego technika oddziału."},
		},
		Types:        []string{"Malfunction", "Maintenance", "Training", "Other"},
		TermsURL:     "https://acme.example/terms",
		GuideURL:     "https://acme.example/guides/x200",
		SupportEmail: "support@acme.example",
		Accent:       "#0b5394",
	}
	if ten, err = d.UpdateSettings(ctx, w.Admin, ten.Version, settings); err != nil {
		return nil, err
	}
	// Its branding: a logo and a background, drawn in code (the demo has no asset files). The
	// logo goes in the centre of a QR code too.
	logo := brandLogo()
	for _, f := range []struct {
		which helpdesk.FormFile
		name  string
		body  []byte
	}{{helpdesk.FormLogo, "acme-logo.png", logo}, {helpdesk.FormBackground, "acme-background.jpg", brandBackground()}} {
		if ten, err = d.SetFormFile(ctx, w.Admin, ten.Version, f.which, &helpdesk.Upload{Name: f.name,
			Body: bytes.NewReader(f.body)}); err != nil {
			return nil, err
		}
	}
	cust, err := d.CreateCustomer(ctx, w.Admin, helpdesk.NewCustomer{Name: "Northwind Hospital"})
	if err != nil {
		return nil, err
	}
	// The customer's head nurse signs in to the slimmed back office.
	if _, _, err := d.CreateUser(ctx, w.Admin, helpdesk.NewUser{Email: "nina@northwind.example", Name: "Nina Nurse",
		Role: tenant.RoleCustomerAdmin, CustomerID: cust.ID, Password: demoPassword}); err != nil {
		return nil, err
	}
	pumpType, err := d.CreateTemplate(ctx, w.Admin, helpdesk.NewTemplate{
		Name:        "Infusion pump X200",
		Description: "Volumetric infusion pump",
		Fields: []device.FieldDef{
			{Key: "firmware", Label: "Firmware", Type: device.FieldText, Public: true},
			{Key: "next_service", Label: "Next service", Type: device.FieldDate, Public: true},
			{Key: "service_code", Label: "Service code", Type: device.FieldText},
		},
		Blocks: []device.Block{
			{Kind: device.BlockText, Title: "Before you report", Body: "Note the alarm shown on the display.\nIf the pump is in use, keep the patient safe first."},
			{Kind: device.BlockFAQ, Title: "The pump beeps twice", Body: "Check the tubing for air bubbles and that the door is closed."},
			{Kind: device.BlockFAQ, Title: "Occlusion alarm", Body: "Check that the clamp is open and the line is not kinked."},
			{Kind: device.BlockDocument, Title: "Quick guide (PDF)", URL: "https://example.com/x200-quick-guide.pdf"},
		},
	})
	if err != nil {
		return nil, err
	}
	monitorType, err := d.CreateTemplate(ctx, w.Admin, helpdesk.NewTemplate{Name: "Patient monitor M5",
		Blocks: []device.Block{{Kind: device.BlockFAQ, Title: "The screen stays dark", Body: "Hold the power key for five seconds."}}})
	if err != nil {
		return nil, err
	}
	pump, err := d.CreateDevice(ctx, w.Admin, helpdesk.NewDevice{Name: "Pump 7, ward 3", SerialNumber: "X200-0007",
		Location: "Ward 3, room 12", TemplateID: pumpType.ID, CustomerID: cust.ID,
		Fields: map[string]string{"firmware": "2.4.1", "next_service": "2027-03-01", "service_code": "not public"}})
	if err != nil {
		return nil, err
	}
	monitor, err := d.CreateDevice(ctx, w.Admin, helpdesk.NewDevice{Name: "Monitor 2, ICU", SerialNumber: "M5-0202",
		Location: "ICU", TemplateID: monitorType.ID, CustomerID: cust.ID})
	if err != nil {
		return nil, err
	}
	all := []device.Action{device.ActionView, device.ActionOpenTicket, device.ActionRequestSession, device.ActionUploadMedia}
	pumpCode, err := d.CreateCode(ctx, w.Admin, pump.ID, helpdesk.NewCode{Actions: all})
	if err != nil {
		return nil, err
	}
	// The monitor's code is drawn in the operator's colours with its logo in the centre, at
	// level H, which leaves the most room for one.
	monitorCode, err := d.CreateCode(ctx, w.Admin, monitor.ID, helpdesk.NewCode{Actions: all, PIN: "2468", Logo: logo,
		Appearance: device.Appearance{Foreground: "#0b4f6c", Background: "#fbfbff", Size: 320, Correction: device.CorrectionHigh}})
	if err != nil {
		return nil, err
	}
	w.Codes = []demoCode{{ID: pumpCode.ID, Label: pump.Name, Token: pumpCode.Token},
		{ID: monitorCode.ID, Label: monitor.Name, Token: monitorCode.Token, PIN: "2468"}}

	// A few tickets in different states, opened through the pump's code.
	page, err := d.OpenCode(ctx, pumpCode.Token, "")
	if err != nil {
		return nil, err
	}
	for i, t := range []struct {
		title, who string
		steps      []ticket.Event
	}{
		{"Display flickers", "Olga Nurse", nil},
		{"Battery does not charge", "Piotr Orderly", []ticket.Event{ticket.EventAccept}},
		{"Door latch loose", "Lena Nurse", []ticket.Event{ticket.EventAccept, ticket.EventComplete}},
	} {
		holder := page.Actor
		holder.Name = t.who
		sub, err := d.SubmitTicket(ctx, holder, helpdesk.NewTicket{Title: t.title, Type: "Malfunction", AcceptTerms: true,
			Requester: ticket.Contact{Name: t.who, Email: fmt.Sprintf("requester%d@northwind.example", i+1)}})
		if err != nil {
			return nil, err
		}
		for _, ev := range t.steps {
			if ev == ticket.EventAccept {
				_, err = d.Accept(ctx, w.Agent, sub.ID)
			} else {
				_, err = d.Transition(ctx, w.Agent, sub.ID, ev, helpdesk.Change{})
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return w, nil
}
