package videotest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/deskkit/helpdesk/video"
)

// Fake is an in-memory [video.Provider] for tests of code that runs video sessions. It keeps
// rooms by name and every grant it mints, contacts nobody, and passes [RunProvider]. Safe for
// concurrent use; the zero value is not ready, use [NewFake].
//
// A Fake reports no events by itself: a test that needs a participant to join or a room to
// end calls the code under test's [video.EventSink] (the helpdesk Desk's HandleRoomEvent)
// itself, with the room's name.
type Fake struct {
	mu     sync.Mutex
	now    func() time.Time
	rooms  map[string]*fakeRoom
	order  []string // room names in creation order
	grants []video.Grant
	fails  []error
}

type fakeRoom struct {
	room  video.Room
	ended bool
}

var _ video.Provider = (*Fake)(nil)

// NewFake returns a Fake without rooms whose clock is time.Now.
func NewFake() *Fake {
	return &Fake{now: time.Now, rooms: make(map[string]*fakeRoom)}
}

// SetNow sets the clock JoinToken judges validUntil by; nil restores time.Now. Give it the
// clock the code under test uses, so that a validity that is in the future for one is in the
// future for the other.
func (f *Fake) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// FailNext makes the next len(errs) calls of CreateRoom, JoinToken or EndRoom return errs, in
// order, after any failures already queued, without doing anything else. Wrap a
// [video.ErrRoomNotFound], [video.ErrRoomEnded] or [video.ErrInvalid] to simulate a refusal
// of that kind; a call whose ctx is already done returns ctx's error and leaves the queue as
// it is.
func (f *Fake) FailNext(errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, errs...)
}

// begin checks ctx and takes a queued failure; the caller holds f.mu.
func (f *Fake) begin(ctx context.Context, op, name string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("videotest: %s %q: %w", op, name, err)
	}
	if len(f.fails) > 0 {
		err := f.fails[0]
		f.fails = f.fails[1:]
		return err
	}
	return nil
}

// CreateRoom creates the room called name, with the ID "RM" followed by 32 hex digits
// counting the Fake's rooms from 1, the way Twilio's room SIDs look. If a room of that name
// exists and has not ended, it returns that room unchanged (opts are ignored then).
//
// Errors: [video.ErrInvalid] for a name that is empty or blank or a negative
// opts.MaxParticipants; [video.ErrRoomEnded] if the room of that name has ended; ctx's error,
// wrapped, if ctx is done; a failure queued with [Fake.FailNext].
func (f *Fake) CreateRoom(ctx context.Context, name string, opts video.RoomOptions) (video.Room, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "create room", name); err != nil {
		return video.Room{}, err
	}
	if strings.TrimSpace(name) == "" {
		return video.Room{}, fmt.Errorf("videotest: create room: empty name: %w", video.ErrInvalid)
	}
	if opts.MaxParticipants < 0 {
		return video.Room{}, fmt.Errorf("videotest: create room %q: MaxParticipants %d: %w",
			name, opts.MaxParticipants, video.ErrInvalid)
	}
	if r, ok := f.rooms[name]; ok {
		if r.ended {
			return video.Room{}, fmt.Errorf("videotest: create room %q: %w", name, video.ErrRoomEnded)
		}
		return r.room, nil
	}
	r := &fakeRoom{room: video.Room{
		Name:            name,
		ID:              fmt.Sprintf("RM%032x", len(f.order)+1),
		MaxParticipants: opts.MaxParticipants,
	}}
	f.rooms[name] = r
	f.order = append(f.order, name)
	return r.room, nil
}

// JoinToken mints a grant for p to join room, valid until validUntil exactly. Its Token is
// "fake:<room>:<identity>:<n>", n counting the Fake's grants from 1; [Fake.Grants] lists
// every grant minted.
//
// Errors: [video.ErrInvalid] for an empty or blank p.Identity or a validUntil that is not
// after the Fake's clock (see [Fake.SetNow]); [video.ErrRoomNotFound] if no room of that
// name was created; [video.ErrRoomEnded] if it has ended; ctx's error, wrapped, if ctx is
// done; a failure queued with [Fake.FailNext].
func (f *Fake) JoinToken(ctx context.Context, room string, p video.Participant, validUntil time.Time) (video.Grant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "join room", room); err != nil {
		return video.Grant{}, err
	}
	if strings.TrimSpace(p.Identity) == "" {
		return video.Grant{}, fmt.Errorf("videotest: join room %q: empty identity: %w", room, video.ErrInvalid)
	}
	if now := f.now(); !validUntil.After(now) {
		return video.Grant{}, fmt.Errorf("videotest: join room %q: valid until %s, not after now (%s): %w",
			room, validUntil.Format(time.RFC3339), now.Format(time.RFC3339), video.ErrInvalid)
	}
	r, ok := f.rooms[room]
	switch {
	case !ok:
		return video.Grant{}, fmt.Errorf("videotest: join room %q: %w", room, video.ErrRoomNotFound)
	case r.ended:
		return video.Grant{}, fmt.Errorf("videotest: join room %q: %w", room, video.ErrRoomEnded)
	}
	g := video.Grant{
		Room:      room,
		Identity:  p.Identity,
		Token:     fmt.Sprintf("fake:%s:%s:%d", room, p.Identity, len(f.grants)+1),
		ExpiresAt: validUntil,
	}
	f.grants = append(f.grants, g)
	return g, nil
}

// EndRoom marks the room ended: JoinToken and CreateRoom refuse it from then on. Ending a
// room that already ended returns nil.
//
// Errors: [video.ErrRoomNotFound] if no room of that name was created; ctx's error, wrapped,
// if ctx is done; a failure queued with [Fake.FailNext].
func (f *Fake) EndRoom(ctx context.Context, room string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin(ctx, "end room", room); err != nil {
		return err
	}
	r, ok := f.rooms[room]
	if !ok {
		return fmt.Errorf("videotest: end room %q: %w", room, video.ErrRoomNotFound)
	}
	r.ended = true
	return nil
}

// Rooms returns every room created, ended ones included, in the order they were created.
func (f *Fake) Rooms() []video.Room {
	f.mu.Lock()
	defer f.mu.Unlock()
	rooms := make([]video.Room, 0, len(f.order))
	for _, name := range f.order {
		rooms = append(rooms, f.rooms[name].room)
	}
	return rooms
}

// Room returns the room called name and whether it was created; it may have ended since
// (see [Fake.Ended]).
func (f *Fake) Room(name string) (video.Room, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.rooms[name]
	if !ok {
		return video.Room{}, false
	}
	return r.room, true
}

// Ended reports whether the room called name was created and has ended.
func (f *Fake) Ended(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.rooms[name]
	return ok && r.ended
}

// Grants returns every grant JoinToken minted, in order.
func (f *Fake) Grants() []video.Grant {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]video.Grant(nil), f.grants...)
}
