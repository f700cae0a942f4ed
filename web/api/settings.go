package api

import (
	"net/http"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// The named strings of the settings area the document lists the values of.
var (
	_ = enumType(notify.Events)
	_ = enumType(notify.Channels)
	_ = enumType(func() []notify.Status {
		return []notify.Status{notify.StatusPending, notify.StatusSent, notify.StatusDelivered, notify.StatusFailed}
	})
	_ = enumType(func() []tenant.Visibility {
		return []tenant.Visibility{tenant.VisibilityPublic, tenant.VisibilityCustomers, tenant.VisibilityInvited}
	})
)

// Tenant is the operator the caller belongs to: its name, language and ticket prefix. Its
// version is the settings' ETag: PUT /settings takes it back as If-Match.
type Tenant struct {
	ID            uuid.UUID  `json:"id"`
	Name          string     `json:"name"`
	Language      string     `json:"language" doc:"the default language of notifications, as en or de"`
	TicketPrefix  string     `json:"ticket_prefix" doc:"starts every ticket reference, as T in T-000123"`
	DefaultTeamID *uuid.UUID `json:"default_team_id,omitempty" doc:"the team new requests go to"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	Version       int64      `json:"version" doc:"the tenant's version; its ETag, which the settings share"`
}

func (t Tenant) etag() int64 { return t.Version }

func tenantOf(t *tenant.Tenant) Tenant {
	return Tenant{ID: t.ID, Name: t.Name, Language: t.Language, TicketPrefix: t.TicketPrefix,
		DefaultTeamID: id(t.DefaultTeamID), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

// SettingsBody is the whole of a tenant's settings, as PUT /settings replaces them: a field
// left out takes its default (zero), so send back everything GET /settings answered.
type SettingsBody struct {
	SelfRegistration bool `json:"self_registration" doc:"people of a customer's signup domains may register themselves"`
	PublicAccessDays int  `json:"public_access_days,omitempty" doc:"days a requester link works after its ticket closed; 0 or absent: the default"`
	// NotificationRetentionDays is tenant.Settings.NotificationRetentionDays.
	NotificationRetentionDays int `json:"notification_retention_days,omitempty" doc:"days a sent, delivered or failed notification is kept, from its creation (unread in-app ones stay until read); 1 to 3650, 0 or absent: the default (90)"`
	// Notifications switch events on or off per channel: {"ticket.done": {"sms": true}}.
	Notifications notify.Switches `json:"notifications,omitempty" doc:"switches per event and channel, as {\"ticket.done\": {\"sms\": true}}; what it does not name keeps the catalogue's default"`
	SupportLink   string          `json:"support_link,omitempty" doc:"the link notifications offer to reach support; absent: the desk's address"`
	Offer         *OfferSettings  `json:"offer,omitempty" doc:"what requesters may start; absent: the default offer"`
	Durations     Durations       `json:"durations,omitzero"`
	Quotas        Quotas          `json:"quotas,omitzero"`
	Form          FormSettings    `json:"form,omitzero"`
	// Version lets a client send back what GET answered: the version it read is then the one
	// the change is based on, as If-Match's is (which wins).
	Version int64 `json:"version,omitempty" doc:"the version the change is based on, as GET answered it: a stale one answers 409 (If-Match, which wins, 412); absent: the settings as they are"`
}

// Settings are a tenant's switches, durations, quotas and request form, with the tenant's
// version, which GET answers as the ETag and PUT takes back as If-Match.
type Settings struct {
	SettingsBody
	// Version shadows SettingsBody's: an answer always has it.
	Version int64 `json:"version" doc:"the tenant's version; its ETag"`
}

func (s Settings) etag() int64 { return s.Version }

// OfferSettings is the assistance a tenant offers: what a requester may start, how staff invite.
type OfferSettings struct {
	ContactAgent  bool `json:"contact_agent" doc:"requesters may ask for a live video call"`
	MediaUpload   bool `json:"media_upload" doc:"requesters may upload photos and videos"`
	MaxMedia      int  `json:"max_media,omitempty" doc:"uploads per ticket; 0 or absent: the default (10)"`
	Conference    bool `json:"conference" doc:"several employees may join one call"`
	Planning      bool `json:"planning" doc:"staff may propose a time for a call"`
	InviteByEmail bool `json:"invite_by_email"`
	InviteBySMS   bool `json:"invite_by_sms"`
}

// Durations time the automatic steps of a case, in seconds; 0 or absent keeps each default.
type Durations struct {
	InvitationExpiry  int64 `json:"invitation_expiry,omitempty" doc:"seconds an invitation waits for its answer; default 3600"`
	ReminderBefore    int64 `json:"reminder_before,omitempty" doc:"seconds before a planned session its people are reminded; default 900"`
	MaxAcknowledgment int64 `json:"max_acknowledgment,omitempty" doc:"seconds the agent has to follow up before the supervisor is told; default 86400"`
	MaxExpiration     int64 `json:"max_expiration,omitempty" doc:"seconds a waiting or finished ticket stays open before it closes itself; default 259200"`
	OfferTimeout      int64 `json:"offer_timeout,omitempty" doc:"seconds an offer waits to be accepted before the supervisor is told; default 1800"`
	MediaTransfer     int64 `json:"media_transfer,omitempty" doc:"seconds after a ticket is done its requester may still upload media; default 86400"`
}

// Quotas cap what requesters may open, store and ask for; 0 or absent keeps each default.
type Quotas struct {
	TicketsPerCodeHour    int   `json:"tickets_per_code_hour,omitempty" doc:"tickets one device code opens in an hour; default 20"`
	FilesPerTicket        int   `json:"files_per_ticket,omitempty" doc:"files a ticket holds; default 50"`
	BytesPerTicket        int64 `json:"bytes_per_ticket,omitempty" doc:"total size of a ticket's files; default 1 GiB"`
	OpenSessionsPerTicket int   `json:"open_sessions_per_ticket,omitempty" doc:"open video sessions of a ticket when its requester asks for another; default 3"`
}

// FormSettings configure the public request form of the tenant's devices.
type FormSettings struct {
	Visibility   tenant.Visibility    `json:"visibility,omitempty" doc:"who may open a ticket from a device's page; absent: public"`
	Texts        map[string]FormTexts `json:"texts,omitempty" doc:"the form's texts by language (en, de, fr, es, pl)"`
	Types        []string             `json:"types,omitempty" doc:"the ticket types to pick from; absent: free text"`
	TermsURL     string               `json:"terms_url,omitempty"`
	GuideURL     string               `json:"guide_url,omitempty"`
	SupportEmail string               `json:"support_email,omitempty"`
	Accent       string               `json:"accent,omitempty" doc:"the public pages' accent colour, #rrggbb, dark enough for white text"`
	// The files are set with their own uploads: a PUT keeps them whatever it carries.
	Logo       *SettingsFile `json:"logo,omitempty" doc:"read only: a PUT keeps the stored file"`
	Background *SettingsFile `json:"background,omitempty" doc:"read only: a PUT keeps the stored file"`
	Report     *SettingsFile `json:"report,omitempty" doc:"read only: a PUT keeps the stored file"`
}

// FormTexts are the request form's texts in one language.
type FormTexts struct {
	Welcome     string `json:"welcome,omitempty"`
	RequestHint string `json:"request_hint,omitempty"`
	Help        string `json:"help,omitempty"`
}

// SettingsFile is a file the settings refer to: the form's logo, background or report template.
type SettingsFile struct {
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size" doc:"in bytes"`
	Digest      string    `json:"digest" doc:"the SHA-256 of the content, hex"`
	Width       int       `json:"width,omitempty" doc:"an image's width in pixels"`
	Height      int       `json:"height,omitempty" doc:"an image's height in pixels"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func settingsFileOf(f *tenant.File) *SettingsFile {
	if f == nil {
		return nil
	}
	return &SettingsFile{Name: f.Name, ContentType: f.ContentType, Size: f.Size, Digest: f.Digest,
		Width: f.Width, Height: f.Height, UpdatedAt: f.UpdatedAt}
}

func settingsOf(t *tenant.Tenant) Settings {
	s := t.Settings
	out := SettingsBody{SelfRegistration: s.SelfRegistration, PublicAccessDays: s.PublicAccessDays,
		NotificationRetentionDays: s.NotificationRetentionDays,
		Notifications:             s.Notifications, SupportLink: s.SupportLink,
		Durations: Durations{InvitationExpiry: seconds(s.Durations.InvitationExpiry), ReminderBefore: seconds(s.Durations.ReminderBefore),
			MaxAcknowledgment: seconds(s.Durations.MaxAcknowledgment), MaxExpiration: seconds(s.Durations.MaxExpiration),
			OfferTimeout: seconds(s.Durations.OfferTimeout), MediaTransfer: seconds(s.Durations.MediaTransfer)},
		Quotas: Quotas{TicketsPerCodeHour: s.Quotas.TicketsPerCodeHour, FilesPerTicket: s.Quotas.FilesPerTicket,
			BytesPerTicket: s.Quotas.BytesPerTicket, OpenSessionsPerTicket: s.Quotas.OpenSessionsPerTicket},
		Form: FormSettings{Visibility: s.Form.Visibility, Types: s.Form.Types, TermsURL: s.Form.TermsURL,
			GuideURL: s.Form.GuideURL, SupportEmail: s.Form.SupportEmail, Accent: s.Form.Accent,
			Logo: settingsFileOf(s.Form.Logo), Background: settingsFileOf(s.Form.Background), Report: settingsFileOf(s.Form.Report)}}
	if o := s.Offer; o != nil {
		out.Offer = &OfferSettings{ContactAgent: o.ContactAgent, MediaUpload: o.MediaUpload, MaxMedia: o.MaxMedia,
			Conference: o.Conference, Planning: o.Planning, InviteByEmail: o.InviteByEmail, InviteBySMS: o.InviteBySMS}
	}
	if len(s.Form.Texts) > 0 {
		out.Form.Texts = map[string]FormTexts{}
		for lang, tx := range s.Form.Texts {
			out.Form.Texts[lang] = FormTexts{Welcome: tx.Welcome, RequestHint: tx.RequestHint, Help: tx.Help}
		}
	}
	return Settings{SettingsBody: out, Version: t.Version}
}

// domain converts the body; the form's files are left out (the Desk keeps the stored ones).
func (b SettingsBody) domain() tenant.Settings {
	d := b.Durations
	s := tenant.Settings{SelfRegistration: b.SelfRegistration, PublicAccessDays: b.PublicAccessDays,
		NotificationRetentionDays: b.NotificationRetentionDays,
		Notifications:             b.Notifications, SupportLink: b.SupportLink,
		Durations: tenant.Durations{InvitationExpiry: duration(d.InvitationExpiry), ReminderBefore: duration(d.ReminderBefore),
			MaxAcknowledgment: duration(d.MaxAcknowledgment), MaxExpiration: duration(d.MaxExpiration),
			OfferTimeout: duration(d.OfferTimeout), MediaTransfer: duration(d.MediaTransfer)},
		Quotas: tenant.Quotas{TicketsPerCodeHour: b.Quotas.TicketsPerCodeHour, FilesPerTicket: b.Quotas.FilesPerTicket,
			BytesPerTicket: b.Quotas.BytesPerTicket, OpenSessionsPerTicket: b.Quotas.OpenSessionsPerTicket},
		Form: tenant.RequestForm{Visibility: b.Form.Visibility, Types: b.Form.Types, TermsURL: b.Form.TermsURL,
			GuideURL: b.Form.GuideURL, SupportEmail: b.Form.SupportEmail, Accent: b.Form.Accent}}
	if o := b.Offer; o != nil {
		s.Offer = &tenant.Offer{ContactAgent: o.ContactAgent, MediaUpload: o.MediaUpload, MaxMedia: o.MaxMedia,
			Conference: o.Conference, Planning: o.Planning, InviteByEmail: o.InviteByEmail, InviteBySMS: o.InviteBySMS}
	}
	if len(b.Form.Texts) > 0 {
		s.Form.Texts = map[string]tenant.FormTexts{}
		for lang, tx := range b.Form.Texts {
			s.Form.Texts[lang] = tenant.FormTexts{Welcome: tx.Welcome, RequestHint: tx.RequestHint, Help: tx.Help}
		}
	}
	return s
}

// seconds and duration convert the API's durations, whole seconds, to and from Go's.
func seconds(d time.Duration) int64 { return int64(d / time.Second) }
func duration(s int64) time.Duration {
	if s <= 0 {
		return 0 // the default; a negative count of seconds means nothing else
	}
	return time.Duration(s) * time.Second
}

type updateSettingsIn struct {
	IfMatch string `header:"If-Match" doc:"the ETag of GET /tenant or /settings the change is based on; a stale one answers 412"`
	Body    SettingsBody
}

// MailServer is the tenant's own mail server, which its e-mail goes through. The password is
// never answered: password_set says whether one is stored.
type MailServer struct {
	Host        string    `json:"host"`
	Port        int       `json:"port,omitempty" doc:"absent: the default of security (587, 465 or 25)"`
	Security    string    `json:"security" doc:"starttls, tls or plain"`
	Username    string    `json:"username,omitempty"`
	From        string    `json:"from" doc:"the sender, as Support <support@example.com>"`
	PasswordSet bool      `json:"password_set" doc:"a password is stored"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func mailServerOf(s *tenant.SMTP) MailServer {
	return MailServer{Host: s.Host, Port: s.Port, Security: s.Security, Username: s.Username, From: s.From,
		PasswordSet: s.PasswordSet, UpdatedAt: s.UpdatedAt}
}

// MailServerBody sets the tenant's own mail server.
type MailServerBody struct {
	Host     string `json:"host"`
	Port     int    `json:"port,omitempty" doc:"absent: the default of security"`
	Security string `json:"security,omitempty" doc:"starttls (the default), tls or plain"`
	Username string `json:"username,omitempty" doc:"the SMTP AUTH user; absent for a server without AUTH"`
	Password string `json:"password,omitempty" doc:"absent keeps the stored password"`
	From     string `json:"from" doc:"the sender, as Support <support@example.com>"`
}

// MailTestBody asks for a test message.
type MailTestBody struct {
	To string `json:"to" doc:"the address to send the test message to"`
}

// MailTest is a test message the mail server accepted; a failed test answers 422 naming the
// step that failed.
type MailTest struct {
	To       string `json:"to"`
	Accepted bool   `json:"accepted" doc:"always true: a refused message answers 422"`
}

// NotificationTemplate is one of the tenant's own templates of an event on a channel in a
// language, sent in place of the built-in one while enabled.
type NotificationTemplate struct {
	ID          uuid.UUID      `json:"id"`
	Event       notify.Event   `json:"event"`
	Channel     notify.Channel `json:"channel"`
	Language    string         `json:"language" doc:"a BCP 47 tag, as en or pt-BR"`
	Subject     string         `json:"subject,omitempty" doc:"the e-mail subject, or the in-app and push title"`
	Text        string         `json:"text"`
	HTML        string         `json:"html,omitempty" doc:"the e-mail's HTML body"`
	HeaderImage string         `json:"header_image,omitempty" doc:"the e-mail's header image URL"`
	Link        string         `json:"link,omitempty" doc:"where an in-app or push notification leads"`
	Enabled     bool           `json:"enabled"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Version     int64          `json:"version" doc:"the template's version; its ETag"`
}

func (t NotificationTemplate) etag() int64 { return t.Version }

func notificationTemplateOf(t *notify.Template) NotificationTemplate {
	return NotificationTemplate{ID: t.ID, Event: t.Event, Channel: t.Channel, Language: t.Language, Subject: t.Subject,
		Text: t.Text, HTML: t.HTML, HeaderImage: t.HeaderImage, Link: t.Link, Enabled: t.Enabled,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

// NotificationTemplateBody is a template to create, replace or preview. Tags are written
// {{.ticket_ref}}; an unknown one is refused with the event's list.
type NotificationTemplateBody struct {
	Event       notify.Event   `json:"event"`
	Channel     notify.Channel `json:"channel"`
	Language    string         `json:"language" doc:"a BCP 47 tag, as en or pt-BR"`
	Subject     string         `json:"subject,omitempty" doc:"e-mail, in-app and push"`
	Text        string         `json:"text"`
	HTML        string         `json:"html,omitempty" doc:"e-mail only; absent lays Text out as HTML"`
	HeaderImage string         `json:"header_image,omitempty" doc:"e-mail only: an http(s) URL"`
	Link        string         `json:"link,omitempty" doc:"in-app and push only"`
	Enabled     bool           `json:"enabled,omitempty" doc:"send it in place of the built-in template"`
}

func (b NotificationTemplateBody) domain() notify.Template {
	return notify.Template{Event: b.Event, Channel: b.Channel, Language: b.Language, Subject: b.Subject, Text: b.Text,
		HTML: b.HTML, HeaderImage: b.HeaderImage, Link: b.Link, Enabled: b.Enabled}
}

type listTemplatesIn struct {
	Event notify.Event `query:"event" doc:"only this event's templates"`
}

type replaceTemplateIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the change is based on; a stale one answers 412"`
	Body    NotificationTemplateBody
}

// NotificationPreview is a template rendered with sample data.
type NotificationPreview struct {
	Subject     string       `json:"subject,omitempty"`
	Text        string       `json:"text"`
	HTML        string       `json:"html,omitempty"`
	HeaderImage string       `json:"header_image,omitempty"`
	Link        string       `json:"link,omitempty"`
	SMS         *SMSSegments `json:"sms,omitempty" doc:"how the text goes as SMS: on the SMS channel only"`
}

// SMSSegments is how a text is sent as SMS.
type SMSSegments struct {
	Encoding string `json:"encoding" doc:"GSM-7 or UCS-2"`
	Segments int    `json:"segments" doc:"the SMS parts it is sent in"`
	Units    int    `json:"units" doc:"its size in septets (GSM-7) or UTF-16 code units (UCS-2)"`
}

func previewOf(ch notify.Channel, p notify.Preview) NotificationPreview {
	out := NotificationPreview{Subject: p.Subject, Text: p.Text, HTML: p.HTML, HeaderImage: p.HeaderImage, Link: p.Link}
	if ch == notify.SMS {
		out.SMS = &SMSSegments{Encoding: p.Segments.Encoding, Segments: p.Segments.Segments, Units: p.Segments.Units}
	}
	return out
}

// Recipient is whom a notification is for: a user, or a requester's address.
type Recipient struct {
	UserID *uuid.UUID `json:"user_id,omitempty"`
	Name   string     `json:"name,omitempty"`
	Email  string     `json:"email,omitempty"`
	Phone  string     `json:"phone,omitempty"`
}

// Notification is one delivery of the tenant's outbox: a message for one recipient on one
// channel, and where its delivery stands. Secret links show as placeholders.
type Notification struct {
	ID            uuid.UUID      `json:"id"`
	Event         notify.Event   `json:"event"`
	Channel       notify.Channel `json:"channel"`
	To            Recipient      `json:"to"`
	Language      string         `json:"language"`
	Subject       string         `json:"subject,omitempty"`
	Text          string         `json:"text"`
	Link          string         `json:"link,omitempty"`
	TicketID      *uuid.UUID     `json:"ticket_id,omitempty"`
	Status        notify.Status  `json:"status"`
	Attempts      int            `json:"attempts"`
	NextAttemptAt *time.Time     `json:"next_attempt_at,omitempty" doc:"when it is tried next (pending only)"`
	LastError     string         `json:"last_error,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	SentAt        *time.Time     `json:"sent_at,omitempty"`
	DeliveredAt   *time.Time     `json:"delivered_at,omitempty"`
	ReadAt        *time.Time     `json:"read_at,omitempty" doc:"in-app: when its recipient read it"`
}

func notificationOf(n *notify.Notification) Notification {
	out := Notification{ID: n.ID, Event: n.Event, Channel: n.Channel,
		To:       Recipient{UserID: id(n.To.UserID), Name: n.To.Name, Email: n.To.Email, Phone: n.To.Phone},
		Language: n.Language, Subject: n.Subject, Text: n.Text, Link: n.Link, TicketID: id(n.TicketID),
		Status: n.Status, Attempts: n.Attempts, LastError: n.LastError, CreatedAt: n.CreatedAt,
		SentAt: n.SentAt, DeliveredAt: n.DeliveredAt, ReadAt: n.ReadAt}
	if n.Status == notify.StatusPending && !n.NextAttemptAt.IsZero() {
		at := n.NextAttemptAt
		out.NextAttemptAt = &at
	}
	return out
}

type listNotificationsIn struct {
	Status   notify.Status  `query:"status" doc:"only these: failed lists the deliveries given up on"`
	Channel  notify.Channel `query:"channel"`
	Event    notify.Event   `query:"event"`
	UserID   uuid.UUID      `query:"user_id" doc:"only this user's"`
	TicketID uuid.UUID      `query:"ticket_id" doc:"only those about this ticket"`
	pageIn
}

// BellItem is one of the caller's in-app notifications: the bell's list.
type BellItem struct {
	ID        uuid.UUID    `json:"id"`
	Event     notify.Event `json:"event"`
	Subject   string       `json:"subject,omitempty" doc:"its title"`
	Text      string       `json:"text"`
	Link      string       `json:"link,omitempty" doc:"where it leads"`
	TicketID  *uuid.UUID   `json:"ticket_id,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	ReadAt    *time.Time   `json:"read_at,omitempty" doc:"absent while unread"`
}

func bellItemOf(n *notify.Notification) BellItem {
	return BellItem{ID: n.ID, Event: n.Event, Subject: n.Subject, Text: n.Text, Link: n.Link, TicketID: id(n.TicketID),
		CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
}

// UnreadCount is the number on the bell.
type UnreadCount struct {
	Unread int `json:"unread" doc:"the caller's unread in-app notifications"`
}

// MarkedRead says how many notifications a mark-all-read marked.
type MarkedRead struct {
	Marked int `json:"marked" doc:"how many were unread"`
}

// PushSubscription is one of the caller's browsers that receives their push notifications.
// Its keys are never answered.
type PushSubscription struct {
	ID        uuid.UUID `json:"id"`
	Endpoint  string    `json:"endpoint" doc:"the push service's URL for the browser, by which a browser finds its own"`
	UserAgent string    `json:"user_agent,omitempty" doc:"the label the user knows the browser by"`
	CreatedAt time.Time `json:"created_at"`
}

func pushSubscriptionOf(s *notify.PushSubscription) PushSubscription {
	return PushSubscription{ID: s.ID, Endpoint: s.Endpoint, UserAgent: s.UserAgent, CreatedAt: s.CreatedAt}
}

// PushSubscriptionBody is a browser's push subscription, as its PushSubscription.toJSON()
// gives the endpoint and keys, with a label for the user.
type PushSubscriptionBody struct {
	Endpoint  string   `json:"endpoint" doc:"an https URL"`
	Keys      PushKeys `json:"keys"`
	UserAgent string   `json:"user_agent,omitempty" doc:"a label, as Firefox on Linux; cut to 120 characters"`
}

// PushKeys are a browser's push keys, base64url.
type PushKeys struct {
	P256dh string `json:"p256dh" doc:"the browser's P-256 public key, base64url"`
	Auth   string `json:"auth" doc:"its 16-byte authentication secret, base64url"`
}

// AuditEntry is one change to the tenant's setup, or a ticket's deletion: who did what to
// which record, and when.
type AuditEntry struct {
	ID       uuid.UUID  `json:"id"`
	Actor    Party      `json:"actor"`
	Action   string     `json:"action" doc:"the change, as device.created or ticket.deleted"`
	Entity   string     `json:"entity" doc:"the kind of record changed, as device"`
	EntityID *uuid.UUID `json:"entity_id,omitempty"`
	Detail   string     `json:"detail,omitempty" doc:"a summary for people"`
	At       time.Time  `json:"at"`
}

func auditEntryOf(e *tenant.AuditEntry) AuditEntry {
	return AuditEntry{ID: e.ID, Actor: partyOf(e.Actor), Action: e.Action, Entity: e.Entity, EntityID: id(e.EntityID),
		Detail: e.Detail, At: e.At}
}

// Dashboard is the dashboard's figures: the tickets per state now, and a period's.
type Dashboard struct {
	States map[ticket.State]int `json:"states" doc:"tickets per state now; states without tickets are absent"`
	Period PeriodStats          `json:"period"`
}

// PeriodStats are the figures of a period's tickets.
type PeriodStats struct {
	Opened              int     `json:"opened" doc:"tickets opened in the period"`
	Responded           int     `json:"responded" doc:"of those, the ones staff responded to"`
	MedianFirstResponse int64   `json:"median_first_response" doc:"seconds to the first response, median"`
	Closed              int     `json:"closed" doc:"tickets closed in the period"`
	MedianTimeToClose   int64   `json:"median_time_to_close" doc:"seconds from opening to closing, median"`
	Ratings             int     `json:"ratings"`
	MeanRating          float64 `json:"mean_rating" doc:"the mean of the ratings' stars; 0 without ratings"`
}

func dashboardOf(d *helpdesk.Dashboard) Dashboard {
	p := d.Period
	states := d.States
	if states == nil {
		states = map[ticket.State]int{}
	}
	return Dashboard{States: states, Period: PeriodStats{Opened: p.Opened, Responded: p.Responded,
		MedianFirstResponse: seconds(p.MedianFirstResponse), Closed: p.Closed, MedianTimeToClose: seconds(p.MedianTimeToClose),
		Ratings: p.Ratings, MeanRating: p.MeanRating}}
}

type dashboardIn struct {
	From       time.Time `query:"from" doc:"required: the period's start, RFC 3339"`
	To         time.Time `query:"to" doc:"required: the period's end (excluded), RFC 3339"`
	CustomerID uuid.UUID `query:"customer_id" doc:"only this customer's tickets (customer users: always their own)"`
}

// settingsOps are the operations of the settings area: the tenant and its settings, its mail
// server, notification templates, the outbox, the bell, push subscriptions, the audit log and
// the dashboard's statistics.
func settingsOps() []operation {
	const (
		tagSettings = "Settings"
		tagNotify   = "Notifications"
		tagMe       = "My notifications"
		tagAudit    = "Audit log"
		tagStats    = "Statistics"
	)
	return []operation{
		op(http.MethodGet, "/tenant", "getTenant", tagSettings, "Get your tenant",
			func(c *call, _ *struct{}) (Tenant, error) {
				t, err := c.h.desk.Tenant(c.ctx, c.actor)
				return conv(t, err, tenantOf)
			}),
		op(http.MethodGet, "/settings", "getSettings", tagSettings, "Get the tenant's settings",
			func(c *call, _ *struct{}) (Settings, error) {
				t, err := c.h.desk.Settings(c.ctx, c.actor)
				return conv(t, err, settingsOf)
			}),
		op(http.MethodPut, "/settings", "updateSettings", tagSettings, "Replace the tenant's settings",
			func(c *call, in *updateSettingsIn) (Settings, error) {
				version, anyVersion, err := parseIfMatch(in.IfMatch)
				if err != nil {
					return Settings{}, err
				}
				if anyVersion {
					version = in.Body.Version
				}
				if version == 0 {
					// Without a version the change is based on the settings as they are now: a
					// change made meanwhile still answers 409.
					t, err := c.h.desk.Tenant(c.ctx, c.actor)
					if err != nil {
						return Settings{}, err
					}
					version = t.Version
				}
				t, err := c.h.desk.UpdateSettings(c.ctx, c.actor, version, in.Body.domain())
				return conv(t, c.stale(err, in.IfMatch), settingsOf)
			}),
		op(http.MethodGet, "/mail-server", "getMailServer", tagSettings, "Get the tenant's own mail server (404 while it has none)",
			func(c *call, _ *struct{}) (MailServer, error) {
				s, err := c.h.desk.SMTP(c.ctx, c.actor)
				if err != nil {
					return MailServer{}, err
				}
				if s == nil {
					return MailServer{}, &apiError{status: http.StatusNotFound, kind: helpdesk.KindNotFound,
						detail: "the tenant has no mail server of its own: its e-mail goes through the desk's"}
				}
				return mailServerOf(s), nil
			}),
		op(http.MethodPut, "/mail-server", "setMailServer", tagSettings, "Set the tenant's own mail server",
			func(c *call, in *struct{ Body MailServerBody }) (MailServer, error) {
				b := in.Body
				s, err := c.h.desk.SetSMTP(c.ctx, c.actor, helpdesk.SMTPInput{Host: b.Host, Port: b.Port, Security: b.Security,
					Username: b.Username, Password: b.Password, From: b.From})
				return conv(s, err, mailServerOf)
			}),
		op(http.MethodDelete, "/mail-server", "deleteMailServer", tagSettings, "Remove the tenant's own mail server",
			func(c *call, _ *struct{}) (noContent, error) {
				return noContent{}, c.h.desk.DeleteSMTP(c.ctx, c.actor)
			}),
		op(http.MethodPost, "/mail-server/test", "testMailServer", tagSettings, "Send a test message through the tenant's e-mail",
			func(c *call, in *struct{ Body MailTestBody }) (MailTest, error) {
				if err := c.h.desk.TestSMTP(c.ctx, c.actor, in.Body.To); err != nil {
					return MailTest{}, err
				}
				return MailTest{To: in.Body.To, Accepted: true}, nil
			}).ok(http.StatusOK),

		op(http.MethodGet, "/notification-templates", "listNotificationTemplates", tagNotify,
			"List the tenant's own notification templates, by event, channel and language",
			func(c *call, in *listTemplatesIn) (Page[NotificationTemplate], error) {
				ts, err := c.h.desk.NotificationTemplates(c.ctx, c.actor, in.Event)
				return listOf(ts, notificationTemplateOf), err
			}),
		op(http.MethodPost, "/notification-templates", "createNotificationTemplate", tagNotify, "Write a notification template",
			func(c *call, in *struct{ Body NotificationTemplateBody }) (NotificationTemplate, error) {
				t, err := c.h.desk.SaveNotificationTemplate(c.ctx, c.actor, in.Body.domain())
				return conv(t, err, notificationTemplateOf)
			}),
		op(http.MethodPut, "/notification-templates/{id}", "replaceNotificationTemplate", tagNotify, "Replace a notification template",
			func(c *call, in *replaceTemplateIn) (NotificationTemplate, error) {
				version, anyVersion, err := parseIfMatch(in.IfMatch)
				if err != nil {
					return NotificationTemplate{}, err
				}
				if anyVersion {
					if version, err = c.templateVersion(in.ID); err != nil {
						return NotificationTemplate{}, err
					}
				}
				t := in.Body.domain()
				t.ID, t.Version = in.ID, version
				saved, err := c.h.desk.SaveNotificationTemplate(c.ctx, c.actor, t)
				return conv(saved, c.stale(err, in.IfMatch), notificationTemplateOf)
			}),
		op(http.MethodDelete, "/notification-templates/{id}", "deleteNotificationTemplate", tagNotify,
			"Delete a notification template: the built-in one is sent again",
			func(c *call, in *idIn) (noContent, error) {
				return noContent{}, c.h.desk.DeleteNotificationTemplate(c.ctx, c.actor, in.ID)
			}),
		op(http.MethodPost, "/notification-templates/preview", "previewNotificationTemplate", tagNotify,
			"Render a template with sample data, with its SMS segment count",
			func(c *call, in *struct{ Body NotificationTemplateBody }) (NotificationPreview, error) {
				p, err := c.h.desk.PreviewNotificationTemplate(c.ctx, c.actor, in.Body.domain())
				if err != nil {
					return NotificationPreview{}, err
				}
				return previewOf(in.Body.Channel, p), nil
			}).ok(http.StatusOK),
		op(http.MethodGet, "/notifications", "listNotifications", tagNotify, "List the tenant's deliveries, newest first (status=failed: the failed ones)",
			func(c *call, in *listNotificationsIn) (Page[Notification], error) {
				switch {
				case in.Status != "" && !validStatus(in.Status):
					return Page[Notification]{}, badInput("status", "unknown status "+string(in.Status))
				case in.Channel != "" && !in.Channel.Valid():
					return Page[Notification]{}, badInput("channel", "unknown channel "+string(in.Channel))
				case in.Event != "" && !in.Event.Valid():
					return Page[Notification]{}, badInput("event", "unknown event "+string(in.Event))
				}
				p, err := c.h.desk.Notifications(c.ctx, c.actor, storage.NotificationFilter{Status: in.Status, Channel: in.Channel,
					Event: in.Event, UserID: in.UserID, TicketID: in.TicketID}, in.request())
				return pageOf(p, notificationOf), err
			}),
		op(http.MethodPost, "/notifications/{id}/retry", "retryNotification", tagNotify, "Send a failed notification again",
			func(c *call, in *idIn) (Notification, error) {
				n, err := c.h.desk.RetryNotification(c.ctx, c.actor, in.ID)
				return conv(n, err, notificationOf)
			}).ok(http.StatusOK),

		op(http.MethodGet, "/me/notifications", "listMyNotifications", tagMe, "List your in-app notifications (the bell), newest first",
			func(c *call, in *pageIn) (Page[BellItem], error) {
				p, err := c.h.desk.Inbox(c.ctx, c.actor, in.request())
				return pageOf(p, bellItemOf), err
			}),
		op(http.MethodGet, "/me/notifications/unread-count", "countMyUnreadNotifications", tagMe, "Count your unread in-app notifications",
			func(c *call, _ *struct{}) (UnreadCount, error) {
				n, err := c.h.desk.UnreadCount(c.ctx, c.actor)
				return UnreadCount{Unread: n}, err
			}),
		op(http.MethodPost, "/me/notifications/{id}/read", "markMyNotificationRead", tagMe, "Mark one of your in-app notifications read",
			func(c *call, in *idIn) (noContent, error) {
				return noContent{}, c.h.desk.MarkRead(c.ctx, c.actor, in.ID)
			}),
		op(http.MethodPost, "/me/notifications/read-all", "markAllMyNotificationsRead", tagMe, "Mark all your in-app notifications read",
			func(c *call, _ *struct{}) (MarkedRead, error) {
				n, err := c.h.desk.MarkAllRead(c.ctx, c.actor)
				return MarkedRead{Marked: n}, err
			}).ok(http.StatusOK),
		op(http.MethodGet, "/me/push-subscriptions", "listMyPushSubscriptions", tagMe, "List your browsers subscribed to push notifications",
			func(c *call, _ *struct{}) (Page[PushSubscription], error) {
				subs, err := c.h.desk.PushSubscriptions(c.ctx, c.actor)
				return listOf(subs, pushSubscriptionOf), err
			}),
		op(http.MethodPost, "/me/push-subscriptions", "addMyPushSubscription", tagMe, "Subscribe a browser to your push notifications",
			func(c *call, in *struct{ Body PushSubscriptionBody }) (PushSubscription, error) {
				b := in.Body
				s, err := c.h.desk.AddPushSubscription(c.ctx, c.actor, helpdesk.PushSubscriptionInput{Endpoint: b.Endpoint,
					P256dh: b.Keys.P256dh, Auth: b.Keys.Auth, UserAgent: b.UserAgent})
				return conv(s, err, pushSubscriptionOf)
			}),
		op(http.MethodDelete, "/me/push-subscriptions/{id}", "removeMyPushSubscription", tagMe, "Unsubscribe one of your browsers",
			func(c *call, in *idIn) (noContent, error) {
				return noContent{}, c.h.desk.RemovePushSubscription(c.ctx, c.actor, in.ID)
			}),

		op(http.MethodGet, "/audit-log", "listAuditLog", tagAudit, "List the tenant's audit log, newest first",
			func(c *call, in *pageIn) (Page[AuditEntry], error) {
				p, err := c.h.desk.AuditLog(c.ctx, c.actor, in.request())
				return pageOf(p, auditEntryOf), err
			}),
		op(http.MethodGet, "/stats/dashboard", "getDashboard", tagStats, "Get the tickets per state and a period's figures",
			func(c *call, in *dashboardIn) (Dashboard, error) {
				d, err := c.h.desk.Dashboard(c.ctx, c.actor, helpdesk.StatsPeriod{From: in.From, To: in.To, CustomerID: in.CustomerID})
				return conv(d, err, dashboardOf)
			}),
	}
}

// validStatus says whether s is a delivery status.
func validStatus(s notify.Status) bool {
	switch s {
	case notify.StatusPending, notify.StatusSent, notify.StatusDelivered, notify.StatusFailed:
		return true
	}
	return false
}

// templateVersion is the current version of one of the tenant's templates, for a replace
// sent without If-Match. The Desk has no read of one template: it is found in the list,
// which answers 403 to those who may not see templates; a template not in it is not found.
func (c *call) templateVersion(tid uuid.UUID) (int64, error) {
	ts, err := c.h.desk.NotificationTemplates(c.ctx, c.actor, "")
	if err != nil {
		return 0, err
	}
	for _, t := range ts {
		if t.ID == tid {
			return t.Version, nil
		}
	}
	return 0, &apiError{status: http.StatusNotFound, kind: helpdesk.KindNotFound, detail: "no such notification template"}
}
