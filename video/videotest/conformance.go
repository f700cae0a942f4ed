package videotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/video"
)

// Harness connects [RunProvider] to the provider under test.
type Harness struct {
	// New returns the Provider under test; cleanup via t.Cleanup. It may return a fresh
	// Provider each time or share one (one account at the real provider): every check uses
	// room names of its own.
	New func(t *testing.T) video.Provider
	// Now is the clock the Provider judges validUntil by. Defaults to time.Now.
	Now func() time.Time
}

// concurrentCreates is how many goroutines race to create one room.
const concurrentCreates = 8

// tokenValidity is how long the suite asks tokens to be valid: under an hour, so that a
// provider whose tokens always last an hour (Twilio's default) is caught.
const tokenValidity = 30 * time.Minute

// expiryRounding is how much earlier than asked a token may expire: providers round to
// whole seconds.
const expiryRounding = time.Minute

// RunProvider runs the conformance suite against the Provider h.New builds, as subtests of t:
//
//   - CreateRoom: the room carries the name and MaxParticipants asked for and an ID; creating
//     it again returns the same room.
//   - CreateRoomConcurrent: 8 goroutines creating one room all get it, with one ID.
//   - CreateRoomEmptyName: an empty name is video.ErrInvalid.
//   - JoinToken: the grant names the room and the identity, has a token (another one for
//     another participant), and expires in the future, not after validUntil and not more
//     than a minute before it.
//   - JoinTokenUnknownRoom: video.ErrRoomNotFound for a room never created.
//   - JoinTokenInvalid: an empty identity, a validUntil in the past or equal to now are
//     video.ErrInvalid.
//   - EndRoom: after EndRoom, JoinToken is video.ErrRoomEnded.
//   - EndRoomTwice: ending an ended room returns nil.
//   - EndRoomUnknown: video.ErrRoomNotFound for a room never created.
//   - CreateRoomAfterEnd: creating an ended room's name again is video.ErrRoomEnded.
//   - RoomsAreIndependent: ending one room leaves another one joinable.
//   - CancelledContext: each method fails with an error wrapping context.Canceled when its
//     ctx is cancelled, and does nothing: the room it would have created does not exist,
//     the room it would have ended is still joinable.
//
// Each subtest calls h.New and names its rooms "vt-<subtest>-<random hex>", so a shared
// account at a real provider can run the suite repeatedly.
func RunProvider(t *testing.T, h Harness) {
	t.Helper()
	require.NotNil(t, h.New, "videotest: Harness.New is nil")
	if h.Now == nil {
		h.Now = time.Now
	}

	t.Run("CreateRoom", func(t *testing.T) { testCreateRoom(t, h) })
	t.Run("CreateRoomConcurrent", func(t *testing.T) { testCreateRoomConcurrent(t, h) })
	t.Run("CreateRoomEmptyName", func(t *testing.T) { testCreateRoomEmptyName(t, h) })
	t.Run("JoinToken", func(t *testing.T) { testJoinToken(t, h) })
	t.Run("JoinTokenUnknownRoom", func(t *testing.T) { testJoinTokenUnknownRoom(t, h) })
	t.Run("JoinTokenInvalid", func(t *testing.T) { testJoinTokenInvalid(t, h) })
	t.Run("EndRoom", func(t *testing.T) { testEndRoom(t, h) })
	t.Run("EndRoomTwice", func(t *testing.T) { testEndRoomTwice(t, h) })
	t.Run("EndRoomUnknown", func(t *testing.T) { testEndRoomUnknown(t, h) })
	t.Run("CreateRoomAfterEnd", func(t *testing.T) { testCreateRoomAfterEnd(t, h) })
	t.Run("RoomsAreIndependent", func(t *testing.T) { testRoomsAreIndependent(t, h) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelledContext(t, h) })
}

// callContext bounds every call of the suite, so that a hanging provider fails the test
// instead of hanging it.
func callContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// roomName returns a room name unique to this run of subtest t, made of lower-case ASCII
// letters, digits and hyphens, which every provider accepts in a room name.
func roomName(t *testing.T, suffix string) string {
	t.Helper()
	test := t.Name()
	if i := strings.LastIndexByte(test, '/'); i >= 0 {
		test = test[i+1:]
	}
	test = strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return r
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return -1
	}, test)
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	name := "vt-" + test + "-" + hex.EncodeToString(b)
	if suffix != "" {
		name += "-" + suffix
	}
	return name
}

var (
	anna = video.Participant{Identity: "employee-anna", Name: "Anna Schmidt"}
	bob  = video.Participant{Identity: "customer-bob", Name: "Bob Müller"}
)

// createRoom creates a room for the test, failing it if that fails.
func createRoom(t *testing.T, p video.Provider, name string) video.Room {
	t.Helper()
	r, err := p.CreateRoom(callContext(t), name, video.RoomOptions{})
	require.NoError(t, err, "create room %q", name)
	return r
}

func testCreateRoom(t *testing.T, h Harness) {
	p := h.New(t)
	ctx := callContext(t)
	name := roomName(t, "")

	first, err := p.CreateRoom(ctx, name, video.RoomOptions{MaxParticipants: 4})
	require.NoError(t, err)
	again, err := p.CreateRoom(ctx, name, video.RoomOptions{MaxParticipants: 4})
	require.NoError(t, err, "creating an existing room must return it")

	assert.Equal(t, name, first.Name, "name")
	assert.NotEmpty(t, first.ID, "ID")
	assert.Equal(t, 4, first.MaxParticipants, "MaxParticipants")
	assert.Equal(t, first, again, "creating the room again must return the same room")
}

func testCreateRoomConcurrent(t *testing.T, h Harness) {
	p := h.New(t)
	ctx := callContext(t)
	name := roomName(t, "")

	rooms := make([]video.Room, concurrentCreates)
	errs := make([]error, concurrentCreates)
	var wg sync.WaitGroup
	for i := range rooms {
		wg.Go(func() { rooms[i], errs[i] = p.CreateRoom(ctx, name, video.RoomOptions{}) })
	}
	wg.Wait()

	for i, err := range errs {
		require.NoError(t, err, "create %d", i)
	}
	for i, r := range rooms {
		assert.Equal(t, name, r.Name, "name of create %d", i)
		assert.Equal(t, rooms[0].ID, r.ID, "create %d got another room", i)
	}
}

func testCreateRoomEmptyName(t *testing.T, h Harness) {
	p := h.New(t)

	_, err := p.CreateRoom(callContext(t), "", video.RoomOptions{})

	assert.ErrorIs(t, err, video.ErrInvalid)
}

func testJoinToken(t *testing.T, h Harness) {
	p := h.New(t)
	ctx := callContext(t)
	name := roomName(t, "")
	createRoom(t, p, name)
	validUntil := h.Now().Add(tokenValidity)

	g, err := p.JoinToken(ctx, name, anna, validUntil)
	require.NoError(t, err)
	other, err := p.JoinToken(ctx, name, bob, validUntil)
	require.NoError(t, err)

	assert.Equal(t, name, g.Room, "room")
	assert.Equal(t, anna.Identity, g.Identity, "identity")
	assert.NotEmpty(t, g.Token, "token")
	assert.Equal(t, bob.Identity, other.Identity, "identity of the second grant")
	assert.NotEqual(t, g.Token, other.Token, "two participants got the same token")
	assert.False(t, g.ExpiresAt.After(validUntil),
		"ExpiresAt %s is after the validUntil asked for, %s", g.ExpiresAt, validUntil)
	assert.True(t, g.ExpiresAt.After(validUntil.Add(-expiryRounding)),
		"ExpiresAt %s is more than %s before the validUntil asked for, %s", g.ExpiresAt, expiryRounding, validUntil)
	assert.True(t, g.ExpiresAt.After(h.Now()), "ExpiresAt %s is not in the future", g.ExpiresAt)
}

func testJoinTokenUnknownRoom(t *testing.T, h Harness) {
	p := h.New(t)

	_, err := p.JoinToken(callContext(t), roomName(t, "never-created"), anna, h.Now().Add(tokenValidity))

	assert.ErrorIs(t, err, video.ErrRoomNotFound)
}

func testJoinTokenInvalid(t *testing.T, h Harness) {
	p := h.New(t)
	name := roomName(t, "")
	createRoom(t, p, name)
	tests := []struct {
		name       string
		p          video.Participant
		validUntil func() time.Time
	}{
		{"EmptyIdentity", video.Participant{Name: "Anna Schmidt"}, func() time.Time { return h.Now().Add(tokenValidity) }},
		{"ValidUntilInThePast", anna, func() time.Time { return h.Now().Add(-time.Minute) }},
		{"ValidUntilNow", anna, h.Now},
		{"ZeroValidUntil", anna, func() time.Time { return time.Time{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.JoinToken(callContext(t), name, tt.p, tt.validUntil())

			assert.ErrorIs(t, err, video.ErrInvalid)
		})
	}
}

func testEndRoom(t *testing.T, h Harness) {
	p := h.New(t)
	ctx := callContext(t)
	name := roomName(t, "")
	createRoom(t, p, name)

	require.NoError(t, p.EndRoom(ctx, name))
	_, err := p.JoinToken(ctx, name, anna, h.Now().Add(tokenValidity))

	assert.ErrorIs(t, err, video.ErrRoomEnded)
}

func testEndRoomTwice(t *testing.T, h Harness) {
	p := h.New(t)
	ctx := callContext(t)
	name := roomName(t, "")
	createRoom(t, p, name)

	require.NoError(t, p.EndRoom(ctx, name))
	assert.NoError(t, p.EndRoom(ctx, name), "ending an ended room must return nil")
}

func testEndRoomUnknown(t *testing.T, h Harness) {
	p := h.New(t)

	err := p.EndRoom(callContext(t), roomName(t, "never-created"))

	assert.ErrorIs(t, err, video.ErrRoomNotFound)
}

func testCreateRoomAfterEnd(t *testing.T, h Harness) {
	p := h.New(t)
	ctx := callContext(t)
	name := roomName(t, "")
	createRoom(t, p, name)
	require.NoError(t, p.EndRoom(ctx, name))

	_, err := p.CreateRoom(ctx, name, video.RoomOptions{})

	assert.ErrorIs(t, err, video.ErrRoomEnded)
}

func testRoomsAreIndependent(t *testing.T, h Harness) {
	p := h.New(t)
	ctx := callContext(t)
	ended, open := roomName(t, "ended"), roomName(t, "open")
	endedRoom := createRoom(t, p, ended)
	openRoom := createRoom(t, p, open)

	require.NoError(t, p.EndRoom(ctx, ended))
	g, err := p.JoinToken(ctx, open, anna, h.Now().Add(tokenValidity))

	assert.NotEqual(t, endedRoom.ID, openRoom.ID, "two rooms share an ID")
	if assert.NoError(t, err, "ending another room ended this one") {
		assert.Equal(t, open, g.Room)
	}
	again, err := p.CreateRoom(ctx, open, video.RoomOptions{})
	if assert.NoError(t, err) {
		assert.Equal(t, openRoom.ID, again.ID)
	}
}

func testCancelledContext(t *testing.T, h Harness) {
	p := h.New(t)
	live := callContext(t)
	existing := roomName(t, "existing")
	createRoom(t, p, existing)
	fresh := roomName(t, "fresh")
	cancelled, cancel := context.WithCancel(live)
	cancel()

	_, err := p.CreateRoom(cancelled, fresh, video.RoomOptions{})
	assert.ErrorIs(t, err, context.Canceled, "CreateRoom")
	_, err = p.JoinToken(cancelled, existing, anna, h.Now().Add(tokenValidity))
	assert.ErrorIs(t, err, context.Canceled, "JoinToken")
	err = p.EndRoom(cancelled, existing)
	assert.ErrorIs(t, err, context.Canceled, "EndRoom")

	// The cancelled calls did nothing.
	_, err = p.JoinToken(live, fresh, anna, h.Now().Add(tokenValidity))
	assert.ErrorIs(t, err, video.ErrRoomNotFound, "CreateRoom with a cancelled ctx created the room")
	_, err = p.JoinToken(live, existing, anna, h.Now().Add(tokenValidity))
	assert.NoError(t, err, "EndRoom with a cancelled ctx ended the room")
}
