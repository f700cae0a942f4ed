package main

import (
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// Check, fed what a run saw: the loader was told about T-000001, whose e-mail reached the
// mail server twice although no fault was in flight, and which nothing ever escalated.
func ExampleCheck() {
	id := uuid.MustParse("01a24e65-2e25-715a-ae36-c74bbbdfeff6")
	at := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	o := &Observed{
		Told:    []Told{{Key: "k1", ID: id, Ref: "T-000001", Path: PathOffer}},
		Tickets: []TicketRow{{ID: id, Ref: "T-000001", Title: titlePrefix + "k1", State: ticket.StateOpen}},
		History: map[uuid.UUID][]HistoryRow{id: {{Action: "submit", To: "open", At: at}}},
		Outbox: []OutboxRow{{ID: uuid.New(), Key: "n1", TicketID: id, Event: notify.TicketRequested,
			Channel: notify.Email, Status: notify.StatusSent}},
		Received: []Receipt{
			{MessageID: "<n1@helpdesk>", Helo: "i1-r1.chaos", At: at.Add(time.Second)},
			{MessageID: "<n1@helpdesk>", Helo: "i2-r1.chaos", At: at.Add(2 * time.Second)},
		},
		Drained: true,
		Now:     at.Add(time.Minute),
		Lease:   time.Minute,
	}
	f, violations := Check(o)
	fmt.Printf("%d told, %d stored, %d received, %d duplicate\n", f.Told, f.Stored, f.Received, f.Duplicates)
	for _, v := range violations {
		fmt.Println(v)
	}
	// Output:
	// 1 told, 1 stored, 2 received, 1 duplicate
	// offer timeout once: T-000001 is still open but its offer timeout never escalated
	// duplicates explained: <n1@helpdesk> was received again after i1-r1.chaos sent it at 2026-12-07T03:00:01Z, with no fault in flight
}
