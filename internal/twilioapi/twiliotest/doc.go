// Package twiliotest holds what the tests of the project's Twilio adapters (notify/twiliosms,
// video/twiliovideo) share: a client that sends twilio-go's requests to a stand-in server
// (twilio-go has no base-URL option), Twilio's error answers, and status callbacks signed the
// way Twilio signs them.
package twiliotest
