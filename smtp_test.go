package helpdesk_test

import (
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/smtpmail"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
)

// mailServer is a tenant's own SMTP server in the tests: plain SMTP on 127.0.0.1 that takes
// AUTH PLAIN for one user and password, and refuses recipients at refused.example.
type mailServer struct {
	port               int
	username, password string

	mu       sync.Mutex
	accepted []serverMail
}

// serverMail is one message the server accepted.
type serverMail struct {
	to   []string
	data string
}

func startMailServer(t *testing.T, username, password string) *mailServer {
	t.Helper()
	ms := &mailServer{username: username, password: password}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{srv: ms}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ms.port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ms
}

func (ms *mailServer) mails() []serverMail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]serverMail(nil), ms.accepted...)
}

type mailSession struct {
	srv    *mailServer
	authed bool
	to     []string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.srv.username || password != s.srv.password {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@refused.example") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.accepted = append(s.srv.accepted, serverMail{to: s.to, data: string(b)})
	return nil
}

func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }

const smtpPassword = "Tenant-SMTP-s3cret"

// smtpInput is the settings of ms with password.
func smtpInput(ms *mailServer, password string) helpdesk.SMTPInput {
	return helpdesk.SMTPInput{Host: "127.0.0.1", Port: ms.port, Security: "plain", Username: ms.username,
		Password: password, From: "Acme Support <support@acme.example>"}
}

func mailerConfig() helpdesk.Config {
	return helpdesk.Config{TenantMailer: smtpmail.Factory(smtpmail.Config{Timeout: 10 * time.Second})}
}

func TestTenantSMTPPasswordIsSealedAndNeverReturned(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		ms := startMailServer(t, "acme", smtpPassword)
		f := newNotifyFixture(t, s, mailerConfig())

		none, err := f.desk.SMTP(ctx, f.admin)
		require.NoError(t, err)
		assert.Nil(t, none, "no mail server of its own yet")

		set, err := f.desk.SetSMTP(ctx, f.admin, smtpInput(ms, smtpPassword))
		require.NoError(t, err)
		got, err := f.desk.SMTP(ctx, f.admin)
		require.NoError(t, err)
		for _, v := range []*tenant.SMTP{set, got} {
			assert.True(t, v.PasswordSet)
			assert.Empty(t, v.SealedPassword, "the Desk never returns the sealed password")
			assert.Equal(t, "127.0.0.1", v.Host)
			assert.Equal(t, "acme", v.Username)
		}

		var raw map[string]any
		rows, err := s.DB().QueryContext(ctx, "SELECT * FROM tenant_smtp")
		require.NoError(t, err)
		defer rows.Close()
		cols, err := rows.Columns()
		require.NoError(t, err)
		require.True(t, rows.Next())
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		raw = map[string]any{}
		var all strings.Builder
		for i, c := range cols {
			raw[c] = vals[i]
			all.WriteString(toString(vals[i]))
		}
		assert.NotContains(t, all.String(), smtpPassword, "no column holds the password in clear")
		assert.NotEmpty(t, raw["password_sealed"])

		// The audit entry tells what changed, not the password.
		entries, err := f.store.ListAudit(ctx, f.tenant.ID, storage.PageRequest{Limit: storage.MaxPageSize})
		require.NoError(t, err)
		for _, e := range entries.Items {
			assert.NotContains(t, e.Detail, smtpPassword)
		}

		// Saving without a password keeps the stored one; the mail still goes.
		_, err = f.desk.SetSMTP(ctx, f.admin, smtpInput(ms, ""))
		require.NoError(t, err)
		require.NoError(t, f.desk.TestSMTP(ctx, f.admin, "ada@example.com"))

		// A user name without any password is refused.
		require.NoError(t, f.desk.DeleteSMTP(ctx, f.admin))
		_, err = f.desk.SetSMTP(ctx, f.admin, smtpInput(ms, ""))
		var ve *helpdesk.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "password", ve.Field)
	})
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

func TestTenantMailGoesThroughItsOwnServer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		ms := startMailServer(t, "acme", smtpPassword)
		f := newNotifyFixture(t, s, mailerConfig())
		other := f.addTenant(t, "Other Service", "O")

		_, err := f.desk.SetSMTP(ctx, f.admin, smtpInput(ms, smtpPassword))
		require.NoError(t, err)
		_, _, err = f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "new.agent@acme.example", Name: "New Agent", Role: tenant.RoleAgent})
		require.NoError(t, err)
		_, _, err = f.desk.CreateUser(ctx, other.admin, helpdesk.NewUser{Email: "new.agent@other.example", Name: "Other Agent", Role: tenant.RoleAgent})
		require.NoError(t, err)
		_, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)

		mails := ms.mails()
		require.Len(t, mails, 1, "the tenant's invitation went through its own server")
		assert.Equal(t, []string{"new.agent@acme.example"}, mails[0].to)
		assert.Contains(t, mails[0].data, "From: \"Acme Support\" <support@acme.example>")
		def := f.mail.Messages()
		require.Len(t, def, 1, "the other tenant's went through the Desk's default")
		assert.Equal(t, "new.agent@other.example", def[0].To.Email)

		// Back to the default once the tenant's own server is removed.
		require.NoError(t, f.desk.DeleteSMTP(ctx, f.admin))
		_, _, err = f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "third@acme.example", Name: "Third Agent", Role: tenant.RoleAgent})
		require.NoError(t, err)
		_, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Len(t, ms.mails(), 1)
		assert.Len(t, f.mail.Messages(), 2)
	})
}

func TestTenantMailWithoutADefaultNotifier(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		ms := startMailServer(t, "acme", smtpPassword)
		f := newFixture(t, s)
		cfg := mailerConfig()
		cfg.Now, cfg.SecretKeys = f.clock.Now, [][]byte{testKey}
		d, err := helpdesk.New(s, &cfg)
		require.NoError(t, err)
		f.desk = d

		_, err = d.SetSMTP(ctx, f.admin, smtpInput(ms, smtpPassword))
		require.NoError(t, err)
		_, _, err = d.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "new.agent@acme.example", Name: "New Agent", Role: tenant.RoleAgent})
		require.NoError(t, err)
		_, err = d.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Len(t, ms.mails(), 1, "a tenant with its own server gets e-mail though the Desk has no e-mail Notifier")
	})
}

func TestTestSMTPNamesTheFailingStep(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		ms := startMailServer(t, "acme", smtpPassword)
		f := newNotifyFixture(t, s, mailerConfig())

		closed, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		closedPort := closed.Addr().(*net.TCPAddr).Port
		require.NoError(t, closed.Close())

		for _, tc := range []struct {
			name string
			in   helpdesk.SMTPInput
			to   string
			step string
		}{
			{"works", smtpInput(ms, smtpPassword), "ada@example.com", ""},
			{"wrong password", smtpInput(ms, "Wrong-pass1"), "ada@example.com", smtpmail.StepAuth},
			{"refused recipient", smtpInput(ms, smtpPassword), "nobody@refused.example", smtpmail.StepRecipient},
			{"nothing listening", func() helpdesk.SMTPInput { in := smtpInput(ms, smtpPassword); in.Port = closedPort; return in }(),
				"ada@example.com", smtpmail.StepConnect},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.desk.SetSMTP(ctx, f.admin, tc.in)
				require.NoError(t, err)
				err = f.desk.TestSMTP(ctx, f.admin, tc.to)
				if tc.step == "" {
					require.NoError(t, err)
					return
				}
				var te *helpdesk.SMTPTestError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, tc.step, te.Step)
				assert.ErrorIs(t, err, helpdesk.ErrSMTPTest)
				assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))
				assert.Contains(t, err.Error(), "at "+tc.step)
			})
		}
		n := len(ms.mails())
		assert.Equal(t, 1, n, "only the working test reached the server")

		// Without settings of its own, the test tries the Desk's default when it can: the
		// recorder is no notify.Mailer.
		require.NoError(t, f.desk.DeleteSMTP(ctx, f.admin))
		var ve *helpdesk.ValidationError
		require.ErrorAs(t, f.desk.TestSMTP(ctx, f.admin, "ada@example.com"), &ve)
		assert.Equal(t, "smtp", ve.Field)
		require.ErrorAs(t, f.desk.TestSMTP(ctx, f.admin, "not an address"), &ve)
		assert.Equal(t, "to", ve.Field)
	})
}

func TestTenantSMTPKeyRotation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		ms := startMailServer(t, "acme", smtpPassword)
		f := newNotifyFixture(t, s, mailerConfig())
		_, err := f.desk.SetSMTP(ctx, f.admin, smtpInput(ms, smtpPassword))
		require.NoError(t, err)
		before, err := s.GetTenantSMTP(ctx, f.tenant.ID)
		require.NoError(t, err)

		newKey := []byte("the tests' second master key, 32+")
		rotated := func(keys ...[]byte) *helpdesk.Desk {
			cfg := mailerConfig()
			cfg.Now, cfg.SecretKeys = f.clock.Now, keys
			cfg.Notifiers = map[notify.Channel]notify.Notifier{notify.Email: f.mail}
			d, err := helpdesk.New(s, &cfg)
			require.NoError(t, err)
			return d
		}
		// The new key first, the old one after it: the password still opens, and is sealed
		// again under the new key when it is used.
		both := rotated(newKey, testKey)
		_, _, err = both.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "one@acme.example", Name: "One", Role: tenant.RoleAgent})
		require.NoError(t, err)
		_, err = both.DispatchOnce(ctx)
		require.NoError(t, err)
		require.Len(t, ms.mails(), 1)
		after, err := s.GetTenantSMTP(ctx, f.tenant.ID)
		require.NoError(t, err)
		assert.NotEqual(t, before.SealedPassword, after.SealedPassword, "sealed again under the first key")

		// The old key dropped: the mail still goes.
		only := rotated(newKey)
		require.NoError(t, only.TestSMTP(ctx, f.admin, "ada@example.com"))

		// A Desk with none of the keys that sealed it cannot send, for good.
		lost := rotated([]byte("a key that never sealed anything!"))
		err = lost.TestSMTP(ctx, f.admin, "ada@example.com")
		require.Error(t, err)
		assert.True(t, notify.IsPermanent(err), "%v", err)
	})
}

func TestSetSMTPValidates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, mailerConfig())
		base := helpdesk.SMTPInput{Host: "smtp.acme.example", Username: "acme", Password: "x", From: "support@acme.example"}
		for _, tc := range []struct {
			field string
			edit  func(*helpdesk.SMTPInput)
		}{
			{"host", func(in *helpdesk.SMTPInput) { in.Host = " " }},
			{"port", func(in *helpdesk.SMTPInput) { in.Port = 70000 }},
			{"security", func(in *helpdesk.SMTPInput) { in.Security = "ssl" }},
			{"from", func(in *helpdesk.SMTPInput) { in.From = "not an address" }},
			// Credentials in clear text to another host: the mailer's own rule.
			{"smtp", func(in *helpdesk.SMTPInput) { in.Security = "plain" }},
		} {
			in := base
			tc.edit(&in)
			_, err := f.desk.SetSMTP(ctx, f.admin, in)
			var ve *helpdesk.ValidationError
			require.ErrorAs(t, err, &ve, tc.field)
			assert.Equal(t, tc.field, ve.Field)
		}
		// Without Config.TenantMailer the Desk cannot use a tenant's server.
		plain, err := helpdesk.New(s, &helpdesk.Config{SecretKeys: [][]byte{testKey}})
		require.NoError(t, err)
		_, err = plain.SetSMTP(ctx, f.admin, base)
		assert.True(t, errors.Is(err, helpdesk.ErrSMTPUnavailable))
		assert.Equal(t, helpdesk.KindUnavailable, helpdesk.KindOf(err))
	})
}
