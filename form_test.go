package helpdesk_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setForm gives the fixture's tenant the request form f, keeping its other settings.
func (f *fixture) setForm(t *testing.T, form tenant.RequestForm) {
	t.Helper()
	s := f.tenant.Settings
	s.Form = form
	var err error
	f.tenant, err = f.desk.UpdateSettings(t.Context(), f.admin, f.tenant.Version, s)
	require.NoError(t, err)
}

// Settings are versioned: an update carrying a stale version is refused, not silently lost.
func TestUpdateSettingsVersion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		read := f.tenant.Version
		first, err := f.desk.UpdateSettings(ctx, f.admin, read, tenant.Settings{PublicAccessDays: 5})
		require.NoError(t, err)
		assert.Equal(t, read+1, first.Version)
		_, err = f.desk.UpdateSettings(ctx, f.system, read, tenant.Settings{PublicAccessDays: 9})
		assert.ErrorIs(t, err, storage.ErrConflict)
		assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
		stored, err := s.GetTenant(ctx, f.tenant.ID)
		require.NoError(t, err)
		assert.Equal(t, 5, stored.Settings.PublicAccessDays, "the stale update changed nothing")
		_, err = f.desk.UpdateSettings(ctx, f.system, first.Version, tenant.Settings{PublicAccessDays: 9})
		assert.NoError(t, err, "the version just read is current")
	})
}

// Every bad setting of the request form is a *ValidationError naming its field, and stores
// nothing.
func TestUpdateSettingsFormValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		long := strings.Repeat("x", helpdesk.MaxReasonLen+1)
		cases := []struct {
			name  string
			form  tenant.RequestForm
			field string
		}{
			{"visibility", tenant.RequestForm{Visibility: "friends"}, "form.visibility"},
			{"text language", tenant.RequestForm{Texts: map[string]tenant.FormTexts{"it": {Welcome: "Ciao"}}}, "form.texts"},
			{"text too long", tenant.RequestForm{Texts: map[string]tenant.FormTexts{"de": {Help: long}}}, "form.texts.de.help"},
			{"empty type", tenant.RequestForm{Types: []string{"Repair", " "}}, "form.types[1]"},
			{"type twice", tenant.RequestForm{Types: []string{"Repair", "Repair"}}, "form.types[1]"},
			{"terms URL", tenant.RequestForm{TermsURL: "javascript:alert(1)"}, "form.terms_url"},
			{"guide URL", tenant.RequestForm{GuideURL: "guide.pdf"}, "form.guide_url"},
			{"support e-mail", tenant.RequestForm{SupportEmail: "support at acme"}, "form.support_email"},
			{"accent not a colour", tenant.RequestForm{Accent: "teal"}, "form.accent"},
			{"accent too light", tenant.RequestForm{Accent: "#ffcc00"}, "form.accent"},
			{"accent just too light", tenant.RequestForm{Accent: "#777777"}, "form.accent"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.desk.UpdateSettings(ctx, f.admin, f.tenant.Version, tenant.Settings{Form: c.form})
				assertField(t, err, c.field)
				stored, err := s.GetTenant(ctx, f.tenant.ID)
				require.NoError(t, err)
				assert.Equal(t, f.tenant.Version, stored.Version, "nothing stored")
			})
		}
		t.Run("a light accent is refused as too light", func(t *testing.T) {
			_, err := f.desk.UpdateSettings(ctx, f.admin, f.tenant.Version, tenant.Settings{Form: tenant.RequestForm{Accent: "#ffcc00"}})
			assert.ErrorIs(t, err, helpdesk.ErrAccentTooLight)
		})
		t.Run("dark accents are taken", func(t *testing.T) {
			// #767676 is the lightest grey with 4.5:1 against white.
			for _, accent := range []string{"#767676", "#0B5FFF", "#000000"} {
				f.setForm(t, tenant.RequestForm{Accent: accent})
				assert.Equal(t, strings.ToLower(accent), f.tenant.Settings.Form.Accent)
			}
		})
		t.Run("a good form is stored cleaned", func(t *testing.T) {
			f.setForm(t, tenant.RequestForm{Visibility: tenant.VisibilityInvited, Types: []string{" Repair ", "Training"},
				Texts:    map[string]tenant.FormTexts{"de": {Welcome: " Willkommen "}},
				TermsURL: "https://acme.example/terms", SupportEmail: "help@acme.example"})
			got := f.tenant.Settings.Form
			assert.Equal(t, []string{"Repair", "Training"}, got.Types)
			assert.Equal(t, "Willkommen", got.Texts["de"].Welcome)
			assert.Equal(t, tenant.VisibilityInvited, got.Visibility)
		})
	})
}

// Texts fall back, each on its own: the visitor's language, the tenant's, then English.
func TestFormTextFallback(t *testing.T) {
	form := tenant.RequestForm{Texts: map[string]tenant.FormTexts{
		"en": {Welcome: "Welcome", RequestHint: "Say what happened", Help: "Call us"},
		"de": {Welcome: "Willkommen", RequestHint: "Was ist passiert?"},
		"fr": {Welcome: "Bienvenue"},
	}}
	cases := []struct {
		lang, tenantLang string
		want             tenant.FormTexts
	}{
		{"de", "fr", tenant.FormTexts{Welcome: "Willkommen", RequestHint: "Was ist passiert?", Help: "Call us"}},
		{"de-AT", "en", tenant.FormTexts{Welcome: "Willkommen", RequestHint: "Was ist passiert?", Help: "Call us"}},
		{"pl", "fr", tenant.FormTexts{Welcome: "Bienvenue", RequestHint: "Say what happened", Help: "Call us"}},
		{"es", "pl", tenant.FormTexts{Welcome: "Welcome", RequestHint: "Say what happened", Help: "Call us"}},
		{"", "de", tenant.FormTexts{Welcome: "Willkommen", RequestHint: "Was ist passiert?", Help: "Call us"}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, form.Text(c.lang, c.tenantLang), "%s, tenant %s", c.lang, c.tenantLang)
	}
}

// The visibility decides who may open a ticket from a device's page; the page itself opens.
func TestFormVisibility(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		submit := func(actor tenant.Actor) error {
			_, err := f.desk.SubmitTicket(ctx, actor, helpdesk.NewTicket{Title: "Alarm", Requester: nurseContact, DeviceID: f.devX.ID})
			return err
		}
		t.Run("public", func(t *testing.T) {
			f.setForm(t, tenant.RequestForm{Visibility: tenant.VisibilityPublic})
			assert.NoError(t, submit(f.holder))
		})
		t.Run("customers", func(t *testing.T) {
			f.setForm(t, tenant.RequestForm{Visibility: tenant.VisibilityCustomers})
			err := submit(f.holder)
			assert.ErrorIs(t, err, helpdesk.ErrSignInRequired)
			assert.Equal(t, helpdesk.KindUnauthenticated, helpdesk.KindOf(err))
			assert.NoError(t, submit(f.userX), "a user of the device's customer")
			assert.ErrorIs(t, submit(f.userY), storage.ErrNotFound, "a user of another customer")
			page, err := f.desk.OpenCode(ctx, f.code.Token, "")
			require.NoError(t, err, "the page still shows the device")
			assert.Equal(t, tenant.VisibilityCustomers, page.Form.Visibility)
		})
		t.Run("invited", func(t *testing.T) {
			f.setForm(t, tenant.RequestForm{Visibility: tenant.VisibilityInvited})
			err := submit(f.holder)
			assert.ErrorIs(t, err, helpdesk.ErrRequestLinkRequired)
			assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
			assert.NoError(t, submit(f.agent), "staff open tickets for anyone")
			sent, err := f.desk.SendRequestLink(ctx, f.agent, f.devX.ID, helpdesk.NewRequestLink{Contact: nurseContact})
			require.NoError(t, err)
			page, err := f.desk.OpenRequestLink(ctx, sent.Token)
			require.NoError(t, err)
			assert.Equal(t, f.devX.ID, page.Device.ID)
			sub, err := f.desk.SubmitTicket(ctx, page.Actor, helpdesk.NewTicket{Title: "Alarm"})
			require.NoError(t, err, "the invited contact opens a ticket")
			assert.Equal(t, nurseContact.Email, sub.Requester.Email, "the link's contact is the requester")
			assert.Equal(t, f.devX.ID, sub.DeviceID)
			assert.Equal(t, f.custX.ID, sub.CustomerID)
		})
	})
}

// A request link is sent by e-mail to its contact, is signed, works once and expires.
func TestRequestLinks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newNotifyFixture(t, s, helpdesk.Config{BaseURL: "https://desk.example"})
		ctx := t.Context()
		sent, err := f.desk.SendRequestLink(ctx, f.supervisor, f.devX.ID, helpdesk.NewRequestLink{
			Contact: ticket.Contact{Name: "Nina Nurse", Email: "nina@northwind.example", Language: "de"}, TTL: 48 * time.Hour})
		require.NoError(t, err)
		assert.Equal(t, "https://desk.example/request-links/"+sent.Token, sent.URL)
		assert.Equal(t, f.clock.Now().Add(48*time.Hour), sent.ExpiresAt)

		t.Run("mailed to the contact in their language", func(t *testing.T) {
			ns := f.outbox(t, notify.RequestLinkSent)
			require.Len(t, ns, 1)
			n := ns[0]
			assert.Equal(t, notify.Email, n.Channel)
			assert.Equal(t, "nina@northwind.example", n.To.Email)
			assert.Equal(t, "de", n.Language)
			assert.Contains(t, n.Subject, f.devX.Name)
			assert.Contains(t, n.Text, sent.URL)
		})
		t.Run("forged and foreign tokens are refused", func(t *testing.T) {
			b := []byte(sent.Token)
			b[len(b)-1] ^= 1
			for _, tok := range []string{"", "nope", string(b), f.tokens[f.submit(t, "x").ID]} {
				_, err := f.desk.OpenRequestLink(ctx, tok)
				assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "%q", tok)
			}
		})
		t.Run("works once", func(t *testing.T) {
			page, err := f.desk.OpenRequestLink(ctx, sent.Token)
			require.NoError(t, err)
			_, err = f.desk.SubmitTicket(ctx, page.Actor, helpdesk.NewTicket{Title: "First"})
			require.NoError(t, err)
			_, err = f.desk.SubmitTicket(ctx, page.Actor, helpdesk.NewTicket{Title: "Second"})
			assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "the actor of a used link opens no second ticket")
			_, err = f.desk.OpenRequestLink(ctx, sent.Token)
			assert.ErrorIs(t, err, helpdesk.ErrInvalidLink)
			// Who holds the used link is still known (a retry's Idempotency-Key is theirs), and
			// that actor opens nothing either.
			holder, err := f.desk.RequestLinkActor(ctx, sent.Token)
			require.NoError(t, err)
			assert.Equal(t, page.Actor, holder)
			_, err = f.desk.SubmitTicket(ctx, holder, helpdesk.NewTicket{Title: "Third"})
			assert.ErrorIs(t, err, helpdesk.ErrInvalidLink)
		})
		t.Run("the holder of a forged token is nobody", func(t *testing.T) {
			b := []byte(sent.Token)
			b[len(b)-1] ^= 1
			for _, tok := range []string{"", "nope", string(b), f.tokens[f.submit(t, "x2").ID]} {
				_, err := f.desk.RequestLinkActor(ctx, tok)
				assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "%q", tok)
			}
		})
		t.Run("expires", func(t *testing.T) {
			other, err := f.desk.SendRequestLink(ctx, f.supervisor, f.devX.ID, helpdesk.NewRequestLink{Contact: nurseContact, TTL: time.Hour})
			require.NoError(t, err)
			page, err := f.desk.OpenRequestLink(ctx, other.Token)
			require.NoError(t, err)
			f.clock.Advance(time.Hour)
			_, err = f.desk.OpenRequestLink(ctx, other.Token)
			assert.ErrorIs(t, err, helpdesk.ErrInvalidLink)
			_, err = f.desk.SubmitTicket(ctx, page.Actor, helpdesk.NewTicket{Title: "Late"})
			assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "an actor made before the expiry stops too")
		})
		t.Run("bad input", func(t *testing.T) {
			for field, in := range map[string]helpdesk.NewRequestLink{
				"requester.email": {Contact: ticket.Contact{Name: "Nina"}},
				"requester.name":  {Contact: ticket.Contact{Email: "nina@northwind.example"}},
				"ttl":             {Contact: nurseContact, TTL: 365 * 24 * time.Hour},
			} {
				_, err := f.desk.SendRequestLink(ctx, f.supervisor, f.devX.ID, in)
				assertField(t, err, field)
			}
		})
		t.Run("another device's holder cannot use it", func(t *testing.T) {
			other, err := f.desk.SendRequestLink(ctx, f.supervisor, f.devX.ID, helpdesk.NewRequestLink{Contact: nurseContact})
			require.NoError(t, err)
			page, err := f.desk.OpenRequestLink(ctx, other.Token)
			require.NoError(t, err)
			forged := page.Actor
			forged.DeviceID = f.devY.ID
			_, err = f.desk.SubmitTicket(ctx, forged, helpdesk.NewTicket{Title: "x", Requester: nurseContact})
			assert.Error(t, err)
		})
	})
}

// With terms, requesters must accept them; with a type list, pick from it.
func TestFormTermsAndTypes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		f.setForm(t, tenant.RequestForm{TermsURL: "https://acme.example/terms", Types: []string{"Repair", "Training"}})
		cases := []struct {
			name  string
			actor tenant.Actor
			in    helpdesk.NewTicket
			field string
		}{
			{"holder without terms", f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, Type: "Repair"}, "accept_terms"},
			{"customer user without terms", f.userX, helpdesk.NewTicket{Title: "x", Type: "Repair"}, "accept_terms"},
			{"no type", f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, AcceptTerms: true}, "type"},
			{"type off the list", f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, AcceptTerms: true, Type: "Magic"}, "type"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.desk.SubmitTicket(ctx, c.actor, c.in)
				assertField(t, err, c.field)
			})
		}
		page, err := f.desk.Tickets(ctx, f.admin, storage.TicketFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Items, "nothing stored")
		tk, err := f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, AcceptTerms: true, Type: "Repair"})
		require.NoError(t, err)
		assert.Equal(t, "Repair", tk.Type)
		_, err = f.desk.SubmitTicket(ctx, f.agent, helpdesk.NewTicket{Title: "on behalf", DeviceID: f.devX.ID})
		assert.NoError(t, err, "staff accept no terms for anyone")
	})
}

// SubmitTicket reads the request form before its transaction from what it last read of the
// tenant; a form another process changed meanwhile still applies to the very next submission.
func TestFormChangedElsewhere(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		f.submit(t, "Before the terms") // the Desk has read the tenant
		// Another process adds terms and a type list, writing the tenant itself.
		ten, err := s.GetTenant(ctx, f.tenant.ID)
		require.NoError(t, err)
		ten.Settings.Form = tenant.RequestForm{TermsURL: "https://acme.example/terms", Types: []string{"Repair"}}
		require.NoError(t, s.UpdateTenant(ctx, ten))
		_, err = f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, Type: "Repair"})
		assertField(t, err, "accept_terms")
		tk, err := f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, AcceptTerms: true, Type: "Repair"})
		require.NoError(t, err)
		assert.Equal(t, "Repair", tk.Type)
		// And takes them away again: what the Desk read last is not held against requesters.
		ten.Settings.Form = tenant.RequestForm{}
		require.NoError(t, s.UpdateTenant(ctx, ten))
		_, err = f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "no terms now", Requester: nurseContact, Type: "Magic"})
		assert.NoError(t, err)
		// The Desk's own change applies at once too.
		f.tenant = ten
		f.setForm(t, tenant.RequestForm{Types: []string{"Training"}})
		_, err = f.desk.SubmitTicket(ctx, f.holder, helpdesk.NewTicket{Title: "x", Requester: nurseContact, Type: "Repair"})
		assertField(t, err, "type")
	})
}

// Branding images are checked by their content: format, size in pixels, size in bytes.
func TestSetFormFileBranding(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		set := func(which helpdesk.FormFile, name string, body []byte) (*tenant.Tenant, error) {
			ten, err := f.desk.SetFormFile(ctx, f.admin, f.tenant.Version, which, &helpdesk.Upload{Name: name, Body: bytes.NewReader(body)})
			if err == nil {
				f.tenant = ten
			}
			return ten, err
		}
		big := brandingImage(t, "png", 1024, 680)
		cases := []struct {
			name  string
			which helpdesk.FormFile
			file  string
			body  []byte
		}{
			{"a JPEG as logo, named .png", helpdesk.FormLogo, "logo.png", brandingImage(t, "jpeg", 1024, 680)},
			{"a PNG as background, named .jpg", helpdesk.FormBackground, "bg.jpg", big},
			{"too narrow", helpdesk.FormLogo, "logo.png", brandingImage(t, "png", 1023, 680)},
			{"too low", helpdesk.FormBackground, "bg.jpg", brandingImage(t, "jpeg", 2000, 679)},
			{"not an image", helpdesk.FormLogo, "logo.png", []byte("\x89PNG but not really")},
			{"too large", helpdesk.FormLogo, "logo.png", append(bytes.Clone(big), make([]byte, helpdesk.MaxBrandingBytes)...)},
			{"empty", helpdesk.FormLogo, "logo.png", nil},
			{"an HTML report", helpdesk.FormReport, "report.pdf", []byte("<html><script>alert(1)</script></html>")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := set(c.which, c.file, c.body)
				assertField(t, err, "file")
				stored, err := s.GetTenant(ctx, f.tenant.ID)
				require.NoError(t, err)
				assert.Equal(t, f.tenant.Version, stored.Version, "nothing stored")
			})
		}
		t.Run("good images are kept", func(t *testing.T) {
			ten, err := set(helpdesk.FormLogo, "logo.png", big)
			require.NoError(t, err)
			logo := ten.Settings.Form.Logo
			require.NotNil(t, logo)
			assert.Equal(t, "image/png", logo.ContentType)
			assert.Equal(t, [2]int{1024, 680}, [2]int{logo.Width, logo.Height})
			_, err = set(helpdesk.FormBackground, "bg.jpg", brandingImage(t, "jpeg", 1600, 900))
			require.NoError(t, err)
			// A code holder reads the branding.
			file, rc, err := f.desk.OpenFormFile(ctx, f.holder, helpdesk.FormLogo)
			require.NoError(t, err)
			got, _ := io.ReadAll(rc)
			_ = rc.Close()
			assert.Equal(t, big, got)
			assert.Equal(t, logo.Digest, file.Digest)
		})
		t.Run("a stale version is refused", func(t *testing.T) {
			_, err := f.desk.SetFormFile(ctx, f.admin, f.tenant.Version-1, helpdesk.FormLogo, nil)
			assert.ErrorIs(t, err, storage.ErrConflict)
		})
		t.Run("UpdateSettings keeps the files", func(t *testing.T) {
			f.setForm(t, tenant.RequestForm{Accent: "#0b5fff"})
			assert.NotNil(t, f.tenant.Settings.Form.Logo)
			assert.NotNil(t, f.tenant.Settings.Form.Background)
		})
		t.Run("cleared", func(t *testing.T) {
			ten, err := f.desk.SetFormFile(ctx, f.admin, f.tenant.Version, helpdesk.FormLogo, nil)
			require.NoError(t, err)
			f.tenant = ten
			assert.Nil(t, ten.Settings.Form.Logo)
			_, _, err = f.desk.OpenFormFile(ctx, f.holder, helpdesk.FormLogo)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
	})
}

// The report template is attached to every new ticket, and its requester sees it.
func TestReportTemplate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
		ten, err := f.desk.SetFormFile(ctx, f.admin, f.tenant.Version, helpdesk.FormReport, &helpdesk.Upload{Name: "Service report.pdf", Body: bytes.NewReader(pdf)})
		require.NoError(t, err)
		f.tenant = ten
		tk := f.submit(t, "Alarm")
		files, err := attachmentsOf(ctx, f.desk, f.link(t, tk), tk.ID)
		require.NoError(t, err)
		require.Len(t, files, 1, "the requester sees the report template")
		assert.Equal(t, "Service report.pdf", files[0].Name)
		assert.Equal(t, "application/pdf", files[0].ContentType)
		_, rc, err := f.desk.OpenAttachment(ctx, f.link(t, tk), files[0].ID)
		require.NoError(t, err)
		got, _ := io.ReadAll(rc)
		_ = rc.Close()
		assert.Equal(t, pdf, got)
		mine := f.open(t, f.userX, helpdesk.NewTicket{Title: "Portal"})
		files, err = attachmentsOf(ctx, f.desk, f.userX, mine.ID)
		require.NoError(t, err)
		assert.Len(t, files, 1, "every new ticket")
		_, _, err = f.desk.OpenFormFile(ctx, f.holder, helpdesk.FormReport)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden, "requesters read it on their ticket")
	})
}

// The code's actions are enforced by the Desk: a requester whose ticket came through a code
// may upload media only if the code offers upload_media, and ask for a call only if it offers
// request_session.
func TestCodeActionsEnforced(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		_, plain := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{Actions: []device.Action{device.ActionView, device.ActionOpenTicket}})
		tk := f.open(t, plain, helpdesk.NewTicket{Title: "No uploads", Requester: nurseContact})
		requester := f.link(t, tk)
		_, err := f.desk.UploadMedia(ctx, requester, tk.ID, upload("photo.jpg", jpegFile))
		assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable)
		assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
		_, err = f.desk.RequestSession(ctx, requester, tk.ID)
		assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable)
		files, err := attachmentsOf(ctx, f.desk, f.admin, tk.ID)
		require.NoError(t, err)
		assert.Empty(t, files, "nothing stored")

		full := f.submit(t, "All actions")
		_, err = f.desk.UploadMedia(ctx, f.link(t, full), full.ID, upload("photo.jpg", jpegFile))
		assert.NoError(t, err, "a code offering upload_media")
		_, err = f.desk.RequestSession(ctx, f.link(t, full), full.ID)
		assert.NoError(t, err, "a code offering request_session")

		_, callOnly := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{Actions: []device.Action{device.ActionView, device.ActionRequestSession}})
		_, err = f.desk.SubmitTicket(ctx, callOnly, helpdesk.NewTicket{Title: "x", Requester: nurseContact})
		assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable, "open_ticket is needed for a ticket without a call")
		_, err = f.desk.SubmitTicket(ctx, callOnly, helpdesk.NewTicket{Title: "x", Requester: nurseContact, RequestSession: true})
		assert.NoError(t, err, "request_session opens a ticket with a call")
		_, err = f.desk.SubmitTicket(ctx, plain, helpdesk.NewTicket{Title: "x", Requester: nurseContact, RequestSession: true})
		assert.True(t, errors.Is(err, helpdesk.ErrCodeUnusable), "request_session is needed for a call")
	})
}

// RequesterPage.Actions lists what the Desk would let the requester start: the code's actions
// within the tenant's offer, or the offer alone for a ticket opened without a code.
func TestRequesterPageActions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		o := f.org
		actions := func(t *testing.T, tk *ticket.Ticket) []device.Action {
			t.Helper()
			page, err := f.desk.OpenRequesterLink(ctx, f.tokens[tk.ID])
			require.NoError(t, err)
			return page.Actions
		}
		both := []device.Action{device.ActionUploadMedia, device.ActionRequestSession}
		fullCode, full := f.newHolder(t, o, o.devX.ID, helpdesk.NewCode{Actions: []device.Action{device.ActionOpenTicket,
			device.ActionRequestSession, device.ActionUploadMedia}})
		_, plain := f.newHolder(t, o, o.devX.ID, helpdesk.NewCode{Actions: []device.Action{device.ActionView, device.ActionOpenTicket}})
		_, uploads := f.newHolder(t, o, o.devX.ID, helpdesk.NewCode{Actions: []device.Action{device.ActionOpenTicket, device.ActionUploadMedia}})
		viaFull := f.open(t, full, helpdesk.NewTicket{Title: "full", Requester: nurseContact})
		viaPlain := f.open(t, plain, helpdesk.NewTicket{Title: "plain", Requester: nurseContact})
		viaUploads := f.open(t, uploads, helpdesk.NewTicket{Title: "uploads", Requester: nurseContact})
		byStaff := f.open(t, o.agent, helpdesk.NewTicket{Title: "by staff", DeviceID: o.devX.ID, Requester: nurseContact})

		assert.ElementsMatch(t, both, actions(t, viaFull))
		assert.Empty(t, actions(t, viaPlain))
		assert.Equal(t, []device.Action{device.ActionUploadMedia}, actions(t, viaUploads))
		assert.ElementsMatch(t, both, actions(t, byStaff), "no code: the tenant's offer")
		// What is left out is refused (the page hides it).
		_, err := f.desk.RequestSession(ctx, f.link(t, viaPlain), viaPlain.ID)
		assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable)

		ten, err := f.desk.Tenant(ctx, o.admin)
		require.NoError(t, err)
		set := ten.Settings
		set.Offer = &tenant.Offer{ContactAgent: true}
		_, err = f.desk.UpdateSettings(ctx, o.admin, ten.Version, set)
		require.NoError(t, err)
		assert.Equal(t, []device.Action{device.ActionRequestSession}, actions(t, viaFull), "the offer has no uploads")
		assert.Empty(t, actions(t, viaUploads))
		assert.Equal(t, []device.Action{device.ActionRequestSession}, actions(t, byStaff))
		_, err = f.desk.UploadMedia(ctx, f.link(t, byStaff), byStaff.ID, helpdesk.Upload{Name: "a.png", Body: bytes.NewReader(pngBytes(t, 8, 8))})
		assert.ErrorIs(t, err, helpdesk.ErrNotOffered)

		// The device's page offers alike: the code's actions within the tenant's offer.
		page, err := f.desk.OpenCode(ctx, fullCode.Token, "")
		require.NoError(t, err)
		assert.Equal(t, []device.Action{device.ActionOpenTicket, device.ActionRequestSession}, page.Actions, "the offer has no uploads")
		ten, err = f.desk.Tenant(ctx, o.admin)
		require.NoError(t, err)
		set.Offer = &tenant.Offer{}
		_, err = f.desk.UpdateSettings(ctx, o.admin, ten.Version, set)
		require.NoError(t, err)
		page, err = f.desk.ResolveCode(ctx, fullCode.Token, "")
		require.NoError(t, err)
		assert.Equal(t, []device.Action{device.ActionOpenTicket}, page.Actions, "no calls offered: none on the page")
		_, err = f.desk.SubmitTicket(ctx, page.Actor, helpdesk.NewTicket{Title: "call me", RequestSession: true, Requester: nurseContact})
		assert.ErrorIs(t, err, helpdesk.ErrNotOffered, "and the Desk refuses it")
	})
}

// PublicForm gives any actor of the tenant the form's public part, such as a session link's.
func TestPublicFormForAnyActor(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		f.setForm(t, tenant.RequestForm{Accent: "#0b5fff"})
		tk := f.submit(t, "Alarm")
		form, err := f.desk.PublicForm(t.Context(), f.link(t, tk))
		require.NoError(t, err)
		assert.Equal(t, "#0b5fff", form.Accent)
		_, err = f.desk.PublicForm(t.Context(), tenant.Actor{})
		assert.Error(t, err)
	})
}
