package twiliovideo_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
)

// Test credentials; their shapes are Twilio's (New checks them).
const (
	testAccountSID   = "AC0123456789abcdef0123456789abcdef"
	testAuthToken    = "0123456789abcdef0123456789abcdef"
	testAPIKeySID    = "SKfedcba9876543210fedcba9876543210"
	testAPIKeySecret = "s3cr3tAPIsecretValue0123456789ab"
	testCallbackURL  = "https://desk.example.com/twilio/video-status"
)

// fakeVideo stands in for Twilio's Video REST API (https://video.twilio.com/v1/Rooms) the way
// Twilio behaves: Basic auth, form bodies, JSON rooms and Twilio's JSON error bodies. Like
// Twilio, it addresses a room by its unique name only while the room is in progress, keeps
// unique names unique among in-progress rooms only (53113 otherwise) and lists in-progress
// rooms unless asked for completed ones.
type fakeVideo struct {
	srv *httptest.Server

	// user and pass are the Basic credentials it accepts.
	user, pass string

	mu       sync.Mutex
	rooms    []*fakeRoom
	requests []request                       // every request, in order
	refusals map[string][]twiliotest.Refusal // queued answers, by route ("POST /v1/Rooms")
	hooks    map[string][]func()             // run (under mu) before the next request on a route
	stall    chan struct{}                   // requests wait while not nil
	stalled  chan struct{}                   // receives when a request starts waiting in a stall
}

type fakeRoom struct {
	sid, name, status, roomType string
	maxParticipants             int
	callback, callbackMethod    string
	created                     time.Time
	ended                       time.Time
}

// request is one request as the stand-in received it.
type request struct {
	Route string // "GET /v1/Rooms/{room}"
	Path  string // "/v1/Rooms/vt-x"
	Form  url.Values
}

// Routes of the stand-in.
const (
	routeCreate = "POST /v1/Rooms"
	routeList   = "GET /v1/Rooms"
	routeFetch  = "GET /v1/Rooms/{room}"
	routeUpdate = "POST /v1/Rooms/{room}"
)

// newFakeVideo starts a stand-in accepting the test account's auth token.
func newFakeVideo(t *testing.T) *fakeVideo {
	t.Helper()
	f := &fakeVideo{
		user: testAccountSID, pass: testAuthToken,
		refusals: map[string][]twiliotest.Refusal{},
		hooks:    map[string][]func(){},
		stalled:  make(chan struct{}, 100),
	}
	mux := http.NewServeMux()
	for route, serve := range map[string]func(http.ResponseWriter, *http.Request){
		routeCreate: f.create,
		routeList:   f.list,
		routeFetch:  f.fetch,
		routeUpdate: f.update,
	} {
		mux.HandleFunc(route, f.wrap(route, serve))
	}
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.release()
		f.srv.Close()
	})
	return f
}

// Client returns an http.Client that sends the requests for https://video.twilio.com to the
// stand-in instead, since twilio-go has no base-URL option, and refuses any other host.
func (f *fakeVideo) Client() *http.Client {
	return twiliotest.Redirect(f.srv.URL, "video.twilio.com", f.srv.Client().Transport)
}

// Requests returns the requests received, in order.
func (f *fakeVideo) Requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

// Refuse queues r as the answer to the next request on route.
func (f *fakeVideo) Refuse(route string, r twiliotest.Refusal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refusals[route] = append(f.refusals[route], r)
}

// Before runs do, holding the stand-in's lock, when the next request on route arrives and
// before it is served: another client's doing, between two requests of the adapter.
func (f *fakeVideo) Before(route string, do func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks[route] = append(f.hooks[route], do)
}

// AddRoom adds a room as if another client had created it; status "completed" makes it an
// ended one. The caller must not hold f.mu.
func (f *fakeVideo) AddRoom(name, status string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addRoomLocked(name, status)
}

func (f *fakeVideo) addRoomLocked(name, status string) string {
	r := &fakeRoom{
		sid:      fmt.Sprintf("RM%032x", len(f.rooms)+1),
		name:     name,
		status:   status,
		roomType: "group",
		created:  time.Now().UTC(),
	}
	if status != "in-progress" {
		r.ended = r.created
	}
	f.rooms = append(f.rooms, r)
	return r.sid
}

// Room returns the SID and status of the room with that SID, or of the in-progress room of
// that name.
func (f *fakeVideo) Room(sidOrName string) (sid, status string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.roomLocked(sidOrName)
	if r == nil {
		return "", "", false
	}
	return r.sid, r.status, true
}

// RoomCount returns how many rooms the stand-in has, in any status.
func (f *fakeVideo) RoomCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.rooms)
}

// completeLocked completes the in-progress room called name.
func (f *fakeVideo) completeLocked(name string) {
	if r := f.liveLocked(name); r != nil {
		r.status, r.ended = "completed", time.Now().UTC()
	}
}

// Stall makes requests wait until release is called or their client gives up.
func (f *fakeVideo) Stall() (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stall == nil {
		f.stall = make(chan struct{})
	}
	return f.release
}

func (f *fakeVideo) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stall != nil {
		close(f.stall)
		f.stall = nil
	}
}

// wrap does what every route shares: stall, authentication, form parsing, recording, hooks
// and queued refusals. serve runs with f.mu held.
func (f *fakeVideo) wrap(route string, serve func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		stall := f.stall
		f.mu.Unlock()
		if stall != nil {
			select {
			case f.stalled <- struct{}{}:
			default:
			}
			select {
			case <-stall:
			case <-r.Context().Done():
				return
			}
		}
		if user, pass, ok := r.BasicAuth(); !ok || user != f.user || pass != f.pass {
			twiliotest.Error(http.StatusUnauthorized, 20003, "Authenticate").Write(w)
			return
		}
		if r.Method == http.MethodPost {
			if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				twiliotest.Error(http.StatusBadRequest, 20001, "Unsupported Content-Type "+ct).Write(w)
				return
			}
		}
		if err := r.ParseForm(); err != nil {
			twiliotest.Error(http.StatusBadRequest, 20001, "Malformed request").Write(w)
			return
		}

		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, request{Route: route, Path: r.URL.Path, Form: r.Form})
		if hooks := f.hooks[route]; len(hooks) > 0 {
			f.hooks[route] = hooks[1:]
			hooks[0]()
		}
		if refusals := f.refusals[route]; len(refusals) > 0 {
			f.refusals[route] = refusals[1:]
			refusals[0].Write(w)
			return
		}
		serve(w, r)
	}
}

func (f *fakeVideo) create(w http.ResponseWriter, r *http.Request) {
	name := r.PostForm.Get("UniqueName")
	roomType := r.PostForm.Get("Type")
	if roomType == "" {
		roomType = "group"
	}
	maxParticipants := 50
	if s := r.PostForm.Get("MaxParticipants"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 50 {
			twiliotest.Error(http.StatusBadRequest, 53107, "MaxParticipants must be between 1 and 50").Write(w)
			return
		}
		maxParticipants = n
	}
	if name != "" && f.liveLocked(name) != nil {
		twiliotest.Error(http.StatusBadRequest, 53113, "Room exists").Write(w)
		return
	}
	sid := f.addRoomLocked(name, "in-progress")
	room := f.rooms[len(f.rooms)-1]
	if name == "" {
		room.name = sid // Twilio names an unnamed room by its SID
	}
	room.roomType, room.maxParticipants = roomType, maxParticipants
	room.callback, room.callbackMethod = r.PostForm.Get("StatusCallback"), r.PostForm.Get("StatusCallbackMethod")
	writeJSON(w, http.StatusCreated, roomJSON(room))
}

func (f *fakeVideo) list(w http.ResponseWriter, r *http.Request) {
	status := r.Form.Get("Status")
	if status == "" {
		status = "in-progress"
	}
	name := r.Form.Get("UniqueName")
	rooms := []any{}
	for _, room := range f.rooms {
		if room.status == status && (name == "" || room.name == name) {
			rooms = append(rooms, roomJSON(room))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"rooms": rooms,
		"meta": map[string]any{
			"page":           0,
			"page_size":      50,
			"first_page_url": "https://video.twilio.com/v1/Rooms?PageSize=50&Page=0",
			"next_page_url":  nil,
			"key":            "rooms",
		},
	})
}

func (f *fakeVideo) fetch(w http.ResponseWriter, r *http.Request) {
	room := f.roomLocked(r.PathValue("room"))
	if room == nil {
		writeNotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, roomJSON(room))
}

func (f *fakeVideo) update(w http.ResponseWriter, r *http.Request) {
	room := f.roomLocked(r.PathValue("room"))
	if room == nil {
		writeNotFound(w, r)
		return
	}
	if r.PostForm.Get("Status") != "completed" {
		twiliotest.Error(http.StatusBadRequest, 20001, "Status must be completed").Write(w)
		return
	}
	if room.status == "in-progress" {
		room.status, room.ended = "completed", time.Now().UTC()
	}
	writeJSON(w, http.StatusOK, roomJSON(room))
}

// roomLocked finds a room by SID, or by unique name among in-progress rooms, as Twilio does.
func (f *fakeVideo) roomLocked(sidOrName string) *fakeRoom {
	for _, r := range f.rooms {
		if r.sid == sidOrName {
			return r
		}
	}
	return f.liveLocked(sidOrName)
}

func (f *fakeVideo) liveLocked(name string) *fakeRoom {
	for _, r := range f.rooms {
		if r.status == "in-progress" && r.name == name {
			return r
		}
	}
	return nil
}

func roomJSON(r *fakeRoom) map[string]any {
	var ended any
	if !r.ended.IsZero() {
		ended = r.ended.Format(time.RFC3339)
	}
	var callback, method any
	if r.callback != "" {
		callback, method = r.callback, r.callbackMethod
		if method == "" {
			method = "POST"
		}
	}
	return map[string]any{
		"sid":                            r.sid,
		"status":                         r.status,
		"date_created":                   r.created.Format(time.RFC3339),
		"date_updated":                   r.created.Format(time.RFC3339),
		"account_sid":                    testAccountSID,
		"enable_turn":                    true,
		"unique_name":                    r.name,
		"status_callback":                callback,
		"status_callback_method":         method,
		"end_time":                       ended,
		"duration":                       nil,
		"type":                           r.roomType,
		"max_participants":               r.maxParticipants,
		"max_participant_duration":       14400,
		"record_participants_on_connect": false,
		"video_codecs":                   []string{"VP8", "H264"},
		"media_region":                   "us1",
		"audio_only":                     false,
		"empty_room_timeout":             5,
		"unused_room_timeout":            5,
		"large_room":                     false,
		"url":                            "https://video.twilio.com/v1/Rooms/" + r.sid,
		"links": map[string]string{
			"participants": "https://video.twilio.com/v1/Rooms/" + r.sid + "/Participants",
			"recordings":   "https://video.twilio.com/v1/Rooms/" + r.sid + "/Recordings",
		},
	}
}

func writeNotFound(w http.ResponseWriter, r *http.Request) {
	twiliotest.Error(http.StatusNotFound, 20404,
		"The requested resource "+strings.TrimPrefix(r.URL.Path, "/v1")+" was not found").Write(w)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
