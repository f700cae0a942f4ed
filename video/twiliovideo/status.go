package twiliovideo

import (
	"net/http"
	"time"

	"github.com/deskkit/helpdesk/internal/twilioapi"
	"github.com/deskkit/helpdesk/video"
)

// StatusHandler returns the http.Handler for Twilio's room status callbacks, to be served at
// publicURL, the URL configured as Config.StatusCallback exactly as Twilio calls it (scheme,
// host, port and path as seen from outside, behind any proxy: the signature covers it). If
// publicURL has no query but the request has one, the request's query is appended before the
// signature is checked, so one handler can serve callback URLs that differ in their query.
//
// The handler checks the X-Twilio-Signature header against authToken (the account's auth
// token; API keys cannot check signatures) and the POST parameters, then reports the event
// named by StatusCallbackEvent to sink as a [video.Event] for the room RoomName:
//
//	room-created              video.RoomStarted
//	participant-connected     video.ParticipantJoined (Participant: ParticipantIdentity)
//	participant-disconnected  video.ParticipantLeft   (Participant: ParticipantIdentity)
//	room-ended                video.RoomEnded
//
// Other events (track-added, recording-started, …) are acknowledged and not reported. The
// event's At is the callback's Timestamp (RFC 3339, or RFC 1123 with a numeric zone), in UTC;
// it is zero if the callback has none or one in another format, since an event without its
// time is better than a lost one.
//
// Answers: 204 for a callback reported or ignored; 403 for a missing or wrong signature,
// with nothing reported; 400 for a malformed callback (no RoomName, or a participant event
// without ParticipantIdentity); 405 for a method other than POST; 500 when sink returns an
// error, so that Twilio retries the callback.
//
// StatusHandler panics if authToken is empty (every signature would be forgeable), publicURL
// is not an absolute http or https URL, or sink is nil.
func StatusHandler(authToken, publicURL string, sink video.EventSink) http.Handler {
	if sink == nil {
		panic("twiliovideo: StatusHandler: nil sink")
	}
	return &statusHandler{callbacks: twilioapi.NewCallbacks("twiliovideo", authToken, publicURL), sink: sink}
}

type statusHandler struct {
	callbacks twilioapi.Callbacks
	sink      video.EventSink
}

func (h *statusHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	params, ok := h.callbacks.Params(w, r)
	if !ok {
		return
	}

	var kind video.EventKind
	switch params["StatusCallbackEvent"] {
	case "room-created":
		kind = video.RoomStarted
	case "participant-connected":
		kind = video.ParticipantJoined
	case "participant-disconnected":
		kind = video.ParticipantLeft
	case "room-ended":
		kind = video.RoomEnded
	default:
		// Track, recording and transcription events, or events newer than this code.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	e := video.Event{Kind: kind, Room: params["RoomName"], At: parseTimestamp(params["Timestamp"])}
	if e.Room == "" {
		http.Error(w, "RoomName is required", http.StatusBadRequest)
		return
	}
	if kind == video.ParticipantJoined || kind == video.ParticipantLeft {
		e.Participant = params["ParticipantIdentity"]
		if e.Participant == "" {
			http.Error(w, "ParticipantIdentity is required", http.StatusBadRequest)
			return
		}
	}
	if err := h.sink.HandleRoomEvent(r.Context(), e); err != nil {
		http.Error(w, "could not record the event", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// parseTimestamp reads a callback's Timestamp: RFC 3339 in UTC with milliseconds is what Room
// callbacks carry, RFC 1123 with a numeric zone what Twilio's older APIs use. The time is
// returned in UTC, whatever the zone it was given in.
func parseTimestamp(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, time.RFC1123Z} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
