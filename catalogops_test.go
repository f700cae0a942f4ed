package helpdesk_test

import (
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

func TestDeskDeviceFields(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		want := []helpdesk.DeviceField{
			{Key: "firmware", Label: "Firmware", Type: device.FieldText, Value: "2.4.1", Public: true},
			{Key: "service_pin", Label: "Service PIN", Type: device.FieldText, Value: "9999"},
		}
		for name, actor := range map[string]tenant.Actor{"staff": f.agent, "the device's customer": f.userX} {
			t.Run(name+" read the labels with the values", func(t *testing.T) {
				got, err := f.desk.DeviceFields(ctx, actor, f.devX.ID)
				require.NoError(t, err)
				assert.Equal(t, want, got)
			})
		}
		t.Run("another customer's device is not found", func(t *testing.T) {
			_, err := f.desk.DeviceFields(ctx, f.userY, f.devX.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
		t.Run("another tenant's device is not found", func(t *testing.T) {
			other := f.addTenant(t, "Other Service", "O")
			_, err := f.desk.DeviceFields(ctx, other.admin, f.devX.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.DeviceFields(ctx, f.admin, uuid.New())
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
		t.Run("a code holder reads its device's public part elsewhere", func(t *testing.T) {
			_, err := f.desk.DeviceFields(ctx, f.holder, f.devX.ID)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		})
		t.Run("a device without a template has none", func(t *testing.T) {
			got, err := f.desk.DeviceFields(ctx, f.userY, f.devY.ID)
			require.NoError(t, err)
			assert.Empty(t, got)
		})
		t.Run("a value the template no longer defines comes last, under its key", func(t *testing.T) {
			tpl, err := f.desk.Template(ctx, f.admin, f.tpl.ID)
			require.NoError(t, err)
			tpl.Fields = []device.FieldDef{{Key: "ward", Label: "Ward", Type: device.FieldSelect, Options: []string{"3", "4"}},
				{Key: "firmware", Label: "Firmware version", Type: device.FieldText}}
			_, err = f.desk.UpdateTemplate(ctx, f.admin, tpl)
			require.NoError(t, err)
			got, err := f.desk.DeviceFields(ctx, f.admin, f.devX.ID)
			require.NoError(t, err)
			assert.Equal(t, []helpdesk.DeviceField{
				{Key: "ward", Label: "Ward", Type: device.FieldSelect},
				{Key: "firmware", Label: "Firmware version", Type: device.FieldText, Value: "2.4.1"},
				{Key: "service_pin", Label: "service_pin", Type: device.FieldText, Value: "9999"},
			}, got)
		})
	})
}
