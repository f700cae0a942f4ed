package webpush_test

import (
	"context"
	"fmt"

	"github.com/deskkit/helpdesk/internal/webpushtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/webpush"
	"github.com/google/uuid"
)

func Example() {
	// Once, at deployment: keep the pair with the other secrets, the same for every instance.
	keys, err := webpush.GenerateKeys()
	if err != nil {
		fmt.Println(err)
		return
	}

	// A stand-in for a browser's push service, so that the example runs offline.
	service := webpushtest.New(keys.Public)
	defer service.Close()
	browser := service.NewBrowser()

	sender, err := webpush.New(webpush.Config{
		VAPIDPublicKey:  keys.Public,
		VAPIDPrivateKey: keys.Private,
		Subscriber:      "mailto:ops@example.com",
		HTTPClient:      service.Client(), // leave nil to talk to the real push services
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The Desk does this for every push notification, with the recipient's subscriptions.
	_, err = sender.SendPush(context.Background(), &notify.Message{
		Channel: notify.Push,
		Event:   notify.TicketAssigned,
		Subject: "T-000042 is yours",
		Text:    "The printer on floor 2 jams.",
		Link:    "https://desk.example.com/tickets/0193a6b0-0000-7000-8000-000000000042",
	}, []*notify.PushSubscription{{ID: uuid.New(), Endpoint: browser.Endpoint, P256dh: browser.P256dh, Auth: browser.Auth}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(service.Received()[0].Payload))
	// Output: {"title":"T-000042 is yours","body":"The printer on floor 2 jams.","link":"https://desk.example.com/tickets/0193a6b0-0000-7000-8000-000000000042"}
}
