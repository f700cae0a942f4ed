package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// SignedIn is a new sign-in session.
type SignedIn struct {
	// Token is the session's bearer secret (256 random bits). Keep it in a cookie (HttpOnly,
	// Secure, SameSite) or an Authorization header, and pass it to Authenticate on every
	// request. The Desk stores only its hash.
	Token     string
	ExpiresAt time.Time
	User      *tenant.User
	// Actor is the actor the user acts as; Authenticate returns the same from Token.
	Actor tenant.Actor
}

// SignIn checks an e-mail address and password within a tenant and starts a session. Every
// failure (no such address, a wrong password, an invited or deactivated account) returns the
// same ErrBadCredentials at the same cost, so sign-in cannot be used to learn which addresses
// exist. After Config.MaxLoginFailures failures for one address within Config.LoginWindow,
// SignIn returns *ThrottledError (wrapping ErrTooManyAttempts) until the window ends, whether
// or not the address exists. Each attempt is counted before its password is checked, in one
// statement, so concurrent guesses cannot slip past the limit. A password hashed with
// parameters cheaper than Config.PasswordParams is rehashed.
//
// An unknown tenant (tenant IDs are not secret), an empty password and one longer than
// tenant.MaxPasswordBytes are refused without hashing; ErrBusy means
// Config.MaxConcurrentHashes checks are already running.
func (d *Desk) SignIn(ctx context.Context, tenantID uuid.UUID, email, password string) (*SignedIn, error) {
	fail := func(err error) (*SignedIn, error) { return nil, fmt.Errorf("sign in: %w", err) }
	email = strings.ToLower(strings.TrimSpace(email))
	key := secret.Hash(email)
	if _, err := d.store.GetTenant(ctx, tenantID); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fail(ErrBadCredentials)
		}
		return fail(err)
	}
	release, err := d.hashSlot()
	if err != nil {
		return fail(err)
	}
	defer release()
	if err := d.reserveAttempt(ctx, tenantID, key, d.cfg.MaxLoginFailures, d.cfg.LoginWindow); err != nil {
		return fail(err)
	}
	if password == "" || len(password) > tenant.MaxPasswordBytes {
		return fail(ErrBadCredentials)
	}
	u, err := d.store.GetUserByEmail(ctx, tenantID, email)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fail(err)
	}
	usable := err == nil && u.Status == tenant.UserActive && u.PasswordHash != ""
	hash := d.dummyHash
	if usable {
		hash = u.PasswordHash
	}
	ok, rehash := tenant.VerifyPassword(hash, password, d.cfg.PasswordParams)
	if !ok || !usable {
		return fail(ErrBadCredentials) // the attempt is counted already
	}
	var in *SignedIn
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.ClearLoginFailures(ctx, tenantID, key); err != nil {
			return err
		}
		if rehash {
			var err error
			if u.PasswordHash, err = tenant.HashPassword(password, d.cfg.PasswordParams); err != nil {
				return err
			}
		}
		var err error
		in, err = d.startSession(ctx, q, u)
		return err
	})
	if err != nil {
		return fail(err)
	}
	return in, nil
}

// reserveAttempt counts one attempt for key before it is checked, in one statement, and
// refuses it with *ThrottledError when it is past max within window. A successful attempt
// clears the count (ClearLoginFailures).
func (d *Desk) reserveAttempt(ctx context.Context, tenantID uuid.UUID, key string, max int, window time.Duration) error {
	count, since, err := d.store.RecordLoginFailure(ctx, tenantID, key, d.clock(), window)
	if err != nil {
		return err
	}
	if count > max {
		return &ThrottledError{Until: since.Add(window)}
	}
	return nil
}

// hashSlot takes one of the Config.MaxConcurrentHashes slots for a password or PIN check (19
// MiB of memory each), or returns ErrBusy at once when all are taken. release gives it back.
func (d *Desk) hashSlot() (release func(), err error) {
	select {
	case d.hashSlots <- struct{}{}:
		return func() { <-d.hashSlots }, nil
	default:
		return nil, fmt.Errorf("%w: %d password or PIN checks are running", ErrBusy, cap(d.hashSlots))
	}
}

// startSession stores a new session for u, records the sign-in on u and writes u.
func (d *Desk) startSession(ctx context.Context, q storage.Queries, u *tenant.User) (*SignedIn, error) {
	token, now := secret.NewToken(), d.clock()
	s := &tenant.AuthSession{ID: newID(), TenantID: u.TenantID, UserID: u.ID, TokenHash: secret.Hash(token),
		CreatedAt: now, ExpiresAt: now.Add(d.cfg.SessionTTL)}
	if err := q.CreateAuthSession(ctx, s); err != nil {
		return nil, err
	}
	u.LastSignInAt, u.UpdatedAt = &now, now
	if err := q.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	return &SignedIn{Token: token, ExpiresAt: s.ExpiresAt, User: withoutSecrets(u), Actor: u.Actor()}, nil
}

// Authenticate turns a session token (SignedIn.Token) into the actor to pass to the Desk's
// operations. An embedding application calls it on every request. Returns ErrUnauthenticated
// for an unknown, expired or revoked token, or a user who is no longer active.
func (d *Desk) Authenticate(ctx context.Context, token string) (tenant.Actor, error) {
	if token == "" {
		return tenant.Actor{}, fmt.Errorf("authenticate: %w", ErrUnauthenticated)
	}
	s, err := d.store.GetAuthSession(ctx, secret.Hash(token))
	if errors.Is(err, storage.ErrNotFound) {
		return tenant.Actor{}, fmt.Errorf("authenticate: %w", ErrUnauthenticated)
	}
	if err != nil {
		return tenant.Actor{}, fmt.Errorf("authenticate: %w", err)
	}
	if !d.clock().Before(s.ExpiresAt) {
		return tenant.Actor{}, fmt.Errorf("authenticate: %w: the session expired", ErrUnauthenticated)
	}
	u, err := d.store.GetUser(ctx, s.TenantID, s.UserID)
	if err != nil {
		return tenant.Actor{}, fmt.Errorf("authenticate: %w", err)
	}
	if u.Status != tenant.UserActive {
		return tenant.Actor{}, fmt.Errorf("authenticate: %w: the account is %s", ErrUnauthenticated, u.Status)
	}
	return u.Actor(), nil
}

// SignOut ends the session of a token. An unknown or already ended token is not an error.
func (d *Desk) SignOut(ctx context.Context, token string) error {
	s, err := d.store.GetAuthSession(ctx, secret.Hash(token))
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err == nil {
		err = d.store.DeleteAuthSession(ctx, s.TenantID, s.ID)
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// redeem uses a one-time token of the purpose: it must exist, be unused and unexpired, and
// be used exactly once even when redeemed concurrently. fn then changes the token's user, who
// is written and, with signIn, signed in, all in one transaction. Returns ErrInvalidLink.
func (d *Desk) redeem(ctx context.Context, token string, purpose tenant.TokenPurpose, signIn bool,
	fn func(q storage.Queries, u *tenant.User) error) (*SignedIn, error) {
	var in *SignedIn
	err := d.inTx(ctx, func(q storage.Queries) error {
		ut, err := d.liveToken(ctx, q, token, purpose)
		if err != nil {
			return err
		}
		if err := q.UseUserToken(ctx, ut.TenantID, ut.ID, d.clock()); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return fmt.Errorf("%w: the link was already used", ErrInvalidLink)
			}
			return err
		}
		u, err := q.GetUser(ctx, ut.TenantID, ut.UserID)
		if err != nil {
			return err
		}
		if err := fn(q, u); err != nil {
			return err
		}
		u.UpdatedAt = d.clock()
		if signIn {
			in, err = d.startSession(ctx, q, u)
			return err
		}
		return q.UpdateUser(ctx, u)
	})
	return in, err
}

// liveToken reads the one-time token of the purpose, refusing with ErrInvalidLink one that is
// unknown, used or expired.
func (d *Desk) liveToken(ctx context.Context, q storage.Queries, token string, purpose tenant.TokenPurpose) (*tenant.UserToken, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: unknown link", ErrInvalidLink)
	}
	ut, err := q.GetUserToken(ctx, secret.Hash(token))
	switch {
	case errors.Is(err, storage.ErrNotFound) || err == nil && ut.Purpose != purpose:
		return nil, fmt.Errorf("%w: unknown link", ErrInvalidLink)
	case err != nil:
		return nil, err
	case ut.UsedAt != nil:
		return nil, fmt.Errorf("%w: the link was already used", ErrInvalidLink)
	case !d.clock().Before(ut.ExpiresAt):
		return nil, fmt.Errorf("%w: the link expired at %s", ErrInvalidLink, ut.ExpiresAt.Format(time.RFC3339))
	}
	return ut, nil
}

// hashNewPassword checks a new password against the policy and hashes it, once the one-time
// token that allows it is known to be live: an unknown token costs no hash.
func (d *Desk) hashNewPassword(ctx context.Context, token string, purpose tenant.TokenPurpose, password string) (string, error) {
	if _, err := d.liveToken(ctx, d.store, token, purpose); err != nil {
		return "", err
	}
	return d.hashPassword("password", password)
}

// AcceptInvitation sets the first password of an invited (or self-registered) user from the
// token of their invitation link, activates them and signs them in. Returns *ValidationError
// for a password that breaks the policy (the link stays usable), and ErrInvalidLink for an
// unknown, used or expired link or a user no longer invited.
func (d *Desk) AcceptInvitation(ctx context.Context, token, password string) (*SignedIn, error) {
	hash, err := d.hashNewPassword(ctx, token, tenant.PurposeInvitation, password)
	if err != nil {
		return nil, fmt.Errorf("accept invitation: %w", err)
	}
	in, err := d.redeem(ctx, token, tenant.PurposeInvitation, true, func(_ storage.Queries, u *tenant.User) error {
		if u.Status != tenant.UserInvited {
			return fmt.Errorf("%w: the account is %s", ErrInvalidLink, u.Status)
		}
		u.PasswordHash, u.Status = hash, tenant.UserActive
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("accept invitation: %w", err)
	}
	return in, nil
}

// RequestPasswordReset issues a password-reset link for an active user of the tenant, voiding
// earlier ones. For an address with no active account it returns a nil link and no error: the
// application answers both cases alike ("if the address is registered, a link is on its way"),
// so the form does not tell which addresses exist. It takes at least resetReplyTime either way,
// so its duration does not tell them either. At most Config.MaxResetRequests requests for one
// address within Config.ResetTTL send a link; further ones also return a nil link, so that
// nobody can flood a mailbox.
func (d *Desk) RequestPasswordReset(ctx context.Context, tenantID uuid.UUID, email string) (*OneTimeLink, error) {
	defer waitAtLeast(ctx, time.Now(), resetReplyTime)
	email = strings.ToLower(strings.TrimSpace(email))
	var link *OneTimeLink
	err := d.inTx(ctx, func(q storage.Queries) error {
		if _, err := q.GetTenant(ctx, tenantID); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return nil
			}
			return err
		}
		// Counted for every address, known or not, so both cost the same statements.
		count, _, err := q.RecordLoginFailure(ctx, tenantID, secret.Hash("reset:"+email), d.clock(), d.cfg.ResetTTL)
		if err != nil {
			return err
		}
		u, err := q.GetUserByEmail(ctx, tenantID, email)
		if errors.Is(err, storage.ErrNotFound) || count > d.cfg.MaxResetRequests {
			return nil
		}
		if err != nil || u.Status != tenant.UserActive {
			return err
		}
		link, err = d.issueToken(ctx, q, tenant.SystemFor(u.TenantID), u, tenant.PurposePasswordReset, notify.PasswordReset)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("request password reset: %w", err)
	}
	return link, nil
}

// resetReplyTime is the least time RequestPasswordReset takes, well above what issuing a link
// costs, so that known and unknown addresses answer alike.
const resetReplyTime = 100 * time.Millisecond

// waitAtLeast sleeps until d has passed since start, or ctx ends. It measures real time, not
// Config.Now: it hides how long work took from whoever waits for the answer.
func waitAtLeast(ctx context.Context, start time.Time, d time.Duration) {
	t := time.NewTimer(d - time.Since(start))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// ResetPassword sets a new password from the token of a password-reset link, ends every
// session of the user and lifts any sign-in throttling of their address, then signs them in.
// Returns *ValidationError for a password that breaks the policy (the link stays usable) and
// ErrInvalidLink for an unknown, used or expired link or a user no longer active.
func (d *Desk) ResetPassword(ctx context.Context, token, password string) (*SignedIn, error) {
	hash, err := d.hashNewPassword(ctx, token, tenant.PurposePasswordReset, password)
	if err != nil {
		return nil, fmt.Errorf("reset password: %w", err)
	}
	in, err := d.redeem(ctx, token, tenant.PurposePasswordReset, true, func(q storage.Queries, u *tenant.User) error {
		if u.Status != tenant.UserActive {
			return fmt.Errorf("%w: the account is %s", ErrInvalidLink, u.Status)
		}
		if _, err := q.DeleteUserAuthSessions(ctx, u.TenantID, u.ID); err != nil {
			return err
		}
		if err := q.ClearLoginFailures(ctx, u.TenantID, secret.Hash(u.Email)); err != nil {
			return err
		}
		u.PasswordHash = hash
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reset password: %w", err)
	}
	return in, nil
}

// ChangePassword changes the acting user's own password after checking the current one, ends
// every session of the user (this one too: a stolen session must not outlive the change) and
// returns a new session for the caller to continue with. Wrong current passwords count
// towards the sign-in throttle of the user's address (Config.MaxLoginFailures), so a session
// cannot be used to guess the password. Returns *ValidationError for a new password that
// breaks the policy and for a wrong current password (field "current", wrapping
// ErrBadCredentials), *ThrottledError, ErrBusy, and ErrForbidden for actors who are not users.
func (d *Desk) ChangePassword(ctx context.Context, actor tenant.Actor, current, password string) (*SignedIn, error) {
	fail := func(err error) (*SignedIn, error) { return nil, fmt.Errorf("change password: %w", err) }
	tid, err := authorize(actor, tenant.ActProfileUpdate)
	if err != nil {
		return fail(err)
	}
	if err := tenant.CheckPassword(password); err != nil {
		return fail(&ValidationError{Field: "password", Problem: err.Error(), Err: err})
	}
	u, err := d.store.GetUser(ctx, tid, actor.UserID)
	if err != nil {
		return fail(err)
	}
	release, err := d.hashSlot()
	if err != nil {
		return fail(err)
	}
	defer release()
	key := secret.Hash(u.Email)
	if err := d.reserveAttempt(ctx, tid, key, d.cfg.MaxLoginFailures, d.cfg.LoginWindow); err != nil {
		return fail(err)
	}
	ok := false
	if current != "" && len(current) <= tenant.MaxPasswordBytes {
		ok, _ = tenant.VerifyPassword(u.PasswordHash, current, d.cfg.PasswordParams)
	}
	if !ok {
		return fail(&ValidationError{Field: "current", Problem: "is not the current password", Err: ErrBadCredentials})
	}
	hash, err := tenant.HashPassword(password, d.cfg.PasswordParams)
	if err != nil {
		return fail(err)
	}
	var in *SignedIn
	err = d.inTx(ctx, func(q storage.Queries) error {
		u, err := q.GetUser(ctx, tid, actor.UserID)
		if err != nil {
			return err
		}
		if err := q.ClearLoginFailures(ctx, tid, key); err != nil {
			return err
		}
		if _, err := q.DeleteUserAuthSessions(ctx, tid, u.ID); err != nil {
			return err
		}
		u.PasswordHash, u.UpdatedAt = hash, d.clock()
		if in, err = d.startSession(ctx, q, u); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "user.password_changed", "user", u.ID, u.Email)
	})
	if err != nil {
		return fail(err)
	}
	return in, nil
}

// Registration is what a person gives to register themselves as a customer user.
type Registration struct {
	Email    string
	Name     string
	Phone    string
	Language string
}

// Register lets a person register as a customer_user of the customer whose signup domains
// hold their e-mail domain, while the tenant's Settings.SelfRegistration is on. The account
// starts invited: the returned link (an invitation, to be e-mailed to the address given, which
// proves the person owns it) sets the password. For an address that already has an account
// it returns a nil link and no error, so registration does not tell which addresses exist.
// Returns *ValidationError, ErrNotFound (tenant) and ErrRegistrationClosed.
func (d *Desk) Register(ctx context.Context, tenantID uuid.UUID, in Registration) (*OneTimeLink, error) {
	if err := checkIdentity(&in.Email, &in.Name, &in.Phone, in.Language); err != nil {
		return nil, err
	}
	domain := in.Email[strings.LastIndexByte(in.Email, '@')+1:]
	var link *OneTimeLink
	err := d.inTx(ctx, func(q storage.Queries) error {
		ten, err := q.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		if !ten.Settings.SelfRegistration {
			return fmt.Errorf("%w: users join by invitation", ErrRegistrationClosed)
		}
		cs, err := q.ListCustomers(ctx, tenantID)
		if err != nil {
			return err
		}
		var cust *tenant.Customer
		for _, c := range cs {
			if slices.Contains(c.SignupDomains, domain) {
				cust = c
			}
		}
		if cust == nil {
			return fmt.Errorf("%w: no customer accepts addresses at %s", ErrRegistrationClosed, domain)
		}
		if _, err := q.GetUserByEmail(ctx, tenantID, in.Email); err == nil || !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		now := d.clock()
		u := &tenant.User{ID: newID(), TenantID: tenantID, CustomerID: cust.ID, Email: in.Email, Name: in.Name,
			Phone: in.Phone, Language: in.Language, Role: tenant.RoleCustomerUser, Status: tenant.UserInvited,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := q.CreateUser(ctx, u); err != nil {
			return err
		}
		if link, err = d.issueToken(ctx, q, tenant.SystemFor(u.TenantID), u, tenant.PurposeInvitation, notify.UserRegistered); err != nil {
			return err
		}
		registrar := tenant.SystemFor(tenantID)
		registrar.Name = "self-registration"
		return d.audit(ctx, q, registrar, tenantID, "user.registered", "user", u.ID, u.Email+" for "+cust.Name)
	})
	if errors.Is(err, storage.ErrConflict) {
		return nil, nil // registered concurrently under the same address
	}
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	return link, nil
}

// ShareLogin issues a one-time link, valid for Config.ShareLoginTTL (at most 5 minutes), that
// signs the acting user in on another device: render its URL as a QR code and scan it with a
// phone. Employees and customer users may. Returns ErrForbidden for other actors and
// ErrUnauthenticated for a user no longer active.
func (d *Desk) ShareLogin(ctx context.Context, actor tenant.Actor) (*OneTimeLink, error) {
	tid, err := authorize(actor, tenant.ActShareLogin)
	if err != nil {
		return nil, fmt.Errorf("share login: %w", err)
	}
	var link *OneTimeLink
	err = d.inTx(ctx, func(q storage.Queries) error {
		u, err := q.GetUser(ctx, tid, actor.UserID)
		if err != nil {
			return err
		}
		if u.Status != tenant.UserActive {
			return fmt.Errorf("%w: the account is %s", ErrUnauthenticated, u.Status)
		}
		link, err = d.issueToken(ctx, q, actor, u, tenant.PurposeShareLogin, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("share login: %w", err)
	}
	return link, nil
}

// RedeemShareLogin signs in on a second device with the token of a share-login link. Returns
// ErrInvalidLink for an unknown, used or expired link or a user no longer active.
func (d *Desk) RedeemShareLogin(ctx context.Context, token string) (*SignedIn, error) {
	in, err := d.redeem(ctx, token, tenant.PurposeShareLogin, true, func(_ storage.Queries, u *tenant.User) error {
		if u.Status != tenant.UserActive {
			return fmt.Errorf("%w: the account is %s", ErrInvalidLink, u.Status)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redeem share login: %w", err)
	}
	return in, nil
}
