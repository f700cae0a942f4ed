package smtpmail_test

import (
	"context"
	"errors"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/notifytest"
	"github.com/deskkit/helpdesk/notify/smtpmail"
)

func newMailer(t *testing.T, cfg smtpmail.Config) *smtpmail.Mailer {
	t.Helper()
	m, err := smtpmail.New(cfg)
	require.NoError(t, err)
	return m
}

func TestConformance(t *testing.T) {
	for _, opts := range []serverOptions{
		{security: smtpmail.SecurityPlain},
		{security: smtpmail.SecurityStartTLS, auth: true},
		{security: smtpmail.SecurityTLS, auth: true},
	} {
		t.Run(string(opts.security), func(t *testing.T) {
			notifytest.RunNotifier(t, notifytest.Harness{
				Channel: notify.Email,
				New: func(t *testing.T) (notify.Notifier, notifytest.Provider) {
					srv := startServer(t, opts)
					return newMailer(t, srv.config()), srv
				},
			})
		})
	}
}

func emailMessage(to string) *notify.Message {
	return &notify.Message{
		ID:             uuid.New(),
		IdempotencyKey: "key-" + uuid.NewString(),
		Event:          notify.TicketAssigned,
		Channel:        notify.Email,
		To:             notify.Address{Name: "Anna", Email: to},
		Subject:        "Ticket T-000001",
		Text:           "Hello",
		HTML:           "<p>Hello</p>",
	}
}

// closedPort returns a local port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

func TestCheck(t *testing.T) {
	starttls := serverOptions{security: smtpmail.SecurityStartTLS, auth: true}
	plain := serverOptions{security: smtpmail.SecurityPlain}
	tests := []struct {
		name          string
		server        serverOptions
		configure     func(cfg *smtpmail.Config)
		to            string
		wantStep      string
		wantPermanent bool
		wantCode      int // SMTP reply code, 0 for none
	}{
		{name: "OK", server: starttls},
		{name: "OKImplicitTLS", server: serverOptions{security: smtpmail.SecurityTLS, auth: true}},
		{name: "OKPlain", server: plain},
		{
			name:      "WrongPort",
			server:    starttls,
			configure: func(cfg *smtpmail.Config) { cfg.Port = closedPort(t) },
			wantStep:  smtpmail.StepConnect,
		},
		{
			name:          "GreetingRefused",
			server:        serverOptions{security: smtpmail.SecurityPlain, refuseSessions: true},
			wantStep:      smtpmail.StepConnect,
			wantPermanent: true,
			wantCode:      554,
		},
		{
			name:          "NoSTARTTLS",
			server:        plain,
			configure:     func(cfg *smtpmail.Config) { cfg.Security = smtpmail.SecurityStartTLS },
			wantStep:      smtpmail.StepTLS,
			wantPermanent: true,
		},
		{
			name:          "UntrustedCertificate",
			server:        starttls,
			configure:     func(cfg *smtpmail.Config) { cfg.TLSConfig = nil },
			wantStep:      smtpmail.StepTLS,
			wantPermanent: true,
		},
		{
			name:          "WrongServerName",
			server:        starttls,
			configure:     func(cfg *smtpmail.Config) { cfg.TLSConfig.ServerName = "smtp.example.com" },
			wantStep:      smtpmail.StepTLS,
			wantPermanent: true,
		},
		{
			name:          "ImplicitTLSToClearText",
			server:        plain,
			configure:     func(cfg *smtpmail.Config) { cfg.Security = smtpmail.SecurityTLS },
			wantStep:      smtpmail.StepTLS,
			wantPermanent: true,
		},
		{
			name:          "BadPassword",
			server:        starttls,
			configure:     func(cfg *smtpmail.Config) { cfg.Password = "wrong" },
			wantStep:      smtpmail.StepAuth,
			wantPermanent: true,
			wantCode:      535,
		},
		{
			name:          "AuthNotOffered",
			server:        plain,
			configure:     func(cfg *smtpmail.Config) { cfg.Username, cfg.Password = testUser, testPassword },
			wantStep:      smtpmail.StepAuth,
			wantPermanent: true,
		},
		{
			name:          "NoAuthConfigured",
			server:        starttls,
			configure:     func(cfg *smtpmail.Config) { cfg.Username, cfg.Password = "", "" },
			wantStep:      smtpmail.StepFrom,
			wantPermanent: true,
			wantCode:      502,
		},
		{
			name:          "RecipientRefused",
			server:        starttls,
			to:            "nobody" + refusedDomain,
			wantStep:      smtpmail.StepRecipient,
			wantPermanent: true,
			wantCode:      550,
		},
		{
			name:          "RecipientInvalid",
			server:        starttls,
			to:            "not an address",
			wantStep:      smtpmail.StepRecipient,
			wantPermanent: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.server)
			cfg := srv.config()
			if tt.configure != nil {
				tt.configure(&cfg)
			}
			to := tt.to
			if to == "" {
				to = "admin@example.com"
			}

			err := newMailer(t, cfg).Check(t.Context(), to)

			if tt.wantStep == "" {
				require.NoError(t, err)
				got := srv.Accepted()
				require.Len(t, got, 1)
				assert.Equal(t, to, got[0].To)
				assert.Equal(t, "SMTP settings test", got[0].Subject)
				assert.NotEmpty(t, got[0].Text)
				return
			}
			var cerr *smtpmail.CheckError
			require.ErrorAs(t, err, &cerr)
			assert.Equal(t, tt.wantStep, cerr.Step, "err: %v", err)
			assert.Equal(t, tt.wantPermanent, notify.IsPermanent(err), "permanent? err: %v", err)
			if tt.wantCode != 0 {
				var reply *textproto.Error
				if assert.ErrorAs(t, err, &reply) {
					assert.Equal(t, tt.wantCode, reply.Code)
				}
			}
			assert.Empty(t, srv.Accepted())
		})
	}
}

func TestCheckDeadline(t *testing.T) {
	srv := startServer(t, serverOptions{security: smtpmail.SecurityPlain})
	release := srv.Stall()
	t.Cleanup(release)
	cfg := srv.config()
	cfg.Timeout = 100 * time.Millisecond

	err := newMailer(t, cfg).Check(t.Context(), "admin@example.com")

	var cerr *smtpmail.CheckError
	require.ErrorAs(t, err, &cerr)
	assert.Equal(t, smtpmail.StepConnect, cerr.Step)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "Config.Timeout bounds the check")
	assert.False(t, notify.IsPermanent(err))
}

// TestReplyClassification checks that 4xx replies are transient and 5xx permanent at every
// step of the transaction, and that the error names the step and carries the reply.
func TestReplyClassification(t *testing.T) {
	tests := []struct {
		serverStep string
		code       int
		wantStep   string
	}{
		{"mail", 421, smtpmail.StepFrom},
		{"mail", 451, smtpmail.StepFrom},
		{"mail", 550, smtpmail.StepFrom},
		{"mail", 553, smtpmail.StepFrom},
		{"rcpt", 450, smtpmail.StepRecipient},
		{"rcpt", 452, smtpmail.StepRecipient},
		{"rcpt", 550, smtpmail.StepRecipient},
		{"rcpt", 551, smtpmail.StepRecipient},
		{"data", 451, smtpmail.StepData},
		{"data", 452, smtpmail.StepData},
		{"data", 552, smtpmail.StepData},
		{"data", 554, smtpmail.StepData},
	}
	srv := startServer(t, serverOptions{security: smtpmail.SecurityStartTLS, auth: true})
	m := newMailer(t, srv.config())
	for _, tt := range tests {
		t.Run(tt.serverStep+"_"+strconv.Itoa(tt.code), func(t *testing.T) {
			srv.failNext(tt.serverStep, tt.code, "refused by the test")

			_, err := m.Send(t.Context(), emailMessage("anna@example.com"))

			require.Error(t, err)
			assert.Equal(t, tt.code >= 500, notify.IsPermanent(err), "permanent? err: %v", err)
			var reply *textproto.Error
			if assert.ErrorAs(t, err, &reply) {
				assert.Equal(t, tt.code, reply.Code)
			}
			var cerr *smtpmail.CheckError
			if assert.ErrorAs(t, err, &cerr) {
				assert.Equal(t, tt.wantStep, cerr.Step)
			}
			assert.Contains(t, err.Error(), "anna@example.com", "the error names the message")
		})
	}
	assert.Empty(t, srv.Accepted())
}

func TestAuthLogin(t *testing.T) {
	srv := startServer(t, serverOptions{
		security:     smtpmail.SecurityPlain,
		auth:         true,
		mechs:        []string{sasl.Login},
		insecureAuth: true, // loopback only, as New insists
	})

	t.Run("OK", func(t *testing.T) {
		m := newMailer(t, srv.config())
		_, err := m.Send(t.Context(), emailMessage("anna@example.com"))
		require.NoError(t, err)
		assert.Len(t, srv.Accepted(), 1)
	})
	t.Run("BadPassword", func(t *testing.T) {
		cfg := srv.config()
		cfg.Password = "wrong"
		err := newMailer(t, cfg).Check(t.Context(), "anna@example.com")
		var cerr *smtpmail.CheckError
		require.ErrorAs(t, err, &cerr)
		assert.Equal(t, smtpmail.StepAuth, cerr.Step)
		assert.True(t, notify.IsPermanent(err))
	})
}

func TestSend(t *testing.T) {
	srv := startServer(t, serverOptions{security: smtpmail.SecurityStartTLS, auth: true})
	m := newMailer(t, srv.config())

	t.Run("ReceiptIsMessageID", func(t *testing.T) {
		msg := emailMessage("anna@example.com")
		rc, err := m.Send(t.Context(), msg)
		require.NoError(t, err)
		assert.Equal(t, "<"+msg.IdempotencyKey+"@helpdesk>", rc.ProviderID)
	})

	t.Run("TextOnly", func(t *testing.T) {
		for _, text := range []string{"one line", "two\nlines\n", "trailing space \nand tab\t", ""} {
			msg := emailMessage("anna@example.com")
			msg.HTML = ""
			msg.Text = text
			_, err := m.Send(t.Context(), msg)
			require.NoError(t, err)
			got := srv.Accepted()
			last := got[len(got)-1]
			assert.Equal(t, text, last.Text)
			assert.Empty(t, last.HTML)
		}
	})

	t.Run("KeyFallsBackToID", func(t *testing.T) {
		msg := emailMessage("anna@example.com")
		msg.IdempotencyKey = ""
		rc, err := m.Send(t.Context(), msg)
		require.NoError(t, err)
		assert.Equal(t, "<"+msg.ID.String()+"@helpdesk>", rc.ProviderID)
	})

	t.Run("InvalidAddress", func(t *testing.T) {
		msg := emailMessage("anna at example")
		_, err := m.Send(t.Context(), msg)
		require.Error(t, err)
		assert.True(t, notify.IsPermanent(err))
	})

	t.Run("OtherChannel", func(t *testing.T) {
		msg := emailMessage("anna@example.com")
		msg.Channel = notify.SMS
		_, err := m.Send(t.Context(), msg)
		require.Error(t, err)
		assert.True(t, notify.IsPermanent(err))
	})

	t.Run("HeaderInjection", func(t *testing.T) {
		msg := emailMessage("anna@example.com")
		msg.Subject = "Hello\r\nBcc: eve@example.com"
		msg.To.Name = "Anna\r\nBcc: eve@example.com"
		_, err := m.Send(t.Context(), msg)
		require.NoError(t, err)
		raws := srv.Raw()
		raw := string(raws[len(raws)-1])
		head, _, _ := strings.Cut(raw, "\r\n\r\n")
		assert.NotContains(t, head, "\r\nBcc:")
		got := srv.Accepted()
		assert.Equal(t, "Hello Bcc: eve@example.com", got[len(got)-1].Subject)
	})

	t.Run("CanceledContext", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := m.Send(ctx, emailMessage("anna@example.com"))
		assert.ErrorIs(t, err, context.Canceled)
		assert.False(t, notify.IsPermanent(err))
	})
}

func TestNew(t *testing.T) {
	valid := func() smtpmail.Config {
		return smtpmail.Config{Host: "smtp.example.com", From: "Support <support@example.com>"}
	}
	tests := []struct {
		name      string
		configure func(cfg *smtpmail.Config)
		wantErr   string // "" for a valid Config
	}{
		{"Minimal", func(*smtpmail.Config) {}, ""},
		{"BareFrom", func(cfg *smtpmail.Config) { cfg.From = "support@example.com" }, ""},
		{"UnicodeName", func(cfg *smtpmail.Config) { cfg.From = `"Kundendienst Müller" <support@example.com>` }, ""},
		{"IPv6Host", func(cfg *smtpmail.Config) { cfg.Host = "::1" }, ""},
		{"PlainAuthOnLoopback", func(cfg *smtpmail.Config) {
			cfg.Host, cfg.Security, cfg.Username, cfg.Password = "localhost", smtpmail.SecurityPlain, "u", "p"
		}, ""},
		{"MissingFrom", func(cfg *smtpmail.Config) { cfg.From = "" }, "Config.From"},
		{"InvalidFrom", func(cfg *smtpmail.Config) { cfg.From = "Support" }, "Config.From"},
		{"FromWithoutDomain", func(cfg *smtpmail.Config) { cfg.From = "Support <support>" }, "Config.From"},
		{"TwoFroms", func(cfg *smtpmail.Config) { cfg.From = "a@example.com, b@example.com" }, "Config.From"},
		{"MissingHost", func(cfg *smtpmail.Config) { cfg.Host = "" }, "Config.Host"},
		{"HostWithPort", func(cfg *smtpmail.Config) { cfg.Host = "smtp.example.com:587" }, "Config.Host"},
		{"HostWithScheme", func(cfg *smtpmail.Config) { cfg.Host = "smtp://smtp.example.com" }, "Config.Host"},
		{"BadSecurity", func(cfg *smtpmail.Config) { cfg.Security = "ssl" }, "Config.Security"},
		{"NegativePort", func(cfg *smtpmail.Config) { cfg.Port = -1 }, "Config.Port"},
		{"HugePort", func(cfg *smtpmail.Config) { cfg.Port = 70000 }, "Config.Port"},
		{"UsernameWithoutPassword", func(cfg *smtpmail.Config) { cfg.Username = "u" }, "Config.Password"},
		{"PlainAuthToRemoteHost", func(cfg *smtpmail.Config) {
			cfg.Security, cfg.Username, cfg.Password = smtpmail.SecurityPlain, "u", "p"
		}, "Config.Username"},
		{"HeloWithSpace", func(cfg *smtpmail.Config) { cfg.HeloName = "my host" }, "Config.HeloName"},
		{"NegativeTimeout", func(cfg *smtpmail.Config) { cfg.Timeout = -time.Second }, "Config.Timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.configure(&cfg)
			m, err := smtpmail.New(cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, m)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Nil(t, m)
		})
	}

	t.Run("DoesNotKeepCallersTLSConfig", func(t *testing.T) {
		srv := startServer(t, serverOptions{security: smtpmail.SecurityTLS, auth: true})
		cfg := srv.config()
		m := newMailer(t, cfg)
		cfg.TLSConfig.RootCAs = nil // the caller changes its config afterwards
		require.NoError(t, m.Check(t.Context(), "admin@example.com"))
	})
}

func TestCheckError(t *testing.T) {
	reply := &textproto.Error{Code: 535, Msg: "5.7.8 Authentication failed"}
	err := error(&smtpmail.CheckError{Step: smtpmail.StepAuth, Err: notify.Permanent(reply)})

	assert.Equal(t, "smtp auth: "+reply.Error(), err.Error())
	assert.True(t, notify.IsPermanent(err))
	var got *textproto.Error
	require.True(t, errors.As(err, &got))
	assert.Equal(t, 535, got.Code)
}
