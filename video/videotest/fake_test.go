package videotest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/videotest"
)

func TestFake(t *testing.T) {
	t.Run("RoomsInCreationOrder", func(t *testing.T) {
		f := videotest.NewFake()
		for _, name := range []string{"b", "a", "c"} {
			_, err := f.CreateRoom(t.Context(), name, video.RoomOptions{MaxParticipants: 2})
			require.NoError(t, err)
		}
		_, err := f.CreateRoom(t.Context(), "a", video.RoomOptions{MaxParticipants: 9})
		require.NoError(t, err)

		assert.Equal(t, []video.Room{
			{Name: "b", ID: "RM00000000000000000000000000000001", MaxParticipants: 2},
			{Name: "a", ID: "RM00000000000000000000000000000002", MaxParticipants: 2},
			{Name: "c", ID: "RM00000000000000000000000000000003", MaxParticipants: 2},
		}, f.Rooms(), "an existing room keeps its options")
	})

	t.Run("RoomAndEnded", func(t *testing.T) {
		f := videotest.NewFake()
		created, err := f.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
		require.NoError(t, err)

		r, ok := f.Room("session-1")
		assert.True(t, ok)
		assert.Equal(t, created, r)
		assert.False(t, f.Ended("session-1"))
		_, ok = f.Room("session-2")
		assert.False(t, ok)
		assert.False(t, f.Ended("session-2"), "an unknown room has not ended")

		require.NoError(t, f.EndRoom(t.Context(), "session-1"))
		assert.True(t, f.Ended("session-1"))
		r, ok = f.Room("session-1")
		assert.True(t, ok, "an ended room is still known")
		assert.Equal(t, created, r)
	})

	t.Run("Grants", func(t *testing.T) {
		f := videotest.NewFake()
		_, err := f.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
		require.NoError(t, err)
		until := time.Now().Add(time.Hour)

		g1, err := f.JoinToken(t.Context(), "session-1", video.Participant{Identity: "anna"}, until)
		require.NoError(t, err)
		g2, err := f.JoinToken(t.Context(), "session-1", video.Participant{Identity: "bob"}, until.Add(time.Minute))
		require.NoError(t, err)
		_, err = f.JoinToken(t.Context(), "session-2", video.Participant{Identity: "bob"}, until)
		require.ErrorIs(t, err, video.ErrRoomNotFound)

		assert.Equal(t, video.Grant{Room: "session-1", Identity: "anna", Token: "fake:session-1:anna:1", ExpiresAt: until}, g1)
		assert.Equal(t, video.Grant{Room: "session-1", Identity: "bob", Token: "fake:session-1:bob:2", ExpiresAt: until.Add(time.Minute)}, g2)
		assert.Equal(t, []video.Grant{g1, g2}, f.Grants(), "refused grants are not listed")
	})

	t.Run("KeepsCopies", func(t *testing.T) {
		f := videotest.NewFake()
		_, err := f.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
		require.NoError(t, err)
		_, err = f.JoinToken(t.Context(), "session-1", video.Participant{Identity: "anna"}, time.Now().Add(time.Hour))
		require.NoError(t, err)

		f.Rooms()[0].Name = "changed"
		f.Grants()[0].Token = "changed"

		assert.Equal(t, "session-1", f.Rooms()[0].Name)
		assert.Equal(t, "fake:session-1:anna:1", f.Grants()[0].Token)
	})

	t.Run("FailNext", func(t *testing.T) {
		f := videotest.NewFake()
		errA := errors.New("a")
		errB := fmt.Errorf("twilio says no: %w", video.ErrRoomEnded)
		f.FailNext(errA)
		f.FailNext(errB)

		_, err := f.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
		assert.ErrorIs(t, err, errA)
		err = f.EndRoom(t.Context(), "session-1")
		assert.ErrorIs(t, err, errB)
		assert.Empty(t, f.Rooms(), "a failed create creates nothing")
		_, err = f.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
		assert.NoError(t, err, "the queue is empty again")
	})

	t.Run("FailNextKeptForDoneContext", func(t *testing.T) {
		f := videotest.NewFake()
		errA := errors.New("a")
		f.FailNext(errA)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()

		_, err := f.CreateRoom(ctx, "session-1", video.RoomOptions{})
		assert.ErrorIs(t, err, context.Canceled)
		_, err = f.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
		assert.ErrorIs(t, err, errA)
	})

	t.Run("SetNow", func(t *testing.T) {
		f := videotest.NewFake()
		_, err := f.CreateRoom(t.Context(), "session-1", video.RoomOptions{})
		require.NoError(t, err)
		past := time.Date(2020, 1, 1, 12, 0, 0, 0, time.UTC)
		anna := video.Participant{Identity: "anna"}

		_, err = f.JoinToken(t.Context(), "session-1", anna, past.Add(time.Minute))
		assert.ErrorIs(t, err, video.ErrInvalid, "on the real clock, 2020 is past")
		f.SetNow(func() time.Time { return past })
		_, err = f.JoinToken(t.Context(), "session-1", anna, past.Add(time.Minute))
		assert.NoError(t, err, "on the fake clock, a minute later is future")
		f.SetNow(nil)
		_, err = f.JoinToken(t.Context(), "session-1", anna, past.Add(time.Minute))
		assert.ErrorIs(t, err, video.ErrInvalid, "nil restores the real clock")
	})

	t.Run("Invalid", func(t *testing.T) {
		f := videotest.NewFake()
		tests := []struct {
			name string
			call func() error
		}{
			{"BlankName", func() error {
				_, err := f.CreateRoom(t.Context(), "  ", video.RoomOptions{})
				return err
			}},
			{"NegativeMaxParticipants", func() error {
				_, err := f.CreateRoom(t.Context(), "session-1", video.RoomOptions{MaxParticipants: -1})
				return err
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				assert.ErrorIs(t, tt.call(), video.ErrInvalid)
			})
		}
		assert.Empty(t, f.Rooms())
	})

	t.Run("ConcurrentUse", func(t *testing.T) {
		f := videotest.NewFake()
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				name := fmt.Sprintf("session-%d", i%4)
				if _, err := f.CreateRoom(t.Context(), name, video.RoomOptions{}); err != nil {
					t.Error(err)
					return
				}
				if _, err := f.JoinToken(t.Context(), name, video.Participant{Identity: fmt.Sprint("p", i)}, time.Now().Add(time.Hour)); err != nil {
					t.Error(err)
				}
				_ = f.Rooms()
				_ = f.Grants()
			})
		}
		wg.Wait()

		assert.Len(t, f.Rooms(), 4)
		assert.Len(t, f.Grants(), 16)
	})
}
