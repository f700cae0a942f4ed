// Package twilioapi holds what the Twilio adapters (notify/twiliosms, video/twiliovideo) share:
// the checks of credentials and SIDs, a twilio-go client whose requests run under the caller's
// context, and the signature check of Twilio's callbacks.
//
// # Contexts
//
// twilio-go's calls take no context; [HTTP.Handler] gives each call a client whose transport
// puts the caller's context on every request, so cancelling it aborts the request.
//
// # Callbacks
//
// [Callbacks.Params] checks a callback's method, size and X-Twilio-Signature against the
// public URL Twilio was given, and answers a bad one itself.
package twilioapi
