package twiliovideo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/twiliovideo"
)

const (
	testRoomSID        = "RM0123456789abcdef0123456789abcdef"
	testParticipantSID = "PA0123456789abcdef0123456789abcdef"
	testTimestamp      = "2025-03-14T09:30:12.345Z"
)

// roomCallback returns the form Twilio posts for event in room "session-42"; participant
// events carry the participant "customer-17".
func roomCallback(event string) url.Values {
	f := url.Values{
		"AccountSid":          {testAccountSID},
		"RoomName":            {"session-42"},
		"RoomSid":             {testRoomSID},
		"RoomStatus":          {"in-progress"},
		"RoomType":            {"group"},
		"StatusCallbackEvent": {event},
		"Timestamp":           {testTimestamp},
		"SequenceNumber":      {"3"},
	}
	switch event {
	case "room-ended":
		f.Set("RoomStatus", "completed")
		f.Set("RoomDuration", "300")
	case "participant-connected", "participant-disconnected", "track-added":
		f.Set("ParticipantSid", testParticipantSID)
		f.Set("ParticipantIdentity", "customer-17")
		f.Set("ParticipantStatus", "connected")
		if event == "participant-disconnected" {
			f.Set("ParticipantStatus", "disconnected")
			f.Set("ParticipantDuration", "120")
		}
	}
	return f
}

// recordingSink is a video.EventSink that keeps the events and answers with err.
type recordingSink struct {
	mu     sync.Mutex
	events []video.Event
	err    error
}

func (s *recordingSink) HandleRoomEvent(_ context.Context, e video.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
	return s.err
}

func (s *recordingSink) Events() []video.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]video.Event(nil), s.events...)
}

func TestStatusHandler(t *testing.T) {
	at := time.Date(2025, 3, 14, 9, 30, 12, 345e6, time.UTC)
	signed := func(form url.Values) string { return twiliotest.Signature(testAuthToken, testCallbackURL, form) }
	with := func(form url.Values, change func(url.Values)) url.Values {
		change(form)
		return form
	}
	tests := []struct {
		name      string
		form      url.Values
		signature func(url.Values) string
		sinkErr   error
		wantCode  int
		want      []video.Event
	}{
		{
			name:      "room created",
			form:      roomCallback("room-created"),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []video.Event{{Kind: video.RoomStarted, Room: "session-42", At: at}},
		},
		{
			name:      "participant connected",
			form:      roomCallback("participant-connected"),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []video.Event{{Kind: video.ParticipantJoined, Room: "session-42", Participant: "customer-17", At: at}},
		},
		{
			name:      "participant disconnected",
			form:      roomCallback("participant-disconnected"),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []video.Event{{Kind: video.ParticipantLeft, Room: "session-42", Participant: "customer-17", At: at}},
		},
		{
			name:      "room ended",
			form:      roomCallback("room-ended"),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []video.Event{{Kind: video.RoomEnded, Room: "session-42", At: at}},
		},
		{
			name:      "RFC 1123 timestamp in another zone",
			form:      with(roomCallback("room-ended"), func(f url.Values) { f.Set("Timestamp", "Fri, 14 Mar 2025 10:30:12 +0100") }),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []video.Event{{Kind: video.RoomEnded, Room: "session-42", At: time.Date(2025, 3, 14, 9, 30, 12, 0, time.UTC)}},
		},
		{
			name:      "no timestamp",
			form:      with(roomCallback("room-ended"), func(f url.Values) { f.Del("Timestamp") }),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []video.Event{{Kind: video.RoomEnded, Room: "session-42"}},
		},
		{
			name:      "unreadable timestamp",
			form:      with(roomCallback("room-ended"), func(f url.Values) { f.Set("Timestamp", "yesterday") }),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []video.Event{{Kind: video.RoomEnded, Room: "session-42"}},
		},
		{name: "track added is not reported", form: roomCallback("track-added"), signature: signed, wantCode: http.StatusNoContent},
		{name: "recording started is not reported", form: roomCallback("recording-started"), signature: signed, wantCode: http.StatusNoContent},
		{
			name: "wrong auth token",
			form: roomCallback("room-ended"),
			signature: func(f url.Values) string {
				return twiliotest.Signature("another0token0another0token00000", testCallbackURL, f)
			},
			wantCode: http.StatusForbidden,
		},
		{
			name:      "signature for another URL",
			form:      roomCallback("room-ended"),
			signature: func(f url.Values) string { return twiliotest.Signature(testAuthToken, "https://evil.example.com/x", f) },
			wantCode:  http.StatusForbidden,
		},
		{
			name: "parameters changed after signing",
			form: with(roomCallback("participant-connected"), func(f url.Values) { f.Set("ParticipantIdentity", "employee-1") }),
			signature: func(url.Values) string {
				return twiliotest.Signature(testAuthToken, testCallbackURL, roomCallback("participant-connected"))
			},
			wantCode: http.StatusForbidden,
		},
		{
			name:      "no signature",
			form:      roomCallback("room-ended"),
			signature: func(url.Values) string { return "" },
			wantCode:  http.StatusForbidden,
		},
		{
			name:      "no room name",
			form:      with(roomCallback("room-ended"), func(f url.Values) { f.Del("RoomName") }),
			signature: signed,
			wantCode:  http.StatusBadRequest,
		},
		{
			name:      "participant event without identity",
			form:      with(roomCallback("participant-connected"), func(f url.Values) { f.Del("ParticipantIdentity") }),
			signature: signed,
			wantCode:  http.StatusBadRequest,
		},
		{
			name:      "sink failure asks Twilio to retry",
			form:      roomCallback("participant-connected"),
			signature: signed,
			sinkErr:   errors.New("database is down"),
			wantCode:  http.StatusInternalServerError,
			want:      []video.Event{{Kind: video.ParticipantJoined, Room: "session-42", Participant: "customer-17", At: at}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &recordingSink{err: tt.sinkErr}
			h := twiliovideo.StatusHandler(testAuthToken, testCallbackURL, sink)

			// The request reaches the handler on an internal address behind a proxy; the
			// signature is over the public URL.
			rec := twiliotest.PostCallback(h, "http://10.0.0.7:8080/twilio/video-status", tt.form, tt.signature(tt.form))

			assert.Equal(t, tt.wantCode, rec.Code, "body: %s", rec.Body)
			assert.Equal(t, tt.want, sink.Events())
		})
	}
}

func TestStatusHandlerQuery(t *testing.T) {
	form := roomCallback("room-ended")
	tests := []struct {
		name      string
		publicURL string
		requestTo string
		signedURL string
		wantCode  int
	}{
		{
			name:      "request query appended to a public URL without one",
			publicURL: testCallbackURL,
			requestTo: "/twilio/video-status?tenant=acme",
			signedURL: testCallbackURL + "?tenant=acme",
			wantCode:  http.StatusNoContent,
		},
		{
			name:      "public URL with its own query",
			publicURL: testCallbackURL + "?tenant=acme",
			requestTo: "/twilio/video-status?tenant=acme",
			signedURL: testCallbackURL + "?tenant=acme",
			wantCode:  http.StatusNoContent,
		},
		{
			name:      "signed without the query the request has",
			publicURL: testCallbackURL,
			requestTo: "/twilio/video-status?tenant=acme",
			signedURL: testCallbackURL,
			wantCode:  http.StatusForbidden,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &recordingSink{}
			h := twiliovideo.StatusHandler(testAuthToken, tt.publicURL, sink)

			rec := twiliotest.PostCallback(h, tt.requestTo, form, twiliotest.Signature(testAuthToken, tt.signedURL, form))

			assert.Equal(t, tt.wantCode, rec.Code, "body: %s", rec.Body)
			assert.Equal(t, tt.wantCode == http.StatusNoContent, len(sink.Events()) == 1)
		})
	}
}

func TestStatusHandlerRefusesOtherMethods(t *testing.T) {
	sink := &recordingSink{}
	h := twiliovideo.StatusHandler(testAuthToken, testCallbackURL, sink)
	query := roomCallback("room-ended")

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/twilio/video-status?"+query.Encode(), nil)
	req.Header.Set("X-Twilio-Signature", twiliotest.Signature(testAuthToken, testCallbackURL+"?"+query.Encode(), url.Values{}))
	h.ServeHTTP(rec, req)

	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
	assert.Empty(t, sink.Events())
}

func TestStatusHandlerRefusesHugeBodies(t *testing.T) {
	sink := &recordingSink{}
	h := twiliovideo.StatusHandler(testAuthToken, testCallbackURL, sink)
	form := roomCallback("room-ended")
	form.Set("Padding", strings.Repeat("x", 1<<20))

	rec := twiliotest.PostCallback(h, "/twilio/video-status", form, twiliotest.Signature(testAuthToken, testCallbackURL, form))

	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Empty(t, sink.Events())
}

func TestStatusHandlerPanicsOnBadArguments(t *testing.T) {
	sink := &recordingSink{}
	tests := []struct {
		name      string
		token     string
		publicURL string
		sink      video.EventSink
	}{
		{name: "empty auth token", publicURL: testCallbackURL, sink: sink},
		{name: "relative URL", token: testAuthToken, publicURL: "/twilio/video-status", sink: sink},
		{name: "nil sink", token: testAuthToken, publicURL: testCallbackURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Panics(t, func() { twiliovideo.StatusHandler(tt.token, tt.publicURL, tt.sink) })
		})
	}
}
