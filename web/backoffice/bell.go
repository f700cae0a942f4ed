package backoffice

import (
	"net/http"
	"net/url"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
)

// bellItem is one in-app notification as the bell's page lists it.
type bellItem struct {
	ID      uuid.UUID
	Subject string
	Text    string
	// Link leads to what the notification is about: a path of this site or an http(s) URL
	// (notify.SafeLink; anything else is left out).
	Link   string
	At     time.Time
	Unread bool
}

type bellView struct {
	Items []bellItem
	// Next is the link to the following page; empty on the last.
	Next   string
	Unread int
}

// bell lists the person's in-app notifications, newest first, a page at a time.
func (h *Handler) bell(w http.ResponseWriter, r *http.Request, s *session) {
	page, err := h.desk.Inbox(r.Context(), s.actor, storage.PageRequest{Limit: 25, After: r.URL.Query().Get("after")})
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	v := bellView{Unread: s.nav.Unread}
	for _, n := range page.Items {
		it := bellItem{ID: n.ID, Subject: n.Subject, Text: n.Text, At: n.CreatedAt, Unread: n.ReadAt == nil}
		if notify.SafeLink(n.Link) {
			it.Link = n.Link
		}
		v.Items = append(v.Items, it)
	}
	if page.Next != "" {
		v.Next = "/notifications?" + url.Values{"after": {page.Next}}.Encode()
	}
	h.render(w, r, s, http.StatusOK, "bell", s.l.T("bo.bell.title"), v)
}

// bellRead marks one notification read and returns to the list.
func (h *Handler) bellRead(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.pages.Error(w, r, s.l, storage.ErrNotFound)
		return
	}
	if err := h.desk.MarkRead(r.Context(), s.actor, id); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}

func (h *Handler) bellReadAll(w http.ResponseWriter, r *http.Request, s *session) {
	if _, err := h.desk.MarkAllRead(r.Context(), s.actor); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}
