package helpdesk_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cannedTitles(cs []*ticket.CannedResponse) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Title
	}
	return out
}

func TestCannedResponsesManageAndList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		moderator := f.person(t, f.tenant.ID, uuid.Nil, "moderator", "Mo Moderator")
		greet, err := f.desk.CreateCannedResponse(ctx, f.admin, helpdesk.NewCannedResponse{Language: "en",
			Title: "  Greeting {{.ticket_ref}} ", Body: "Hello {{.recipient_name}},\nwe are on it."})
		require.NoError(t, err)
		assert.Equal(t, "Greeting {{.ticket_ref}}", greet.Title, "title trimmed")
		_, err = f.desk.CreateCannedResponse(ctx, moderator, helpdesk.NewCannedResponse{Language: "de",
			Title: "Begrüßung", Body: "Hallo {{.recipient_name}}"})
		require.NoError(t, err)
		_, err = f.desk.CreateCannedResponse(ctx, f.admin, helpdesk.NewCannedResponse{Language: "en",
			Title: "Closing", Body: "Closed by {{.manager_name}}."})
		require.NoError(t, err)

		t.Run("agents and supervisors list, by language and title", func(t *testing.T) {
			en, err := f.desk.CannedResponses(ctx, f.agent, "en")
			require.NoError(t, err)
			assert.Equal(t, []string{"Closing", "Greeting {{.ticket_ref}}"}, cannedTitles(en))
			all, err := f.desk.CannedResponses(ctx, f.supervisor, "")
			require.NoError(t, err)
			assert.Len(t, all, 3)
			_, err = f.desk.CannedResponses(ctx, f.agent, "xx")
			assertField(t, err, "language")
		})
		t.Run("agents, supervisors and customers do not manage them", func(t *testing.T) {
			_, err := f.desk.CreateCannedResponse(ctx, f.agent, helpdesk.NewCannedResponse{Language: "en", Title: "x", Body: "y"})
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = f.desk.CreateCannedResponse(ctx, f.supervisor, helpdesk.NewCannedResponse{Language: "en", Title: "x", Body: "y"})
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			assert.ErrorIs(t, f.desk.DeleteCannedResponse(ctx, f.agent, greet.ID), helpdesk.ErrForbidden)
			_, err = f.desk.CannedResponses(ctx, f.userX, "")
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		})
		t.Run("edit is versioned", func(t *testing.T) {
			cur := *greet
			cur.Body = "Hi {{.recipient_name}}."
			upd, err := f.desk.UpdateCannedResponse(ctx, moderator, &cur)
			require.NoError(t, err)
			assert.Equal(t, greet.Version+1, upd.Version)
			assert.Equal(t, "Hi {{.recipient_name}}.", upd.Body)
			stale := *greet
			stale.Body = "lost update"
			_, err = f.desk.UpdateCannedResponse(ctx, f.admin, &stale)
			assert.ErrorIs(t, err, storage.ErrConflict)
			all, err := f.desk.CannedResponses(ctx, f.agent, "en")
			require.NoError(t, err)
			for _, c := range all {
				assert.NotEqual(t, "lost update", c.Body)
			}
			bad := *upd
			bad.Body = "{{.request_link}}"
			_, err = f.desk.UpdateCannedResponse(ctx, f.admin, &bad)
			assertField(t, err, "body")
		})
		t.Run("delete", func(t *testing.T) {
			c, err := f.desk.CreateCannedResponse(ctx, f.admin, helpdesk.NewCannedResponse{Language: "fr", Title: "Au revoir", Body: "Merci."})
			require.NoError(t, err)
			require.NoError(t, f.desk.DeleteCannedResponse(ctx, moderator, c.ID))
			fr, err := f.desk.CannedResponses(ctx, f.agent, "fr")
			require.NoError(t, err)
			assert.Empty(t, fr)
			assert.ErrorIs(t, f.desk.DeleteCannedResponse(ctx, f.admin, c.ID), storage.ErrNotFound)
			tk := f.submit(t, "gone")
			_, err = f.desk.RenderCannedResponse(ctx, f.agent, c.ID, tk.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
	})
}

func TestCannedResponseValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		cases := []struct {
			name  string
			in    helpdesk.NewCannedResponse
			field string
			tag   string
		}{
			{"empty title", helpdesk.NewCannedResponse{Language: "en", Title: "  ", Body: "b"}, "title", ""},
			{"empty body", helpdesk.NewCannedResponse{Language: "en", Title: "t", Body: "\n"}, "body", ""},
			{"unknown language", helpdesk.NewCannedResponse{Language: "it", Title: "t", Body: "b"}, "language", ""},
			{"no language", helpdesk.NewCannedResponse{Title: "t", Body: "b"}, "language", ""},
			{"unknown tag", helpdesk.NewCannedResponse{Language: "en", Title: "t", Body: "{{.shoe_size}}"}, "body", "shoe_size"},
			{"secret link tag", helpdesk.NewCannedResponse{Language: "en", Title: "{{.request_link}}", Body: "b"}, "title", "request_link"},
			{"function call", helpdesk.NewCannedResponse{Language: "en", Title: "t", Body: `{{printf "%s" .title}}`}, "body", ""},
			{"title too long", helpdesk.NewCannedResponse{Language: "en", Title: strings.Repeat("x", notify.MaxSnippetTitleLen+1), Body: "b"}, "title", ""},
			{"body too long", helpdesk.NewCannedResponse{Language: "en", Title: "t", Body: strings.Repeat("x", notify.MaxSnippetBodyLen+1)}, "body", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.desk.CreateCannedResponse(ctx, f.admin, c.in)
				assertField(t, err, c.field)
				if c.tag != "" {
					var te *notify.TemplateError
					require.True(t, errors.As(err, &te), "%v wraps a *notify.TemplateError", err)
					assert.Equal(t, c.tag, te.Tag)
					assert.Equal(t, notify.SnippetTags(), te.Valid)
				}
			})
		}
		all, err := f.desk.CannedResponses(ctx, f.admin, "")
		require.NoError(t, err)
		assert.Empty(t, all, "nothing stored")
	})
}

func TestRenderCannedResponse(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		c, err := f.desk.CreateCannedResponse(ctx, f.admin, helpdesk.NewCannedResponse{Language: "en",
			Title: "Re: {{.ticket_ref}} {{.title}}",
			Body: "Dear {{.recipient_name}},\n{{.manager_name}} handles {{.ticket_ref}} (#{{.ticket_id}}, {{.priority}}) " +
				"for {{.requester}}. {{if .manager_name}}assigned{{else}}unassigned{{end}} {{.ticket_link}} {{.date}}"})
		require.NoError(t, err)
		tk := f.submit(t, "Pump <alarms> & beeps")
		tk, err = f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)

		got, err := f.desk.RenderCannedResponse(ctx, f.agent, c.ID, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, "Re: T-000001 Pump <alarms> & beeps", got.Title, "plain text, nothing escaped")
		assert.Equal(t, "Dear Nina Nurse,\nSam Agent handles T-000001 (#1, Normal) for Nina Nurse, nina@northwind.example. assigned "+
			"http://localhost:8080/tickets/"+tk.ID.String()+" "+f.clock.Now().UTC().Format("2006-01-02"), got.Body)

		t.Run("renders the tags as the notification of the ticket renders them", func(t *testing.T) {
			// The same tags in a tenant template of ticket.accepted: the in-app message the
			// requester's side gets carries the same text.
			_, err := f.desk.SaveNotificationTemplate(ctx, f.admin, notify.Template{Event: notify.TicketAccepted,
				Channel: notify.InApp, Language: "en", Subject: "s", Text: c.Body, Enabled: true})
			require.NoError(t, err)
			mine := f.open(t, f.userX, helpdesk.NewTicket{Title: "Display flickers", DeviceID: f.devX.ID})
			_, err = f.desk.Accept(ctx, f.agent, mine.ID)
			require.NoError(t, err)
			inbox, err := f.desk.Inbox(ctx, f.userX, storage.PageRequest{})
			require.NoError(t, err)
			require.NotEmpty(t, inbox.Items)
			got, err := f.desk.RenderCannedResponse(ctx, f.supervisor, c.ID, mine.ID)
			require.NoError(t, err)
			assert.Equal(t, inbox.Items[0].Text, got.Body)
		})
		t.Run("not for requesters", func(t *testing.T) {
			_, err := f.desk.RenderCannedResponse(ctx, f.link(t, tk), c.ID, tk.ID)
			assert.Error(t, err)
			_, err = f.desk.RenderCannedResponse(ctx, f.userX, c.ID, tk.ID)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		})
		t.Run("unknown ticket or response", func(t *testing.T) {
			_, err := f.desk.RenderCannedResponse(ctx, f.agent, c.ID, uuid.Must(uuid.NewV7()))
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.RenderCannedResponse(ctx, f.agent, uuid.Must(uuid.NewV7()), tk.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
		t.Run("another tenant's response is not found", func(t *testing.T) {
			b := f.addTenant(t, "Beta Service", "HD")
			other, err := f.desk.CreateCannedResponse(ctx, b.admin, helpdesk.NewCannedResponse{Language: "en", Title: "B", Body: "b"})
			require.NoError(t, err)
			_, err = f.desk.RenderCannedResponse(ctx, f.agent, other.ID, tk.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			assert.ErrorIs(t, f.desk.DeleteCannedResponse(ctx, f.admin, other.ID), storage.ErrNotFound)
		})
	})
}
