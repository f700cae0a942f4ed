package video_test

import (
	"context"
	"fmt"

	"github.com/deskkit/helpdesk/video"
)

// An EventSink receives what a provider's callbacks report; helpdesk.Desk is one. Here a
// function prints the events a call produces.
func ExampleEventSinkFunc() {
	sink := video.EventSinkFunc(func(_ context.Context, e video.Event) error {
		fmt.Println(e.Kind, e.Room, e.Participant)
		return nil
	})
	ctx := context.Background()
	for _, e := range []video.Event{
		{Kind: video.ParticipantJoined, Room: "session-1", Participant: "requester-7"},
		{Kind: video.RoomEnded, Room: "session-1"},
	} {
		if err := sink.HandleRoomEvent(ctx, e); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// participant_joined session-1 requester-7
	// room_ended session-1
}
