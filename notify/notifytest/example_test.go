package notifytest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/notifytest"
)

// remind stands in for the code under test: it sends through whatever Notifier it is given.
func remind(ctx context.Context, n notify.Notifier, email string) error {
	_, err := n.Send(ctx, &notify.Message{
		Event:   notify.InvitationReminder,
		Channel: notify.Email,
		To:      notify.Address{Name: "Anna", Email: email},
		Subject: "Your video session starts soon",
		Text:    "Join here: https://help.example.com/s/42",
	})
	return err
}

func ExampleRecorder() {
	ctx := context.Background()
	rec := notifytest.NewRecorder()

	_ = remind(ctx, rec, "anna@example.com")
	rec.FailNext(errors.New("provider unavailable"))
	err := remind(ctx, rec, "bob@example.com")

	fmt.Println("second send:", err)
	for _, m := range rec.Find(notify.InvitationReminder) {
		fmt.Printf("%s: %s\n", m.To.Email, m.Subject)
	}
	// Output:
	// second send: provider unavailable
	// anna@example.com: Your video session starts soon
}
