// Package video is the port for live video calls: a Provider creates rooms, mints a short-lived
// join token for each participant and ends rooms; an EventSink receives what the provider's
// callbacks report (a participant joined, the room ended), which drives a session's start and
// end.
//
// # Adapters
//
// video/twiliovideo implements Provider on Twilio Video and turns its room status callbacks
// into Events; video/videotest holds a fake Provider for tests and the conformance suite every
// adapter runs.
//
// # Rooms
//
// The helpdesk names one room per video session and creates it when the first participant asks
// to join, so CreateRoom is idempotent: callers racing to create the same room get the same
// one.
package video
