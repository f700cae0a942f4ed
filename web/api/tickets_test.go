package api_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freshTicket returns a setup that opens the ticket name as the named person before each
// actor's request.
func freshTicket(name, by string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) { w.ticket(t, name, by, "Fresh "+name) }
}

func ticketScenarios() map[string][]scenario {
	ok, created := http.StatusOK, http.StatusCreated
	return map[string][]scenario{
		"createTicket": {{name: "requester", path: "/tickets",
			body: `{"title":"Pump hums","description":"Since Monday","requester":{"name":"Rita","email":"rita@example.com"}}`,
			want: statuses(created, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				var got struct {
					ID, Ref, Title, State string
				}
				require.NoError(t, json.Unmarshal([]byte(a.body), &got))
				assert.Equal(t, "Pump hums", got.Title)
				assert.Equal(t, "/api/v1/tickets/"+got.ID, a.Header.Get("Location"))
			}}},
		"listTickets": {
			{name: "all", path: "/tickets", want: statuses(ok, 0, people...)},
			{name: "filtered", path: "/tickets?state=open,assigned&limit=2&q=pump", want: statuses(ok, 0, people...)},
		},
		"getTicket": {
			{name: "customer's", path: "/tickets/{ticket:x}", want: statuses(ok, 0, people...)},
			{name: "colleague's", path: "/tickets/{ticket:x2}", want: statuses(ok, 0, people...)},
			{name: "other customer's", path: "/tickets/{ticket:y}", want: with(statuses(ok, 0, people...),
				"customer_user", http.StatusNotFound, "customer_admin", http.StatusNotFound)},
		},
		"getTicketByRef": {{name: "customer's", path: "/ticket-refs/T-000001", want: statuses(ok, 0, people...)}},
		"editTicket": {{name: "title", path: "/tickets/{ticket:x}", body: `{"title":"Xylo pump alarms (edited)"}`,
			want: statuses(ok, http.StatusForbidden, employees...)}},
		"deleteTicket": {{name: "own", path: "/tickets/{ticket:gone}", setup: freshTicket("gone", "customer_user"),
			want: statuses(http.StatusNoContent, http.StatusForbidden, "admin")}},
		"fireTicketEvent": {{name: "cancel", path: "/tickets/{ticket:closing}/events", setup: freshTicket("closing", "customer_user"),
			body: `{"event":"cancel","reason":"Solved by phone"}`,
			want: statuses(ok, http.StatusForbidden, people...)}},
		"acceptTicket": {{name: "offered", path: "/tickets/{ticket:taking}/accept", setup: freshTicket("taking", "customer_user"),
			want: statuses(ok, http.StatusForbidden, employees...)}},
		"assignTicket": {{name: "to agent", path: "/tickets/{ticket:assigning}/assignment", setup: freshTicket("assigning", "customer_user"),
			body: `{"assignee_id":"{user:agent}","reason":"Knows pumps"}`,
			want: statuses(ok, http.StatusForbidden, leads...)}},
		"setTicketStatus": {{name: "default", path: "/tickets/{ticket:x}/status", body: `{"status_id":"{status:open}"}`,
			want: statuses(ok, http.StatusForbidden, employees...)}},
		"rotateRequesterLink": {{name: "customer's", path: "/tickets/{ticket:x}/requester-link",
			want: statuses(http.StatusCreated, http.StatusForbidden, employees...)}},
		"listMessages": {{name: "customer's", path: "/tickets/{ticket:x}/messages", want: statuses(ok, 0, people...)}},
		"postMessage": {
			{name: "public", path: "/tickets/{ticket:x}/messages", body: `{"body":"Any news?"}`, want: statuses(created, 0, people...)},
			{name: "internal", path: "/tickets/{ticket:x}/messages", body: `{"body":"Staff only","internal":true}`,
				want: statuses(created, http.StatusForbidden, employees...)},
			{name: "with a file", path: "/tickets/{ticket:x}/messages",
				body: `{"body":"Log attached","attachments":[{"name":"log.txt","data":"bG9nIGxpbmU="}]}`, want: statuses(created, 0, people...)},
		},
		"listHistory":     {{name: "customer's", path: "/tickets/{ticket:x}/history", want: statuses(ok, 0, people...)}},
		"listAttachments": {{name: "customer's", path: "/tickets/{ticket:x}/attachments", want: statuses(ok, 0, people...)}},
		"uploadMedia": {{name: "png", path: "/tickets/{ticket:x}/media?name=photo.png", body: tinyPNG(),
			header: []string{"Content-Type", "image/png"}, want: statuses(created, http.StatusForbidden, customers...)}},
		"downloadAttachment": {{name: "customer's", path: "/attachments/{attachment:x}/content", want: statuses(ok, 0, people...)}},
		"listTicketOffers":   {{name: "customer's", path: "/tickets/{ticket:x}/offers", want: statuses(ok, http.StatusForbidden, employees...)}},
		"listMyOffers":       {{name: "mine", path: "/offers", want: statuses(ok, http.StatusForbidden, employees...)}},
		"listTimers":         {{name: "customer's", path: "/tickets/{ticket:x}/timers", want: statuses(ok, http.StatusForbidden, employees...)}},
	}
}

// tinyPNG is a 2×2 PNG image.
func tinyPNG() string {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2)))
	return b.String()
}
