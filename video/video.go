package video

import (
	"context"
	"errors"
	"time"
)

// Errors a Provider returns, possibly wrapped; test with errors.Is.
var (
	// ErrRoomNotFound means the provider has no room of that name (never created, or gone).
	ErrRoomNotFound = errors.New("video: room not found")
	// ErrRoomEnded means the room has ended: nobody can join it any more.
	ErrRoomEnded = errors.New("video: room ended")
	// ErrInvalid means the request itself is wrong (an empty name or identity, a validity in
	// the past): retrying it cannot help.
	ErrInvalid = errors.New("video: invalid request")
)

// RoomOptions shape a new room.
type RoomOptions struct {
	// MaxParticipants caps who may be in the room at once; 0 means the provider's default.
	MaxParticipants int
}

// Room is a video room at the provider.
type Room struct {
	// Name is the unique name the caller gave the room.
	Name string
	// ID is the provider's own identifier for it (Twilio's room SID).
	ID string
	// MaxParticipants is the cap the provider applies; 0 if it reports none.
	MaxParticipants int
}

// Participant is one person who may join a room.
type Participant struct {
	// Identity identifies the participant within the room; unique per room and stable, so the
	// provider's events name the same person the same way.
	Identity string
	// Name is the participant's display name.
	Name string
}

// Grant is what a participant's client needs to join a room.
type Grant struct {
	Room     string
	Identity string
	// Token is the provider's join credential (for Twilio, a signed access token).
	Token string
	// ExpiresAt is when the token stops admitting its holder.
	ExpiresAt time.Time
}

// Provider is the video port: rooms and join tokens. Implementations must be safe for
// concurrent use.
type Provider interface {
	// CreateRoom creates the room called name, or returns it if it exists and has not ended,
	// so that callers may retry and race safely. Returns ErrRoomEnded if a room of that name
	// has ended, ErrInvalid for an empty name.
	CreateRoom(ctx context.Context, name string, opts RoomOptions) (Room, error)
	// JoinToken mints a token for p to join room, valid until validUntil. Returns
	// ErrRoomNotFound or ErrRoomEnded when the room cannot be joined, ErrInvalid for an empty
	// identity or a validUntil that is not in the future.
	JoinToken(ctx context.Context, room string, p Participant, validUntil time.Time) (Grant, error)
	// EndRoom ends the room, disconnecting everyone. Ending a room that already ended returns
	// nil; returns ErrRoomNotFound if there is no such room.
	EndRoom(ctx context.Context, room string) error
}

// EventKind says what happened in a room.
type EventKind string

// The room events providers report.
const (
	// RoomStarted: the room exists at the provider.
	RoomStarted EventKind = "room_started"
	// ParticipantJoined: a participant connected.
	ParticipantJoined EventKind = "participant_joined"
	// ParticipantLeft: a participant disconnected.
	ParticipantLeft EventKind = "participant_left"
	// RoomEnded: the room ended (ended by the caller, emptied, or timed out).
	RoomEnded EventKind = "room_ended"
)

// Event is something that happened in a room, as a provider's callback reports it.
type Event struct {
	Kind EventKind
	// Room is the room's name (as given to CreateRoom).
	Room string
	// Participant is the identity of the participant who joined or left; empty otherwise.
	Participant string
	// At is when it happened, as the provider reports it (zero if it does not).
	At time.Time
}

// EventSink receives room events; helpdesk.Desk is one. HandleRoomEvent must be idempotent,
// since providers repeat callbacks they think were lost. An error makes the callback fail so
// the provider retries it.
type EventSink interface {
	HandleRoomEvent(ctx context.Context, e Event) error
}

// EventSinkFunc adapts a function to EventSink.
type EventSinkFunc func(ctx context.Context, e Event) error

// HandleRoomEvent calls f.
func (f EventSinkFunc) HandleRoomEvent(ctx context.Context, e Event) error { return f(ctx, e) }
