package api

import (
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// The named strings of the domain the document lists the values of.
var (
	_ = enumType(ticket.States)
	_ = enumType(ticket.Events)
	_ = enumType(ticket.SessionStates)
	_ = enumType(ticket.SessionEvents)
	_ = enumType(ticket.TimerKinds)
	_ = enumType(func() []ticket.Source {
		return []ticket.Source{ticket.SourceCode, ticket.SourceCustomer, ticket.SourceEmployee}
	})
	_ = enumType(func() []ticket.OfferState {
		return []ticket.OfferState{ticket.OfferOpen, ticket.OfferAccepted, ticket.OfferWithdrawn, ticket.OfferExpired}
	})
	_ = enumType(func() []tenant.ActorKind {
		return []tenant.ActorKind{tenant.ActorEmployee, tenant.ActorCustomerUser, tenant.ActorCodeHolder,
			tenant.ActorRequesterLink, tenant.ActorSystem}
	})
)

// Page is one page of a list, newest or first items first as each list says. Pass Next as
// the after parameter for the following page; it is absent on the last page.
type Page[T any] struct {
	Items []T `json:"items" doc:"this page's items"`
	// Next is the cursor of the following page, opaque to clients.
	Next string `json:"next,omitempty" doc:"the cursor of the following page (pass it as after); absent on the last page"`
}

// pageIn is the paging input of a list.
type pageIn struct {
	Limit int    `query:"limit" doc:"the page size: 1 to 100, 25 when absent"`
	After string `query:"after" doc:"the next cursor of the previous page"`
}

func (p pageIn) request() storage.PageRequest {
	return storage.PageRequest{Limit: p.Limit, After: p.After}
}

// pageOf converts a storage page with conv.
func pageOf[T, U any](p storage.Page[T], conv func(T) U) Page[U] {
	out := Page[U]{Items: make([]U, 0, len(p.Items)), Next: p.Next}
	for _, it := range p.Items {
		out.Items = append(out.Items, conv(it))
	}
	return out
}

// listOf converts a whole list, which the Desk does not page, into one page.
func listOf[T, U any](items []T, conv func(T) U) Page[U] {
	return pageOf(storage.Page[T]{Items: items}, conv)
}

// id returns a pointer to id, nil for uuid.Nil: absent IDs are left out of answers.
func id(v uuid.UUID) *uuid.UUID {
	if v == uuid.Nil {
		return nil
	}
	return &v
}

// orNil returns the value of an optional ID, uuid.Nil when absent.
func orNil(v *uuid.UUID) uuid.UUID {
	if v == nil {
		return uuid.Nil
	}
	return *v
}

// Party is who did something: an employee, a customer user, a requester, the system.
type Party struct {
	Kind tenant.ActorKind `json:"kind" doc:"employee, customer_user, code_holder, requester_link or system"`
	ID   *uuid.UUID       `json:"id,omitempty" doc:"the user, when a user acted"`
	Name string           `json:"name,omitempty"`
}

func partyOf(r tenant.Ref) Party { return Party{Kind: r.Kind, ID: id(r.ID), Name: r.Name} }

// Contact is a person to reach: a ticket's requester.
type Contact struct {
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty" doc:"E.164, as +4930123456"`
	Language string `json:"language,omitempty" doc:"en, de, fr, es or pl"`
}

func contactOf(c ticket.Contact) Contact {
	return Contact{Name: c.Name, Email: c.Email, Phone: c.Phone, Language: c.Language}
}

func (c Contact) domain() ticket.Contact {
	return ticket.Contact{Name: c.Name, Email: c.Email, Phone: c.Phone, Language: c.Language}
}

// Rating is a requester's rating of a ticket or a session.
type Rating struct {
	Stars   int       `json:"stars" doc:"1 to 5"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

func ratingOf(r *ticket.Rating) *Rating {
	if r == nil {
		return nil
	}
	return &Rating{Stars: r.Stars, Comment: r.Comment, At: r.At}
}

// Ticket is a case: what a requester asked about one device, and where it stands.
type Ticket struct {
	ID          uuid.UUID     `json:"id"`
	Ref         string        `json:"ref" doc:"the reference people use, as T-000123"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Requester   Contact       `json:"requester"`
	State       ticket.State  `json:"state" doc:"the built-in lifecycle state"`
	StatusID    *uuid.UUID    `json:"status_id,omitempty" doc:"the tenant's custom status, which maps onto state"`
	PriorityID  *uuid.UUID    `json:"priority_id,omitempty"`
	AssigneeID  *uuid.UUID    `json:"assignee_id,omitempty"`
	TeamID      *uuid.UUID    `json:"team_id,omitempty"`
	CustomerID  *uuid.UUID    `json:"customer_id,omitempty"`
	DeviceID    *uuid.UUID    `json:"device_id,omitempty"`
	ProjectID   *uuid.UUID    `json:"project_id,omitempty"`
	CodeID      *uuid.UUID    `json:"code_id,omitempty" doc:"the device code the ticket came through"`
	Type        string        `json:"type,omitempty" doc:"the request type"`
	Source      ticket.Source `json:"source"`
	CreatedBy   Party         `json:"created_by"`
	Rating      *Rating       `json:"rating,omitempty"`
	CloseReason string        `json:"close_reason,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	ClosedAt    *time.Time    `json:"closed_at,omitempty"`
	// UploadsUntil ends the media transfer window of a finished ticket.
	UploadsUntil *time.Time `json:"uploads_until,omitempty" doc:"when the media transfer window of a finished ticket ends"`
	Version      int64      `json:"version" doc:"the record's version; its ETag"`
}

func (t Ticket) etag() int64 { return t.Version }

func ticketOf(t *ticket.Ticket) Ticket {
	return Ticket{ID: t.ID, Ref: t.Ref(), Title: t.Title, Description: t.Description, Requester: contactOf(t.Requester),
		State: t.State, StatusID: id(t.StatusID), PriorityID: id(t.PriorityID), AssigneeID: id(t.AssigneeID),
		TeamID: id(t.TeamID), CustomerID: id(t.CustomerID), DeviceID: id(t.DeviceID), ProjectID: id(t.ProjectID),
		CodeID: id(t.CodeID), Type: t.Type, Source: t.Source, CreatedBy: partyOf(t.CreatedBy), Rating: ratingOf(t.Rating),
		CloseReason: t.CloseReason, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, ClosedAt: t.ClosedAt,
		UploadsUntil: t.UploadsUntil, Version: t.Version}
}

// Message is a message on a ticket: public, or internal among staff. Its files are the
// ticket's attachments whose message_id is its ID (GET /tickets/{id}/attachments).
type Message struct {
	ID        uuid.UUID `json:"id"`
	TicketID  uuid.UUID `json:"ticket_id"`
	Author    Party     `json:"author"`
	Body      string    `json:"body"`
	Internal  bool      `json:"internal" doc:"seen by staff only"`
	CreatedAt time.Time `json:"created_at"`
}

func messageOf(m *ticket.Message) Message {
	return Message{ID: m.ID, TicketID: m.TicketID, Author: partyOf(m.Author), Body: m.Body,
		Internal: m.Visibility == ticket.Internal, CreatedAt: m.CreatedAt}
}

// FileMeta is an attachment: a file posted with a message, or a photo or video uploaded to a
// ticket. Its bytes are at /attachments/{id}/content.
type FileMeta struct {
	ID          uuid.UUID  `json:"id"`
	TicketID    uuid.UUID  `json:"ticket_id"`
	MessageID   *uuid.UUID `json:"message_id,omitempty"`
	Name        string     `json:"name"`
	ContentType string     `json:"content_type"`
	Size        int64      `json:"size" doc:"in bytes"`
	Internal    bool       `json:"internal"`
	Uploader    Party      `json:"uploader"`
	CreatedAt   time.Time  `json:"created_at"`
}

func fileOf(a *ticket.Attachment) FileMeta {
	return FileMeta{ID: a.ID, TicketID: a.TicketID, MessageID: id(a.MessageID), Name: a.Name, ContentType: a.ContentType,
		Size: a.Size, Internal: a.Visibility == ticket.Internal, Uploader: partyOf(a.Uploader), CreatedAt: a.CreatedAt}
}

// HistoryEntry is one change of a ticket or of one of its sessions.
type HistoryEntry struct {
	ID        uuid.UUID  `json:"id"`
	TicketID  uuid.UUID  `json:"ticket_id"`
	SessionID *uuid.UUID `json:"session_id,omitempty"`
	Actor     Party      `json:"actor"`
	Action    string     `json:"action" doc:"what happened: a lifecycle event, edit, assign, message…"`
	From      string     `json:"from,omitempty"`
	To        string     `json:"to,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	At        time.Time  `json:"at"`
}

func historyOf(h *ticket.HistoryEntry) HistoryEntry {
	return HistoryEntry{ID: h.ID, TicketID: h.TicketID, SessionID: id(h.SessionID), Actor: partyOf(h.Actor),
		Action: h.Action, From: h.From, To: h.To, Reason: h.Reason, At: h.At}
}

// Session is a video session of a ticket.
type Session struct {
	ID         uuid.UUID           `json:"id"`
	TicketID   uuid.UUID           `json:"ticket_id"`
	State      ticket.SessionState `json:"state"`
	PlannedAt  *time.Time          `json:"planned_at,omitempty"`
	PlannedEnd *time.Time          `json:"planned_end,omitempty"`
	AgentID    *uuid.UUID          `json:"agent_id,omitempty" doc:"the inviting agent"`
	StartedAt  *time.Time          `json:"started_at,omitempty"`
	EndedAt    *time.Time          `json:"ended_at,omitempty"`
	Rating     *Rating             `json:"rating,omitempty"`
	CreatedAt  time.Time           `json:"created_at"`
	UpdatedAt  time.Time           `json:"updated_at"`
	Version    int64               `json:"version"`
}

func (s Session) etag() int64 { return s.Version }

func sessionOf(s *ticket.Session) Session {
	return Session{ID: s.ID, TicketID: s.TicketID, State: s.State, PlannedAt: s.PlannedAt, PlannedEnd: s.PlannedEnd,
		AgentID: id(s.AgentID), StartedAt: s.StartedAt, EndedAt: s.EndedAt, Rating: ratingOf(s.Rating),
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version}
}

// Offer is a ticket offered to one employee of its team.
type Offer struct {
	ID        uuid.UUID         `json:"id"`
	TicketID  uuid.UUID         `json:"ticket_id"`
	UserID    uuid.UUID         `json:"user_id"`
	State     ticket.OfferState `json:"state"`
	CreatedAt time.Time         `json:"created_at"`
	ClosedAt  *time.Time        `json:"closed_at,omitempty"`
}

func offerOf(o *ticket.Offer) Offer {
	return Offer{ID: o.ID, TicketID: o.TicketID, UserID: o.UserID, State: o.State, CreatedAt: o.CreatedAt, ClosedAt: o.ClosedAt}
}

// Timer is a timer armed on a ticket: an offer's timeout, an expiration, a reminder.
type Timer struct {
	ID        uuid.UUID        `json:"id"`
	TicketID  uuid.UUID        `json:"ticket_id"`
	SessionID *uuid.UUID       `json:"session_id,omitempty"`
	Kind      ticket.TimerKind `json:"kind"`
	DueAt     time.Time        `json:"due_at"`
}

func timerOf(t *ticket.Timer) Timer {
	return Timer{ID: t.ID, TicketID: t.TicketID, SessionID: id(t.SessionID), Kind: t.Kind, DueAt: t.DueAt}
}

// Grant admits its holder to a video session's room.
type Grant struct {
	Room      string    `json:"room"`
	Identity  string    `json:"identity"`
	Token     string    `json:"token" doc:"the video provider's join credential"`
	ExpiresAt time.Time `json:"expires_at"`
}
