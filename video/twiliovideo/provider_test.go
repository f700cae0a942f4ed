package twiliovideo_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/twiliovideo"
	"github.com/deskkit/helpdesk/video/videotest"
)

func TestConformance(t *testing.T) {
	videotest.RunProvider(t, videotest.Harness{
		New: func(t *testing.T) video.Provider {
			return newProvider(t, newFakeVideo(t), nil)
		},
	})
}

// The suite also passes with one account shared by all its checks, as against real Twilio.
func TestConformanceSharedAccount(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)
	videotest.RunProvider(t, videotest.Harness{
		New: func(*testing.T) video.Provider { return p },
	})
}

// newProvider returns a Provider talking to f, with change applied to a valid Config.
func newProvider(t *testing.T, f *fakeVideo, change func(*twiliovideo.Config)) *twiliovideo.Provider {
	t.Helper()
	cfg := twiliovideo.Config{
		AccountSID:   testAccountSID,
		APIKeySID:    testAPIKeySID,
		APIKeySecret: testAPIKeySecret,
		AuthToken:    testAuthToken,
		HTTPClient:   f.Client(),
	}
	if change != nil {
		change(&cfg)
	}
	p, err := twiliovideo.New(cfg)
	require.NoError(t, err)
	return p
}

func TestNew(t *testing.T) {
	valid := func() twiliovideo.Config {
		return twiliovideo.Config{AccountSID: testAccountSID, APIKeySID: testAPIKeySID, APIKeySecret: testAPIKeySecret}
	}
	tests := []struct {
		name    string
		change  func(*twiliovideo.Config)
		wantErr string // a substring; empty for success
	}{
		{name: "API key only", change: func(*twiliovideo.Config) {}},
		{name: "with auth token", change: func(c *twiliovideo.Config) { c.AuthToken = testAuthToken }},
		{name: "status callback", change: func(c *twiliovideo.Config) { c.StatusCallback = testCallbackURL }},
		{name: "legacy room type", change: func(c *twiliovideo.Config) { c.RoomType = "peer-to-peer" }},
		{name: "missing account SID", change: func(c *twiliovideo.Config) { c.AccountSID = "" }, wantErr: "Config.AccountSID"},
		{name: "API key as account SID", change: func(c *twiliovideo.Config) { c.AccountSID = testAPIKeySID }, wantErr: "Config.AccountSID"},
		{name: "missing API key", change: func(c *twiliovideo.Config) { c.APIKeySID = "" }, wantErr: "Config.APIKeySID"},
		{name: "account SID as API key", change: func(c *twiliovideo.Config) { c.APIKeySID = testAccountSID }, wantErr: "Config.APIKeySID"},
		{name: "missing API key secret", change: func(c *twiliovideo.Config) { c.APIKeySecret = "" }, wantErr: "Config.APIKeySecret is required"},
		{name: "API key secret with symbols", change: func(c *twiliovideo.Config) { c.APIKeySecret = "abc:def" }, wantErr: "Config.APIKeySecret may contain only"},
		{name: "auth token with symbols", change: func(c *twiliovideo.Config) { c.AuthToken = "abc/def" }, wantErr: "Config.AuthToken may contain only"},
		{name: "relative callback URL", change: func(c *twiliovideo.Config) { c.StatusCallback = "/twilio/video-status" }, wantErr: "Config.StatusCallback"},
		{name: "callback URL of another scheme", change: func(c *twiliovideo.Config) { c.StatusCallback = "ftp://desk.example.com/x" }, wantErr: "Config.StatusCallback"},
		{name: "unknown room type", change: func(c *twiliovideo.Config) { c.RoomType = "groups" }, wantErr: "Config.RoomType"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.change(&cfg)
			p, err := twiliovideo.New(cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, p)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), "abc", "the error must not reveal a secret")
			assert.Nil(t, p)
		})
	}
}

func TestCreateRoomRequest(t *testing.T) {
	tests := []struct {
		name     string
		change   func(*twiliovideo.Config)
		user     string // Basic auth user and password the stand-in expects
		pass     string
		opts     video.RoomOptions
		wantForm map[string]string // "" means absent
	}{
		{
			name:     "defaults",
			user:     testAccountSID,
			pass:     testAuthToken,
			wantForm: map[string]string{"Type": "group", "MaxParticipants": "", "StatusCallback": "", "StatusCallbackMethod": ""},
		},
		{
			name:     "callback, cap and room type",
			change:   func(c *twiliovideo.Config) { c.StatusCallback, c.RoomType = testCallbackURL, "group-small" },
			user:     testAccountSID,
			pass:     testAuthToken,
			opts:     video.RoomOptions{MaxParticipants: 2},
			wantForm: map[string]string{"Type": "group-small", "MaxParticipants": "2", "StatusCallback": testCallbackURL, "StatusCallbackMethod": "POST"},
		},
		{
			name:     "API key authenticates without auth token",
			change:   func(c *twiliovideo.Config) { c.AuthToken = "" },
			user:     testAPIKeySID,
			pass:     testAPIKeySecret,
			wantForm: map[string]string{"Type": "group"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeVideo(t)
			f.user, f.pass = tt.user, tt.pass
			p := newProvider(t, f, tt.change)

			r, err := p.CreateRoom(t.Context(), "session-42", tt.opts)

			require.NoError(t, err)
			assert.Equal(t, "session-42", r.Name)
			assert.Regexp(t, `^RM[0-9a-f]{32}$`, r.ID)
			var creates []request
			for _, req := range f.Requests() {
				if req.Route == routeCreate {
					creates = append(creates, req)
				}
			}
			require.Len(t, creates, 1)
			assert.Equal(t, "session-42", creates[0].Form.Get("UniqueName"))
			for k, want := range tt.wantForm {
				assert.Equal(t, want, creates[0].Form.Get(k), "form field %s", k)
			}
			if tt.opts.MaxParticipants > 0 {
				assert.Equal(t, tt.opts.MaxParticipants, r.MaxParticipants, "the room's cap")
			}
		})
	}
}

// A live room is returned with a single request; a fresh one is looked for, in progress and
// completed, before it is created.
func TestCreateRoomRequests(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)

	first, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
	require.NoError(t, err)
	n := len(f.Requests())
	again, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
	require.NoError(t, err)

	assert.Equal(t, first, again)
	routes := func(rs []request) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Route)
		}
		return out
	}
	assert.Equal(t, []string{routeFetch, routeList, routeCreate}, routes(f.Requests()[:n]), "creating a fresh room")
	assert.Equal(t, []string{routeFetch}, routes(f.Requests()[n:]), "creating an existing room")
	list := f.Requests()[1]
	assert.Equal(t, "session-1", list.Form.Get("UniqueName"))
	assert.Equal(t, "completed", list.Form.Get("Status"))
}

func TestCreateRoomOfAnotherClient(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)
	sid := f.AddRoom("session-1", "in-progress")

	r, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{MaxParticipants: 3})

	require.NoError(t, err)
	assert.Equal(t, sid, r.ID)
}

// Another client creates the room between the adapter's look and its create: Twilio answers
// 53113 and the adapter returns the other client's room.
func TestCreateRoomRace(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)
	f.Before(routeCreate, func() { f.addRoomLocked("session-1", "in-progress") })

	r, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{})

	require.NoError(t, err)
	sid, _, ok := f.Room("session-1")
	require.True(t, ok)
	assert.Equal(t, sid, r.ID, "the other client's room")
	assert.Equal(t, 1, f.RoomCount(), "no second room")
}

// The room another client created ends before the adapter fetches it.
func TestCreateRoomRaceWithEnd(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)
	f.Before(routeCreate, func() {
		f.addRoomLocked("session-1", "in-progress")
		f.hooks[routeFetch] = append(f.hooks[routeFetch], func() { f.completeLocked("session-1") })
	})

	_, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{})

	assert.ErrorIs(t, err, video.ErrRoomEnded)
}

// Twilio answering 53113 without the room being found anywhere is not taken for success.
func TestCreateRoomExistsButMissing(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)
	f.Refuse(routeCreate, twiliotest.Error(http.StatusBadRequest, 53113, "Room exists"))

	_, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{})

	require.Error(t, err)
	assert.NotErrorIs(t, err, video.ErrRoomEnded)
	assert.NotErrorIs(t, err, video.ErrInvalid)
	assert.Contains(t, err.Error(), "53113")
}

// Twilio would create a fresh room under the name of a completed one: the adapter must not.
func TestCreateRoomAfterCompletedElsewhere(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)
	f.AddRoom("session-1", "completed")

	_, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{})

	assert.ErrorIs(t, err, video.ErrRoomEnded)
	for _, r := range f.Requests() {
		assert.NotEqual(t, routeCreate, r.Route, "no room may be created")
	}
}

func TestRoomNamesTwilioCannotAddress(t *testing.T) {
	for _, name := range []string{"session/1", "session 1", "session?1", "session%201", "séance-1", "session.1", "session#1"} {
		t.Run(name, func(t *testing.T) {
			f := newFakeVideo(t)
			p := newProvider(t, f, nil)

			_, err := p.CreateRoom(t.Context(), name, video.RoomOptions{})
			assert.ErrorIs(t, err, video.ErrInvalid, "CreateRoom")
			_, err = p.JoinToken(t.Context(), name, video.Participant{Identity: "anna"}, time.Now().Add(time.Hour))
			assert.ErrorIs(t, err, video.ErrRoomNotFound, "JoinToken")
			err = p.EndRoom(t.Context(), name)
			assert.ErrorIs(t, err, video.ErrRoomNotFound, "EndRoom")

			assert.Empty(t, f.Requests(), "Twilio should not be asked")
		})
	}
}

func TestCreateRoomNegativeCap(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)

	_, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{MaxParticipants: -1})

	assert.ErrorIs(t, err, video.ErrInvalid)
	assert.Empty(t, f.Requests())
}

// jwtParts decodes a JWT's header and payload and checks its HS256 signature with secret.
func jwtParts(t *testing.T, token, secret string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "a JWT has three parts")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), parts[2], "signature")
	for i, v := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, v))
	}
	return header, payload
}

func TestJoinTokenClaims(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)
	_, err := p.CreateRoom(t.Context(), "session-42", video.RoomOptions{})
	require.NoError(t, err)
	// Under an hour: twilio-go's Ttl would stretch it to one.
	validUntil := time.Now().Add(10 * time.Minute).Truncate(time.Second)

	g, err := p.JoinToken(t.Context(), "session-42", video.Participant{Identity: "customer-17", Name: "Bob"}, validUntil)

	require.NoError(t, err)
	assert.Equal(t, "session-42", g.Room)
	assert.Equal(t, "customer-17", g.Identity)
	assert.True(t, g.ExpiresAt.Equal(validUntil), "ExpiresAt %s, want %s", g.ExpiresAt, validUntil)
	header, payload := jwtParts(t, g.Token, testAPIKeySecret)
	assert.Equal(t, "HS256", header["alg"])
	assert.Equal(t, "twilio-fpa;v=1", header["cty"])
	assert.Equal(t, testAPIKeySID, payload["iss"])
	assert.Equal(t, testAccountSID, payload["sub"])
	assert.Equal(t, float64(validUntil.Unix()), payload["exp"], "exp")
	assert.Equal(t, map[string]any{
		"identity": "customer-17",
		"video":    map[string]any{"room": "session-42"},
	}, payload["grants"])
}

func TestJoinTokenExpiry(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)
	_, err := p.CreateRoom(t.Context(), "session-42", video.RoomOptions{})
	require.NoError(t, err)
	anna := video.Participant{Identity: "employee-anna"}

	t.Run("rounded down to the second", func(t *testing.T) {
		validUntil := time.Now().Add(20 * time.Minute).Truncate(time.Second).Add(700 * time.Millisecond)

		g, err := p.JoinToken(t.Context(), "session-42", anna, validUntil)

		require.NoError(t, err)
		assert.Equal(t, validUntil.Truncate(time.Second).Unix(), g.ExpiresAt.Unix())
		assert.Zero(t, g.ExpiresAt.Nanosecond())
		_, payload := jwtParts(t, g.Token, testAPIKeySecret)
		assert.Equal(t, float64(g.ExpiresAt.Unix()), payload["exp"])
	})
	t.Run("at most 24 hours", func(t *testing.T) {
		before := time.Now()
		g, err := p.JoinToken(t.Context(), "session-42", anna, before.Add(72*time.Hour))
		after := time.Now()

		require.NoError(t, err)
		assert.False(t, g.ExpiresAt.After(after.Add(24*time.Hour)), "ExpiresAt %s", g.ExpiresAt)
		assert.True(t, g.ExpiresAt.After(before.Add(24*time.Hour-2*time.Second)), "ExpiresAt %s", g.ExpiresAt)
		_, payload := jwtParts(t, g.Token, testAPIKeySecret)
		assert.Equal(t, float64(g.ExpiresAt.Unix()), payload["exp"])
	})
	t.Run("less than a second ahead", func(t *testing.T) {
		_, err := p.JoinToken(t.Context(), "session-42", anna, time.Now().Truncate(time.Second))

		assert.ErrorIs(t, err, video.ErrInvalid)
	})
}

func TestJoinTokenRoomStates(t *testing.T) {
	tests := []struct {
		name    string
		status  string // the room's status at Twilio; "" for no room
		wantErr error
	}{
		{name: "in progress", status: "in-progress"},
		{name: "completed", status: "completed", wantErr: video.ErrRoomEnded},
		{name: "unknown", wantErr: video.ErrRoomNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeVideo(t)
			p := newProvider(t, f, nil)
			if tt.status != "" {
				f.AddRoom("session-1", tt.status)
			}

			g, err := p.JoinToken(t.Context(), "session-1", video.Participant{Identity: "anna"}, time.Now().Add(time.Hour))

			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, g.Token)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, g.Token)
		})
	}
}

func TestEndRoom(t *testing.T) {
	f := newFakeVideo(t)
	p := newProvider(t, f, nil)
	r, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
	require.NoError(t, err)
	n := len(f.Requests())

	require.NoError(t, p.EndRoom(t.Context(), "session-1"))

	reqs := f.Requests()[n:]
	require.Len(t, reqs, 1)
	assert.Equal(t, routeUpdate, reqs[0].Route)
	assert.Equal(t, "/v1/Rooms/session-1", reqs[0].Path)
	assert.Equal(t, "completed", reqs[0].Form.Get("Status"))
	_, status, ok := f.Room(r.ID)
	require.True(t, ok)
	assert.Equal(t, "completed", status)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name     string
		route    string
		refusal  twiliotest.Refusal
		call     func(context.Context, *twiliovideo.Provider) error
		sentinel error // nil: none of video's sentinels
		wantText []string
		wantCode int // Twilio code errors.As should find; 0 for none
	}{
		{
			name:     "invalid create request",
			route:    routeCreate,
			refusal:  twiliotest.Error(400, 53107, "MaxParticipants must be between 1 and 50"),
			call:     createCall,
			sentinel: video.ErrInvalid,
			wantText: []string{"53107", "MaxParticipants must be between 1 and 50", "https://www.twilio.com/docs/errors/53107"},
			wantCode: 53107,
		},
		{
			name:     "authentication failure",
			route:    routeFetch,
			refusal:  twiliotest.Error(401, 20003, "Authenticate"),
			call:     joinCall,
			wantText: []string{"20003", "Authenticate"},
			wantCode: 20003,
		},
		{
			name:     "rate limit",
			route:    routeUpdate,
			refusal:  twiliotest.Error(429, 20429, "Too Many Requests"),
			call:     endCall,
			wantText: []string{"20429"},
			wantCode: 20429,
		},
		{
			name:     "outage while looking for ended rooms",
			route:    routeList,
			refusal:  twiliotest.Error(503, 20503, "Service Unavailable"),
			call:     createCall,
			wantText: []string{"20503"},
			wantCode: 20503,
		},
		{
			name:     "a proxy's HTML page",
			route:    routeFetch,
			refusal:  twiliotest.Refusal{Status: 502, ContentType: "text/html", Body: "<html><body>Bad Gateway</body></html>"},
			call:     joinCall,
			wantText: []string{"502"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeVideo(t)
			p := newProvider(t, f, nil)
			f.AddRoom("session-1", "in-progress")
			f.AddRoom("session-2", "in-progress")
			f.Refuse(tt.route, tt.refusal)

			err := tt.call(t.Context(), p)

			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "twiliovideo: "), "err: %v", err)
			for _, s := range []error{video.ErrInvalid, video.ErrRoomNotFound, video.ErrRoomEnded} {
				assert.Equal(t, s == tt.sentinel, errors.Is(err, s), "errors.Is(err, %v); err: %v", s, err)
			}
			for _, want := range tt.wantText {
				assert.Contains(t, err.Error(), want)
			}
			var te *client.TwilioRestError
			if tt.wantCode != 0 && assert.ErrorAs(t, err, &te) {
				assert.Equal(t, tt.wantCode, te.Code)
				assert.Equal(t, tt.refusal.Status, te.Status)
			}
		})
	}
}

func createCall(ctx context.Context, p *twiliovideo.Provider) error {
	_, err := p.CreateRoom(ctx, "session-3", video.RoomOptions{})
	return err
}

func joinCall(ctx context.Context, p *twiliovideo.Provider) error {
	_, err := p.JoinToken(ctx, "session-1", video.Participant{Identity: "anna"}, time.Now().Add(time.Hour))
	return err
}

func endCall(ctx context.Context, p *twiliovideo.Provider) error {
	return p.EndRoom(ctx, "session-2")
}

func TestContextEndsWhileTwilioStalls(t *testing.T) {
	calls := []struct {
		name string
		call func(context.Context, *twiliovideo.Provider) error
	}{
		{"CreateRoom", createCall},
		{"JoinToken", joinCall},
		{"EndRoom", endCall},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeVideo(t)
			p := newProvider(t, f, nil)
			f.AddRoom("session-1", "in-progress")
			f.AddRoom("session-2", "in-progress")
			t.Cleanup(f.Stall())
			ctx, cancel := context.WithCancel(t.Context())
			done := callAsync(ctx, p, c.call)

			<-f.stalled // the request is at Twilio
			cancel()
			err := wait(t, done)

			assert.ErrorIs(t, err, context.Canceled)
		})
	}
	t.Run("HTTPClient timeout", func(t *testing.T) {
		f := newFakeVideo(t)
		t.Cleanup(f.Stall())
		p := newProvider(t, f, func(c *twiliovideo.Config) {
			hc := f.Client()
			hc.Timeout = 1 // a nanosecond: the request cannot make it
			c.HTTPClient = hc
		})

		err := wait(t, callAsync(t.Context(), p, createCall))

		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// callAsync runs call in a goroutine and delivers its error.
func callAsync(ctx context.Context, p *twiliovideo.Provider, call func(context.Context, *twiliovideo.Provider) error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- call(ctx, p) }()
	return done
}

// wait waits for a call started by callAsync. The bound is generous: it only turns a call
// that ignores its ctx into a failure instead of a hung test.
func wait(t *testing.T, done <-chan error) error {
	t.Helper()
	guard := time.NewTimer(10 * time.Second)
	defer guard.Stop()
	select {
	case err := <-done:
		return err
	case <-guard.C:
		t.Fatal("the call did not return after its ctx ended")
		return nil
	}
}

func TestDoesNotChangeTheHTTPClient(t *testing.T) {
	f := newFakeVideo(t)
	hc := f.Client()
	before := *hc
	p := newProvider(t, f, func(c *twiliovideo.Config) { c.HTTPClient = hc })

	_, err := p.CreateRoom(t.Context(), "session-1", video.RoomOptions{})

	require.NoError(t, err)
	assert.Equal(t, before.Timeout, hc.Timeout)
	assert.True(t, before.Transport == hc.Transport, "Transport replaced")
}
