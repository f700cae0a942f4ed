package helpdesk_test

import (
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStatsInput checks what the statistics refuse: a period that does not end after it
// starts, and more IDs than a page holds.
func TestStatsInput(t *testing.T) {
	f := newFixture(t, openSQLite(t))
	ctx := t.Context()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for name, p := range map[string]helpdesk.StatsPeriod{
		"no start":    {To: at},
		"empty":       {From: at, To: at},
		"ends before": {From: at, To: at.Add(-time.Second)},
		"no end":      {From: at},
		"zero":        {},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.desk.Dashboard(ctx, f.admin, p)
			assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err), "%v", err)
		})
	}
	t.Run("a second", func(t *testing.T) {
		_, err := f.desk.Dashboard(ctx, f.admin, helpdesk.StatsPeriod{From: at, To: at.Add(time.Second)})
		require.NoError(t, err)
	})
	ids := make([]uuid.UUID, storage.MaxPageSize+1)
	_, err := f.desk.DeviceStatsByID(ctx, f.admin, ids)
	assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err), "more IDs than a page")
	_, err = f.desk.DeviceStatsByID(ctx, f.admin, ids[:storage.MaxPageSize])
	assert.NoError(t, err, "a page of IDs")
}
