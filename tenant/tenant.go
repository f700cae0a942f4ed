package tenant

import (
	"time"

	"github.com/deskkit/helpdesk/notify"

	"github.com/google/uuid"
)

// Tenant is a platform operator: the support company that owns customers, devices, templates,
// codes and tickets. Every stored record belongs to exactly one Tenant, and every query is scoped
// by its ID.
type Tenant struct {
	ID uuid.UUID
	// Name is the operator's display name.
	Name string
	// Language is the tenant's default language (a BCP 47 tag such as "en" or "de"); notifications
	// fall back to it when a recipient has none.
	Language string
	// TicketPrefix starts every human ticket reference, as in "T-000123". Defaults to "T".
	TicketPrefix string
	// DefaultTeamID is the tenant's default group: the team new requests go to. The first team
	// created becomes it; uuid.Nil only while the tenant has no team.
	DefaultTeamID uuid.UUID
	// Settings are the tenant's switches and durations.
	Settings  Settings
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version is incremented by every stored update; an update carrying a stale Version fails
	// with storage.ErrConflict.
	Version int64
}

// Customer is a corporate customer: a sub-tenant of one operator that owns devices and whose
// employees may use a slimmed back office for them.
type Customer struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Name     string
	// Language is the customer's preferred language; empty means the tenant's.
	Language string
	// ProjectID optionally files the customer under a project; uuid.Nil means none.
	ProjectID uuid.UUID
	// DepartmentID optionally names the operator's department (branch) that serves the customer.
	DepartmentID uuid.UUID
	// SupportUntil is the end of the customer's support plan; nil means no expiry.
	SupportUntil *time.Time
	// SignupDomains are the e-mail domains ("northwind.example") whose owners may register
	// themselves as this customer's users, while the tenant allows self-registration.
	SignupDomains []string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64
}

// Department is a branch of an operator.
type Department struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Project groups customers and tickets under one engagement.
type Project struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Name     string
	// CustomerID optionally ties the project to one customer; uuid.Nil means operator-wide.
	CustomerID uuid.UUID
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int64
}

// DefaultPublicAccessDays is how long a requester link keeps working after its ticket closed,
// when Settings.PublicAccessDays is zero.
const DefaultPublicAccessDays = 30

// DefaultNotificationRetentionDays is how long the Desk's housekeeping keeps a finished
// notification when Settings.NotificationRetentionDays is zero; MaxNotificationRetentionDays
// is the longest a tenant may choose.
const (
	DefaultNotificationRetentionDays = 90
	MaxNotificationRetentionDays     = 3650
)

// Settings are a tenant's switches and durations. The zero value is a working configuration.
type Settings struct {
	// SelfRegistration lets people register themselves as users of the customer whose
	// SignupDomains hold their e-mail domain. Off by default: users join by invitation.
	SelfRegistration bool
	// PublicAccessDays is how many days after its ticket closed a requester link keeps
	// working. Defaults to DefaultPublicAccessDays.
	PublicAccessDays int
	// NotificationRetentionDays is how many days the notification log keeps a notification
	// once it is finished (sent, delivered or failed), counted from its creation; then the
	// Desk's housekeeping deletes it. Pending notifications and unread in-app ones (the
	// bell's) are kept whatever their age. 1 to MaxNotificationRetentionDays; 0 means
	// DefaultNotificationRetentionDays.
	NotificationRetentionDays int
	// Notifications switch events on or off per channel; what it does not name keeps the
	// catalogue's default (notify.Spec.Channels).
	Notifications notify.Switches
	// SupportLink is the link notifications offer to reach support ({{.support_link}});
	// empty means the Desk's base URL.
	SupportLink string
	// Offer says what requesters may start and how staff invite them; nil means DefaultOffer.
	Offer *Offer
	// Durations time the automatic steps of a case (escalations, expiries, auto-closing);
	// each zero field keeps its default.
	Durations Durations
	// Quotas cap what requesters may open, store and ask for, so that a code or a requester
	// link cannot flood the tenant; each zero field keeps its default.
	Quotas Quotas
	// Form configures the public request form: who may open tickets from a device's page, its
	// texts, type list, links, branding and report template.
	Form RequestForm
}

// DefaultMaxMedia is how many photos and videos a requester may upload to one ticket when
// Offer.MaxMedia is zero.
const DefaultMaxMedia = 10

// Offer is the assistance a tenant offers (docs/concepts.md, "Video session lifecycle"): what a
// requester may start, and how staff may invite. With both ContactAgent and MediaUpload on, a
// requester may ask for a call first and send media while no agent answers.
type Offer struct {
	// ContactAgent lets a requester ask for a live video call.
	ContactAgent bool
	// MediaUpload lets a requester upload photos and videos, at most MaxMedia per ticket.
	MediaUpload bool
	// MaxMedia caps the uploads per ticket. Defaults to DefaultMaxMedia.
	MaxMedia int
	// Conference lets several employees (experts) join one call; without it a call has the
	// session's agent and the requester only.
	Conference bool
	// Planning lets staff propose a time for a call; without it, invitations are immediate.
	Planning bool
	// InviteByEmail and InviteBySMS choose how invitations reach a requester; with neither,
	// an invitation reaches only a requester who has the in-app bell (a customer user).
	InviteByEmail bool
	InviteBySMS   bool
}

// DefaultOffer is the offer of a tenant that has not chosen one: calls on request, up to
// DefaultMaxMedia uploads, planning, and invitations by e-mail and SMS; no conferences.
func DefaultOffer() Offer {
	return Offer{ContactAgent: true, MediaUpload: true, MaxMedia: DefaultMaxMedia, Planning: true,
		InviteByEmail: true, InviteBySMS: true}
}

// EffectiveOffer returns the offer in force: s.Offer, or DefaultOffer when nil, with MaxMedia
// defaulted.
func (s Settings) EffectiveOffer() Offer {
	o := DefaultOffer()
	if s.Offer != nil {
		o = *s.Offer
	}
	if o.MaxMedia <= 0 {
		o.MaxMedia = DefaultMaxMedia
	}
	return o
}

// Durations time the automatic steps of a case (docs/concepts.md, "Timers"). Each zero field means
// its default, given in its comment.
type Durations struct {
	// InvitationExpiry is how long an invitation waits for its answer (a join, or an accept or
	// refusal of a proposed time; never past the proposed time) before it expires. Defaults to
	// 1 hour.
	InvitationExpiry time.Duration
	// ReminderBefore is how long before a planned session the requester and agent are
	// reminded. Defaults to 15 minutes.
	ReminderBefore time.Duration
	// MaxAcknowledgment is how long the agent has to follow up a refused or expired invitation,
	// or to close a finished ticket, before the supervisor is told. Defaults to 24 hours.
	MaxAcknowledgment time.Duration
	// MaxExpiration is how long a ticket left waiting, finished, or with an invitation refused
	// or expired and not followed up, stays open before it is closed automatically. Defaults
	// to 72 hours.
	MaxExpiration time.Duration
	// OfferTimeout is how long an open ticket's offers wait for an employee to accept before
	// the supervisor is told. Defaults to 30 minutes.
	OfferTimeout time.Duration
	// MediaTransfer is how long after a ticket is done its requester may still upload media.
	// Defaults to 24 hours.
	MediaTransfer time.Duration
}

// WithDefaults returns d with every zero (or negative) field set to its default.
func (d Durations) WithDefaults() Durations {
	for _, f := range []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&d.InvitationExpiry, time.Hour},
		{&d.ReminderBefore, 15 * time.Minute},
		{&d.MaxAcknowledgment, 24 * time.Hour},
		{&d.MaxExpiration, 72 * time.Hour},
		{&d.OfferTimeout, 30 * time.Minute},
		{&d.MediaTransfer, 24 * time.Hour},
	} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	return d
}

// PublicAccess returns how long a requester link works after its ticket closed.
func (s Settings) PublicAccess() time.Duration {
	days := s.PublicAccessDays
	if days <= 0 {
		days = DefaultPublicAccessDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// NotificationRetention returns how long a finished notification is kept (see
// NotificationRetentionDays).
func (s Settings) NotificationRetention() time.Duration {
	days := s.NotificationRetentionDays
	if days <= 0 {
		days = DefaultNotificationRetentionDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// The defaults of Quotas' fields.
const (
	// DefaultTicketsPerCodeHour is how many tickets one device code may open in an hour.
	DefaultTicketsPerCodeHour = 20
	// DefaultFilesPerTicket is how many files (media and message attachments) requesters may
	// bring a ticket to.
	DefaultFilesPerTicket = 50
	// DefaultBytesPerTicket is the total size, in bytes, requesters may bring a ticket's files
	// to: 1 GiB.
	DefaultBytesPerTicket = 1 << 30
	// DefaultOpenSessionsPerTicket is how many open video sessions a ticket may hold when its
	// requester asks for another.
	DefaultOpenSessionsPerTicket = 3
)

// Quotas cap what requesters (code holders, requester links and customer users) may open,
// store and ask for. Staff are never refused by a quota, though what they store counts toward
// a ticket's files. Each zero field means its default, given in its comment; a negative one is
// refused when the settings are updated.
type Quotas struct {
	// TicketsPerCodeHour caps the tickets one device code opens in any hour (each one mails
	// the default group's supervisor and offers the ticket to its team). Tickets staff and
	// customer users open are not counted. Defaults to DefaultTicketsPerCodeHour.
	TicketsPerCodeHour int
	// FilesPerTicket caps the files a ticket holds: uploaded media and message attachments
	// together, internal ones included. Defaults to DefaultFilesPerTicket.
	FilesPerTicket int
	// BytesPerTicket caps the total size of a ticket's files, in bytes, counted as
	// FilesPerTicket counts files. Defaults to DefaultBytesPerTicket.
	BytesPerTicket int64
	// OpenSessionsPerTicket caps the video sessions of a ticket that are open (requested,
	// invited, proposed, confirmed or in progress) when its requester asks for another.
	// Defaults to DefaultOpenSessionsPerTicket.
	OpenSessionsPerTicket int
}

// WithDefaults returns q with every zero (or negative) field set to its default.
func (q Quotas) WithDefaults() Quotas {
	if q.TicketsPerCodeHour <= 0 {
		q.TicketsPerCodeHour = DefaultTicketsPerCodeHour
	}
	if q.FilesPerTicket <= 0 {
		q.FilesPerTicket = DefaultFilesPerTicket
	}
	if q.BytesPerTicket <= 0 {
		q.BytesPerTicket = DefaultBytesPerTicket
	}
	if q.OpenSessionsPerTicket <= 0 {
		q.OpenSessionsPerTicket = DefaultOpenSessionsPerTicket
	}
	return q
}
