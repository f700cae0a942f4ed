package smtpmail_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/mail"

	"github.com/emersion/go-smtp"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/smtpmail"
)

func Example() {
	port, stop := startRelay() // a local SMTP server standing in for yours
	defer stop()

	mailer, err := smtpmail.New(smtpmail.Config{
		Host: "127.0.0.1",
		Port: port,
		// A relay on this host; with a provider, keep the default SecurityStartTLS and set
		// Username and Password.
		Security: smtpmail.SecurityPlain,
		From:     "Support <support@example.com>",
	})
	if err != nil {
		log.Fatal(err)
	}

	receipt, err := mailer.Send(context.Background(), &notify.Message{
		IdempotencyKey: "0195f3c2-6b1e-7c4a-9d2e-8f1a2b3c4d5e",
		Event:          notify.TicketAssigned,
		Channel:        notify.Email,
		To:             notify.Address{Name: "Anna Müller", Email: "anna@example.com"},
		Subject:        "Ticket T-000042 is yours – Grüße",
		Text:           "Hello Anna,\nticket T-000042 is assigned to you.",
		HTML:           "<p>Hello Anna,<br>ticket T-000042 is assigned to you.</p>",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("accepted as", receipt.ProviderID)
	// Output:
	// relay: "Ticket T-000042 is yours – Grüße" for anna@example.com
	// accepted as <0195f3c2-6b1e-7c4a-9d2e-8f1a2b3c4d5e@helpdesk>
}

func ExampleMailer_Check() {
	port, stop := startRelay() // offers no STARTTLS
	defer stop()

	mailer, err := smtpmail.New(smtpmail.Config{
		Host:     "127.0.0.1",
		Port:     port,
		Security: smtpmail.SecurityStartTLS,
		From:     "support@example.com",
	})
	if err != nil {
		log.Fatal(err)
	}

	err = mailer.Check(context.Background(), "admin@example.com")
	var cerr *smtpmail.CheckError
	if errors.As(err, &cerr) {
		fmt.Printf("step %q failed (permanent: %t): %v\n", cerr.Step, notify.IsPermanent(err), cerr.Err)
	}
	// Output:
	// step "tls" failed (permanent: true): server does not offer STARTTLS
}

// startRelay starts an SMTP server on 127.0.0.1 that prints the subject and recipient of
// each message it receives.
func startRelay() (port int, stop func()) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &relaySession{}, nil
	}))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	return l.Addr().(*net.TCPAddr).Port, func() { _ = srv.Close() }
}

type relaySession struct{ to string }

func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}

func (s *relaySession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	fmt.Printf("relay: %q for %s\n", subject, s.to)
	_, err = io.Copy(io.Discard, msg.Body)
	return err
}

func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }
