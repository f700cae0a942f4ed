package twiliovideo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/twiliovideo"
)

func Example() {
	// A stand-in for video.twilio.com that knows one in-progress room, so that the example
	// runs offline.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/Rooms/session-42" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"code": 20404, "message": "Not found", "status": 404}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"sid": "RM0123456789abcdef0123456789abcdef", "unique_name": "session-42",
			"status": "in-progress", "max_participants": 2,
		})
	}))
	defer api.Close()

	provider, err := twiliovideo.New(twiliovideo.Config{
		AccountSID:     "AC0123456789abcdef0123456789abcdef",
		APIKeySID:      "SKfedcba9876543210fedcba9876543210",
		APIKeySecret:   "s3cr3tAPIsecretValue0123456789ab",
		StatusCallback: "https://desk.example.com/twilio/video-status",
		HTTPClient:     twiliotest.Redirect(api.URL, "", nil), // leave nil to talk to Twilio
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	room, err := provider.CreateRoom(ctx, "session-42", video.RoomOptions{MaxParticipants: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("room", room.Name, room.ID)

	validUntil := time.Now().Add(15 * time.Minute)
	grant, err := provider.JoinToken(ctx, "session-42", video.Participant{Identity: "customer-17"}, validUntil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("token for", grant.Identity, "expires as asked:", grant.ExpiresAt.Unix() == validUntil.Unix())
	// Output:
	// room session-42 RM0123456789abcdef0123456789abcdef
	// token for customer-17 expires as asked: true
}

// printSink prints the events it is given, as the helpdesk Desk would record them.
type printSink struct{}

func (printSink) HandleRoomEvent(_ context.Context, e video.Event) error {
	fmt.Println(e.Kind, e.Room, e.Participant, e.At.Format(time.RFC3339))
	return nil
}

func ExampleStatusHandler() {
	const authToken = "0123456789abcdef0123456789abcdef"
	const publicURL = "https://desk.example.com/twilio/video-status"

	mux := http.NewServeMux()
	mux.Handle("POST /twilio/video-status", twiliovideo.StatusHandler(authToken, publicURL, printSink{}))

	// Twilio reports that a participant joined the room.
	form := url.Values{
		"RoomName":            {"session-42"},
		"RoomSid":             {"RM0123456789abcdef0123456789abcdef"},
		"StatusCallbackEvent": {"participant-connected"},
		"ParticipantIdentity": {"customer-17"},
		"Timestamp":           {"2025-03-14T09:30:12.345Z"},
	}
	req := httptest.NewRequest(http.MethodPost, "/twilio/video-status", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twiliotest.Signature(authToken, publicURL, form))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// participant_joined session-42 customer-17 2025-03-14T09:30:12Z
	// 204
}
