package main

import (
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/web"
	"github.com/google/uuid"
)

//go:embed templates/*.html
var templates embed.FS

// demoStyle is the console's own stylesheet, served at styleURL after the pages' one.
//
//go:embed static/demo.css
var demoStyle []byte

const styleURL = "/demo/demo.css"

// console is the demo's start page, its mailbox and a small staff console: enough to answer a
// request from a phone until the back office exists. It acts as the demo's agent.
type console struct {
	desk  *helpdesk.Desk
	world *world
	box   *mailbox
	base  string
	cat   *web.Catalog
	pages *web.Pages
	h     http.Handler
}

func newConsole(d *helpdesk.Desk, w *world, box *mailbox, base string, logger *slog.Logger) (*console, error) {
	cat, err := web.NewCatalog()
	if err != nil {
		return nil, err
	}
	pages, err := web.NewPages(cat, logger, templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	c := &console{desk: d, world: w, box: box, base: base, cat: cat, pages: pages}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /demo/{$}", c.index)
	mux.HandleFunc("GET /demo/mailbox", c.mailbox)
	mux.HandleFunc("GET /demo/codes/{id}", c.codeImage)
	mux.HandleFunc("GET "+styleURL, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(demoStyle)
	})
	mux.HandleFunc("POST /demo/tickets/{id}/{action}", c.act)
	c.h = web.AccessLog(logger, web.Secure(mux))
	return c, nil
}

func (c *console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.h.ServeHTTP(w, r) }

type indexView struct {
	Codes   []codeView
	Tickets []ticketRow
	Agent   string
	Problem string
}

type codeView struct {
	ID              uuid.UUID
	Label, URL, PIN string
}

type ticketRow struct {
	ID         uuid.UUID
	Ref, Title string
	State      ticket.State
	Requester  ticket.Contact
	Actions    []action
}

// action is a button of the console: the path segment it posts to and its label.
type action struct{ Name, Label string }

// The console's actions, named as a technician would say them.
var (
	actAccept   = action{"accept", "Accept"}
	actStart    = action{"start", "Start work"}
	actReply    = action{"reply", "Send a sample reply"}
	actWait     = action{"wait", "Wait for the requester"}
	actInvite   = action{"invite", "Invite to a call now"}
	actPropose  = action{"propose", "Propose a call in 15 minutes"}
	actComplete = action{"complete", "Mark as done"}
	actClose    = action{"close", "Close"}
)

// actions lists what the console offers in each state, in the agent's order of work.
var actions = map[ticket.State][]action{
	ticket.StateOpen:       {actAccept},
	ticket.StateAssigned:   {actStart, actReply, actWait, actInvite, actPropose, actComplete},
	ticket.StateInProgress: {actReply, actWait, actInvite, actPropose, actComplete},
	ticket.StateWaiting:    {actReply, actComplete},
	ticket.StateDone:       {actClose},
}

func (c *console) index(w http.ResponseWriter, r *http.Request) {
	l := c.cat.For(w, r)
	v := indexView{Agent: c.world.Agent.Name, Problem: r.URL.Query().Get("problem")}
	for _, cd := range c.world.Codes {
		v.Codes = append(v.Codes, codeView{ID: cd.ID, Label: cd.Label, URL: c.desk.CodeURL(cd.Token), PIN: cd.PIN})
	}
	page, err := c.desk.Tickets(r.Context(), c.world.Agent, storage.TicketFilter{}, storage.PageRequest{Limit: 50})
	if err != nil {
		c.pages.Error(w, r, l, err)
		return
	}
	for _, t := range page.Items {
		v.Tickets = append(v.Tickets, ticketRow{ID: t.ID, Ref: t.Ref(), Title: t.Title, State: t.State, Requester: t.Requester,
			Actions: actions[t.State]})
	}
	c.pages.Render(w, r, http.StatusOK, "index", web.Page{L: l, Title: "Helpdesk demo", Styles: []string{styleURL}, Data: v})
}

// codeImage draws a code's QR image ("/demo/codes/ID.png" or ".svg"), as the back office will.
func (c *console) codeImage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("id")
	ext := path.Ext(name)
	id, err := uuid.Parse(strings.TrimSuffix(name, ext))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	img, err := c.desk.CodeImage(r.Context(), c.world.Agent, id, device.Format(strings.TrimPrefix(ext, ".")))
	if err != nil {
		c.pages.Error(w, r, c.cat.For(w, r), err)
		return
	}
	w.Header().Set("Content-Type", img.ContentType)
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(img.Data)
}

type mailboxView struct {
	// To is the address the page shows the messages of; empty for all.
	To    string
	Mails []mail
}

// mailbox shows the messages sent, newest first: all of them, or those to one address (?to=).
func (c *console) mailbox(w http.ResponseWriter, r *http.Request) {
	v := mailboxView{To: r.URL.Query().Get("to")}
	for _, m := range c.box.newest() {
		if v.To == "" || m.To == v.To {
			v.Mails = append(v.Mails, m)
		}
	}
	c.pages.Render(w, r, http.StatusOK, "mailbox", web.Page{L: c.cat.For(w, r), Title: "Demo mailbox", Styles: []string{styleURL}, Data: v})
}

// act performs one of the agent's actions on a ticket, as the back office will.
func (c *console) act(w http.ResponseWriter, r *http.Request) {
	ctx, agent := r.Context(), c.world.Agent
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch r.PathValue("action") {
	case "accept":
		_, err = c.desk.Accept(ctx, agent, id)
	case "start":
		_, err = c.desk.Transition(ctx, agent, id, ticket.EventStart, helpdesk.Change{})
	case "reply":
		body := r.PostFormValue("body")
		if body == "" {
			body = "Thank you, we are looking into it. Could you send a photo of the display?"
		}
		_, err = c.desk.PostMessage(ctx, agent, id, helpdesk.NewMessage{Body: body})
	case "wait":
		_, err = c.desk.Transition(ctx, agent, id, ticket.EventWait, helpdesk.Change{})
	case "invite":
		_, err = c.desk.Invite(ctx, agent, id, helpdesk.Invitation{})
	case "propose":
		_, err = c.desk.Invite(ctx, agent, id, helpdesk.Invitation{At: time.Now().Add(15 * time.Minute).Truncate(time.Minute)})
	case "complete":
		_, err = c.desk.Transition(ctx, agent, id, ticket.EventComplete, helpdesk.Change{})
	case "close":
		_, err = c.desk.Close(ctx, agent, id, "Solved")
	default:
		err = fmt.Errorf("demo: unknown action: %w", storage.ErrNotFound)
	}
	target := "/demo/"
	if err != nil {
		var ve *helpdesk.ValidationError
		msg := string(helpdesk.KindOf(err))
		if errors.As(err, &ve) {
			msg = ve.Error()
		} else if k := helpdesk.KindOf(err); k == helpdesk.KindConflict || k == helpdesk.KindForbidden {
			msg = err.Error()
		}
		target += "?problem=" + urlQuery(msg)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
