package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video"
	"github.com/google/uuid"
)

// The named strings of the public pages the document lists the values of.
var (
	_ = enumType(device.Actions)
	_ = enumType(func() []device.BlockKind {
		return []device.BlockKind{device.BlockText, device.BlockLink, device.BlockDocument, device.BlockFAQ}
	})
	_ = enumType(func() []tenant.Visibility {
		return []tenant.Visibility{tenant.VisibilityPublic, tenant.VisibilityCustomers, tenant.VisibilityInvited}
	})
)

// PINHeader carries a device code's PIN to the public operations of a code that has one.
const PINHeader = "X-Code-PIN"

type listSessionsIn struct {
	State       []ticket.SessionState `query:"state" doc:"any of these states"`
	PlannedFrom time.Time             `query:"planned_from" doc:"planned to start at or after this time (leaves out unplanned sessions)"`
	PlannedTo   time.Time             `query:"planned_to" doc:"planned to start before this time (leaves out unplanned sessions)"`
	CustomerID  uuid.UUID             `query:"customer_id" doc:"sessions of this customer's tickets"`
	AgentID     uuid.UUID             `query:"agent_id" doc:"sessions of this employee (who invited, proposed or confirmed)"`
	pageIn
}

// SessionEventBody fires a video session lifecycle event.
type SessionEventBody struct {
	Event   ticket.SessionEvent `json:"event" doc:"confirm, accept, refuse, start, end, rate, close, cancel or reopen (request and invite have operations of their own)"`
	Reason  string              `json:"reason,omitempty" doc:"why: for refuse, and required of staff to cancel"`
	Stars   int                 `json:"stars,omitempty" doc:"rate: 1 to 5"`
	Comment string              `json:"comment,omitempty" doc:"rate: a comment"`
}

func (b SessionEventBody) change() helpdesk.SessionChange {
	return helpdesk.SessionChange{Reason: b.Reason, Stars: b.Stars, Comment: b.Comment}
}

type sessionEventIn struct {
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag the event is based on; a stale one answers 412"`
	Body    SessionEventBody
}

// sessionsOps are the operations of the sessions area: video sessions as staff and customer
// users reach them, and the public operations of codes and links.
func sessionsOps() []operation {
	return append(sessionOps(), publicOps()...)
}

func sessionOps() []operation {
	const tag = "Sessions"
	created := func(c *call, s *ticket.Session, err error) (Session, error) {
		if err != nil {
			return Session{}, err
		}
		c.w.Header().Set("Location", Prefix+"/sessions/"+s.ID.String())
		return sessionOf(s), nil
	}
	return []operation{
		op(http.MethodGet, "/sessions", "listSessions", tag, "List video sessions across tickets, newest first",
			func(c *call, in *listSessionsIn) (Page[Session], error) {
				p, err := c.h.desk.ListSessions(c.ctx, c.actor, storage.SessionFilter{States: in.State,
					PlannedFrom: in.PlannedFrom, PlannedTo: in.PlannedTo, CustomerID: in.CustomerID, AgentID: in.AgentID},
					in.request())
				return pageOf(p, sessionOf), err
			}),
		op(http.MethodGet, "/sessions/{id}", "getSession", tag, "Get a video session",
			func(c *call, in *idIn) (Session, error) {
				s, err := c.h.desk.Session(c.ctx, c.actor, in.ID)
				return conv(s, err, sessionOf)
			}),
		op(http.MethodGet, "/tickets/{id}/sessions", "listTicketSessions", tag, "List a ticket's video sessions, oldest first",
			func(c *call, in *pagedIn) (Page[Session], error) {
				p, err := c.h.desk.Sessions(c.ctx, c.actor, in.ID, in.request())
				return pageOf(p, sessionOf), err
			}),
		op(http.MethodPost, "/tickets/{id}/sessions", "requestSession", tag, "Ask for a video call on a ticket",
			func(c *call, in *idIn) (Session, error) {
				s, err := c.h.desk.RequestSession(c.ctx, c.actor, in.ID)
				return created(c, s, err)
			}),
		op(http.MethodPost, "/tickets/{id}/invitations", "inviteToSession", tag,
			"Invite the requester to a video call now, or propose a time for one",
			func(c *call, in *inviteIn) (Session, error) {
				inv := helpdesk.Invitation{SessionID: orNil(in.Body.SessionID), Duration: time.Duration(in.Body.Duration) * time.Second}
				if in.Body.At != nil {
					inv.At = *in.Body.At
				}
				s, err := c.h.desk.Invite(c.ctx, c.actor, in.ID, inv)
				return created(c, s, err)
			}),
		op(http.MethodPost, "/sessions/{id}/events", "fireSessionEvent", tag,
			"Fire a video session lifecycle event (confirm, accept, refuse, cancel, rate…)",
			func(c *call, in *sessionEventIn) (Session, error) {
				if err := c.sessionVersion(in.ID, in.IfMatch); err != nil {
					return Session{}, err
				}
				s, err := c.h.desk.SessionTransition(c.ctx, c.actor, in.ID, in.Body.Event, in.Body.change())
				return conv(s, c.stale(err, in.IfMatch), sessionOf)
			}).ok(http.StatusOK),
		op(http.MethodPost, "/sessions/{id}/join", "joinSession", tag, "Join a video session's call: a grant for its room",
			func(c *call, in *idIn) (Grant, error) {
				g, err := c.h.desk.JoinSession(c.ctx, c.actor, in.ID)
				return conv(g, err, grantOf)
			}).ok(http.StatusOK),
	}
}

// grantOf converts a grant to a call's room; its token is the holder's to use, once.
func grantOf(g video.Grant) Grant {
	return Grant{Room: g.Room, Identity: g.Identity, Token: g.Token, ExpiresAt: g.ExpiresAt}
}

// sessionVersion checks If-Match against the session's current version: 412 when it is
// stale. SessionTransition takes no version: a change that races the check answers 409,
// which stale turns into 412.
func (c *call) sessionVersion(id uuid.UUID, ifMatch string) error {
	_, err := versionFor(ifMatch, func() (int64, error) {
		s, err := c.h.desk.Session(c.ctx, c.actor, id)
		if err != nil {
			return 0, err
		}
		return s.Version, nil
	})
	return err
}

// ---------------------------------------------------------------------------------------------
// Public operations: a code's page, a request link, a requester's link, a session link.

// PublicField is one of a device's public custom fields with its value.
type PublicField struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// PublicBlock is one piece of a device type's public content: a text, a link, a document or
// a question with its answer.
type PublicBlock struct {
	Kind  device.BlockKind `json:"kind"`
	Title string           `json:"title,omitempty"`
	Body  string           `json:"body,omitempty"`
	URL   string           `json:"url,omitempty"`
}

// PublicDevice is what a public page shows of a device: nothing secret, nothing of its
// customer.
type PublicDevice struct {
	ID           uuid.UUID     `json:"id"`
	Name         string        `json:"name"`
	SerialNumber string        `json:"serial_number,omitempty"`
	Location     string        `json:"location,omitempty"`
	Type         string        `json:"type,omitempty" doc:"the device type's name"`
	Fields       []PublicField `json:"fields" doc:"the type's public custom fields, in the type's order"`
	Content      []PublicBlock `json:"content" doc:"the type's public content"`
}

func publicDeviceOf(d *helpdesk.PublicDevice) *PublicDevice {
	if d == nil {
		return nil
	}
	out := &PublicDevice{ID: d.ID, Name: d.Name, SerialNumber: d.SerialNumber, Location: d.Location, Type: d.Type,
		Fields: make([]PublicField, 0, len(d.Fields)), Content: make([]PublicBlock, 0, len(d.Content))}
	for _, f := range d.Fields {
		out.Fields = append(out.Fields, PublicField{Key: f.Key, Label: f.Label, Value: f.Value})
	}
	for _, b := range d.Content {
		out.Content = append(out.Content, PublicBlock{Kind: b.Kind, Title: b.Title, Body: b.Body, URL: b.URL})
	}
	return out
}

// PublicFormTexts are the request form's texts in one language.
type PublicFormTexts struct {
	Welcome     string `json:"welcome,omitempty" doc:"greets the visitor on the device's page"`
	RequestHint string `json:"request_hint,omitempty" doc:"above the request form: what a good request says"`
	Help        string `json:"help,omitempty" doc:"where else to find help"`
}

// PublicForm is the tenant's request form as public pages show it.
type PublicForm struct {
	Operator   string            `json:"operator" doc:"the service the public pages speak for"`
	Visibility tenant.Visibility `json:"visibility" doc:"who may open a ticket from a code: public, customers (signed-in customer users) or invited (request links)"`
	Language   string            `json:"language" doc:"the tenant's language, the texts' first fallback"`
	// Texts are by language; a client picks the reader's, else Language's, else en.
	Texts        map[string]PublicFormTexts `json:"texts" doc:"the form's texts by language (the reader's, else language's, else en)"`
	Types        []string                   `json:"types" doc:"the request types to choose from; empty means free text"`
	TermsURL     string                     `json:"terms_url,omitempty" doc:"terms a requester must accept (accept_terms) to submit"`
	GuideURL     string                     `json:"guide_url,omitempty"`
	SupportEmail string                     `json:"support_email,omitempty"`
	Accent       string                     `json:"accent,omitempty" doc:"the accent colour, as #rrggbb"`
}

func publicFormOf(f *helpdesk.PublicForm) *PublicForm {
	if f == nil {
		return nil
	}
	out := &PublicForm{Operator: f.Operator, Visibility: f.Visibility, Language: f.Language,
		Texts: make(map[string]PublicFormTexts, len(f.Texts)), Types: append([]string{}, f.Types...),
		TermsURL: f.TermsURL, GuideURL: f.GuideURL, SupportEmail: f.SupportEmail, Accent: f.Accent}
	for lang, t := range f.Texts {
		out.Texts[lang] = PublicFormTexts{Welcome: t.Welcome, RequestHint: t.RequestHint, Help: t.Help}
	}
	return out
}

// actionsOf returns a never-null list of actions.
func actionsOf(as []device.Action) []device.Action { return append([]device.Action{}, as...) }

// PublicCodePage is what a device code's page shows.
type PublicCodePage struct {
	// Actions are the code's within the tenant's offer; the form's visibility still decides
	// who opens a ticket (customers: sign in; invited: a request link), which a client shows.
	Actions []device.Action `json:"actions" doc:"what the page offers: view, open_ticket, request_session, upload_media; with form.visibility customers or invited a code holder cannot open a ticket (401 or 403)"`
	Device  *PublicDevice   `json:"device,omitempty" doc:"the device; absent unless the code offers view"`
	Form    *PublicForm     `json:"form"`
}

// RequestLinkPage is what a request link opens: the form to open one ticket for a device.
type RequestLinkPage struct {
	Contact   Contact         `json:"contact" doc:"who the link was sent to; what the request leaves blank is taken from it"`
	ExpiresAt time.Time       `json:"expires_at"`
	Device    *PublicDevice   `json:"device"`
	Form      *PublicForm     `json:"form"`
	Actions   []device.Action `json:"actions" doc:"what the requester may start once the ticket is open"`
}

// RequesterTicket is what a requester's link opens: their ticket and what they may start.
type RequesterTicket struct {
	Ticket  Ticket          `json:"ticket"`
	Actions []device.Action `json:"actions" doc:"what the requester may start besides writing: upload_media, request_session"`
	Form    *PublicForm     `json:"form,omitempty"`
}

// PublicTicketBody is a ticket a code holder or a request link's contact opens.
type PublicTicketBody struct {
	Title          string   `json:"title" doc:"required, up to 200 characters"`
	Description    string   `json:"description,omitempty"`
	Requester      *Contact `json:"requester,omitempty" doc:"who asks; a request link fills what is left blank from its contact"`
	Type           string   `json:"type,omitempty" doc:"one of the form's types, when it lists some"`
	RequestSession bool     `json:"request_session,omitempty" doc:"ask for a video call with it"`
	AcceptTerms    bool     `json:"accept_terms,omitempty" doc:"the requester accepted the form's terms"`
}

func (b PublicTicketBody) domain() helpdesk.NewTicket {
	nt := helpdesk.NewTicket{Title: b.Title, Description: b.Description, Type: b.Type,
		RequestSession: b.RequestSession, AcceptTerms: b.AcceptTerms}
	if b.Requester != nil {
		nt.Requester = b.Requester.domain()
	}
	return nt
}

// RequesterEventBody fires a lifecycle event on the requester's ticket.
type RequesterEventBody struct {
	Event   ticket.Event `json:"event" doc:"close (resolved), cancel, reopen or rate"`
	Reason  string       `json:"reason,omitempty"`
	Stars   int          `json:"stars,omitempty" doc:"rate: 1 to 5"`
	Comment string       `json:"comment,omitempty" doc:"rate: a comment"`
}

type tokenIn struct {
	Token string `path:"token" doc:"the code's or the link's token: the credential"`
}

type codeIn struct {
	tokenIn
	PIN string `header:"X-Code-PIN" doc:"the code's PIN, when it has one"`
}

type codeTicketIn struct {
	codeIn
	Body PublicTicketBody
}

type linkTicketIn struct {
	tokenIn
	Body PublicTicketBody
}

type linkPagedIn struct {
	tokenIn
	pageIn
}

type linkMessageIn struct {
	tokenIn
	Body NewMessageBody
}

type linkUploadIn struct {
	tokenIn
	Name string `query:"name" doc:"the file's name"`
	Body RawBody
}

type linkEventIn struct {
	tokenIn
	IfMatch string `header:"If-Match" doc:"the ETag of the ticket the event is based on; a stale one answers 412"`
	Body    RequesterEventBody
}

type linkRecordIn struct {
	tokenIn
	idIn
}

type linkSessionEventIn struct {
	tokenIn
	idIn
	IfMatch string `header:"If-Match" doc:"the ETag of the session the event is based on; a stale one answers 412"`
	Body    SessionEventBody
}

type sessionLinkEventIn struct {
	tokenIn
	IfMatch string `header:"If-Match" doc:"the ETag of the session the event is based on; a stale one answers 412"`
	Body    SessionEventBody
}

// openedKey keeps, in a public call's context, what its resolve opened (a code's page, a
// link's), so that the operation answers from it without opening the token twice.
type openedKey struct{}

// keep stores what resolve opened for the operation.
func keep(c *call, v any) { c.ctx = context.WithValue(c.ctx, openedKey{}, v) }

// opened returns what resolve kept.
func opened[T any](c *call) T {
	v, _ := c.ctx.Value(openedKey{}).(T)
	return v
}

// byCode resolves a code's token (with its PIN): OpenCode when the call is a visit of the
// page, which counts a scan, ResolveCode for what follows one.
func byCode(visit bool) func(c *call) (tenant.Actor, error) {
	return func(c *call) (tenant.Actor, error) {
		open := c.h.desk.ResolveCode
		if visit {
			open = c.h.desk.OpenCode
		}
		p, err := open(c.ctx, c.r.PathValue("token"), c.r.Header.Get(PINHeader))
		if err != nil {
			return tenant.Actor{}, err
		}
		keep(c, p)
		return p.Actor, nil
	}
}

// byRequestLink resolves a request link's token.
func byRequestLink(c *call) (tenant.Actor, error) {
	p, err := c.h.desk.OpenRequestLink(c.ctx, c.r.PathValue("token"))
	if err != nil {
		return tenant.Actor{}, err
	}
	keep(c, p)
	return p.Actor, nil
}

// requestLinkHolder finds who holds a request link, used or not, so that the retry of the
// request that used it replays its answer (Idempotency-Key); SubmitTicket refuses a spent link.
func requestLinkHolder(c *call) (tenant.Actor, error) {
	return c.h.desk.RequestLinkActor(c.ctx, c.r.PathValue("token"))
}

// byRequesterLink resolves a requester's link to their ticket.
func byRequesterLink(c *call) (tenant.Actor, error) {
	p, err := c.h.desk.OpenRequesterLink(c.ctx, c.r.PathValue("token"))
	if err != nil {
		return tenant.Actor{}, err
	}
	keep(c, p)
	return p.Actor, nil
}

// bySessionLink resolves a requester's link to one session.
func bySessionLink(c *call) (tenant.Actor, error) {
	actor, s, err := c.h.desk.OpenSessionLink(c.ctx, c.r.PathValue("token"))
	if err != nil {
		return tenant.Actor{}, err
	}
	keep(c, s)
	return actor, nil
}

// submitted answers a ticket opened through a public page, with the requester's link, whose
// public operations (under /public/requests/) follow it.
func (c *call) submitted(s *helpdesk.Submitted, err error) (CreatedTicket, error) {
	if err != nil {
		return CreatedTicket{}, err
	}
	c.w.Header().Set("Location", Prefix+"/public/requests/"+s.RequesterToken)
	return CreatedTicket{Ticket: ticketOf(s.Ticket), RequesterLink: c.h.base() + "/requests/" + s.RequesterToken}, nil
}

func publicOps() []operation {
	const tag = "Public"
	return []operation{
		// A device code's page.
		op(http.MethodGet, "/public/codes/{token}", "getCodePage", tag, "Open a device code's page (counts a scan)",
			func(c *call, _ *codeIn) (PublicCodePage, error) {
				p := opened[*helpdesk.PublicPage](c)
				return PublicCodePage{Actions: actionsOf(p.Actions), Device: publicDeviceOf(p.Device), Form: publicFormOf(p.Form)}, nil
			}).open(byCode(true)),
		op(http.MethodPost, "/public/codes/{token}/tickets", "openTicketByCode", tag,
			"Open a ticket for a code's device; the answer carries the requester's link",
			func(c *call, in *codeTicketIn) (CreatedTicket, error) {
				holder := c.actor
				if in.Body.Requester != nil {
					holder.Name = in.Body.Requester.Name // the history names who asked, as the page's form does
				}
				return c.submitted(c.h.desk.SubmitTicket(c.ctx, holder, in.Body.domain()))
			}).open(byCode(false)),

		// A request link.
		op(http.MethodGet, "/public/request-links/{token}", "getRequestLinkPage", tag, "Open a request link's form",
			func(c *call, _ *tokenIn) (RequestLinkPage, error) {
				p := opened[*helpdesk.RequestLinkPage](c)
				return RequestLinkPage{Contact: contactOf(p.Contact), ExpiresAt: p.ExpiresAt, Device: publicDeviceOf(p.Device),
					Form: publicFormOf(p.Form), Actions: actionsOf(p.Actions)}, nil
			}).open(byRequestLink),
		op(http.MethodPost, "/public/request-links/{token}/tickets", "openTicketByRequestLink", tag,
			"Open the one ticket a request link allows; the answer carries the requester's link",
			func(c *call, in *linkTicketIn) (CreatedTicket, error) {
				return c.submitted(c.h.desk.SubmitTicket(c.ctx, c.actor, in.Body.domain()))
			}).open(requestLinkHolder),

		// A requester's link to their ticket.
		op(http.MethodGet, "/public/requests/{token}", "getRequesterTicket", tag, "Open a requester's link: their ticket",
			func(c *call, _ *tokenIn) (RequesterTicket, error) {
				p := opened[*helpdesk.RequesterPage](c)
				return RequesterTicket{Ticket: ticketOf(p.Ticket), Actions: actionsOf(p.Actions), Form: publicFormOf(p.Form)}, nil
			}).open(byRequesterLink),
		op(http.MethodPost, "/public/requests/{token}/events", "fireRequesterEvent", tag,
			"Close (resolved), cancel, reopen or rate the requester's ticket",
			func(c *call, in *linkEventIn) (Ticket, error) {
				t := opened[*helpdesk.RequesterPage](c).Ticket
				if err := c.matches(in.IfMatch, t.Version); err != nil {
					return Ticket{}, err
				}
				b := in.Body
				t, err := c.h.desk.Transition(c.ctx, c.actor, t.ID, b.Event, helpdesk.Change{Reason: b.Reason,
					Stars: b.Stars, Comment: b.Comment})
				return conv(t, c.stale(err, in.IfMatch), ticketOf)
			}).open(byRequesterLink).ok(http.StatusOK),
		op(http.MethodGet, "/public/requests/{token}/messages", "listRequesterMessages", tag,
			"List the requester's ticket's messages, oldest first",
			func(c *call, in *linkPagedIn) (Page[Message], error) {
				p, err := c.h.desk.Messages(c.ctx, c.actor, c.actor.TicketID, in.request())
				return pageOf(p, messageOf), err
			}).open(byRequesterLink),
		op(http.MethodPost, "/public/requests/{token}/messages", "postRequesterMessage", tag,
			"Post a message on the requester's ticket, with files",
			func(c *call, in *linkMessageIn) (Message, error) {
				nm, err := newMessage(in.Body)
				if err != nil {
					return Message{}, err
				}
				m, err := c.h.desk.PostMessage(c.ctx, c.actor, c.actor.TicketID, nm)
				return conv(m, err, messageOf)
			}).open(byRequesterLink).big(),
		op(http.MethodPost, "/public/requests/{token}/media", "uploadRequesterMedia", tag,
			"Upload a photo or video to the requester's ticket",
			func(c *call, in *linkUploadIn) (FileMeta, error) {
				a, err := c.h.desk.UploadMedia(c.ctx, c.actor, c.actor.TicketID, helpdesk.Upload{Name: in.Name,
					Body: bytes.NewReader(in.Body.Data)})
				return conv(a, err, fileOf)
			}).open(byRequesterLink).file("image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4", "video/webm", "video/quicktime"),
		op(http.MethodGet, "/public/requests/{token}/sessions", "listRequesterSessions", tag,
			"List the requester's ticket's video sessions, oldest first",
			func(c *call, in *linkPagedIn) (Page[Session], error) {
				p, err := c.h.desk.Sessions(c.ctx, c.actor, c.actor.TicketID, in.request())
				return pageOf(p, sessionOf), err
			}).open(byRequesterLink),
		op(http.MethodPost, "/public/requests/{token}/sessions", "requestSessionByLink", tag,
			"Ask for a video call on the requester's ticket",
			func(c *call, _ *tokenIn) (Session, error) {
				s, err := c.h.desk.RequestSession(c.ctx, c.actor, c.actor.TicketID)
				return conv(s, err, sessionOf)
			}).open(byRequesterLink),

		op(http.MethodGet, "/public/requests/{token}/attachments", "listRequesterAttachments", tag,
			"List the requester's ticket's public files and media",
			func(c *call, in *linkPagedIn) (Page[FileMeta], error) {
				p, err := c.h.desk.Attachments(c.ctx, c.actor, c.actor.TicketID, in.request())
				return pageOf(p, fileOf), err
			}).open(byRequesterLink),
		op(http.MethodGet, "/public/requests/{token}/attachments/{id}/content", "downloadRequesterAttachment", tag,
			"Download a file of the requester's ticket",
			func(c *call, in *linkRecordIn) (*Binary, error) {
				a, rc, err := c.h.desk.OpenAttachment(c.ctx, c.actor, in.ID)
				if err != nil {
					return nil, err
				}
				return &Binary{ContentType: a.ContentType, Name: a.Name, Data: rc}, nil
			}).open(byRequesterLink).answers("*/*"),
		op(http.MethodPost, "/public/requests/{token}/sessions/{id}/events", "fireRequesterSessionEvent", tag,
			"Accept or refuse a proposed time, cancel, or rate a call of the requester's ticket",
			func(c *call, in *linkSessionEventIn) (Session, error) {
				if err := c.sessionVersion(in.ID, in.IfMatch); err != nil {
					return Session{}, err
				}
				s, err := c.h.desk.SessionTransition(c.ctx, c.actor, in.ID, in.Body.Event, in.Body.change())
				return conv(s, c.stale(err, in.IfMatch), sessionOf)
			}).open(byRequesterLink).ok(http.StatusOK),
		op(http.MethodPost, "/public/requests/{token}/sessions/{id}/join", "joinRequesterSession", tag,
			"Join a call of the requester's ticket: a grant for its room",
			func(c *call, in *linkRecordIn) (Grant, error) {
				g, err := c.h.desk.JoinSession(c.ctx, c.actor, in.ID)
				return conv(g, err, grantOf)
			}).open(byRequesterLink).ok(http.StatusOK),

		// A requester's link to one session (from an invitation).
		op(http.MethodGet, "/public/sessions/{token}", "getLinkedSession", tag, "Open a session link: the session",
			func(c *call, _ *tokenIn) (Session, error) {
				return sessionOf(opened[*ticket.Session](c)), nil
			}).open(bySessionLink),
		op(http.MethodPost, "/public/sessions/{token}/events", "fireLinkedSessionEvent", tag,
			"Accept or refuse a proposed time, cancel, or rate the call",
			func(c *call, in *sessionLinkEventIn) (Session, error) {
				s := opened[*ticket.Session](c)
				if err := c.matches(in.IfMatch, s.Version); err != nil {
					return Session{}, err
				}
				s, err := c.h.desk.SessionTransition(c.ctx, c.actor, s.ID, in.Body.Event, in.Body.change())
				return conv(s, c.stale(err, in.IfMatch), sessionOf)
			}).open(bySessionLink).ok(http.StatusOK),
		op(http.MethodPost, "/public/sessions/{token}/join", "joinLinkedSession", tag, "Join the session's call: a grant for its room",
			func(c *call, _ *tokenIn) (Grant, error) {
				g, err := c.h.desk.JoinSession(c.ctx, c.actor, opened[*ticket.Session](c).ID)
				return conv(g, err, grantOf)
			}).open(bySessionLink).ok(http.StatusOK),
	}
}

// matches checks If-Match against the version of the record a public call's token opened:
// 412 when it is stale.
func (c *call) matches(ifMatch string, have int64) error {
	_, err := versionFor(ifMatch, func() (int64, error) { return have, nil })
	return err
}

// newMessage decodes a message's files.
func newMessage(b NewMessageBody) (helpdesk.NewMessage, error) {
	nm := helpdesk.NewMessage{Body: b.Body, Internal: b.Internal}
	for i, f := range b.Attachments {
		data, err := base64.StdEncoding.DecodeString(f.Data)
		if err != nil {
			return helpdesk.NewMessage{}, badInput("attachments["+strconv.Itoa(i)+"].data", "not base64")
		}
		nm.Attachments = append(nm.Attachments, helpdesk.Upload{Name: f.Name, Body: bytes.NewReader(data)})
	}
	return nm, nil
}
