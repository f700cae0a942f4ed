package notify

import (
	"fmt"
	"slices"
)

// Event names something that happened which people are told about, such as "ticket.assigned".
type Event string

// The event catalogue of the helpdesk (docs/concepts.md, "Notifications").
const (
	TicketRequested          Event = "ticket.requested"
	TicketOffered            Event = "ticket.offered"
	TicketAssigned           Event = "ticket.assigned"
	TicketAccepted           Event = "ticket.accepted"
	TicketDone               Event = "ticket.done"
	TicketCreatedForCustomer Event = "ticket.created_for_customer"
	TicketRejected           Event = "ticket.rejected"
	TicketClosed             Event = "ticket.closed"
	TicketAutoClosed         Event = "ticket.auto_closed"
	CommentAdded             Event = "comment.added"
	SessionRequested         Event = "session.requested"
	SessionConfirmed         Event = "session.confirmed"
	InvitationSent           Event = "invitation.sent"
	InvitationRefused        Event = "invitation.refused"
	InvitationExpired        Event = "invitation.expired"
	InvitationReminder       Event = "invitation.reminder"
	SessionStarted           Event = "session.started"
	SessionCompleted         Event = "session.completed"
	EscalationRefused        Event = "escalation.refused"
	EscalationExpired        Event = "escalation.expired"
	EscalationUnaccepted     Event = "escalation.unaccepted"
	EscalationCompleted      Event = "escalation.completed"
	UserInvited              Event = "user.invited"
	UserRegistered           Event = "user.registered"
	PasswordReset            Event = "password.reset"
	RequestLinkSent          Event = "request_link.sent"
	WebhookDisabled          Event = "webhook.disabled"
)

// Party is a kind of recipient, resolved against the ticket or user an event concerns.
type Party string

// The parties events are sent to.
const (
	// Requester is the person who asked for help: the ticket's requester contact, or the
	// customer user who opened it.
	Requester Party = "requester"
	// Agent is the employee the ticket is assigned to.
	Agent Party = "agent"
	// InvitingAgent is the employee who invited the requester to a video session.
	InvitingAgent Party = "inviting_agent"
	// Supervisor is the supervisor of the tenant's default group.
	Supervisor Party = "supervisor"
	// Offered is each employee offered the ticket: the members of the ticket's team.
	Offered Party = "offered"
	// CustomerAdmins are the active customer_admin users of the ticket's customer.
	CustomerAdmins Party = "customer"
	// OtherParty is the other side of a comment: the requester for a comment by staff; the
	// agent (or, while nobody is assigned, the default-group supervisor) for the requester's.
	OtherParty Party = "other_party"
	// User is the user an account event concerns.
	User Party = "user"
	// Contact is the named contact staff sent a request link to.
	Contact Party = "contact"
	// Admins are the tenant's active admins.
	Admins Party = "admins"
)

// Spec describes one event of the catalogue.
type Spec struct {
	Event Event
	// To are the default recipients.
	To []Party
	// Channels are the channels the event is sent on unless a tenant switches them.
	Channels []Channel
	// Tags are the tags with a value for this event; a template may use any tag of the
	// catalogue, and tags without a value render empty.
	Tags []Tag
	// Description says when the event happens.
	Description string
}

// Every event has default templates for e-mail, in-app and push; SMS is on by default only
// where a requester is waiting for something timely, since every message costs money.
var (
	mailAndApp = []Channel{Email, InApp, Push}
	withSMS    = []Channel{Email, SMS, InApp, Push}
)

var ticketTags = []Tag{TagRequestLink, TagTicketRef, TagTicketID, TagTitle, TagDescription, TagPriority,
	TagRequester, TagDate, TagTime, TagSupportLink, TagTicketLink, TagManagerName, TagRecipientName}

func tags(extra ...Tag) []Tag { return append(slices.Clone(ticketTags), extra...) }

var sessionTags = []Tag{TagPlanningDate, TagAcceptLink, TagRefuseLink}

var catalogue = []Spec{
	{TicketRequested, []Party{Supervisor}, mailAndApp, tags(), "a ticket was submitted and waits in the default group"},
	{TicketOffered, []Party{Offered}, mailAndApp, tags(), "a ticket was offered to the employees of its team"},
	{TicketAssigned, []Party{Agent}, mailAndApp, tags(TagClosureReason), "a ticket was assigned or re-assigned to an agent"},
	{TicketAccepted, []Party{Requester}, withSMS, tags(), "an employee took on the requester's ticket"},
	{TicketDone, []Party{Requester}, mailAndApp, tags(), "the work is finished; the requester is asked for a rating"},
	{TicketCreatedForCustomer, []Party{CustomerAdmins}, mailAndApp, tags(), "an employee opened a ticket on a customer's behalf"},
	{TicketRejected, []Party{Requester}, mailAndApp, tags(TagClosureReason), "support rejected the ticket, with a reason"},
	{TicketClosed, []Party{Requester}, mailAndApp, tags(TagClosureReason), "the ticket was closed, with a reason"},
	{TicketAutoClosed, []Party{Requester}, mailAndApp, tags(TagClosureReason), "the ticket was closed automatically after its expiration time"},
	{CommentAdded, []Party{OtherParty}, mailAndApp, tags(TagComment), "a public message was posted on the ticket"},
	{SessionRequested, []Party{Supervisor}, mailAndApp, tags(sessionTags...), "a requester asked for a video session"},
	{SessionConfirmed, []Party{Requester}, withSMS, tags(sessionTags...), "staff confirmed the requested video session"},
	{InvitationSent, []Party{Requester}, withSMS, tags(sessionTags...), "the requester was invited to a video session, now or at a planned time"},
	{InvitationRefused, []Party{InvitingAgent}, mailAndApp, tags(sessionTags...), "the requester refused the proposed time"},
	{InvitationExpired, []Party{InvitingAgent}, mailAndApp, tags(sessionTags...), "nobody answered the invitation in time"},
	{InvitationReminder, []Party{Requester, Agent}, withSMS, tags(sessionTags...), "a planned video session starts soon"},
	{SessionStarted, []Party{Requester}, mailAndApp, tags(sessionTags...), "the video session started"},
	{SessionCompleted, []Party{Agent}, mailAndApp, tags(sessionTags...), "the video session ended"},
	{EscalationRefused, []Party{Supervisor}, mailAndApp, tags(sessionTags...), "a refused invitation was not followed up in time"},
	{EscalationExpired, []Party{Supervisor}, mailAndApp, tags(sessionTags...), "an expired invitation was not followed up in time"},
	{EscalationUnaccepted, []Party{Supervisor}, mailAndApp, tags(), "nobody accepted the ticket's offer in time"},
	{EscalationCompleted, []Party{Supervisor, Agent}, mailAndApp, tags(sessionTags...), "a finished ticket or session was not closed in time"},
	{UserInvited, []Party{User}, []Channel{Email}, []Tag{TagAccountLink, TagRecipientName, TagSupportLink, TagDate, TagTime}, "a user was invited; the link sets their password"},
	{UserRegistered, []Party{User}, []Channel{Email}, []Tag{TagAccountLink, TagRecipientName, TagSupportLink, TagDate, TagTime}, "a person registered; the link confirms the address and sets the password"},
	{PasswordReset, []Party{User}, []Channel{Email}, []Tag{TagAccountLink, TagRecipientName, TagSupportLink, TagDate, TagTime}, "a password reset was requested; the link sets a new password"},
	{RequestLinkSent, []Party{Contact}, []Channel{Email}, []Tag{TagFormLink, TagDeviceName, TagRecipientName, TagSupportLink, TagDate, TagTime}, "staff sent a named contact a request link to open a ticket for a device"},
	{WebhookDisabled, []Party{Admins}, mailAndApp, []Tag{TagWebhookURL, TagWebhookReason, TagWebhookLink, TagRecipientName, TagSupportLink, TagDate, TagTime}, "a webhook endpoint was switched off after a run of failed deliveries"},
}

// Catalogue returns every event's Spec, in catalogue order. The result is a copy.
func Catalogue() []Spec {
	out := make([]Spec, len(catalogue))
	for i, s := range catalogue {
		s.To, s.Channels, s.Tags = slices.Clone(s.To), slices.Clone(s.Channels), slices.Clone(s.Tags)
		out[i] = s
	}
	return out
}

// Events returns every event of the catalogue, in catalogue order.
func Events() []Event {
	out := make([]Event, len(catalogue))
	for i, s := range catalogue {
		out[i] = s.Event
	}
	return out
}

// Lookup returns the Spec of ev and whether ev is in the catalogue.
func Lookup(ev Event) (Spec, bool) {
	for _, s := range catalogue {
		if s.Event == ev {
			s.To, s.Channels, s.Tags = slices.Clone(s.To), slices.Clone(s.Channels), slices.Clone(s.Tags)
			return s, true
		}
	}
	return Spec{}, false
}

// Valid reports whether ev is in the catalogue.
func (ev Event) Valid() bool {
	_, ok := Lookup(ev)
	return ok
}

// Switches turn events on or off per channel for one tenant. An event and channel it does not
// name keep the catalogue's default: on for the channels of the event's Spec, off for others.
type Switches map[Event]map[Channel]bool

// On reports whether ev is sent on ch under s.
func (s Switches) On(ev Event, ch Channel) bool {
	if on, ok := s[ev][ch]; ok {
		return on
	}
	spec, ok := Lookup(ev)
	return ok && slices.Contains(spec.Channels, ch)
}

// Set switches ev on ch on or off, allocating as needed, and returns s.
func (s Switches) Set(ev Event, ch Channel, on bool) Switches {
	if s == nil {
		s = Switches{}
	}
	if s[ev] == nil {
		s[ev] = map[Channel]bool{}
	}
	s[ev][ch] = on
	return s
}

// Check returns an error naming the first event outside the catalogue or channel that is not
// one.
func (s Switches) Check() error {
	for ev, chans := range s {
		if !ev.Valid() {
			return fmt.Errorf("notify: %q is not an event of the catalogue", ev)
		}
		for ch := range chans {
			if !ch.Valid() {
				return fmt.Errorf("notify: %q is not a channel", ch)
			}
		}
	}
	return nil
}
