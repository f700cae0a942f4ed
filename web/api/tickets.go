package api

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// idIn is the input of an operation on one record.
type idIn struct {
	ID uuid.UUID `path:"id" doc:"the record's ID"`
}

// NewTicketBody is a ticket to open.
type NewTicketBody struct {
	Title          string     `json:"title" doc:"required, up to 200 characters"`
	Description    string     `json:"description,omitempty"`
	Requester      *Contact   `json:"requester,omitempty" doc:"who asked; customer users are their own requester"`
	DeviceID       *uuid.UUID `json:"device_id,omitempty"`
	CustomerID     *uuid.UUID `json:"customer_id,omitempty" doc:"staff opening a ticket on a customer's behalf"`
	ProjectID      *uuid.UUID `json:"project_id,omitempty"`
	Type           string     `json:"type,omitempty"`
	PriorityID     *uuid.UUID `json:"priority_id,omitempty"`
	Draft          bool       `json:"draft,omitempty" doc:"keep it a draft (submit it later with the submit event)"`
	RequestSession bool       `json:"request_session,omitempty" doc:"ask for a video session with it"`
	AcceptTerms    bool       `json:"accept_terms,omitempty" doc:"the requester accepted the tenant's terms, where the form asks"`
}

// CreatedTicket is a new ticket with its requester's link, which only this answer carries.
type CreatedTicket struct {
	Ticket
	RequesterLink string `json:"requester_link,omitempty" doc:"the requester's private link to follow the ticket"`
}

type listTicketsIn struct {
	State      []ticket.State `query:"state" doc:"any of these states"`
	PriorityID []uuid.UUID    `query:"priority_id" doc:"any of these priorities"`
	AssigneeID uuid.UUID      `query:"assignee_id"`
	Unassigned bool           `query:"unassigned" doc:"only tickets nobody is assigned to"`
	TeamID     uuid.UUID      `query:"team_id"`
	CustomerID uuid.UUID      `query:"customer_id"`
	DeviceID   uuid.UUID      `query:"device_id"`
	ProjectID  uuid.UUID      `query:"project_id"`
	CodeID     uuid.UUID      `query:"code_id"`
	Q          string         `query:"q" doc:"words to search for in the reference, title, description, requester and messages (internal ones for staff only), case and accents ignored, the last word a prefix unless q ends in a space; the results then come by relevance, then newest first"`
	pageIn
}

// TicketEditBody changes a ticket's fields; absent fields stay as they are.
type TicketEditBody struct {
	Title       *string    `json:"title,omitempty"`
	Description *string    `json:"description,omitempty"`
	Type        *string    `json:"type,omitempty"`
	PriorityID  *uuid.UUID `json:"priority_id,omitempty"`
}

type editTicketIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the change is based on; a stale one answers 412"`
	Body    TicketEditBody
}

// TicketEventBody fires a lifecycle event on a ticket.
type TicketEventBody struct {
	Event      ticket.Event `json:"event"`
	Reason     string       `json:"reason,omitempty" doc:"why: required to reject, close and cancel"`
	AssigneeID *uuid.UUID   `json:"assignee_id,omitempty" doc:"assign: the agent"`
	TeamID     *uuid.UUID   `json:"team_id,omitempty" doc:"assign: the team"`
	Stars      int          `json:"stars,omitempty" doc:"rate: 1 to 5"`
	Comment    string       `json:"comment,omitempty" doc:"rate: a comment"`
}

type ticketEventIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the event is based on; a stale one answers 412"`
	Body    TicketEventBody
}

// AssignmentBody assigns a ticket to an agent and/or a team.
type AssignmentBody struct {
	AssigneeID *uuid.UUID `json:"assignee_id,omitempty"`
	TeamID     *uuid.UUID `json:"team_id,omitempty"`
	Reason     string     `json:"reason,omitempty"`
}

type assignIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the assignment is based on; a stale one answers 412"`
	Body    AssignmentBody
}

// StatusBody sets a ticket's custom status.
type StatusBody struct {
	StatusID uuid.UUID `json:"status_id"`
}

type setStatusIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the change is based on; a stale one answers 412"`
	Body    StatusBody
}

// NewMessageBody is a message to post, with files.
type NewMessageBody struct {
	Body        string       `json:"body"`
	Internal    bool         `json:"internal,omitempty" doc:"for staff only"`
	Attachments []FileUpload `json:"attachments,omitempty"`
}

// FileUpload is a file sent inside a JSON body.
type FileUpload struct {
	Name string `json:"name"`
	Data string `json:"data" doc:"the file's bytes, base64-encoded (standard alphabet, padded)"`
}

type postMessageIn struct {
	idIn
	Body NewMessageBody
}

type pagedIn struct {
	idIn
	pageIn
}

type byRefIn struct {
	Ref string `path:"ref" doc:"the ticket's reference, as T-000123"`
}

type uploadIn struct {
	idIn
	Name string `query:"name" doc:"the file's name"`
	Body RawBody
}

// InvitationBody invites the requester to a video session: now, or at a proposed time.
type InvitationBody struct {
	SessionID *uuid.UUID `json:"session_id,omitempty" doc:"answer this requested session (else a new one)"`
	At        *time.Time `json:"at,omitempty" doc:"propose this time; absent invites now"`
	Duration  int        `json:"duration,omitempty" doc:"planned length in seconds"`
}

type inviteIn struct {
	idIn
	Body InvitationBody
}

// RequesterLink is a requester's link to a ticket.
type RequesterLink struct {
	URL string `json:"url"`
}

func ticketOps() []operation {
	const tag = "Tickets"
	return []operation{
		op(http.MethodPost, "/tickets", "createTicket", tag, "Open a ticket",
			func(c *call, in *struct{ Body NewTicketBody }) (CreatedTicket, error) {
				b := in.Body
				nt := helpdesk.NewTicket{Title: b.Title, Description: b.Description, DeviceID: orNil(b.DeviceID),
					CustomerID: orNil(b.CustomerID), ProjectID: orNil(b.ProjectID), Type: b.Type,
					PriorityID: orNil(b.PriorityID), Draft: b.Draft, RequestSession: b.RequestSession, AcceptTerms: b.AcceptTerms}
				if b.Requester != nil {
					nt.Requester = b.Requester.domain()
				}
				s, err := c.h.desk.SubmitTicket(c.ctx, c.actor, nt)
				if err != nil {
					return CreatedTicket{}, err
				}
				out := CreatedTicket{Ticket: ticketOf(s.Ticket)}
				if s.RequesterToken != "" {
					out.RequesterLink = c.h.base() + "/requests/" + s.RequesterToken
				}
				c.w.Header().Set("Location", Prefix+"/tickets/"+s.ID.String())
				return out, nil
			}),
		op(http.MethodGet, "/tickets", "listTickets", tag, "List tickets, newest first",
			func(c *call, in *listTicketsIn) (Page[Ticket], error) {
				f := storage.TicketFilter{States: in.State, PriorityIDs: in.PriorityID, AssigneeID: in.AssigneeID,
					Unassigned: in.Unassigned, TeamID: in.TeamID, CustomerID: in.CustomerID, DeviceID: in.DeviceID,
					ProjectID: in.ProjectID, CodeID: in.CodeID, Text: in.Q}
				for _, s := range in.State {
					if !s.Valid() {
						return Page[Ticket]{}, badInput("state", "unknown state "+string(s))
					}
				}
				p, err := c.h.desk.Tickets(c.ctx, c.actor, f, in.request())
				return pageOf(p, ticketOf), err
			}),
		op(http.MethodGet, "/tickets/{id}", "getTicket", tag, "Get a ticket",
			func(c *call, in *idIn) (Ticket, error) {
				t, err := c.h.desk.Ticket(c.ctx, c.actor, in.ID)
				return conv(t, err, ticketOf)
			}),
		op(http.MethodGet, "/ticket-refs/{ref}", "getTicketByRef", tag, "Get a ticket by its reference",
			func(c *call, in *byRefIn) (Ticket, error) {
				t, err := c.h.desk.TicketByRef(c.ctx, c.actor, in.Ref)
				return conv(t, err, ticketOf)
			}),
		op(http.MethodPatch, "/tickets/{id}", "editTicket", tag, "Change a ticket's title, description, type or priority",
			func(c *call, in *editTicketIn) (Ticket, error) {
				version, err := c.ticketVersion(in.ID, in.IfMatch)
				if err != nil {
					return Ticket{}, err
				}
				b := in.Body
				t, err := c.h.desk.EditTicket(c.ctx, c.actor, in.ID, helpdesk.TicketEdit{Title: b.Title,
					Description: b.Description, Type: b.Type, PriorityID: b.PriorityID, Version: version})
				return conv(t, c.stale(err, in.IfMatch), ticketOf)
			}),
		op(http.MethodDelete, "/tickets/{id}", "deleteTicket", tag, "Delete a ticket and everything on it",
			func(c *call, in *idIn) (noContent, error) {
				return noContent{}, c.h.desk.DeleteTicket(c.ctx, c.actor, in.ID)
			}),
		op(http.MethodPost, "/tickets/{id}/events", "fireTicketEvent", tag, "Fire a lifecycle event (submit, assign, start, close…)",
			func(c *call, in *ticketEventIn) (Ticket, error) {
				if _, err := c.ticketVersion(in.ID, in.IfMatch); err != nil {
					return Ticket{}, err
				}
				b := in.Body
				t, err := c.h.desk.Transition(c.ctx, c.actor, in.ID, b.Event, helpdesk.Change{Reason: b.Reason,
					AssigneeID: orNil(b.AssigneeID), TeamID: orNil(b.TeamID), Stars: b.Stars, Comment: b.Comment})
				return conv(t, err, ticketOf)
			}).ok(http.StatusOK),
		op(http.MethodPost, "/tickets/{id}/accept", "acceptTicket", tag, "Accept a ticket offered to you",
			func(c *call, in *idIn) (Ticket, error) {
				t, err := c.h.desk.Accept(c.ctx, c.actor, in.ID)
				return conv(t, err, ticketOf)
			}).ok(http.StatusOK),
		op(http.MethodPut, "/tickets/{id}/assignment", "assignTicket", tag, "Assign or re-assign a ticket",
			func(c *call, in *assignIn) (Ticket, error) {
				if _, err := c.ticketVersion(in.ID, in.IfMatch); err != nil {
					return Ticket{}, err
				}
				t, err := c.h.desk.Assign(c.ctx, c.actor, in.ID, helpdesk.Assignment{AssigneeID: orNil(in.Body.AssigneeID),
					TeamID: orNil(in.Body.TeamID), Reason: in.Body.Reason})
				return conv(t, err, ticketOf)
			}),
		op(http.MethodPut, "/tickets/{id}/status", "setTicketStatus", tag, "Set a ticket's custom status",
			func(c *call, in *setStatusIn) (Ticket, error) {
				if _, err := c.ticketVersion(in.ID, in.IfMatch); err != nil {
					return Ticket{}, err
				}
				t, err := c.h.desk.SetStatus(c.ctx, c.actor, in.ID, in.Body.StatusID)
				return conv(t, err, ticketOf)
			}),
		op(http.MethodPost, "/tickets/{id}/requester-link", "rotateRequesterLink", tag,
			"Replace the requester's link (every link given out before stops working)",
			func(c *call, in *idIn) (RequesterLink, error) {
				token, err := c.h.desk.RotateRequesterLink(c.ctx, c.actor, in.ID)
				if err != nil {
					return RequesterLink{}, err
				}
				return RequesterLink{URL: c.h.base() + "/requests/" + token}, nil
			}),
		op(http.MethodGet, "/tickets/{id}/messages", "listMessages", tag, "List a ticket's messages, oldest first",
			func(c *call, in *pagedIn) (Page[Message], error) {
				p, err := c.h.desk.Messages(c.ctx, c.actor, in.ID, in.request())
				return pageOf(p, messageOf), err
			}),
		op(http.MethodPost, "/tickets/{id}/messages", "postMessage", tag, "Post a message, with files",
			func(c *call, in *postMessageIn) (Message, error) {
				nm := helpdesk.NewMessage{Body: in.Body.Body, Internal: in.Body.Internal}
				for i, f := range in.Body.Attachments {
					data, err := base64.StdEncoding.DecodeString(f.Data)
					if err != nil {
						return Message{}, badInput("attachments["+strconv.Itoa(i)+"].data", "not base64")
					}
					nm.Attachments = append(nm.Attachments, helpdesk.Upload{Name: f.Name, Body: bytes.NewReader(data)})
				}
				m, err := c.h.desk.PostMessage(c.ctx, c.actor, in.ID, nm)
				return conv(m, err, messageOf)
			}).big(),
		op(http.MethodGet, "/tickets/{id}/history", "listHistory", tag, "List a ticket's history, oldest first",
			func(c *call, in *pagedIn) (Page[HistoryEntry], error) {
				p, err := c.h.desk.History(c.ctx, c.actor, in.ID, in.request())
				return pageOf(p, historyOf), err
			}),
		op(http.MethodGet, "/tickets/{id}/attachments", "listAttachments", tag, "List a ticket's files and media",
			func(c *call, in *pagedIn) (Page[FileMeta], error) {
				p, err := c.h.desk.Attachments(c.ctx, c.actor, in.ID, in.request())
				return pageOf(p, fileOf), err
			}),
		op(http.MethodPost, "/tickets/{id}/media", "uploadMedia", tag, "Upload a photo or video to a ticket",
			func(c *call, in *uploadIn) (FileMeta, error) {
				a, err := c.h.desk.UploadMedia(c.ctx, c.actor, in.ID, helpdesk.Upload{Name: in.Name, Body: bytes.NewReader(in.Body.Data)})
				return conv(a, err, fileOf)
			}).file("image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4", "video/webm", "video/quicktime"),
		op(http.MethodGet, "/attachments/{id}/content", "downloadAttachment", tag, "Download a file",
			func(c *call, in *idIn) (*Binary, error) {
				a, rc, err := c.h.desk.OpenAttachment(c.ctx, c.actor, in.ID)
				if err != nil {
					return nil, err
				}
				return &Binary{ContentType: a.ContentType, Name: a.Name, Data: rc}, nil
			}).answers("*/*"),
		op(http.MethodGet, "/tickets/{id}/offers", "listTicketOffers", tag, "List a ticket's offers",
			func(c *call, in *pagedIn) (Page[Offer], error) {
				p, err := c.h.desk.Offers(c.ctx, c.actor, in.ID, in.request())
				return pageOf(p, offerOf), err
			}),
		op(http.MethodGet, "/offers", "listMyOffers", tag, "List the tickets offered to you",
			func(c *call, in *pageIn) (Page[Offer], error) {
				p, err := c.h.desk.MyOffers(c.ctx, c.actor, in.request())
				return pageOf(p, offerOf), err
			}),
		op(http.MethodGet, "/tickets/{id}/timers", "listTimers", tag, "List a ticket's armed timers",
			func(c *call, in *idIn) (Page[Timer], error) {
				ts, err := c.h.desk.Timers(c.ctx, c.actor, in.ID)
				return listOf(ts, timerOf), err
			}),
	}
}

// conv converts a Desk answer, passing its error on.
func conv[T, U any](v T, err error, f func(T) U) (U, error) {
	if err != nil {
		var zero U
		return zero, err
	}
	return f(v), nil
}
