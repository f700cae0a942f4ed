package backoffice_test

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/web/backoffice"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// request makes the path (the pattern's wildcards filled in) and, for a POST, the form of one
// request as who ("" for signed out). It may create what the request acts on, so that each
// role of a walk changes its own object.
type request func(t *testing.T, w *world, who string) (path string, form url.Values)

// routeCase is what the walks of the route table need for one route.
type routeCase struct {
	// target is the request each role makes on an object of its own tenant (and customer).
	target request
	// want is the status each role gets (see roles). Signed out, a GET is led to /login (303)
	// and a POST refused (401) unless want says otherwise.
	want map[string]int
	// fresh makes the request with a newly signed-in client: signing out ends the session.
	fresh bool
	// foreign is the same request on another tenant's object (made as "admin") and on another
	// customer's (made as "customer_user"), which must answer 404 and show nothing of it. Every
	// route with a wildcard other than {token} has one. It returns "" where the foreign case is
	// the same as target's refusal (a module customer users never see).
	foreign request
}

// module is a module's routes, by pattern, in the walks.
type module map[string]routeCase

// roles are the people the walks act as: each employee role, both customer roles, signed out.
var roles = []string{"admin", "moderator", "supervisor", "agent", "customer_admin", "customer_user", ""}

// every expects status of every signed-in role.
func every(status int) map[string]int {
	return staff(status, status, status)
}

// staff expects admin, moderator and supervisor to get lead, the agent agent, and the
// customer users customers.
func staff(lead, agent, customers int) map[string]int {
	return map[string]int{"admin": lead, "moderator": lead, "supervisor": lead, "agent": agent,
		"customer_admin": customers, "customer_user": customers}
}

// modules gathers every module's routes; each module keeps its part beside its own tests.
func modules() module {
	all := module{}
	for _, m := range []module{coreRoutes(), ticketRoutes(), sessionRoutes(), catalogRoutes(), codeRoutes(),
		companyRoutes(), settingsRoutes(), webhookRoutes(), appRoutes(), tokenRoutes()} {
		for p, c := range m {
			if _, dup := all[p]; dup {
				panic("two modules claim " + p)
			}
			all[p] = c
		}
	}
	return all
}

// TestRoutesByRole walks the route table as every role: each route answers each role as its
// case says. A route without a case fails, and so does a case for a route that is gone.
func TestRoutesByRole(t *testing.T) {
	w := newWorld(t)
	h, err := backoffice.New(w.desk, &backoffice.Config{Tenant: backoffice.SingleTenant(w.tenant.ID)})
	require.NoError(t, err)
	cases := modules()
	patterns := backoffice.Patterns(h)
	for _, pattern := range patterns {
		c, ok := cases[pattern]
		if !assert.True(t, ok, "route %q has no case in the walks", pattern) {
			continue
		}
		method := strings.Fields(pattern)[0]
		for _, who := range roles {
			want, ok := c.want[who]
			if !ok && who == "" {
				want = http.StatusSeeOther
				if method != http.MethodGet {
					want = http.StatusUnauthorized
				}
			} else if !ok {
				t.Errorf("%s: no status for %s", pattern, who)
				continue
			}
			t.Run(pattern+" as "+cmp(who, "signed out"), func(t *testing.T) {
				path, form := c.target(t, w, who)
				client := w.client(t, who)
				if c.fresh && who != "" {
					client = w.signedIn(t, who)
				}
				res, body := do(t, client, method, w.srv.URL+path, form)
				assert.Equal(t, want, res.StatusCode, "%s %s\n%s", method, path, body)
				assert.NotContains(t, body, "[bo.", "a missing string")
			})
		}
	}
	for _, p := range slices.Sorted(maps.Keys(cases)) {
		assert.Contains(t, patterns, p, "a case for a route that is gone")
	}
}

// TestIsolation walks every route with an ID: another tenant's object, and for a customer's
// user another customer's, is not found on each, GET and POST alike, and nothing of it shows.
// A new route without its foreign case fails the test.
func TestIsolation(t *testing.T) {
	w := newWorld(t)
	h, err := backoffice.New(w.desk, &backoffice.Config{Tenant: backoffice.SingleTenant(w.tenant.ID)})
	require.NoError(t, err)
	cases := modules()
	for _, pattern := range backoffice.Patterns(h) {
		wild := strings.ReplaceAll(strings.ReplaceAll(pattern, "{token}", ""), "{$}", "")
		if !strings.Contains(wild, "{") {
			continue
		}
		c := cases[pattern]
		if !assert.NotNil(t, c.foreign, "route %q has no isolation case", pattern) {
			continue
		}
		method := strings.Fields(pattern)[0]
		for _, who := range []string{"admin", "customer_user"} {
			t.Run(pattern+" as "+who, func(t *testing.T) {
				path, form := c.foreign(t, w, who)
				if path == "" {
					return
				}
				res, body := do(t, w.client(t, who), method, w.srv.URL+path, form)
				assert.Equal(t, http.StatusNotFound, res.StatusCode, "%s %s\n%s", method, path, body)
				for _, s := range foreignMarks {
					assert.NotContains(t, body, s)
				}
			})
		}
	}
	// Nothing changed on the other side.
	y := w.ticket(t, "y")
	assert.Equal(t, "open", string(y.State))
}

// foreignMarks are in the names of everything the isolation cases reach for: customer Y's
// ("Yarrow …") and the second tenant's ("Other tenant's …", "Other Service").
var foreignMarks = []string{"Yarrow", "Other tenant", "Other Service"}

// signedIn returns a newly signed-in client for who, not kept for the next requests.
func (w *world) signedIn(t *testing.T, who string) *http.Client {
	t.Helper()
	c := w.browser()
	email, p := who+"@acme.example", pw
	if who == "admin" {
		email, p = "ada@acme.example", password
	}
	require.Equal(t, http.StatusSeeOther, w.signIn(t, c, email, p).StatusCode, who)
	return c
}

func cmp(s, empty string) string {
	if s == "" {
		return empty
	}
	return s
}
