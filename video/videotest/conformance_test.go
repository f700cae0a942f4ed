package videotest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/videotest"
)

// clock is a fixed time, so that the suite and the Fake agree on "now" to the nanosecond.
var clock = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func TestRunProvider(t *testing.T) {
	t.Run("RealClock", func(t *testing.T) {
		videotest.RunProvider(t, videotest.Harness{
			New: func(*testing.T) video.Provider { return videotest.NewFake() },
		})
	})
	t.Run("FixedClock", func(t *testing.T) {
		now := func() time.Time { return clock }
		videotest.RunProvider(t, videotest.Harness{
			New: func(*testing.T) video.Provider {
				f := videotest.NewFake()
				f.SetNow(now)
				return f
			},
			Now: now,
		})
	})
	t.Run("SharedProvider", func(t *testing.T) {
		shared := videotest.NewFake()
		videotest.RunProvider(t, videotest.Harness{
			New: func(*testing.T) video.Provider { return shared },
		})
	})
}

// brokenProvider is a Fake with the defect mutant names; with no mutant it is correct.
type brokenProvider struct {
	f      *videotest.Fake
	mutant string

	mu      sync.Mutex
	creates int
}

func (b *brokenProvider) CreateRoom(ctx context.Context, name string, opts video.RoomOptions) (video.Room, error) {
	b.mu.Lock()
	b.creates++
	n := b.creates
	b.mu.Unlock()
	switch b.mutant {
	case "ignorectx":
		ctx = context.Background()
	case "ctxnotwrapped":
		if ctx.Err() != nil {
			return video.Room{}, errors.New("cancelled")
		}
	case "emptyname":
		if name == "" {
			return video.Room{Name: name, ID: "RM-empty"}, nil
		}
	case "ignoresmax":
		opts.MaxParticipants = 0
	case "existserr": // a second create of a live room is refused
		if _, ok := b.f.Room(name); ok && !b.f.Ended(name) {
			return video.Room{}, fmt.Errorf("room %q exists", name)
		}
	case "recreate": // a new room replaces an ended one
		if b.f.Ended(name) {
			return video.Room{Name: name, ID: fmt.Sprint("RM-new-", n)}, nil
		}
	}
	r, err := b.f.CreateRoom(ctx, name, opts)
	if b.mutant == "newid" && err == nil {
		r.ID = fmt.Sprint(r.ID, "-", n)
	}
	return r, err
}

func (b *brokenProvider) JoinToken(ctx context.Context, room string, p video.Participant, validUntil time.Time) (video.Grant, error) {
	switch b.mutant {
	case "ignorectx":
		ctx = context.Background()
	case "ctxnotwrapped":
		if ctx.Err() != nil {
			return video.Grant{}, errors.New("cancelled")
		}
	case "nopastcheck":
		if !validUntil.After(clock) {
			validUntil = clock.Add(time.Hour)
		}
	case "tokenhour": // always an hour, whatever was asked (Twilio's default TTL)
		validUntil = clock.Add(time.Hour)
	case "noidentitycheck":
		if p.Identity == "" {
			p.Identity = "anonymous"
		}
	}
	g, err := b.f.JoinToken(ctx, room, p, validUntil)
	switch b.mutant {
	case "tokenshort":
		g.ExpiresAt = clock.Add(time.Second)
	case "wrongidentity":
		g.Identity = p.Name
	case "sametoken":
		g.Token = "token-for-" + room
	case "notfoundnotwrapped":
		if errors.Is(err, video.ErrRoomNotFound) {
			err = errors.New("no such room")
		}
	case "endedasnotfound":
		if errors.Is(err, video.ErrRoomEnded) {
			err = fmt.Errorf("join: %w", video.ErrRoomNotFound)
		}
	}
	return g, err
}

func (b *brokenProvider) EndRoom(ctx context.Context, room string) error {
	switch b.mutant {
	case "ignorectx":
		ctx = context.Background()
	case "ctxnotwrapped":
		if ctx.Err() != nil {
			return errors.New("cancelled")
		}
	case "actsthencancels": // ends the room, then reports ctx's error
		err := b.f.EndRoom(context.Background(), room)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	case "endall":
		for _, r := range b.f.Rooms() {
			_ = b.f.EndRoom(ctx, r.Name)
		}
		return nil
	case "endendederr":
		if b.f.Ended(room) {
			return fmt.Errorf("end room: %w", video.ErrRoomEnded)
		}
	case "endunknownnil":
		if _, ok := b.f.Room(room); !ok {
			return nil
		}
	}
	return b.f.EndRoom(ctx, room)
}

// mutantHarness runs the suite against brokenProvider with mutant, on the fixed clock.
func mutantHarness(mutant string) videotest.Harness {
	now := func() time.Time { return clock }
	return videotest.Harness{
		New: func(*testing.T) video.Provider {
			f := videotest.NewFake()
			f.SetNow(now)
			return &brokenProvider{f: f, mutant: mutant}
		},
		Now: now,
	}
}

// mutantEnv names the broken provider TestMutantChild runs the suite against.
const mutantEnv = "HELPDESK_VIDEOTEST_MUTANT"

// TestMutantChild runs the suite against a broken provider in a child process started by
// TestSuiteCatchesBrokenProviders, which reads its verdict.
func TestMutantChild(t *testing.T) {
	mutant := os.Getenv(mutantEnv)
	if mutant == "" {
		t.Skip("run by TestSuiteCatchesBrokenProviders")
	}
	videotest.RunProvider(t, mutantHarness(mutant))
}

// TestSuiteCatchesBrokenProviders shows that each check of the suite fails for a provider
// with the defect it is there to catch.
func TestSuiteCatchesBrokenProviders(t *testing.T) {
	tests := []struct {
		mutant   string
		wantFail string
	}{
		{"newid", "CreateRoom"},
		{"ignoresmax", "CreateRoom"},
		{"existserr", "CreateRoomConcurrent"},
		{"emptyname", "CreateRoomEmptyName"},
		{"tokenhour", "JoinToken"},
		{"tokenshort", "JoinToken"},
		{"wrongidentity", "JoinToken"},
		{"sametoken", "JoinToken"},
		{"notfoundnotwrapped", "JoinTokenUnknownRoom"},
		{"nopastcheck", "JoinTokenInvalid"},
		{"noidentitycheck", "JoinTokenInvalid"},
		{"endedasnotfound", "EndRoom"},
		{"endendederr", "EndRoomTwice"},
		{"endunknownnil", "EndRoomUnknown"},
		{"recreate", "CreateRoomAfterEnd"},
		{"endall", "RoomsAreIndependent"},
		{"ignorectx", "CancelledContext"},
		{"ctxnotwrapped", "CancelledContext"},
		{"actsthencancels", "CancelledContext"},
	}
	for _, tt := range tests {
		t.Run(tt.mutant, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMutantChild$", "-test.v")
			cmd.Env = append(os.Environ(), mutantEnv+"="+tt.mutant)
			out, err := cmd.CombinedOutput()

			require.Error(t, err, "the suite passed a broken provider:\n%s", out)
			assert.Contains(t, string(out), "--- FAIL: TestMutantChild/"+tt.wantFail+" ",
				"the %s check should have failed:\n%s", tt.wantFail, out)
		})
	}
}

// The broken providers are broken only in what they are named for: without a mutant the
// wrapper passes, so each failure above is the mutant's doing.
func TestBrokenProviderWithoutMutantPasses(t *testing.T) {
	videotest.RunProvider(t, mutantHarness(""))
}
