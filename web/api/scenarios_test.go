package api_test

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/web/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scenario is one request of an operation, made as every actor, with the status each gets.
type scenario struct {
	name   string
	path   string // below /api/v1, with {kind:name} placeholders
	body   string // JSON, with placeholders
	header []string
	want   map[string]int
	// setup runs before each actor's request: it makes the records the request changes
	// (a ticket to delete), so that one actor's request does not spoil the next one's.
	setup func(t *testing.T, w *world)
	// check runs after a request that answered as wanted.
	check func(t *testing.T, w *world, as string, a answer)
}

// statuses builds a want table: the named actors get s, every other signed-in actor gets
// other, and anonymous callers 401.
func statuses(s, other int, names ...string) map[string]int {
	m := map[string]int{"anonymous": http.StatusUnauthorized}
	for _, n := range actorNames[:len(actorNames)-1] {
		m[n] = other
		if slices.Contains(names, n) {
			m[n] = s
		}
	}
	return m
}

// with returns m with the named actors' statuses changed.
func with(m map[string]int, kv ...any) map[string]int {
	m = maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(int)
	}
	return m
}

var (
	employees = []string{"admin", "moderator", "supervisor", "agent"}
	managers  = []string{"admin", "moderator"}
	leads     = []string{"admin", "moderator", "supervisor"}
	people    = []string{"admin", "moderator", "supervisor", "agent", "customer_admin", "customer_user"}
	customers = []string{"customer_admin", "customer_user"}
)

// scenarios has the scenarios of every operation, by operationId. TestScenarios fails when an
// operation has none, so a new operation cannot go untested.
func scenarios() map[string][]scenario {
	return mergeScenarios(ticketScenarios(), sessionsScenarios(), catalogScenarios(), companyScenarios(), settingsScenarios(), tokenScenarios(), webhookScenarios())
}

func mergeScenarios(ms ...map[string][]scenario) map[string][]scenario {
	out := map[string][]scenario{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = append(out[k], v...)
		}
	}
	return out
}

// TestScenarios requests every operation as every actor, on SQLite and PostgreSQL, and checks
// each status; every answer is checked against the OpenAPI document on the way.
func TestScenarios(t *testing.T) {
	all := scenarios()
	for _, o := range api.Ops() {
		assert.NotEmpty(t, all[o.ID], "operation %s (%s %s) has no scenario", o.ID, o.Method, o.Path)
	}
	ids := map[string]api.Op{}
	for _, o := range api.Ops() {
		ids[o.ID] = o
	}
	for id := range all {
		assert.Contains(t, ids, id, "scenario for an operation that does not exist")
	}
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		for _, id := range slices.Sorted(maps.Keys(all)) {
			o := ids[id]
			for _, sc := range all[id] {
				t.Run(id+"/"+sc.name, func(t *testing.T) {
					for _, as := range actorNames {
						want, ok := sc.want[as]
						require.True(t, ok, "no status for %s", as)
						if sc.setup != nil {
							sc.setup(t, w)
						}
						a := w.call(t, as, o.Method, sc.path, sc.body, sc.header...)
						if !assert.Equal(t, want, a.StatusCode, "%s as %s: %s", id, as, a.body) {
							continue
						}
						if sc.check != nil && a.StatusCode/100 == 2 {
							sc.check(t, w, as, a)
						}
					}
				})
			}
		}
	})
}

var pathRecord = regexp.MustCompile(`\{([a-z_]+):[a-z0-9_]+\}`)

// TestIsolation walks every operation whose path names a record, as each signed-in actor of
// the first tenant, with the second tenant's record of that kind in its place: the answer is
// 404 (or the 401/403 the actor gets for the operation whatever the record) and shows
// nothing of the record.
func TestIsolation(t *testing.T) {
	all := scenarios()
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		for _, o := range api.Ops() {
			if !strings.Contains(o.Path, "{") || len(all[o.ID]) == 0 {
				continue
			}
			sc := all[o.ID][0]
			if !pathRecord.MatchString(sc.path) {
				continue // a path of tokens or references, which are unique to their tenant
			}
			foreign := pathRecord.ReplaceAllString(sc.path, "{$1:other}")
			t.Run(o.ID, func(t *testing.T) {
				for _, as := range actorNames[:len(actorNames)-1] {
					if sc.setup != nil {
						sc.setup(t, w)
					}
					a := w.call(t, as, o.Method, foreign, sc.body, sc.header...)
					own := sc.want[as]
					if own/100 == 2 {
						assert.Equal(t, http.StatusNotFound, a.StatusCode, "%s as %s: %s", o.ID, as, a.body)
					} else {
						assert.Contains(t, []int{http.StatusNotFound, own}, a.StatusCode, "%s as %s: %s", o.ID, as, a.body)
					}
					assert.NotContains(t, a.body, "Other tenant", "%s as %s shows the foreign record", o.ID, as)
				}
			})
		}
	})
}
