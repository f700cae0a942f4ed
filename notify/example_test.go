package notify_test

import (
	"errors"
	"fmt"

	"github.com/deskkit/helpdesk/notify"
)

// A tenant's SMS template for ticket.accepted, previewed with sample data as an editor shows
// it, and a template with a misspelt tag, refused with the list of valid ones.
func ExamplePreviewTemplate() {
	p, err := notify.PreviewTemplate(&notify.Template{
		Event: notify.TicketAccepted, Channel: notify.SMS, Language: "en",
		Text: "{{.manager_name}} is on your request {{.ticket_ref}}.{{if .request_link}} {{.request_link}}{{end}}",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Text)
	fmt.Println(p.Segments.Encoding, p.Segments.Segments, "segment(s)")

	_, err = notify.Compile(&notify.Template{Event: notify.TicketAccepted, Channel: notify.SMS, Language: "en",
		Text: "Ticket {{.ticket_number}}"})
	var te *notify.TemplateError
	fmt.Println(errors.As(err, &te), te.Tag)
	// Output:
	// Grace Hopper is on your request T-000123. https://desk.example/requests/9Qm2xYv
	// GSM-7 1 segment(s)
	// true ticket_number
}

// Where an event goes by default.
func ExampleLookup() {
	spec, _ := notify.Lookup(notify.InvitationReminder)
	fmt.Println(spec.To, spec.Channels)
	// Output: [requester agent] [email sms inapp push]
}
