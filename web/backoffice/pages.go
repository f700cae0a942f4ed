package backoffice

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web"
	"github.com/google/uuid"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
)

// stateCount is one line of the dashboard's counts.
type stateCount struct {
	State ticket.State
	Count int
}

// offerRow is one of the person's open offers, with the ticket it is for.
type offerRow struct {
	TicketID   uuid.UUID
	Ref, Title string
	At         time.Time
}

type dashboardView struct {
	Counts []stateCount
	Total  int
	// Days is the length of the period the figures cover, ending now.
	Days int
	// The period's figures, worded for the reader's language; empty when none.
	Opened, Closed, FirstResponse, TimeToClose, Rating string
	Offers                                             []offerRow
	Problem                                            string
	// Tasks are the employee's tickets to work on: assigned to them and not waiting for the
	// requester; MoreTasks says there are more than shown.
	Tasks     []ticketRow
	MoreTasks bool
	// Today are the video sessions planned for today (UTC) the person may see.
	Today     []sessionRow
	MoreToday bool
	// Staff says the person is an employee.
	Staff bool
}

// dashboardRows is how many tasks and sessions the dashboard shows.
const dashboardRows = 10

// dashboardDays is the period the dashboard's figures cover.
const dashboardDays = 30

// dashboard shows the person's view of the desk: requests by state and the figures of the
// last 30 days (a customer's user sees their customer's), and an employee's open offers,
// which they accept from there.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderDashboard(w, r, s, http.StatusOK, "")
}

func (h *Handler) renderDashboard(w http.ResponseWriter, r *http.Request, s *session, status int, problem string) {
	ctx := r.Context()
	now := time.Now()
	d, err := h.desk.Dashboard(ctx, s.actor, helpdesk.StatsPeriod{From: now.AddDate(0, 0, -dashboardDays), To: now})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := dashboardView{Days: dashboardDays, Problem: problem, Staff: s.actor.Kind == tenant.ActorEmployee}
	for _, st := range ticket.States() {
		if n := d.States[st]; n > 0 {
			v.Counts = append(v.Counts, stateCount{State: st, Count: n})
			v.Total += n
		}
	}
	p := message.NewPrinter(language.Make(s.l.Code))
	v.Opened, v.Closed = p.Sprintf("%d", d.Period.Opened), p.Sprintf("%d", d.Period.Closed)
	if d.Period.Responded > 0 {
		v.FirstResponse = duration(s.l, d.Period.MedianFirstResponse)
	}
	if d.Period.Closed > 0 {
		v.TimeToClose = duration(s.l, d.Period.MedianTimeToClose)
	}
	if d.Period.Ratings > 0 {
		v.Rating = p.Sprintf("%.1f", d.Period.MeanRating)
	}
	if s.actor.Kind == tenant.ActorEmployee {
		offers, err := h.desk.MyOffers(ctx, s.actor, storage.PageRequest{Limit: 10})
		if err != nil {
			h.pages.Error(w, r, s.l, err)
			return
		}
		for _, o := range offers.Items {
			t, err := h.desk.Ticket(ctx, s.actor, o.TicketID)
			if err != nil {
				continue // gone meanwhile: the offer is no longer one to show
			}
			v.Offers = append(v.Offers, offerRow{TicketID: t.ID, Ref: t.Ref(), Title: t.Title, At: o.CreatedAt})
		}
	}
	if err := h.dashboardLists(r, s, &v); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	h.render(w, r, s, status, "dashboard", s.l.T("bo.dashboard.title"), v)
}

// dashboardLists fills in the employee's tasks (tickets assigned to them, assigned or in
// progress: not waiting) and the video sessions planned today, as the person may see them.
func (h *Handler) dashboardLists(r *http.Request, s *session, v *dashboardView) error {
	ctx := r.Context()
	var lk *lookups
	if v.Staff {
		tasks, err := h.desk.Tickets(ctx, s.actor, storage.TicketFilter{AssigneeID: s.actor.UserID,
			States: []ticket.State{ticket.StateAssigned, ticket.StateInProgress}}, storage.PageRequest{Limit: dashboardRows})
		if err != nil {
			return err
		}
		if lk, err = h.lookupFor(ctx, s, false); err != nil { // the rows name no customer
			return err
		}
		for _, t := range tasks.Items {
			v.Tasks = append(v.Tasks, ticketRow{ID: t.ID, Ref: t.Ref(), Title: t.Title, State: s.l.T("bo.state." + string(t.State)),
				Priority: lk.priority(t.PriorityID), Updated: t.UpdatedAt})
		}
		v.MoreTasks = tasks.Next != ""
	} else {
		lk = &lookups{users: map[uuid.UUID]string{}}
	}
	from := time.Now().UTC().Truncate(24 * time.Hour)
	today, err := h.desk.ListSessions(ctx, s.actor, storage.SessionFilter{PlannedFrom: from, PlannedTo: from.AddDate(0, 0, 1),
		States: []ticket.SessionState{ticket.SessionProposed, ticket.SessionConfirmed, ticket.SessionInProgress}},
		storage.PageRequest{Limit: dashboardRows})
	if err != nil {
		return err
	}
	for _, sn := range today.Items {
		t, err := h.desk.Ticket(ctx, s.actor, sn.TicketID)
		if err != nil {
			continue // gone meanwhile
		}
		row := sessionRow{TicketID: t.ID, Ref: t.Ref(), Title: t.Title, State: s.l.T("bo.sessions.state." + string(sn.State)),
			Agent: lk.user(ctx, h.desk, s.actor, sn.AgentID)}
		if sn.PlannedAt != nil {
			row.Planned = *sn.PlannedAt
		}
		v.Today = append(v.Today, row)
	}
	slices.SortStableFunc(v.Today, func(a, b sessionRow) int { return a.Planned.Compare(b.Planned) })
	v.MoreToday = today.Next != ""
	return nil
}

// duration words d as days, hours and minutes, the largest two that are not zero.
func duration(l *web.Lang, d time.Duration) string {
	m := int(d.Round(time.Minute).Minutes())
	days, hours, mins := m/(24*60), m/60%24, m%60
	switch {
	case days > 0:
		return l.T("bo.duration.dh", "D", days, "H", hours)
	case hours > 0:
		return l.T("bo.duration.hm", "H", hours, "M", mins)
	}
	return l.T("bo.duration.m", "M", max(mins, 1))
}

// acceptOffer takes a ticket offered to the person; the dashboard shows why when it cannot
// (someone else was quicker, the offer was withdrawn).
func (h *Handler) acceptOffer(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.pages.Error(w, r, s.l, storage.ErrNotFound)
		return
	}
	if _, err := h.desk.Accept(r.Context(), s.actor, id); err != nil {
		switch helpdesk.KindOf(err) {
		case helpdesk.KindConflict, helpdesk.KindForbidden:
			h.renderDashboard(w, r, s, http.StatusConflict, s.l.T("bo.offer.gone"))
		default:
			h.pages.Error(w, r, s.l, err)
		}
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

type profileView struct {
	Name, Email string
	Problem     string
	Notice      string
	// QR is the share-login code as a data: URL, with how long it works.
	QR      template.URL
	Minutes int
	// Language is the person's own language ("" for the tenant's) and Languages the choice.
	Language  string
	Languages []option
	// Push says whether push notifications are switched on for the person.
	Push bool
	// PushKey is the server's VAPID public key browsers subscribe with; empty when push is
	// not set up.
	PushKey string
	// Browsers are the person's browsers subscribed to push notifications.
	Browsers []browserRow
	// PrefsProblem and PushProblem say what is wrong with the preferences' and a
	// subscription's input.
	PrefsProblem, PushProblem string
}

// browserRow is one of the person's browsers that receive push notifications.
type browserRow struct {
	ID    uuid.UUID
	Label string
	Since time.Time
	// Tag is the start of the SHA-256 of the subscription's endpoint, hex: the page's script
	// finds this browser's row by it, without the endpoint (a capability) in the page.
	Tag string
}

func (h *Handler) profile(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderProfile(w, r, s, http.StatusOK, profileView{})
}

func (h *Handler) renderProfile(w http.ResponseWriter, r *http.Request, s *session, status int, v profileView) {
	ctx := r.Context()
	v.Name = s.actor.Name
	if u, err := h.desk.User(ctx, s.actor, s.actor.UserID); err == nil {
		v.Email, v.Language, v.Push = u.Email, u.Language, u.Push
	}
	v.Languages = []option{{"", s.l.T("bo.app.language.tenant")}}
	for _, l := range web.Languages {
		v.Languages = append(v.Languages, option{l, web.LanguageNames[l]})
	}
	v.PushKey = h.desk.PushPublicKey()
	if v.PushKey != "" {
		subs, err := h.desk.PushSubscriptions(ctx, s.actor)
		if err != nil {
			h.pages.Error(w, r, s.l, err)
			return
		}
		for _, sub := range subs {
			sum := sha256.Sum256([]byte(sub.Endpoint))
			v.Browsers = append(v.Browsers, browserRow{ID: sub.ID, Label: cmp.Or(sub.UserAgent, s.l.T("bo.app.push.browser")),
				Since: sub.CreatedAt, Tag: hex.EncodeToString(sum[:8])})
		}
	}
	h.render(w, r, s, status, "profile", s.l.T("bo.profile.title"), v)
}

// preferencesPost sets the person's language and switches their push notifications on or
// off (the form has the switch only when push is set up); the UI then speaks the language
// chosen.
func (h *Handler) preferencesPost(w http.ResponseWriter, r *http.Request, s *session) {
	lang := r.PostFormValue("language")
	if lang != "" && !slices.Contains(web.Languages, lang) {
		// Only the UI's languages: the UI is to speak it.
		h.renderProfile(w, r, s, http.StatusUnprocessableEntity, profileView{PrefsProblem: s.l.T("bo.app.language.invalid")})
		return
	}
	e := helpdesk.UserEdit{Language: &lang}
	if r.PostFormValue("push-shown") != "" {
		push := r.PostFormValue("push") != ""
		e.Push = &push
	}
	if _, err := h.desk.UpdateUser(r.Context(), s.actor, s.actor.UserID, e); err != nil {
		var ve *helpdesk.ValidationError
		if !errors.As(err, &ve) {
			h.pages.Error(w, r, s.l, err)
			return
		}
		h.renderProfile(w, r, s, http.StatusUnprocessableEntity, profileView{PrefsProblem: s.l.T("bo.app.language.invalid")})
		return
	}
	to := "/profile"
	if lang != "" {
		// The language switch's parameter: the UI keeps the language from now on.
		to += "?lang=" + lang
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// passwordPost changes the person's password; the Desk ends every session, so this one is
// replaced by the fresh one it returns.
func (h *Handler) passwordPost(w http.ResponseWriter, r *http.Request, s *session) {
	var v profileView
	if r.PostFormValue("password") != r.PostFormValue("confirm") {
		v.Problem = s.l.T("bo.password.mismatch")
		h.renderProfile(w, r, s, http.StatusUnprocessableEntity, v)
		return
	}
	in, err := h.desk.ChangePassword(r.Context(), s.actor, r.PostFormValue("current"), r.PostFormValue("password"))
	if err != nil {
		status, problem := passwordProblem(s.l, err)
		if status == 0 {
			h.pages.Error(w, r, s.l, err)
			return
		}
		v.Problem = problem
		h.renderProfile(w, r, s, status, v)
		return
	}
	h.startSession(w, r, in)
	v.Notice = s.l.T("bo.profile.changed")
	h.renderProfile(w, r, s, http.StatusOK, v)
}

// sharePage shows a fresh share-login link as a QR code for the person's phone to scan.
func (h *Handler) sharePage(w http.ResponseWriter, r *http.Request, s *session) {
	link, err := h.desk.ShareLogin(r.Context(), s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	img, err := link.QRImage(device.FormatPNG, device.Appearance{Size: 288, Correction: device.CorrectionMedium})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	// A data: URL the page itself made from a PNG: safe to put in src as it is.
	v := profileView{QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(img.Data)),
		Minutes: max(1, int(time.Until(link.ExpiresAt).Round(time.Minute).Minutes()))}
	h.renderProfile(w, r, s, http.StatusOK, v)
}
