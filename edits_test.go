package helpdesk_test

import (
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func TestDeskUpdateTemplate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tpl, err := f.desk.Template(ctx, f.admin, f.tpl.ID)
		require.NoError(t, err)

		edit := *tpl
		edit.Name = "  Infusion pump X300 "
		edit.Fields = append(edit.Fields, device.FieldDef{Key: "ward", Label: "Ward", Type: device.FieldText})
		got, err := f.desk.UpdateTemplate(ctx, f.admin, &edit)
		require.NoError(t, err)
		assert.Equal(t, "Infusion pump X300", got.Name, "trimmed")
		assert.Equal(t, tpl.Version+1, got.Version)
		assert.Len(t, got.Fields, 3)
		stored, err := f.desk.Template(ctx, f.admin, tpl.ID)
		require.NoError(t, err)
		assert.Equal(t, got.Name, stored.Name)

		t.Run("a stale version conflicts", func(t *testing.T) {
			_, err := f.desk.UpdateTemplate(ctx, f.admin, &edit) // still carries the old version
			assert.ErrorIs(t, err, storage.ErrConflict)
		})
		t.Run("checked as on create", func(t *testing.T) {
			bad := *stored
			bad.Fields = []device.FieldDef{{Key: "Bad Key", Label: "x", Type: device.FieldText}}
			_, err := f.desk.UpdateTemplate(ctx, f.admin, &bad)
			assertField(t, err, "fields[0].key")
		})
		t.Run("managers only", func(t *testing.T) {
			_, err := f.desk.UpdateTemplate(ctx, f.agent, stored)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		})
		t.Run("listed by name for staff, never for customer users", func(t *testing.T) {
			ts, err := f.desk.Templates(ctx, f.agent)
			require.NoError(t, err)
			require.Len(t, ts, 1)
			assert.Equal(t, "Infusion pump X300", ts[0].Name)
			_, err = f.desk.Templates(ctx, f.userX)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		})
	})
}

func TestDeskUpdateDevice(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		dev, err := f.desk.Device(ctx, f.admin, f.devX.ID)
		require.NoError(t, err)

		edit := *dev
		edit.Name, edit.Location = "Pump 7b", " Ward 4 "
		edit.Fields = map[string]string{"firmware": "2.5.0"}
		edit.CustomerID = f.custY.ID // ignored: customers change through AssignDevice
		got, err := f.desk.UpdateDevice(ctx, f.admin, &edit)
		require.NoError(t, err)
		assert.Equal(t, "Pump 7b", got.Name)
		assert.Equal(t, "Ward 4", got.Location)
		assert.Equal(t, map[string]string{"firmware": "2.5.0"}, got.Fields)
		assert.Equal(t, f.custX.ID, got.CustomerID, "the customer stays")
		assert.Equal(t, dev.Version+1, got.Version)

		_, err = f.desk.UpdateDevice(ctx, f.admin, &edit)
		assert.ErrorIs(t, err, storage.ErrConflict, "stale version")

		bad := *got
		bad.Fields = map[string]string{"colour": "red"}
		_, err = f.desk.UpdateDevice(ctx, f.admin, &bad)
		assertField(t, err, "fields.colour")

		other, err := f.desk.CreateProject(ctx, f.admin, helpdesk.NewProject{Name: "Contoso", CustomerID: f.custY.ID})
		require.NoError(t, err)
		bad = *got
		bad.ProjectID = other.ID
		_, err = f.desk.UpdateDevice(ctx, f.admin, &bad)
		assertField(t, err, "project_id")

		_, err = f.desk.UpdateDevice(ctx, f.agent, got)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		foreign := *got
		foreign.ID = uuid.New()
		_, err = f.desk.UpdateDevice(ctx, f.admin, &foreign)
		assert.ErrorIs(t, err, storage.ErrNotFound)

		page, err := f.desk.OpenCode(ctx, f.code.Token, "")
		require.NoError(t, err)
		assert.Equal(t, "Pump 7b", page.Device.Name)
		assert.Equal(t, "2.5.0", page.Device.Field("firmware"))
	})
}

func TestDeskUpdateCode(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		end := f.clock.Now().Add(48 * time.Hour)
		c, err := f.desk.UpdateCode(ctx, f.admin, f.code.ID, helpdesk.CodeSettings{
			Actions:   []device.Action{device.ActionView},
			ExpiresAt: &end, SetExpiry: true,
			PIN: "2468", SetPIN: true,
			Appearance: device.Appearance{Foreground: "#112233"},
		})
		require.NoError(t, err)
		assert.Equal(t, []device.Action{device.ActionView}, c.Actions)
		require.NotNil(t, c.ExpiresAt)
		assert.True(t, end.Equal(*c.ExpiresAt))
		assert.Equal(t, "#112233", c.Appearance.Foreground)
		assert.Equal(t, f.code.Token, c.Token, "the token never changes")

		_, err = f.desk.OpenCode(ctx, f.code.Token, "")
		assert.ErrorIs(t, err, helpdesk.ErrForbidden, "the new PIN is asked for")
		page, err := f.desk.OpenCode(ctx, f.code.Token, "2468")
		require.NoError(t, err)
		assert.Equal(t, []device.Action{device.ActionView}, page.Actions)
		_, err = f.desk.SubmitTicket(ctx, page.Actor, helpdesk.NewTicket{Title: "x", Requester: nurseContact})
		assert.ErrorIs(t, err, helpdesk.ErrCodeUnusable, "opening tickets is no longer offered")

		c, err = f.desk.UpdateCode(ctx, f.admin, f.code.ID, helpdesk.CodeSettings{SetPIN: true, SetExpiry: true})
		require.NoError(t, err)
		assert.Empty(t, c.PINHash, "PIN removed")
		assert.Nil(t, c.ExpiresAt, "expiry removed")
		assert.Equal(t, []device.Action{device.ActionView}, c.Actions, "empty Actions keep the current ones")

		for name, in := range map[string]helpdesk.CodeSettings{
			"actions":         {Actions: []device.Action{"teleport"}},
			"expires_at":      {ExpiresAt: ptr(f.clock.Now().Add(-time.Hour)), SetExpiry: true},
			"pin":             {PIN: "12", SetPIN: true},
			"appearance.size": {Appearance: device.Appearance{Size: 10}},
			"appearance.logo": {Appearance: device.Appearance{Logo: "elsewhere/logo.png"}},
			"logo":            {Logo: []byte("x"), RemoveLogo: true},
		} {
			_, err := f.desk.UpdateCode(ctx, f.admin, f.code.ID, in)
			assertField(t, err, name)
		}
		_, err = f.desk.UpdateCode(ctx, f.agent, f.code.ID, helpdesk.CodeSettings{SetPIN: true})
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)

		codes, err := f.desk.Codes(ctx, f.agent, f.devX.ID)
		require.NoError(t, err)
		require.Len(t, codes, 1)
		assert.Equal(t, f.code.ID, codes[0].ID)
		_, err = f.desk.Codes(ctx, f.agent, uuid.New())
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = f.desk.Codes(ctx, f.userX, f.devX.ID)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
	})
}

func TestDeskEditTicket(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tk := f.submit(t, "Alarm")
		ps, err := f.desk.Priorities(ctx, f.admin)
		require.NoError(t, err)
		urgent := ps[0].ID

		got, err := f.desk.EditTicket(ctx, f.agent, tk.ID, helpdesk.TicketEdit{
			Title: ptr(" Occlusion alarm "), PriorityID: &urgent,
		})
		require.NoError(t, err)
		assert.Equal(t, "Occlusion alarm", got.Title)
		assert.Equal(t, urgent, got.PriorityID)
		assert.Equal(t, tk.Description, got.Description, "nil fields stay")
		assert.Equal(t, tk.Version+1, got.Version)
		hs := f.history(t, f.admin, tk.ID)
		last := hs[len(hs)-1]
		assert.Equal(t, "edit", last.Action)
		assert.Equal(t, "title, priority", last.Reason)

		_, err = f.desk.EditTicket(ctx, f.agent, tk.ID, helpdesk.TicketEdit{})
		assertField(t, err, "edit")
		_, err = f.desk.EditTicket(ctx, f.agent, tk.ID, helpdesk.TicketEdit{Title: ptr("  ")})
		assertField(t, err, "title")
		_, err = f.desk.EditTicket(ctx, f.agent, tk.ID, helpdesk.TicketEdit{PriorityID: ptr(uuid.New())})
		assert.ErrorIs(t, err, storage.ErrNotFound)
		for _, a := range []tenant.Actor{f.userX, f.link(t, tk)} {
			_, err = f.desk.EditTicket(ctx, a, tk.ID, helpdesk.TicketEdit{Title: ptr("mine")})
			assert.ErrorIs(t, err, helpdesk.ErrForbidden, string(a.Kind))
		}
		assert.Equal(t, "Occlusion alarm", f.reload(t, tk.ID).Title, "refused edits change nothing")
		assert.Equal(t, ticket.StateOpen, f.reload(t, tk.ID).State)
	})
}
