package bunstore

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCodeTicketsIndex checks that counting a code's recent tickets reads the partial index
// tickets_tenant_code_created, not the tenant's other tickets: the plans use that index on
// both engines, and on PostgreSQL the scan reads the recent tickets of the code alone.
func TestCodeTicketsIndex(t *testing.T) {
	const others, recent, older = 3000, 20, 200
	eachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		require.NoError(t, s.MigrateUp(ctx))
		p := newParents(t, s)
		code, otherCode := newV7(), newV7()
		t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		var rows []ticketRow
		add := func(codeID uuid.UUID, at time.Time) {
			tk := &ticket.Ticket{ID: newV7(), TenantID: p.tenant.ID, Number: int64(len(rows) + 2), Prefix: "T",
				Title: "Pump leaks", State: ticket.StateOpen, Source: ticket.SourceCode, CodeID: codeID,
				CreatedBy: tenant.Ref{Kind: tenant.ActorCodeHolder, ID: codeID}, CreatedAt: at, UpdatedAt: at, Version: 1}
			rows = append(rows, *fromTicket(tk))
		}
		for i := range others {
			add(uuid.Nil, t0.Add(-time.Duration(i)*time.Second))
			add(otherCode, t0.Add(-time.Duration(i)*time.Second))
		}
		for i := range older {
			add(code, t0.Add(-2*time.Hour-time.Duration(i)*time.Second))
		}
		for i := range recent {
			add(code, t0.Add(-time.Duration(i)*time.Minute))
		}
		insertBatches(t, s, rows)
		_, err := s.db.ExecContext(ctx, "ANALYZE tickets")
		require.NoError(t, err)

		n, err := s.CountCodeTickets(ctx, p.tenant.ID, code, t0.Add(-time.Hour))
		require.NoError(t, err)
		assert.Equal(t, recent, n)

		query := s.codeTickets(p.tenant.ID, code, t0.Add(-time.Hour)).ColumnExpr("count(*)").String()
		if s.pg {
			plan := explain(t, s.db, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)", query)
			t.Logf("plan:\n%s", plan)
			assert.NotContains(t, plan, "Seq Scan on tickets")
			scan := regexp.MustCompile(`Scan (?:using|on) tickets_tenant_code_created[^\n]*actual rows=(\d+)`).FindStringSubmatch(plan)
			if assert.NotNil(t, scan, "the count does not scan tickets_tenant_code_created") {
				assert.Equal(t, strconv.Itoa(recent), scan[1], "rows the index scan read")
			}
			return
		}
		plan := explain(t, s.db, "EXPLAIN QUERY PLAN", query)
		t.Logf("plan:\n%s", plan)
		assert.Contains(t, plan, "INDEX tickets_tenant_code_created")
	})
}
