package storagetest

import (
	"context"
	"testing"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func codeID(c *device.Code) uuid.UUID { return c.ID }

// testCodePages checks PageCodes: the tenant's codes newest first a page at a time, the
// filters by device and by switch, and nothing of another tenant's.
func testCodePages(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	w := newWorld(t, s, "Tenant A")
	other := newWorld(t, s, "Tenant B")
	pump2 := w.addDevice("Pump 2", w.Customer.ID)
	all := []uuid.UUID{w.Code.ID}
	var onPump2, off []uuid.UUID
	for i := range 8 {
		dev := w.Device.ID
		if i%2 == 1 {
			dev = pump2.ID
		}
		c := w.newCode(dev)
		c.Active = i%3 != 0
		require.NoError(t, s.CreateCode(ctx, c), "setup: create code")
		all = append(all, c.ID)
		if dev == pump2.ID {
			onPump2 = append(onPump2, c.ID)
		}
		if !c.Active {
			off = append(off, c.ID)
		}
	}
	list := func(tenantID uuid.UUID, f storage.CodeFilter) func(storage.PageRequest) (storage.Page[*device.Code], error) {
		return func(p storage.PageRequest) (storage.Page[*device.Code], error) {
			return s.PageCodes(ctx, tenantID, f, p)
		}
	}

	t.Run("Pages", func(t *testing.T) {
		got, sizes := walk(t, 4, list(w.Tenant.ID, storage.CodeFilter{}), codeID, nil)
		assert.Equal(t, newestFirst(all), got, "every code of the tenant once, newest first")
		assert.Equal(t, []int{4, 4, 1}, sizes)
	})
	t.Run("Fields", func(t *testing.T) {
		page, err := s.PageCodes(ctx, w.Tenant.ID, storage.CodeFilter{DeviceID: w.Device.ID}, storage.PageRequest{Limit: storage.MaxPageSize})
		require.NoError(t, err)
		require.NotEmpty(t, page.Items)
		assertSame(t, clone(w.Code), page.Items[len(page.Items)-1], "the code as stored")
	})
	t.Run("ByDevice", func(t *testing.T) {
		got, _ := walk(t, 3, list(w.Tenant.ID, storage.CodeFilter{DeviceID: pump2.ID}), codeID, nil)
		assert.Equal(t, newestFirst(onPump2), got)
	})
	t.Run("ByActive", func(t *testing.T) {
		got, _ := walk(t, 3, list(w.Tenant.ID, storage.CodeFilter{Active: ptr(false)}), codeID, nil)
		assert.Equal(t, newestFirst(off), got)
		on, _ := walk(t, 50, list(w.Tenant.ID, storage.CodeFilter{Active: ptr(true)}), codeID, nil)
		assert.Len(t, on, len(all)-len(off))
		assert.NotContains(t, on, off[0])
	})
	t.Run("Isolation", func(t *testing.T) {
		got, _ := walk(t, 50, list(other.Tenant.ID, storage.CodeFilter{}), codeID, nil)
		assert.Equal(t, []uuid.UUID{other.Code.ID}, got, "only the tenant's own")
		got, _ = walk(t, 50, list(other.Tenant.ID, storage.CodeFilter{DeviceID: w.Device.ID}), codeID, nil)
		assert.Empty(t, got, "filtered by another tenant's device")
	})
	t.Run("BadCursor", func(t *testing.T) {
		_, err := s.PageCodes(ctx, w.Tenant.ID, storage.CodeFilter{}, storage.PageRequest{After: "garbage"})
		assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	})
}
