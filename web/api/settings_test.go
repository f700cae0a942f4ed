package api_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settingsMailer makes the mail servers of the world's tenants (SetSMTP): a fake one, which
// accepts every message and test, except that it refuses the sign-in for the password "wrong".
func settingsMailer(s notify.SMTPSettings) (notify.Mailer, error) { return fakeMailServer{s}, nil }

type fakeMailServer struct{ s notify.SMTPSettings }

func (m fakeMailServer) Send(context.Context, *notify.Message) (notify.Receipt, error) {
	return notify.Receipt{}, nil
}

func (m fakeMailServer) Check(context.Context, string) error {
	if m.s.Password == "wrong" {
		return &mailStepError{step: "auth", err: errors.New("535 5.7.8 authentication failed")}
	}
	return nil
}

type mailStepError struct {
	step string
	err  error
}

func (e *mailStepError) Error() string      { return e.err.Error() }
func (e *mailStepError) FailedStep() string { return e.step }

// settingsRecords makes the records the settings scenarios name, in both tenants (the second
// tenant's as "kind:other", for TestIsolation): a notification template, in-app notifications
// of the supervisor and a customer user, a failed delivery, and a push subscription.
func settingsRecords(t *testing.T, w *world) {
	t.Helper()
	ctx := t.Context()
	tp, err := w.desk.SaveNotificationTemplate(ctx, w.actors["admin"], notify.Template{Event: notify.TicketDone,
		Channel: notify.SMS, Language: "en", Text: "{{.ticket_ref}} is done.", Enabled: true})
	require.NoError(t, err)
	w.ids["notification_template:x"] = tp.ID
	tp, err = w.desk.SaveNotificationTemplate(ctx, w.actors["other_admin"], notify.Template{Event: notify.TicketDone,
		Channel: notify.SMS, Language: "en", Text: "Other tenant's template: {{.ticket_ref}}.", Enabled: true})
	require.NoError(t, err)
	w.ids["notification_template:other"] = tp.ID

	w.ids["notification:bell_supervisor"] = w.bellNotification(t, w.ten.ID, "supervisor", "For the supervisor")
	w.ids["notification:bell_customer"] = w.bellNotification(t, w.ten.ID, "customer_user", "For the customer user")
	w.ids["notification:other"] = w.failedDelivery(t, w.other.ID, "Other tenant's failure")
	w.ids["notification:failed"] = w.failedDelivery(t, w.ten.ID, "Failed once")

	w.pushSubscription(t, "customer_user", "x")
	w.pushSubscription(t, "other_admin", "other")
}

// bell stores an unread in-app notification for the named user of tenant tid.
func (w *world) bellNotification(t *testing.T, tid uuid.UUID, user, subject string) uuid.UUID {
	t.Helper()
	return w.enqueueNotification(t, &notify.Notification{Message: notify.Message{TenantID: tid, Event: notify.TicketDone, Channel: notify.InApp,
		To: notify.Address{UserID: w.ids["user:"+user], Name: user}, Language: "en", Subject: subject, Text: "Done."},
		Status: notify.StatusDelivered})
}

// failed stores a failed e-mail delivery of tenant tid.
func (w *world) failedDelivery(t *testing.T, tid uuid.UUID, subject string) uuid.UUID {
	t.Helper()
	return w.enqueueNotification(t, &notify.Notification{Message: notify.Message{TenantID: tid, Event: notify.TicketDone, Channel: notify.Email,
		To: notify.Address{Name: "Tess", Email: "tess@req.example"}, Language: "en", Subject: subject, Text: "Done."},
		Status: notify.StatusFailed, Attempts: 5, LastError: "550 mailbox unavailable"})
}

func (w *world) enqueueNotification(t *testing.T, n *notify.Notification) uuid.UUID {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	n.ID = uuid.Must(uuid.NewV7())
	n.IdempotencyKey, n.CreatedAt, n.NextAttemptAt = n.ID.String(), now, now
	if n.Status == notify.StatusDelivered {
		n.DeliveredAt = &now
	}
	require.NoError(t, w.store.EnqueueNotifications(t.Context(), []*notify.Notification{n}))
	return n.ID
}

// push subscribes a browser of the named user, as push_subscription:name.
func (w *world) pushSubscription(t *testing.T, user, name string) {
	t.Helper()
	p256dh, auth := pushKeys(t)
	s, err := w.desk.AddPushSubscription(t.Context(), w.actors[user], helpdesk.PushSubscriptionInput{
		Endpoint: "https://push.example/" + name, P256dh: p256dh, Auth: auth, UserAgent: "Browser " + name})
	require.NoError(t, err)
	w.ids["push_subscription:"+name] = s.ID
}

// pushKeys returns a browser's push keys: a P-256 public key and a 16-byte secret, base64url.
func pushKeys(t *testing.T) (p256dh, auth string) {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	require.NoError(t, err)
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(secret)
}

// withMailServer returns a setup that gives the first tenant its own mail server, with password.
func withMailServer(password string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		t.Helper()
		_, err := w.desk.SetSMTP(t.Context(), w.actors["admin"], helpdesk.SMTPInput{Host: "smtp.acme.example", Port: 2525,
			Username: "desk", Password: password, From: "Acme Support <support@acme.example>"})
		require.NoError(t, err)
	}
}

// freshNotifyTemplate returns a setup that makes the named template anew (ev on ch in lang),
// removing a template of the same event, channel and language first.
func freshNotifyTemplate(name string, ev notify.Event, ch notify.Channel, lang string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		t.Helper()
		noNotifyTemplate(ev, ch, lang)(t, w)
		tp := notify.Template{Event: ev, Channel: ch, Language: lang, Text: "Fresh {{.recipient_name}}."}
		if ch == notify.Email {
			tp.Subject = "Fresh"
		}
		saved, err := w.desk.SaveNotificationTemplate(t.Context(), w.actors["admin"], tp)
		require.NoError(t, err)
		w.ids["notification_template:"+name] = saved.ID
	}
}

// noNotifyTemplate returns a setup that removes the first tenant's template of ev on ch in lang.
func noNotifyTemplate(ev notify.Event, ch notify.Channel, lang string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		t.Helper()
		ts, err := w.desk.NotificationTemplates(t.Context(), w.actors["admin"], ev)
		require.NoError(t, err)
		for _, tp := range ts {
			if tp.Channel == ch && tp.Language == lang {
				require.NoError(t, w.desk.DeleteNotificationTemplate(t.Context(), w.actors["admin"], tp.ID))
			}
		}
	}
}

func settingsScenarios() map[string][]scenario {
	ok, created, noContent := http.StatusOK, http.StatusCreated, http.StatusNoContent
	forbidden, notFound, invalid := http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity
	const period = "from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z"
	template := func(lang, text string) string {
		return fmt.Sprintf(`{"event":"ticket.done","channel":"sms","language":%q,"text":%q,"enabled":true}`, lang, text)
	}
	return map[string][]scenario{
		"getTenant": {{name: "own", path: "/tenant", want: statuses(ok, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := decode[struct {
					ID      uuid.UUID
					Name    string
					Version int64
				}](t, a)
				assert.Equal(t, w.ten.ID, got.ID)
				assert.Equal(t, "Acme Service", got.Name)
				assert.Equal(t, fmt.Sprintf(`"%d"`, got.Version), a.Header.Get("ETag"))
			}}},
		// Desk.Tenant lets every signed-in person read the tenant, settings included: the back
		// office shows the settings to admins only, by a rule of its own handler.
		"getSettings": {{name: "own", path: "/settings", want: statuses(ok, http.StatusForbidden, "admin"),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.NotEmpty(t, a.Header.Get("ETag"))
				assert.Contains(t, a.body, `"version":`)
			}}},
		"updateSettings": {
			{name: "replace", path: "/settings",
				body: `{"self_registration":false,"public_access_days":30,"notification_retention_days":14,"support_link":"https://help.acme.example/",` +
					`"notifications":{"ticket.done":{"sms":true}},"durations":{"offer_timeout":3600},"form":{"texts":{"de":{"welcome":"Willkommen"}}}}`,
				want: statuses(ok, forbidden, "admin"),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := decode[struct {
						PublicAccessDays          int                        `json:"public_access_days"`
						NotificationRetentionDays int                        `json:"notification_retention_days"`
						SupportLink               string                     `json:"support_link"`
						Notifications             map[string]map[string]bool `json:"notifications"`
						Durations                 struct {
							OfferTimeout int64 `json:"offer_timeout"`
						}
						Form struct {
							Texts map[string]struct{ Welcome string }
						}
						Version int64
					}](t, a)
					assert.Equal(t, 30, got.PublicAccessDays)
					assert.Equal(t, 14, got.NotificationRetentionDays)
					assert.Equal(t, "https://help.acme.example/", got.SupportLink)
					assert.True(t, got.Notifications["ticket.done"]["sms"])
					assert.Equal(t, int64(3600), got.Durations.OfferTimeout)
					assert.Equal(t, "Willkommen", got.Form.Texts["de"].Welcome)
					ten, err := w.desk.Tenant(t.Context(), w.actors["admin"])
					require.NoError(t, err)
					assert.Equal(t, time.Hour, ten.Settings.Durations.OfferTimeout)
					assert.Equal(t, ten.Version, got.Version)
					etag := a.Header.Get("ETag")
					require.Equal(t, fmt.Sprintf(`"%d"`, got.Version), etag)
					// The answered ETag makes the next change; once used, it is stale.
					again := w.call(t, as, http.MethodPut, "/settings", `{"self_registration":false,"public_access_days":30}`, "If-Match", etag)
					require.Equal(t, ok, again.StatusCode, again.body)
					assert.NotEqual(t, etag, again.Header.Get("ETag"))
					stale := w.call(t, as, http.MethodPut, "/settings", `{"self_registration":true}`, "If-Match", etag)
					assert.Equal(t, http.StatusPreconditionFailed, stale.StatusCode, stale.body)
					ten, err = w.desk.Tenant(t.Context(), w.actors["admin"])
					require.NoError(t, err)
					assert.False(t, ten.Settings.SelfRegistration, "a stale write changed the settings")
					// What GET answers, PUT takes back as it is; the version in it guards the change.
					read := w.call(t, as, http.MethodGet, "/settings", "")
					require.Equal(t, ok, read.StatusCode)
					back := w.call(t, as, http.MethodPut, "/settings", read.body)
					require.Equal(t, ok, back.StatusCode, back.body)
					assert.JSONEq(t, strings.Replace(read.body, `"version":`+strconv.FormatInt(ten.Version, 10),
						`"version":`+strconv.FormatInt(ten.Version+1, 10), 1), back.body)
					again = w.call(t, as, http.MethodPut, "/settings", read.body)
					assert.Equal(t, http.StatusConflict, again.StatusCode, again.body)
				}},
			{name: "stale", path: "/settings", body: `{"self_registration":false}`, header: []string{"If-Match", `"999999"`},
				want: statuses(http.StatusPreconditionFailed, forbidden, "admin")},
			{name: "invalid", path: "/settings", body: `{"self_registration":false,"support_link":"ftp://x"}`,
				want: statuses(invalid, forbidden, "admin")},
			{name: "a notification retention beyond ten years", path: "/settings", body: `{"notification_retention_days":3651}`,
				want: statuses(invalid, forbidden, "admin"),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.Contains(t, a.body, "notification_retention_days")
				}},
			// The header is read before the Desk is asked, so anyone signed in learns it is malformed.
			{name: "a malformed If-Match", path: "/settings", body: `{"self_registration":false}`, header: []string{"If-Match", "12"},
				want: statuses(invalid, invalid, people...)},
		},
		"getMailServer": {{name: "set", path: "/mail-server", setup: withMailServer("s3cret-pass"), want: statuses(ok, forbidden, "admin"),
			check: func(t *testing.T, w *world, as string, a answer) {
				assert.Contains(t, a.body, `"password_set":true`)
				assert.Contains(t, a.body, `"host":"smtp.acme.example"`)
				assert.NotContains(t, a.body, "s3cret-pass")
			}}},
		"setMailServer": {
			{name: "with a password", path: "/mail-server",
				body: `{"host":"mail.acme.example","port":465,"security":"tls","username":"desk","password":"n3w-pass","from":"Acme <desk@acme.example>"}`,
				want: statuses(ok, forbidden, "admin"),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := decode[struct {
						Host, Security string
						Port           int
						PasswordSet    bool `json:"password_set"`
					}](t, a)
					assert.Equal(t, "mail.acme.example", got.Host)
					assert.Equal(t, 465, got.Port)
					assert.True(t, got.PasswordSet)
					assert.NotContains(t, a.body, "n3w-pass")
				}},
			{name: "no sender", path: "/mail-server", body: `{"host":"mail.acme.example"}`, want: statuses(invalid, forbidden, "admin")},
		},
		"deleteMailServer": {{name: "set", path: "/mail-server", setup: withMailServer("s3cret-pass"), want: statuses(noContent, forbidden, "admin"),
			check: func(t *testing.T, w *world, as string, a answer) {
				s, err := w.desk.SMTP(t.Context(), w.actors["admin"])
				require.NoError(t, err)
				assert.Nil(t, s)
			}}},
		"testMailServer": {
			{name: "accepted", path: "/mail-server/test", setup: withMailServer("s3cret-pass"), body: `{"to":"ada@acme.example"}`,
				want: statuses(ok, forbidden, "admin")},
			{name: "refused sign-in", path: "/mail-server/test", setup: withMailServer("wrong"), body: `{"to":"ada@acme.example"}`,
				want: statuses(invalid, forbidden, "admin"),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.Contains(t, a.body, "535 5.7.8")
					assert.NotContains(t, a.body, `"wrong"`)
				}},
		},
		"listNotificationTemplates": {{name: "an event's", path: "/notification-templates?event=ticket.done", want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := decode[struct{ Items []struct{ ID uuid.UUID } }](t, a)
				require.NotEmpty(t, got.Items)
				assert.Equal(t, w.ids["notification_template:x"], got.Items[0].ID)
				none := decode[struct{ Items []struct{ ID uuid.UUID } }](t, w.call(t, as, http.MethodGet, "/notification-templates?event=user.invited", ""))
				assert.Empty(t, none.Items, "the event filter did not filter")
			}}},
		"createNotificationTemplate": {
			{name: "sms", path: "/notification-templates", setup: noNotifyTemplate(notify.TicketDone, notify.SMS, "de"),
				body: template("de", "{{.ticket_ref}} ist erledigt."), want: statuses(created, forbidden, managers...),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := decode[struct {
						Event, Channel, Language, Text string
						Enabled                        bool
						Version                        int64
					}](t, a)
					assert.Equal(t, "ticket.done", got.Event)
					assert.Equal(t, "sms", got.Channel)
					assert.Equal(t, "de", got.Language)
					assert.Equal(t, "{{.ticket_ref}} ist erledigt.", got.Text)
					assert.True(t, got.Enabled)
					assert.Equal(t, `"1"`, a.Header.Get("ETag"))
				}},
			{name: "an account event's", path: "/notification-templates", setup: noNotifyTemplate(notify.UserInvited, notify.Email, "fr"),
				body: `{"event":"user.invited","channel":"email","language":"fr","subject":"Bienvenue","text":"{{.account_link}}"}`,
				want: statuses(created, forbidden, "admin")},
			{name: "an unknown tag", path: "/notification-templates", body: template("es", "{{.nonsense}}"),
				want: statuses(invalid, forbidden, managers...)},
		},
		"replaceNotificationTemplate": {
			{name: "text", path: "/notification-templates/{notification_template:x}", body: template("en", "Done: {{.ticket_ref}}."),
				want: statuses(ok, forbidden, managers...),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.Contains(t, a.body, `"text":"Done: {{.ticket_ref}}."`)
					assert.NotEmpty(t, a.Header.Get("ETag"))
				}},
			{name: "stale", path: "/notification-templates/{notification_template:x}", body: template("en", "Stale {{.ticket_ref}}."),
				header: []string{"If-Match", `"999999"`}, want: statuses(http.StatusPreconditionFailed, forbidden, managers...)},
			// An account event's template carries a one-time sign-in link: admins only.
			{name: "an account event's", path: "/notification-templates/{notification_template:account}",
				setup: freshNotifyTemplate("account", notify.UserInvited, notify.Email, "en"),
				body:  `{"event":"user.invited","channel":"email","language":"en","subject":"Welcome","text":"{{.account_link}}"}`,
				want:  statuses(ok, forbidden, "admin")},
		},
		"deleteNotificationTemplate": {{name: "own", path: "/notification-templates/{notification_template:gone}",
			setup: freshNotifyTemplate("gone", notify.TicketClosed, notify.SMS, "es"), want: statuses(noContent, forbidden, managers...)},
			{name: "an account event's", path: "/notification-templates/{notification_template:gone_account}",
				setup: freshNotifyTemplate("gone_account", notify.PasswordReset, notify.Email, "en"), want: statuses(noContent, forbidden, "admin")}},
		"previewNotificationTemplate": {
			{name: "sms", path: "/notification-templates/preview", body: template("en", "Your ticket {{.ticket_ref}} is done."),
				want: statuses(ok, forbidden, managers...),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := decode[struct {
						Text string
						SMS  struct {
							Encoding string
							Segments int
						}
					}](t, a)
					assert.NotContains(t, got.Text, "{{")
					assert.Equal(t, "GSM-7", got.SMS.Encoding)
					assert.Equal(t, 1, got.SMS.Segments)
				}},
			{name: "an unknown tag", path: "/notification-templates/preview", body: template("en", "{{.nonsense}}"),
				want: statuses(invalid, forbidden, managers...)},
		},
		"listNotifications": {
			{name: "failed", path: "/notifications?status=failed", want: statuses(ok, forbidden, managers...),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := decode[struct {
						Items []struct{ Status, Subject string }
					}](t, a)
					require.NotEmpty(t, got.Items)
					for _, n := range got.Items {
						assert.Equal(t, "failed", n.Status)
					}
				}},
			{name: "in-app, a page of 1", path: "/notifications?channel=inapp&limit=1", want: statuses(ok, forbidden, managers...),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := decode[struct {
						Items []struct{ Channel string }
						Next  string
					}](t, a)
					require.Len(t, got.Items, 1)
					assert.Equal(t, "inapp", got.Items[0].Channel)
					assert.NotEmpty(t, got.Next)
				}},
			{name: "an unknown status", path: "/notifications?status=lost", want: statuses(invalid, invalid, people...)},
		},
		"retryNotification": {{name: "failed", path: "/notifications/{notification:failed}/retry",
			setup: func(t *testing.T, w *world) {
				w.ids["notification:failed"] = w.failedDelivery(t, w.ten.ID, "Failed again")
			},
			want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := decode[struct{ Status string }](t, a)
				assert.Equal(t, "pending", got.Status)
			}}},
		"listMyNotifications": {{name: "mine", path: "/me/notifications", want: statuses(ok, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				// Other areas' scenarios ring the bell too: walk every page.
				var ids []uuid.UUID
				for {
					got := decode[struct {
						Items []struct{ ID uuid.UUID }
						Next  string
					}](t, a)
					for _, it := range got.Items {
						ids = append(ids, it.ID)
					}
					if got.Next == "" {
						break
					}
					a = w.call(t, as, http.MethodGet, "/me/notifications?limit=100&after="+url.QueryEscape(got.Next), "")
					require.Equal(t, http.StatusOK, a.StatusCode, a.body)
				}
				for _, who := range []string{"supervisor", "customer_user"} {
					mine := map[string]string{"supervisor": "bell_supervisor", "customer_user": "bell_customer"}[who]
					if as == who {
						assert.Contains(t, ids, w.ids["notification:"+mine])
					} else {
						assert.NotContains(t, ids, w.ids["notification:"+mine], "%s sees %s's notification", as, who)
					}
				}
			}}},
		"countMyUnreadNotifications": {{name: "mine", path: "/me/notifications/unread-count", want: statuses(ok, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				if as == "supervisor" || as == "customer_user" {
					assert.Positive(t, decode[struct{ Unread int }](t, a).Unread)
				}
			}}},
		"markMyNotificationRead": {
			{name: "the supervisor's", path: "/me/notifications/{notification:bell_supervisor}/read",
				want: with(statuses(notFound, 0, people...), "supervisor", noContent)},
			{name: "the customer user's", path: "/me/notifications/{notification:bell_customer}/read",
				want: with(statuses(notFound, 0, people...), "customer_user", noContent)},
		},
		"markAllMyNotificationsRead": {{name: "mine", path: "/me/notifications/read-all", want: statuses(ok, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				n, err := w.desk.UnreadCount(t.Context(), w.actors[as])
				require.NoError(t, err)
				assert.Zero(t, n)
				if as == "supervisor" {
					assert.Positive(t, decode[struct{ Marked int }](t, a).Marked)
				}
			}}},
		"listMyPushSubscriptions": {{name: "mine", path: "/me/push-subscriptions", want: statuses(ok, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := decode[struct{ Items []struct{ ID uuid.UUID } }](t, a)
				if as == "customer_user" {
					require.NotEmpty(t, got.Items)
				} else {
					assert.Empty(t, got.Items)
				}
				assert.NotContains(t, a.body, "p256dh")
			}}},
		"addMyPushSubscription": {{name: "a browser", path: "/me/push-subscriptions", body: pushBody(), want: statuses(created, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := decode[struct {
					ID        uuid.UUID
					Endpoint  string
					UserAgent string `json:"user_agent"`
				}](t, a)
				assert.Equal(t, "https://push.example/added", got.Endpoint)
				assert.Equal(t, "Firefox on Linux", got.UserAgent)
				assert.NotContains(t, a.body, "p256dh")
				subs, err := w.desk.PushSubscriptions(t.Context(), w.actors[as])
				require.NoError(t, err)
				require.Len(t, subs, 1+map[bool]int{true: 1}[as == "customer_user"])
			}}},
		"removeMyPushSubscription": {{name: "the customer user's", path: "/me/push-subscriptions/{push_subscription:x}",
			setup: func(t *testing.T, w *world) { w.pushSubscription(t, "customer_user", "x") },
			want:  with(statuses(notFound, 0, people...), "customer_user", noContent)}},
		"listAuditLog": {{name: "newest first", path: "/audit-log?limit=2", want: statuses(ok, forbidden, managers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				got := decode[struct {
					Items []struct {
						ID uuid.UUID
						At time.Time
					}
					Next string
				}](t, a)
				require.Len(t, got.Items, 2)
				assert.False(t, got.Items[0].At.Before(got.Items[1].At))
				require.NotEmpty(t, got.Next)
				assert.NotContains(t, a.body, "Other tenant")
				// The cursor goes on where the page ended.
				more := decode[struct {
					Items []struct{ ID uuid.UUID }
				}](t, w.call(t, as, http.MethodGet, "/audit-log?limit=2&after="+got.Next, ""))
				require.NotEmpty(t, more.Items)
				assert.NotEqual(t, got.Items[1].ID, more.Items[0].ID)
				assert.NotEqual(t, got.Items[0].ID, more.Items[0].ID)
			}}},
		"getDashboard": {
			{name: "all time", path: "/stats/dashboard?" + period, want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := decode[struct {
						States map[string]int
						Period struct{ Opened int }
					}](t, a)
					total := 0
					for _, n := range got.States {
						total += n
					}
					assert.Positive(t, got.Period.Opened)
					if as == "customer_admin" || as == "customer_user" {
						// Customer X's tickets only: not Yarrow's nor the staff's.
						staff := decode[struct{ States map[string]int }](t, w.call(t, "admin", http.MethodGet, "/stats/dashboard?"+period, ""))
						all := 0
						for _, n := range staff.States {
							all += n
						}
						assert.Less(t, total, all)
					}
				}},
			{name: "another customer's", path: "/stats/dashboard?" + period + "&customer_id={customer:y}", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					got := decode[struct{ States map[string]int }](t, a)
					if as == "customer_admin" || as == "customer_user" {
						assert.Empty(t, got.States)
					} else {
						assert.NotEmpty(t, got.States)
					}
				}},
			{name: "no period", path: "/stats/dashboard", want: statuses(invalid, 0, people...)},
		},
	}
}

// pushBody is a browser's subscription as POST /me/push-subscriptions takes it.
func pushBody() string {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	return fmt.Sprintf(`{"endpoint":"https://push.example/added","keys":{"p256dh":%q,"auth":%q},"user_agent":"Firefox on Linux"}`,
		base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(secret))
}
