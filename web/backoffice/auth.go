package backoffice

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/web"
)

// formView is a sign-in, password or link form: what was typed (never a password) and what
// is wrong with it.
type formView struct {
	Email   string
	Next    string
	Token   string
	Problem string
	Notice  string
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	h.renderOut(w, r, l, http.StatusOK, "login", l.T("bo.login.title"), formView{Next: localPath(r.URL.Query().Get("next"))})
}

func (h *Handler) loginPost(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	v := formView{Email: strings.TrimSpace(r.PostFormValue("email")), Next: localPath(r.PostFormValue("next"))}
	tid, err := h.cfg.Tenant(r)
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	in, err := h.desk.SignIn(r.Context(), tid, v.Email, r.PostFormValue("password"))
	if err != nil {
		status, problem := signInProblem(l, err)
		if status == 0 {
			h.pages.Error(w, r, l, err)
			return
		}
		v.Problem = problem
		h.renderOut(w, r, l, status, "login", l.T("bo.login.title"), v)
		return
	}
	h.startSession(w, r, in)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

// signInProblem words a refused sign-in for the form, with its status; 0 for an error the
// form does not explain (the error page does).
func signInProblem(l *web.Lang, err error) (int, string) {
	var throttled *helpdesk.ThrottledError
	switch {
	case errors.As(err, &throttled):
		return http.StatusTooManyRequests, l.T("bo.login.throttled", "Time", throttled.Until.UTC().Format("15:04 UTC"))
	case helpdesk.KindOf(err) == helpdesk.KindUnauthenticated:
		return http.StatusUnauthorized, l.T("bo.login.wrong")
	case helpdesk.KindOf(err) == helpdesk.KindUnavailable:
		return http.StatusServiceUnavailable, l.T("bo.login.busy")
	}
	return 0, ""
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := h.desk.SignOut(r.Context(), c.Value); err != nil && helpdesk.KindOf(err) != helpdesk.KindUnauthenticated {
			h.pages.Error(w, r, h.cat.For(w, r), err)
			return
		}
	}
	h.clearSession(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// passwordProblem words a refused new password for the form, with its status; 0 for an error
// the form does not explain.
func passwordProblem(l *web.Lang, err error) (int, string) {
	var ve *helpdesk.ValidationError
	switch {
	case errors.As(err, &ve) && ve.Field == "current":
		return http.StatusUnprocessableEntity, l.T("bo.profile.current.wrong")
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, l.T("bo.password.weak")
	case errors.Is(err, helpdesk.ErrInvalidLink):
		return http.StatusGone, l.T("bo.link.invalid")
	}
	if status, problem := signInProblem(l, err); status != 0 {
		return status, problem
	}
	return 0, ""
}

func (h *Handler) invitationForm(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	h.renderOut(w, r, l, http.StatusOK, "password", l.T("bo.invitation.title"), formView{Token: r.PathValue("token")})
}

func (h *Handler) invitationPost(w http.ResponseWriter, r *http.Request) {
	h.passwordLink(w, r, "bo.invitation.title", h.desk.AcceptInvitation)
}

func (h *Handler) resetForm(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	h.renderOut(w, r, l, http.StatusOK, "password", l.T("bo.reset.choose"), formView{Token: r.PathValue("token")})
}

func (h *Handler) resetPost(w http.ResponseWriter, r *http.Request) {
	h.passwordLink(w, r, "bo.reset.choose", h.desk.ResetPassword)
}

// passwordLink sets a password through a one-time link (an invitation, a reset) and signs
// the person in; a refused password shows the form again, a spent link says so.
func (h *Handler) passwordLink(w http.ResponseWriter, r *http.Request, title string,
	set func(ctx context.Context, token, password string) (*helpdesk.SignedIn, error)) {
	l := h.cat.For(w, r)
	v := formView{Token: r.PathValue("token")}
	if r.PostFormValue("password") != r.PostFormValue("confirm") {
		v.Problem = l.T("bo.password.mismatch")
		h.renderOut(w, r, l, http.StatusUnprocessableEntity, "password", l.T(title), v)
		return
	}
	in, err := set(r.Context(), v.Token, r.PostFormValue("password"))
	if err != nil {
		status, problem := passwordProblem(l, err)
		switch {
		case status == http.StatusGone:
			h.pages.ErrorPage(w, r, status, l, web.ErrorView{Message: problem, Hint: l.T("bo.link.invalid.hint"),
				Back: "/reset-password", BackLabel: l.T("bo.reset.title")})
		case status != 0:
			v.Problem = problem
			h.renderOut(w, r, l, status, "password", l.T(title), v)
		default:
			h.pages.Error(w, r, l, err)
		}
		return
	}
	h.startSession(w, r, in)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *Handler) resetRequestForm(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	h.renderOut(w, r, l, http.StatusOK, "reset", l.T("bo.reset.title"), formView{})
}

// resetRequestPost asks for a reset link. The answer is the same whether or not the address
// has an account, so the form tells nobody who has one.
func (h *Handler) resetRequestPost(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	v := formView{Email: strings.TrimSpace(r.PostFormValue("email"))}
	tid, err := h.cfg.Tenant(r)
	if err != nil {
		h.pages.Error(w, r, l, err)
		return
	}
	_, err = h.desk.RequestPasswordReset(r.Context(), tid, v.Email)
	var ve *helpdesk.ValidationError
	switch {
	case err == nil, helpdesk.KindOf(err) == helpdesk.KindNotFound:
		v.Notice = l.T("bo.reset.sent")
		h.renderOut(w, r, l, http.StatusOK, "reset", l.T("bo.reset.title"), v)
	case errors.As(err, &ve):
		v.Problem = l.T("bo.reset.email.invalid")
		h.renderOut(w, r, l, http.StatusUnprocessableEntity, "reset", l.T("bo.reset.title"), v)
	case helpdesk.KindOf(err) == helpdesk.KindThrottled:
		v.Problem = l.T("bo.reset.throttled")
		h.renderOut(w, r, l, http.StatusTooManyRequests, "reset", l.T("bo.reset.title"), v)
	default:
		h.pages.Error(w, r, l, err)
	}
}

// shareForm asks before it signs this device in: opening a link changes nothing, so a
// preview or a scanner cannot spend it.
func (h *Handler) shareForm(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	h.renderOut(w, r, l, http.StatusOK, "share", l.T("bo.share.title"), formView{Token: r.PathValue("token")})
}

func (h *Handler) sharePost(w http.ResponseWriter, r *http.Request) {
	l := h.cat.For(w, r)
	in, err := h.desk.RedeemShareLogin(r.Context(), r.PathValue("token"))
	if err != nil {
		if errors.Is(err, helpdesk.ErrInvalidLink) {
			h.pages.ErrorPage(w, r, http.StatusGone, l, web.ErrorView{Message: l.T("bo.link.invalid"),
				Hint: l.T("bo.share.again"), Back: "/login", BackLabel: l.T("bo.login.title")})
			return
		}
		h.pages.Error(w, r, l, err)
		return
	}
	h.startSession(w, r, in)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
