package videotest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/video"
	"github.com/deskkit/helpdesk/video/videotest"
)

// joinCall stands in for the code under test: it opens the session's room, if need be, and
// returns the participant's join token.
func joinCall(ctx context.Context, p video.Provider, session, identity string) (string, error) {
	room := "session-" + session
	if _, err := p.CreateRoom(ctx, room, video.RoomOptions{MaxParticipants: 2}); err != nil {
		return "", err
	}
	g, err := p.JoinToken(ctx, room, video.Participant{Identity: identity}, time.Now().Add(time.Hour))
	if err != nil {
		return "", err
	}
	return g.Token, nil
}

func ExampleFake() {
	ctx := context.Background()
	fake := videotest.NewFake()

	_, _ = joinCall(ctx, fake, "42", "employee-anna")
	_, _ = joinCall(ctx, fake, "42", "customer-bob")
	_ = fake.EndRoom(ctx, "session-42")
	_, err := joinCall(ctx, fake, "42", "customer-bob")

	fmt.Println("after the end:", errors.Is(err, video.ErrRoomEnded))
	fmt.Println("rooms:", len(fake.Rooms()), "ended:", fake.Ended("session-42"))
	for _, g := range fake.Grants() {
		fmt.Println(g.Identity, g.Token)
	}
	// Output:
	// after the end: true
	// rooms: 1 ended: true
	// employee-anna fake:session-42:employee-anna:1
	// customer-bob fake:session-42:customer-bob:2
}

func ExampleFake_FailNext() {
	ctx := context.Background()
	fake := videotest.NewFake()
	fake.FailNext(errors.New("provider unavailable"))

	_, err := joinCall(ctx, fake, "7", "customer-bob")
	fmt.Println("first try:", err)
	token, err := joinCall(ctx, fake, "7", "customer-bob")
	fmt.Println("retry:", token, err)
	// Output:
	// first try: provider unavailable
	// retry: fake:session-7:customer-bob:1 <nil>
}
