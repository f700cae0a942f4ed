package backoffice

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
)

// stateCount is one line of the dashboard's counts.
type stateCount struct {
	State ticket.State
	Count int
}

type dashboardView struct {
	Counts []stateCount
	Total  int
}

// dashboard shows the person's view of the desk: requests by state (a customer's user sees
// their customer's).
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, s *session) {
	counts, err := h.desk.CountTickets(r.Context(), s.actor, storage.CountFilter{})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	var v dashboardView
	for _, st := range ticket.States() {
		if n := counts[st]; n > 0 {
			v.Counts = append(v.Counts, stateCount{State: st, Count: n})
			v.Total += n
		}
	}
	h.render(w, r, s, http.StatusOK, "dashboard", s.l.T("bo.dashboard.title"), v)
}

type profileView struct {
	Name, Email string
	Problem     string
	Notice      string
	// QR is the share-login code as a data: URL, with how long it works.
	QR      template.URL
	Minutes int
}

func (h *Handler) profile(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderProfile(w, r, s, http.StatusOK, profileView{})
}

func (h *Handler) renderProfile(w http.ResponseWriter, r *http.Request, s *session, status int, v profileView) {
	v.Name = s.actor.Name
	if u, err := h.desk.User(r.Context(), s.actor, s.actor.UserID); err == nil {
		v.Email = u.Email
	}
	h.render(w, r, s, status, "profile", s.l.T("bo.profile.title"), v)
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
