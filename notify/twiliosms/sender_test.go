package twiliosms_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/notifytest"
	"github.com/deskkit/helpdesk/notify/twiliosms"
)

func TestConformance(t *testing.T) {
	notifytest.RunNotifier(t, notifytest.Harness{
		Channel: notify.SMS,
		New: func(t *testing.T) (notify.Notifier, notifytest.Provider) {
			f := newFakeTwilio(t)
			return newSender(t, f, nil), f
		},
	})
}

// newSender returns a Sender talking to f, with cfg's changes applied to a valid Config.
func newSender(t *testing.T, f *fakeTwilio, change func(*twiliosms.Config)) *twiliosms.Sender {
	t.Helper()
	cfg := twiliosms.Config{
		AccountSID: testAccountSID,
		AuthToken:  testAuthToken,
		From:       testFrom,
		HTTPClient: f.Client(),
	}
	if change != nil {
		change(&cfg)
	}
	s, err := twiliosms.New(cfg)
	require.NoError(t, err)
	return s
}

func smsMessage(phone, text string) *notify.Message {
	return &notify.Message{
		ID:             uuid.New(),
		IdempotencyKey: uuid.NewString(),
		TenantID:       uuid.New(),
		Event:          notify.TicketAssigned,
		Channel:        notify.SMS,
		To:             notify.Address{Phone: phone},
		Language:       "en",
		Text:           text,
		Attempt:        1,
	}
}

func TestNew(t *testing.T) {
	valid := func() twiliosms.Config {
		return twiliosms.Config{AccountSID: testAccountSID, AuthToken: testAuthToken, From: testFrom}
	}
	tests := []struct {
		name    string
		change  func(*twiliosms.Config)
		wantErr string // a substring; empty for success
	}{
		{name: "auth token and From", change: func(*twiliosms.Config) {}},
		{name: "API key", change: func(c *twiliosms.Config) { c.AuthToken, c.APIKey, c.APISecret = "", testAPIKey, testAPISecret }},
		{name: "messaging service only", change: func(c *twiliosms.Config) { c.From, c.MessagingServiceSID = "", testServiceSID }},
		{name: "alphanumeric sender ID", change: func(c *twiliosms.Config) { c.From = "DeskKit" }},
		{name: "status callback", change: func(c *twiliosms.Config) { c.StatusCallbackURL = "https://desk.example.com/twilio/status" }},
		{name: "missing account SID", change: func(c *twiliosms.Config) { c.AccountSID = "" }, wantErr: "Config.AccountSID"},
		{name: "API key as account SID", change: func(c *twiliosms.Config) { c.AccountSID = testAPIKey }, wantErr: "Config.AccountSID"},
		{name: "short account SID", change: func(c *twiliosms.Config) { c.AccountSID = "AC123" }, wantErr: "Config.AccountSID"},
		{name: "missing auth token", change: func(c *twiliosms.Config) { c.AuthToken = "" }, wantErr: "Config.AuthToken is required"},
		{name: "auth token with symbols", change: func(c *twiliosms.Config) { c.AuthToken = "abc:def" }, wantErr: "Config.AuthToken may contain only"},
		{name: "bad API key", change: func(c *twiliosms.Config) { c.APIKey, c.APISecret = testAccountSID, testAPISecret }, wantErr: "Config.APIKey"},
		{name: "API key without secret", change: func(c *twiliosms.Config) { c.APIKey = testAPIKey }, wantErr: "Config.APISecret is required"},
		{name: "API secret without key", change: func(c *twiliosms.Config) { c.APISecret = testAPISecret }, wantErr: "Config.APIKey is required"},
		{name: "no sender", change: func(c *twiliosms.Config) { c.From = " " }, wantErr: "Config.From or MessagingServiceSID is required"},
		{name: "bad messaging service", change: func(c *twiliosms.Config) { c.MessagingServiceSID = "MG1" }, wantErr: "Config.MessagingServiceSID"},
		{name: "relative callback URL", change: func(c *twiliosms.Config) { c.StatusCallbackURL = "/twilio/status" }, wantErr: "Config.StatusCallbackURL"},
		{name: "callback URL of another scheme", change: func(c *twiliosms.Config) { c.StatusCallbackURL = "ftp://desk.example.com/x" }, wantErr: "Config.StatusCallbackURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.change(&cfg)
			s, err := twiliosms.New(cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, s)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), testAuthToken, "the error must not reveal the token")
			assert.Nil(t, s)
		})
	}
}

func TestSendRequest(t *testing.T) {
	const callback = "https://desk.example.com/twilio/status?region=eu"
	tests := []struct {
		name      string
		change    func(*twiliosms.Config)
		user      string // Basic auth user the stand-in expects
		pass      string
		wantForm  map[string]string // "" means absent
		wantState string
	}{
		{
			name:     "From with status callback",
			change:   func(c *twiliosms.Config) { c.StatusCallbackURL = callback },
			user:     testAccountSID,
			pass:     testAuthToken,
			wantForm: map[string]string{"From": testFrom, "MessagingServiceSid": "", "StatusCallback": callback, "Attempt": "3"},
		},
		{
			name:     "messaging service without callback",
			change:   func(c *twiliosms.Config) { c.From, c.MessagingServiceSID = "", testServiceSID },
			user:     testAccountSID,
			pass:     testAuthToken,
			wantForm: map[string]string{"From": "", "MessagingServiceSid": testServiceSID, "StatusCallback": "", "Attempt": "3"},
		},
		{
			name:     "API key",
			change:   func(c *twiliosms.Config) { c.AuthToken, c.APIKey, c.APISecret = "", testAPIKey, testAPISecret },
			user:     testAPIKey,
			pass:     testAPISecret,
			wantForm: map[string]string{"From": testFrom},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTwilio(t)
			f.user, f.pass = tt.user, tt.pass
			s := newSender(t, f, tt.change)
			m := smsMessage("+4917612345678", "Ticket T-000042: Ihr Techniker ist unterwegs. Grüße!")
			m.Attempt = 3

			r, err := s.Send(t.Context(), m)

			require.NoError(t, err)
			assert.Regexp(t, `^SM[0-9a-f]{32}$`, r.ProviderID)
			forms := f.Forms()
			require.Len(t, forms, 1)
			assert.Equal(t, m.To.Phone, forms[0].Get("To"))
			assert.Equal(t, m.Text, forms[0].Get("Body"))
			for k, want := range tt.wantForm {
				assert.Equal(t, want, forms[0].Get(k), "form field %s", k)
			}
		})
	}
}

func TestSendReceiptIsTheMessageSID(t *testing.T) {
	f := newFakeTwilio(t)
	s := newSender(t, f, nil)

	first, err := s.Send(t.Context(), smsMessage("+4917600000001", "one"))
	require.NoError(t, err)
	second, err := s.Send(t.Context(), smsMessage("+4917600000002", "two"))
	require.NoError(t, err)

	assert.Equal(t, "SM00000000000000000000000000000001", first.ProviderID)
	assert.Equal(t, "SM00000000000000000000000000000002", second.ProviderID)
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name      string
		refusal   twiliotest.Refusal
		permanent bool
		wantText  []string // substrings of the error text
		wantCode  int      // Twilio code errors.As should find; 0 for none
	}{
		{
			name:      "invalid To is permanent",
			refusal:   twiliotest.Error(400, 21211, "The 'To' number +1555 is not a valid phone number."),
			permanent: true,
			wantText:  []string{"21211", "The 'To' number +1555 is not a valid phone number.", "https://www.twilio.com/docs/errors/21211"},
			wantCode:  21211,
		},
		{
			name:      "unsubscribed recipient is permanent",
			refusal:   twiliotest.Error(400, 21610, "Attempt to send to unsubscribed recipient"),
			permanent: true,
			wantText:  []string{"21610", "unsubscribed recipient"},
			wantCode:  21610,
		},
		{
			name:      "not a mobile number is permanent",
			refusal:   twiliotest.Error(400, 21614, "'To' number is not a valid mobile number"),
			permanent: true,
			wantText:  []string{"21614"},
			wantCode:  21614,
		},
		{
			name:      "authentication failure is permanent",
			refusal:   twiliotest.Error(401, 20003, "Authenticate"),
			permanent: true,
			wantText:  []string{"20003", "Authenticate"},
			wantCode:  20003,
		},
		{
			name:     "rate limit is transient",
			refusal:  twiliotest.Error(429, 20429, "Too Many Requests"),
			wantText: []string{"20429", "Too Many Requests"},
			wantCode: 20429,
		},
		{
			name:     "service unavailable is transient",
			refusal:  twiliotest.Error(503, 20503, "Service Unavailable"),
			wantText: []string{"20503", "Service Unavailable"},
			wantCode: 20503,
		},
		{
			name:     "internal error is transient",
			refusal:  twiliotest.Error(500, 20500, "An internal server error has occurred"),
			wantText: []string{"20500"},
			wantCode: 20500,
		},
		{
			name:     "a proxy's HTML page is transient",
			refusal:  twiliotest.Refusal{Status: 502, ContentType: "text/html", Body: "<html><body>Bad Gateway</body></html>"},
			wantText: []string{"502"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTwilio(t)
			s := newSender(t, f, nil)
			f.Refuse(tt.refusal)
			m := smsMessage("+1555", "refused")

			r, err := s.Send(t.Context(), m)

			require.Error(t, err)
			assert.Empty(t, r.ProviderID)
			assert.Equal(t, tt.permanent, notify.IsPermanent(err), "permanent? err: %v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "twiliosms: send "+m.String()), "err: %v", err)
			for _, want := range tt.wantText {
				assert.Contains(t, err.Error(), want)
			}
			var te *client.TwilioRestError
			if tt.wantCode != 0 && assert.ErrorAs(t, err, &te) {
				assert.Equal(t, tt.wantCode, te.Code)
				assert.Equal(t, tt.refusal.Status, te.Status)
			}
			assert.Empty(t, f.Accepted())
		})
	}
}

func TestSendRefusedLocally(t *testing.T) {
	tests := []struct {
		name  string
		phone string
		text  string
		want  error
	}{
		{name: "no phone", phone: "", text: "hello", want: twiliosms.ErrNoPhone},
		{name: "blank phone", phone: "  ", text: "hello", want: twiliosms.ErrNoPhone},
		{name: "no text", phone: "+4917612345678", text: "", want: twiliosms.ErrNoText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeTwilio(t)
			s := newSender(t, f, nil)

			_, err := s.Send(t.Context(), smsMessage(tt.phone, tt.text))

			assert.ErrorIs(t, err, tt.want)
			assert.True(t, notify.IsPermanent(err))
			assert.Empty(t, f.Forms(), "Twilio should not be asked")
		})
	}
}

func TestSendContextDone(t *testing.T) {
	t.Run("cancelled before the call", func(t *testing.T) {
		f := newFakeTwilio(t)
		s := newSender(t, f, nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()

		_, err := s.Send(ctx, smsMessage("+4917612345678", "too late"))

		assert.ErrorIs(t, err, context.Canceled)
		assert.False(t, notify.IsPermanent(err))
		assert.Empty(t, f.Forms())
	})
	t.Run("cancelled while Twilio stalls", func(t *testing.T) {
		f := newFakeTwilio(t)
		s := newSender(t, f, nil)
		t.Cleanup(f.Stall())
		ctx, cancel := context.WithCancel(t.Context())
		done := sendAsync(ctx, s, smsMessage("+4917612345678", "stalled"))

		<-f.stalled // the request is at Twilio
		cancel()
		err := waitSend(t, done)

		assert.ErrorIs(t, err, context.Canceled)
		assert.False(t, notify.IsPermanent(err))
	})
	t.Run("HTTPClient timeout", func(t *testing.T) {
		f := newFakeTwilio(t)
		t.Cleanup(f.Stall())
		s := newSender(t, f, func(c *twiliosms.Config) {
			hc := f.Client()
			hc.Timeout = 1 // a nanosecond: the request cannot make it
			c.HTTPClient = hc
		})

		err := waitSend(t, sendAsync(t.Context(), s, smsMessage("+4917612345678", "slow")))

		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.False(t, notify.IsPermanent(err))
	})
}

// sendAsync sends m in a goroutine and delivers Send's error.
func sendAsync(ctx context.Context, s *twiliosms.Sender, m *notify.Message) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := s.Send(ctx, m)
		done <- err
	}()
	return done
}

// waitSend waits for a Send started by sendAsync. The bound is generous: it only turns a Send
// that ignores its ctx into a failure instead of a hung test.
func waitSend(t *testing.T, done <-chan error) error {
	t.Helper()
	guard := time.NewTimer(10 * time.Second)
	defer guard.Stop()
	select {
	case err := <-done:
		return err
	case <-guard.C:
		t.Fatal("Send did not return after its ctx ended")
		return nil
	}
}

func TestSendDoesNotChangeTheHTTPClient(t *testing.T) {
	f := newFakeTwilio(t)
	hc := f.Client()
	before := *hc
	s := newSender(t, f, func(c *twiliosms.Config) { c.HTTPClient = hc })

	_, err := s.Send(t.Context(), smsMessage("+4917612345678", "hello"))

	require.NoError(t, err)
	assert.Equal(t, before.Timeout, hc.Timeout)
	assert.True(t, before.Transport == hc.Transport, "Transport replaced")
}

// errors.Is must see through the permanent wrapper to the sentinel and to the Twilio error.
func TestPermanentKeepsTheChain(t *testing.T) {
	f := newFakeTwilio(t)
	s := newSender(t, f, nil)
	f.FailNext(notifytest.Permanent)

	_, err := s.Send(t.Context(), smsMessage("+1555", "x"))

	var te *client.TwilioRestError
	require.True(t, errors.As(err, &te))
	assert.Equal(t, http.StatusBadRequest, te.Status)
	assert.ErrorIs(t, err, notify.ErrPermanent)
}
