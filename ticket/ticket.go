package ticket

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// Contact is how to reach a requester.
type Contact struct {
	Name  string
	Email string
	Phone string
	// Language is the requester's preferred language; empty means the tenant's.
	Language string
}

// Source says through which door a ticket came in.
type Source string

// The ticket sources.
const (
	SourceCode     Source = "code"     // a public requester through a device's code URL
	SourceCustomer Source = "customer" // a customer user in the customer portal
	SourceEmployee Source = "employee" // an operator employee on behalf of a customer
)

// Rating is a requester's verdict on finished work.
type Rating struct {
	// Stars is 1 to 5.
	Stars   int
	Comment string
	At      time.Time
}

// Ticket is one service case.
type Ticket struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	// Number is the ticket's per-tenant sequence number; Ref renders it for humans.
	Number int64
	// Prefix is the tenant's ticket prefix at creation ("T").
	Prefix      string
	Title       string
	Description string
	Requester   Contact
	// DeviceID, CustomerID and ProjectID say what the ticket is about; uuid.Nil where none.
	DeviceID   uuid.UUID
	CustomerID uuid.UUID
	ProjectID  uuid.UUID
	// Type is the request type (from the tenant's type list, or free text).
	Type string
	// PriorityID is the tenant's priority; StatusID the tenant's custom status, which always maps
	// onto State.
	PriorityID uuid.UUID
	StatusID   uuid.UUID
	// State is the built-in lifecycle state governed by TicketLifecycle.
	State      State
	AssigneeID uuid.UUID
	TeamID     uuid.UUID
	Source     Source
	// CodeID is the code the ticket came through (SourceCode only).
	CodeID    uuid.UUID
	CreatedBy tenant.Ref
	Rating    *Rating
	// CloseReason is the reason given when the ticket was closed, rejected or cancelled.
	CloseReason string
	// LinkVersion is the version of the requester's link to this ticket (and of its session
	// links), which the Desk signs with its master key: raising it revokes every link given
	// out before. New tickets start at 1.
	LinkVersion int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    *time.Time
	// UploadsUntil ends the media transfer window: set when the ticket is done, cleared when
	// it is reopened; nil while uploads are open.
	UploadsUntil *time.Time
	Version      int64
}

// Ref returns the ticket's human reference, such as "T-000123".
func (t *Ticket) Ref() string { return FormatRef(t.Prefix, t.Number) }

// FormatRef renders a ticket reference: the prefix, a dash and the number padded to six digits.
func FormatRef(prefix string, number int64) string {
	return fmt.Sprintf("%s-%06d", prefix, number)
}

// ParseRef splits a reference such as "T-000123" into its prefix and number, as people type
// it: in any case, with or without the zeros, between spaces ("t-123" is "T-000123"). It
// returns ErrInvalidRef for anything else.
func ParseRef(ref string) (prefix string, number int64, err error) {
	ref = strings.TrimSpace(ref)
	i := strings.LastIndexByte(ref, '-')
	if i <= 0 || i == len(ref)-1 {
		return "", 0, fmt.Errorf("%w: %q", ErrInvalidRef, ref)
	}
	n, err := strconv.ParseInt(ref[i+1:], 10, 64)
	if err != nil || n <= 0 {
		return "", 0, fmt.Errorf("%w: %q", ErrInvalidRef, ref)
	}
	// People type references as they read them: "t-42" is "T-000042".
	return strings.ToUpper(ref[:i]), n, nil
}

// Visibility says who can read a message.
type Visibility string

// Message visibilities.
const (
	// Public messages are seen by the requester and staff.
	Public Visibility = "public"
	// Internal messages are seen by staff only.
	Internal Visibility = "internal"
)

// Message is a post on a ticket.
type Message struct {
	ID         uuid.UUID
	TenantID   uuid.UUID
	TicketID   uuid.UUID
	Author     tenant.Ref
	Body       string
	Visibility Visibility
	CreatedAt  time.Time
}

// HistoryEntry records one change to a ticket or session: who, when, what, from, to and why.
type HistoryEntry struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	TicketID uuid.UUID
	// SessionID is set when the change concerns a video session.
	SessionID uuid.UUID
	Actor     tenant.Ref
	// Action names the change: a lifecycle event ("accept", "session.start") or an operation
	// ("create", "message", "reassign", "status").
	Action string
	From   string
	To     string
	Reason string
	At     time.Time
}

// Status is a tenant's custom status. Every status maps onto exactly one built-in State, which
// the lifecycle governs; a tenant may define any number of them.
type Status struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Name     string
	State    State
	// Default marks the status a ticket gets when it enters State (on submission, and on every
	// lifecycle event): at most one status of each State is the default, and a retired status
	// never is. A state without a default status leaves the ticket's StatusID uuid.Nil.
	Default bool
	// Position orders the statuses of one State: listings give them by State (lifecycle
	// order), then Position.
	Position int
	// Retired statuses stay on the tickets that have them but cannot be given to a ticket anew.
	Retired   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Priority is a tenant's ticket priority. Rank orders priorities: higher is more urgent.
type Priority struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Name     string
	Rank     int
	// Default marks the priority of tickets submitted without one; a retired priority never is.
	Default bool
	// Retired priorities stay on the tickets that have them but cannot be given to a ticket anew.
	Retired   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// CannedResponse is a tenant's predefined message in one language, which staff insert into a
// ticket's messages. Title and Body are written with the tags of notification templates
// (notify.SnippetTags) and rendered with the ticket's data.
type CannedResponse struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	// Language is one of the seed languages: en, de, fr, es or pl.
	Language  string
	Title     string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Session is a video session on a ticket.
type Session struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	TicketID uuid.UUID
	State    SessionState
	// PlannedAt and PlannedEnd are set for a planned (proposed) session.
	PlannedAt  *time.Time
	PlannedEnd *time.Time
	// AgentID is the employee who invited, proposed or confirmed.
	AgentID uuid.UUID
	// Room is the video provider's room name once created.
	Room      string
	StartedAt *time.Time
	EndedAt   *time.Time
	Rating    *Rating
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Attachment is a file on a ticket: a photo or video the requester uploaded (MessageID
// uuid.Nil), or a file attached to a message. Its content lives in a blob store under Key.
type Attachment struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	TicketID uuid.UUID
	// MessageID is the message the file is attached to; uuid.Nil for uploaded media.
	MessageID uuid.UUID
	// Visibility is the message's; uploaded media are Public.
	Visibility Visibility
	// Name is the file name given at upload, cleaned of any path and of what could disguise it
	// or break a header (control and format characters such as bidi controls, quotes,
	// semicolons, slashes); never empty.
	Name string
	// ContentType is the media type detected from the content, never the one claimed; a
	// message's file of a type a browser would run (HTML, SVG and other XML, JavaScript) is
	// recorded as application/octet-stream.
	ContentType string
	Size        int64
	// Digest is the content's SHA-256, hex-encoded.
	Digest string
	// Key is where the blob store keeps the content.
	Key       string
	Uploader  tenant.Ref
	CreatedAt time.Time
}

// Media reports whether a is an uploaded photo or video rather than a message attachment.
func (a *Attachment) Media() bool { return a.MessageID == uuid.Nil }

// RequestLink is a link staff sent to a named contact so that they may open a ticket for one
// device when the tenant's request form is only for the invited (tenant.VisibilityInvited). Its
// URL carries a token signed over the link's ID (the record keeps no secret); it works once,
// until ExpiresAt.
type RequestLink struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	DeviceID uuid.UUID
	// Contact is who the link was sent to; a ticket opened through it has them as requester.
	Contact Contact
	// CreatedBy is the employee (or the system) who sent it.
	CreatedBy tenant.Ref
	ExpiresAt time.Time
	// UsedAt and TicketID are set when a ticket was opened through the link.
	UsedAt    *time.Time
	TicketID  uuid.UUID
	CreatedAt time.Time
}

// Resource is t as the access policy (tenant.Authorize) sees it: its tenant, customer and, for
// a ticket a customer user opened, that user as its owner.
func (t *Ticket) Resource() tenant.Resource {
	r := tenant.Resource{Kind: tenant.KindTicket, TenantID: t.TenantID, ID: t.ID, CustomerID: t.CustomerID}
	if t.CreatedBy.Kind == tenant.ActorCustomerUser {
		r.OwnerID = t.CreatedBy.ID
	}
	return r
}
