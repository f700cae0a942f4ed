package helpdesk_test

import (
	"slices"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCodesPage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		second, err := f.desk.CreateCode(ctx, f.admin, f.devY.ID, helpdesk.NewCode{})
		require.NoError(t, err)
		third, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{})
		require.NoError(t, err)
		_, err = f.desk.SetCodeActive(ctx, f.admin, third.ID, false)
		require.NoError(t, err)
		ids := func(p storage.Page[*device.Code]) []uuid.UUID {
			var out []uuid.UUID
			for _, c := range p.Items {
				out = append(out, c.ID)
			}
			return out
		}

		page, err := f.desk.CodesPage(ctx, f.agent, storage.CodeFilter{}, storage.PageRequest{Limit: 2})
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{third.ID, second.ID}, ids(page), "newest first, every device's")
		require.NotEmpty(t, page.Next)
		page, err = f.desk.CodesPage(ctx, f.agent, storage.CodeFilter{}, storage.PageRequest{Limit: 2, After: page.Next})
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{f.code.ID}, ids(page))
		assert.Empty(t, page.Next)

		got, err := f.desk.Code(ctx, f.agent, third.ID)
		require.NoError(t, err)
		assert.Equal(t, third.Token, got.Token)
		assert.False(t, got.Active)

		page, err = f.desk.CodesPage(ctx, f.admin, storage.CodeFilter{DeviceID: f.devX.ID, Active: new(true)}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{f.code.ID}, ids(page), "one device's active codes")

		other := f.addTenant(t, "Other Service", "OS")
		page, err = f.desk.CodesPage(ctx, other.admin, storage.CodeFilter{DeviceID: f.devX.ID}, storage.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, page.Items, "another tenant's device filters nothing in")

		_, err = f.desk.CodesPage(ctx, f.userX, storage.CodeFilter{}, storage.PageRequest{})
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		_, err = f.desk.CodesPage(ctx, f.admin, storage.CodeFilter{}, storage.PageRequest{After: "nope"})
		assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err))
	})
}

func TestPreviewCode(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f, _ := qrFixture(t, s)
		ctx := t.Context()
		code, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{Logo: pngBytes(t, 64, 64),
			Appearance: device.Appearance{Correction: device.CorrectionQuartile}})
		require.NoError(t, err)
		url := f.desk.CodeURL(code.Token)
		saved := func(t *testing.T) *device.Code {
			t.Helper()
			cs, err := f.desk.Codes(ctx, f.admin, f.devX.ID)
			require.NoError(t, err)
			for _, c := range cs {
				if c.ID == code.ID {
					return c
				}
			}
			t.Fatal("the code is gone")
			return nil
		}

		t.Run("an unsaved appearance is drawn, nothing saved", func(t *testing.T) {
			im, err := f.desk.PreviewCode(ctx, f.agent, code.ID, device.FormatPNG, helpdesk.CodeSettings{
				Appearance: device.Appearance{Foreground: "#203040", Background: "#fff8e0", Size: 330, Correction: device.CorrectionHigh}})
			require.NoError(t, err)
			text, level := decodeQR(t, im, 330)
			assert.Equal(t, url, text)
			assert.Equal(t, "H", level)
			assert.Equal(t, code.Appearance, saved(t).Appearance)
		})
		t.Run("a new logo and a removed one", func(t *testing.T) {
			im, err := f.desk.PreviewCode(ctx, f.admin, code.ID, device.FormatSVG, helpdesk.CodeSettings{Logo: pngBytes(t, 40, 40)})
			require.NoError(t, err)
			assert.Contains(t, string(im.Data), "<image ")
			im, err = f.desk.PreviewCode(ctx, f.admin, code.ID, device.FormatSVG, helpdesk.CodeSettings{RemoveLogo: true})
			require.NoError(t, err)
			assert.NotContains(t, string(im.Data), "<image ")
			im, err = f.desk.PreviewCode(ctx, f.admin, code.ID, device.FormatSVG, helpdesk.CodeSettings{})
			require.NoError(t, err)
			assert.Contains(t, string(im.Data), "<image ", "the saved logo")
			assert.Equal(t, code.Appearance.Logo, saved(t).Appearance.Logo)
		})
		t.Run("refused as UpdateCode refuses", func(t *testing.T) {
			_, err := f.desk.PreviewCode(ctx, f.admin, code.ID, device.FormatPNG, helpdesk.CodeSettings{Appearance: device.Appearance{Correction: device.CorrectionLow}})
			assertField(t, err, "appearance.correction")
			assert.ErrorIs(t, err, device.ErrUnscannable, "the saved logo leaves no room at L")
			_, err = f.desk.PreviewCode(ctx, f.admin, code.ID, device.FormatPNG, helpdesk.CodeSettings{RemoveLogo: true,
				Appearance: device.Appearance{Correction: device.CorrectionLow}})
			require.NoError(t, err, "without the logo, L will do")
			_, err = f.desk.PreviewCode(ctx, f.admin, code.ID, device.FormatPNG, helpdesk.CodeSettings{Appearance: device.Appearance{Foreground: "#eeeeee"}})
			assertField(t, err, "appearance.foreground")
			_, err = f.desk.PreviewCode(ctx, f.admin, code.ID, device.FormatPNG, helpdesk.CodeSettings{Logo: []byte("not an image")})
			assertField(t, err, "appearance.logo")
			_, err = f.desk.PreviewCode(ctx, f.admin, code.ID, device.FormatPNG, helpdesk.CodeSettings{Logo: pngBytes(t, 40, 40), RemoveLogo: true})
			assertField(t, err, "logo")
			_, err = f.desk.PreviewCode(ctx, f.admin, code.ID, "gif", helpdesk.CodeSettings{})
			assertField(t, err, "format")
		})
		t.Run("access", func(t *testing.T) {
			_, err := f.desk.PreviewCode(ctx, f.userX, code.ID, device.FormatPNG, helpdesk.CodeSettings{})
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			other := f.addTenant(t, "Other Service", "OS")
			_, err = f.desk.PreviewCode(ctx, other.admin, code.ID, device.FormatPNG, helpdesk.CodeSettings{})
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
	})
}

func TestUpdateCustomer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		until := f.clock.Now().AddDate(1, 0, 0)
		_, err := f.desk.SetSupportPlan(ctx, f.admin, f.custX.ID, &until)
		require.NoError(t, err)
		dep, err := f.desk.CreateDepartment(ctx, f.admin, "North branch")
		require.NoError(t, err)
		cur, err := f.desk.Customer(ctx, f.admin, f.custX.ID)
		require.NoError(t, err)

		edit := *cur
		edit.Name, edit.Language, edit.ProjectID, edit.DepartmentID = "  Northwind Clinic ", "de", f.project.ID, dep.ID
		_, err = f.desk.UpdateCustomer(ctx, f.supervisor, &edit)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden, "a supervisor may read, not edit")
		out, err := f.desk.UpdateCustomer(ctx, f.admin, &edit)
		require.NoError(t, err)
		assert.Equal(t, "Northwind Clinic", out.Name)
		got, err := f.desk.Customer(ctx, f.admin, f.custX.ID)
		require.NoError(t, err)
		assert.Equal(t, "Northwind Clinic", got.Name)
		assert.Equal(t, "de", got.Language)
		assert.Equal(t, f.project.ID, got.ProjectID)
		assert.Equal(t, dep.ID, got.DepartmentID)
		require.NotNil(t, got.SupportUntil, "the support plan is kept")
		assert.True(t, until.Equal(*got.SupportUntil))
		assert.Equal(t, cur.Version+1, got.Version)

		_, err = f.desk.UpdateCustomer(ctx, f.admin, &edit)
		assert.ErrorIs(t, err, storage.ErrConflict, "a stale version")

		bad := *got
		bad.Name = " "
		_, err = f.desk.UpdateCustomer(ctx, f.admin, &bad)
		assertField(t, err, "name")
		bad = *got
		bad.Language = "not a language"
		_, err = f.desk.UpdateCustomer(ctx, f.admin, &bad)
		assertField(t, err, "language")
		bad = *got
		bad.ProjectID = f.project.ID
		bad.ID = f.custY.ID
		cy, err := f.desk.Customer(ctx, f.admin, f.custY.ID)
		require.NoError(t, err)
		bad.Version = cy.Version
		_, err = f.desk.UpdateCustomer(ctx, f.admin, &bad)
		assertField(t, err, "project_id")
		bad = *got
		bad.DepartmentID = uuid.New()
		_, err = f.desk.UpdateCustomer(ctx, f.admin, &bad)
		assert.ErrorIs(t, err, storage.ErrNotFound)

		other := f.addTenant(t, "Other Service", "OS")
		_, err = f.desk.UpdateCustomer(ctx, other.admin, got)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = f.desk.UpdateCustomer(ctx, f.userX, got)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		_, err = f.desk.UpdateCustomer(ctx, f.userY, got)
		assert.ErrorIs(t, err, storage.ErrNotFound, "another customer's")

		entries, err := f.desk.AuditLog(ctx, f.admin, storage.PageRequest{})
		require.NoError(t, err)
		assert.True(t, slices.ContainsFunc(entries.Items, func(e *tenant.AuditEntry) bool {
			return e.Action == "customer.updated" && e.EntityID == f.custX.ID
		}), "an audit entry")
	})
}
