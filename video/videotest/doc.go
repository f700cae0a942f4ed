// Package videotest helps test code that runs video sessions, and tests video.Provider
// adapters.
//
// # A fake provider
//
// A [Fake] is an in-memory [video.Provider]: give it to the code under test in place of a
// real adapter (twiliovideo), then look at what it holds: [Fake.Rooms] and [Fake.Room] for the
// rooms created, [Fake.Ended] for the ones ended, [Fake.Grants] for every join token minted.
// [Fake.FailNext] makes the next calls fail, to test error handling, and [Fake.SetNow] gives
// it the clock the code under test uses, so that both agree on whether a token's validity
// is in the future.
//
// The Fake reports no room events. A test that needs a participant to join or a room to
// end calls the code under test's [video.EventSink] itself, as the adapter's callback
// handler would:
//
//	err := desk.HandleRoomEvent(ctx, video.Event{
//		Kind:        video.ParticipantJoined,
//		Room:        room.Name,
//		Participant: grant.Identity,
//	})
//
// # Conformance suite for adapters
//
// [RunProvider] checks that a Provider keeps the contract of [video.Provider]: CreateRoom is
// idempotent, also when callers race; join tokens name the room and the participant and
// expire when asked, not later; ended and unknown rooms are told apart with
// [video.ErrRoomEnded] and [video.ErrRoomNotFound]; ending an ended room succeeds; invalid
// requests are [video.ErrInvalid]; a cancelled ctx fails every method and changes nothing.
//
// The adapter's test supplies a [Harness]: a constructor returning the Provider, connected
// to a stand-in for the provider's API (an HTTP test server that speaks it) or, in an
// integration test, to a real account. Every check names its rooms uniquely
// ("vt-<check>-<random hex>"), so one account can run the suite again and again.
//
//	func TestConformance(t *testing.T) {
//		videotest.RunProvider(t, videotest.Harness{
//			New: func(t *testing.T) video.Provider {
//				api := startFakeTwilioVideo(t)
//				p, err := twiliovideo.New(twiliovideo.Config{…, HTTPClient: api.Client()})
//				require.NoError(t, err)
//				return p
//			},
//		})
//	}
//
// Each check is a subtest named for what it checks (CreateRoom, JoinTokenUnknownRoom,
// CancelledContext, …), so a failure says which part of the contract is broken. The suite's
// own tests run it against deliberately broken providers and show that each check fails for
// the defect it is there to catch.
package videotest
