package helpdesk_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenKind is one kind of secret a visitor or a client presents: how the Desk opens it, and
// the genuine one FuzzTokens made.
type tokenKind struct {
	name    string
	genuine string
	// open reports whether the Desk accepts token, or why not.
	open func(ctx context.Context, token string) error
}

// FuzzTokens presents random and altered secrets to every way the Desk opens one: code
// tokens, requester, session and request links (signed), one-time links (an invitation, a
// password reset), sign-in session tokens and API tokens (hdt_…). Each is accepted only when
// it is the genuine secret of its kind, byte for byte; anything else is refused with a typed
// error (not found, invalid link, unauthenticated), never an internal one. It runs on
// PostgreSQL when HELPDESK_TEST_POSTGRES is set, on SQLite otherwise.
func FuzzTokens(f *testing.F) {
	var s *bunstore.Store
	if os.Getenv("HELPDESK_TEST_POSTGRES") != "" {
		s = openPostgres(f)
	} else {
		s = openSQLite(f)
	}
	fx := newFixture(f, s)
	ctx := f.Context()
	tk := fx.submit(f, "Pump alarms")
	_, err := fx.desk.Accept(ctx, fx.agent, tk.ID)
	require.NoError(f, err)
	sess, err := fx.desk.Invite(ctx, fx.agent, tk.ID, helpdesk.Invitation{At: fx.clock.Now().Add(time.Hour)})
	require.NoError(f, err)
	tk, err = fx.desk.Ticket(ctx, fx.admin, tk.ID)
	require.NoError(f, err)
	sent, err := fx.desk.SendRequestLink(ctx, fx.admin, fx.devX.ID, helpdesk.NewRequestLink{Contact: nurseContact})
	require.NoError(f, err)
	_, invitation, err := fx.desk.CreateUser(ctx, fx.admin, helpdesk.NewUser{Email: "ivy@acme.example", Name: "Ivy Invited", Role: tenant.RoleAgent})
	require.NoError(f, err)
	const password = "Fuzz-tokens-pass-1"
	_, _, err = fx.desk.CreateUser(ctx, fx.admin, helpdesk.NewUser{Email: "pat@acme.example", Name: "Pat Password", Role: tenant.RoleAgent, Password: password})
	require.NoError(f, err)
	reset, err := fx.desk.RequestPasswordReset(ctx, fx.tenant.ID, "pat@acme.example")
	require.NoError(f, err)
	signedIn, err := fx.desk.SignIn(ctx, fx.tenant.ID, "pat@acme.example", password)
	require.NoError(f, err)
	_, apiToken, err := fx.desk.CreateAPIToken(ctx, fx.admin, helpdesk.NewAPIToken{Name: "Fuzz", Scopes: tenant.ScopeRead,
		ExpiresAt: fx.clock.Now().Add(24 * time.Hour)})
	require.NoError(f, err)

	d := fx.desk
	// A one-time link is tried with a password the policy refuses: a live link answers with
	// the policy's *ValidationError and stays unused.
	const weak = "x"
	oneTime := func(redeem func(ctx context.Context, token, password string) (*helpdesk.SignedIn, error)) func(context.Context, string) error {
		return func(ctx context.Context, token string) error {
			_, err := redeem(ctx, token, weak)
			if helpdesk.KindOf(err) == helpdesk.KindInvalid && !strings.Contains(err.Error(), "link") {
				return nil
			}
			if err == nil {
				return errWeakAccepted
			}
			return err
		}
	}
	kinds := []tokenKind{
		{"code", fx.code.Token, func(ctx context.Context, t string) error { _, err := d.ResolveCode(ctx, t, ""); return err }},
		{"requester link", fx.tokens[tk.ID], func(ctx context.Context, t string) error { _, err := d.OpenRequesterLink(ctx, t); return err }},
		{"session link", secret.Link(testKey, "session", sess.TenantID, sess.ID, tk.LinkVersion),
			func(ctx context.Context, t string) error { _, _, err := d.OpenSessionLink(ctx, t); return err }},
		{"request link", sent.Token, func(ctx context.Context, t string) error { _, err := d.OpenRequestLink(ctx, t); return err }},
		{"request link actor", sent.Token, func(ctx context.Context, t string) error { _, err := d.RequestLinkActor(ctx, t); return err }},
		{"invitation", invitation.Token, oneTime(d.AcceptInvitation)},
		{"password reset", reset.Token, oneTime(d.ResetPassword)},
		{"sign-in session", signedIn.Token, func(ctx context.Context, t string) error { _, err := d.Authenticate(ctx, t); return err }},
		{"API token", apiToken, func(ctx context.Context, t string) error { _, err := d.AuthenticateAPIToken(ctx, t); return err }},
	}
	for _, k := range kinds {
		require.NoError(f, k.open(ctx, k.genuine), "the genuine %s", k.name)
	}

	for i, k := range kinds {
		f.Add(uint8(i), k.genuine, uint16(0), "")
		f.Add(uint8(i), k.genuine, uint16(len(k.genuine)-1), "A")
		f.Add(uint8(i), k.genuine, uint16(3), "")
		f.Add(uint8(i), "", uint16(0), " ")
		f.Add(uint8(i), k.genuine+"\n", uint16(0), "")
	}
	for _, s := range []string{"", "hdt_", "hdt_\x00", "\x00", "\xff\xfe", "%00", strings.Repeat("A", 64), strings.Repeat("/", 64),
		"' OR '1'='1", strings.Repeat("x", 5000)} {
		f.Add(uint8(0), s, uint16(0), "")
	}
	f.Fuzz(func(t *testing.T, which uint8, token string, at uint16, with string) {
		// Alter the token at one place: replace the byte at `at` with `with` (or cut it out).
		if len(token) > 0 && (with != "" || at != 0) {
			i := int(at) % len(token)
			token = token[:i] + with + token[i+1:]
		}
		ctx := context.Background()
		k := kinds[int(which)%len(kinds)]
		for _, kind := range []tokenKind{k, kinds[(int(which)+1)%len(kinds)]} {
			err := kind.open(ctx, token)
			switch {
			case err == nil && token != kind.genuine:
				t.Fatalf("%s: %q accepted, not the genuine %q", kind.name, token, kind.genuine)
			case err == nil:
			case token == kind.genuine:
				t.Fatalf("%s: the genuine token refused: %v", kind.name, err)
			default:
				switch helpdesk.KindOf(err) {
				case helpdesk.KindNotFound, helpdesk.KindInvalid, helpdesk.KindUnauthenticated:
				default:
					t.Fatalf("%s: %q refused with %s: %v", kind.name, token, helpdesk.KindOf(err), err)
				}
			}
		}
	})
}

var errWeakAccepted = &helpdesk.ValidationError{Field: "password", Problem: "a weak password was accepted"}

// Text holding a NUL character, which neither engine keeps, is refused as invalid input by
// every check of a text's length: a search, a title, a name. (FuzzBackofficeForms found the
// search: GET /tickets?q=%00 answered 500.)
func TestNULTextIsInvalid(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		fx := newFixture(t, s)
		ctx := t.Context()
		for name, call := range map[string]func() error{
			"search": func() error {
				_, err := fx.desk.Tickets(ctx, fx.admin, storage.TicketFilter{Text: "pump\x00"}, storage.PageRequest{})
				return err
			},
			"title": func() error {
				_, err := fx.desk.SubmitTicket(ctx, fx.holder, helpdesk.NewTicket{Title: "a\x00b", Requester: nurseContact})
				return err
			},
			"customer name": func() error {
				_, err := fx.desk.CreateCustomer(ctx, fx.admin, helpdesk.NewCustomer{Name: "\x00"})
				return err
			},
		} {
			t.Run(name, func(t *testing.T) {
				err := call()
				require.Error(t, err)
				assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err), "%v", err)
				assert.Contains(t, err.Error(), "NUL")
			})
		}
	})
}
