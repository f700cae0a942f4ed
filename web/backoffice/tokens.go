package backoffice

import (
	"errors"
	"net/http"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// tokenRoutes are the person's own API tokens, under the profile.
//
//	GET  /profile/tokens                 the person's API tokens and a form for a new one
//	POST /profile/tokens                 creates one (name, scope, expires) and shows its
//	                                     secret once: no redirect, never cached
//	POST /profile/tokens/{id}/revoke     revokes one of the person's tokens
func (h *Handler) tokenRoutes() []route {
	return []route{
		{"GET /profile/tokens", h.signedIn(h.tokens)},
		{"POST /profile/tokens", h.signedIn(h.tokenCreate)},
		{"POST /profile/tokens/{id}/revoke", h.signedIn(h.tokenRevoke)},
	}
}

// defaultTokenDays is the new-token form's expiry, in days from today.
const defaultTokenDays = 90

// dateLayout is the value format of a date input.
const dateLayout = "2006-01-02"

type tokensView struct {
	Tokens []tokenRow
	// Offered are the scopes the form offers: admin only to roles it means something for.
	Offered []string
	// Name, Scopes and Expires are the form's values; Min and Max bound the expiry date.
	Name          string
	Scopes        map[string]bool
	Expires       string
	Min, Max      string
	Problem       string
	Field         string
	Secret        string
	SecretName    string
	Notice        string
	TooManyTokens bool
}

// tokenRow is one of the person's tokens as the list shows it.
type tokenRow struct {
	ID                 uuid.UUID
	Name               string
	Scopes             []string
	Created, Expires   time.Time
	LastUsed, Revoked  *time.Time
	Expired, Revocable bool
}

func (h *Handler) tokens(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderTokens(w, r, s, http.StatusOK, tokensView{})
}

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, s *session, status int, v tokensView) {
	toks, err := h.desk.APITokens(r.Context(), s.actor)
	if err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	now := time.Now()
	for _, t := range toks {
		v.Tokens = append(v.Tokens, tokenRow{ID: t.ID, Name: t.Name, Scopes: t.Scopes.Strings(), Created: t.CreatedAt,
			Expires: t.ExpiresAt, LastUsed: t.LastUsedAt, Revoked: t.RevokedAt, Expired: !now.Before(t.ExpiresAt),
			Revocable: t.RevokedAt == nil && now.Before(t.ExpiresAt)})
	}
	v.Offered = tenant.OfferedScopes(s.actor.Role).Strings()
	today := now.UTC()
	v.Min, v.Max = today.AddDate(0, 0, 1).Format(dateLayout), today.AddDate(1, 0, 0).Format(dateLayout)
	if v.Expires == "" {
		v.Expires = today.AddDate(0, 0, defaultTokenDays).Format(dateLayout)
	}
	if v.Scopes == nil {
		v.Scopes = map[string]bool{"read": true}
	}
	// The page may carry a secret: never kept by a cache, nor by the browser's history.
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, s, status, "tokens", s.l.T("bo.tokens.title"), v)
}

// tokenCreate makes a token and shows its secret on the answer itself: a redirect would need
// the secret kept somewhere until the next page.
func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request, s *session) {
	v := tokensView{Name: r.PostFormValue("name"), Expires: r.PostFormValue("expires"), Scopes: map[string]bool{}}
	in := helpdesk.NewAPIToken{Name: v.Name}
	for _, name := range r.PostForm["scope"] {
		sc, err := tenant.ParseScope(name)
		if err != nil {
			continue
		}
		in.Scopes |= sc
		v.Scopes[name] = true
	}
	// The date is the first day the token no longer works, at midnight UTC as the page says.
	expires, err := time.Parse(dateLayout, v.Expires)
	if err == nil {
		in.ExpiresAt = expires.UTC()
	}
	tok, secret, err := h.desk.CreateAPIToken(r.Context(), s.actor, in)
	if err != nil {
		var ve *helpdesk.ValidationError
		switch {
		case errors.Is(err, helpdesk.ErrTooManyAPITokens):
			v.Problem = s.l.T("bo.tokens.toomany", "Max", helpdesk.MaxAPITokens)
			h.renderTokens(w, r, s, http.StatusConflict, v)
		case errors.As(err, &ve):
			v.Field = ve.Field
			v.Problem = s.l.T("bo.tokens.invalid." + ve.Field)
			h.renderTokens(w, r, s, http.StatusUnprocessableEntity, v)
		default:
			h.pages.Error(w, r, s.l, err)
		}
		return
	}
	h.renderTokens(w, r, s, http.StatusOK, tokensView{Secret: secret, SecretName: tok.Name})
}

// tokenRevoke revokes one of the person's tokens; another's is not found.
func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.pages.Error(w, r, s.l, storage.ErrNotFound)
		return
	}
	if err := h.desk.RevokeAPIToken(r.Context(), s.actor, id); err != nil {
		h.pages.Error(w, r, s.l, err)
		return
	}
	http.Redirect(w, r, "/profile/tokens", http.StatusSeeOther)
}
