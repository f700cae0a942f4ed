// Package twiliovideo implements video.Provider on Twilio Programmable Video and turns Twilio's
// room status callbacks into video.Events.
//
// # Rooms and tokens
//
// A [Provider] is built with [New] from a [Config]: the account SID, an API key (SID and
// secret: Twilio accepts only API keys as signers of access tokens), optionally the auth token
// for the REST requests, the public URL of the status callback and the room type ("group").
// [Provider.CreateRoom] creates a room with the caller's name as Twilio's unique name and
// returns Twilio's room SID as the Room's ID; [Provider.JoinToken] mints an access token with
// a video grant for that room, valid until the time asked (at most 24 hours, Twilio's limit);
// [Provider.EndRoom] completes the room, which disconnects everyone.
//
// Only the packages twilio-go/client, twilio-go/client/jwt and twilio-go/rest/video/v1 are
// used, not the twilio-go root package, which would compile every Twilio product API into the
// program.
//
// # Unique names at Twilio
//
// Twilio keeps a room's unique name unique only while the room is in progress, addresses a
// room by its name only while it is in progress, and happily creates a new room under the
// name of a completed one. The video port asks more: an ended room stays ended. So the
// Provider looks a room up by name first and, when Twilio does not find it in progress,
// asks for completed rooms of that name: CreateRoom then refuses with video.ErrRoomEnded
// instead of opening a second room, JoinToken reports video.ErrRoomEnded rather than
// video.ErrRoomNotFound, and EndRoom of a completed room returns nil. This holds as long as
// Twilio lists the completed room.
//
// Room names are limited to ASCII letters, digits, '-' and '_': Twilio cannot address a room
// whose name needs escaping in a URL, and twilio-go deletes every "." followed by digits from
// query strings, which would hide a dotted name from the search for completed rooms. Other
// names are video.ErrInvalid for CreateRoom and video.ErrRoomNotFound for the other methods.
//
// # Contexts and errors
//
// twilio-go's calls take no context; each call of the Provider runs its HTTP requests
// through an http.Client whose Transport attaches the call's ctx, so a deadline or
// cancellation aborts the request itself. Config.HTTPClient's Timeout bounds each request
// as well.
//
// Twilio refusals map onto the port's errors: 404 (code 20404) is video.ErrRoomNotFound, 400
// is video.ErrInvalid with Twilio's message, and code 53113 (an in-progress room has the
// name) makes CreateRoom return that room. Other refusals (authentication, rate limits,
// outages) are returned wrapped; errors.As with a *client.TwilioRestError (package
// github.com/twilio/twilio-go/client) gives Twilio's code, status and message.
//
// # Room status callbacks
//
// When Config.StatusCallback is set, Twilio posts each room's events to it. Serve that URL with
// [StatusHandler], giving it the same public URL, the account's auth token (Twilio signs
// every callback with it) and a video.EventSink, normally the helpdesk Desk:
//
//	mux.Handle("POST /twilio/video-status", twiliovideo.StatusHandler(authToken,
//		"https://desk.example.com/twilio/video-status", desk))
//
// The handler rejects callbacks without a valid X-Twilio-Signature (403), reports room
// creation, participants connecting and disconnecting and the room's end, and ignores track
// and recording events. A sink error answers 500, so that Twilio retries the callback.
package twiliovideo
