package helpdesk

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timerGroups keeps every timer, a ticket's timers together and by due time, and makes no more
// groups than asked for, of sizes that differ by no more than one ticket's timers.
func TestTimerGroups(t *testing.T) {
	assert.Nil(t, timerGroups(nil, 4))
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for round := range 200 {
		tickets := make([]uuid.UUID, 1+rng.IntN(20))
		for i := range tickets {
			tickets[i] = uuid.New()
		}
		var timers []*ticket.Timer
		for range 1 + rng.IntN(60) {
			timers = append(timers, &ticket.Timer{ID: uuid.New(), TicketID: tickets[rng.IntN(len(tickets))],
				DueAt: base.Add(time.Duration(rng.IntN(5)) * time.Second)})
		}
		n := 1 + rng.IntN(6)
		groups := timerGroups(timers, n)
		require.NotEmpty(t, groups)
		assert.LessOrEqual(t, len(groups), n, "round %d", round)
		seen := map[uuid.UUID]bool{}
		groupOf := map[uuid.UUID]int{}
		perTicket := map[uuid.UUID]int{}
		for _, tm := range timers {
			perTicket[tm.TicketID]++
		}
		largest := 0
		for _, c := range perTicket {
			largest = max(largest, c)
		}
		size := (len(timers) + n - 1) / n
		for gi, g := range groups {
			require.NotEmpty(t, g)
			assert.Less(t, len(g), size+largest, "round %d: group %d too big", round, gi)
			for i, tm := range g {
				assert.False(t, seen[tm.ID], "round %d: timer twice", round)
				seen[tm.ID] = true
				if prev, ok := groupOf[tm.TicketID]; ok {
					assert.Equal(t, prev, gi, "round %d: a ticket's timers in two groups", round)
				}
				groupOf[tm.TicketID] = gi
				if i > 0 && g[i-1].TicketID == tm.TicketID {
					assert.False(t, tm.DueAt.Before(g[i-1].DueAt), "round %d: a ticket's timers out of due order", round)
				}
			}
		}
		assert.Len(t, seen, len(timers), "round %d: every timer once", round)
	}
}
