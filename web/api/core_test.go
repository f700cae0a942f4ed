package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problem is the part of a problem+json answer the tests read.
type problem struct {
	Status int
	Code   string
	Detail string
	Errors []struct{ Field, Message string }
}

func decodeProblem(t *testing.T, a answer) problem {
	t.Helper()
	require.Equal(t, "application/problem+json", a.Header.Get("Content-Type"), a.body)
	var p problem
	require.NoError(t, json.Unmarshal([]byte(a.body), &p))
	assert.Equal(t, a.StatusCode, p.Status)
	return p
}

// TestProblems checks the answers to requests the API refuses before any Desk call, and the
// problem details of the Desk's own refusals.
func TestProblems(t *testing.T) {
	w := newWorld(t, engines[0])
	cases := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		code, field              string
	}{
		{name: "unknown field", method: http.MethodPost, path: "/tickets", body: `{"title":"x","titel":"y"}`,
			status: 422, code: "invalid", field: "titel"},
		{name: "wrong type", method: http.MethodPost, path: "/tickets", body: `{"title":7}`,
			status: 422, code: "invalid", field: "title"},
		{name: "not JSON", method: http.MethodPost, path: "/tickets", body: `{"title":`,
			status: 422, code: "invalid", field: "body"},
		{name: "two values", method: http.MethodPost, path: "/tickets", body: `{"title":"a"}{"title":"b"}`,
			status: 422, code: "invalid", field: "body"},
		{name: "empty body", method: http.MethodPost, path: "/tickets/{ticket:x}/messages", body: ``,
			status: 422, code: "invalid", field: "body"},
		{name: "not JSON media type", method: http.MethodPost, path: "/tickets", body: `title=x`,
			header: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media_type"},
		{name: "too large", method: http.MethodPost, path: "/tickets", body: `{"title":"` + strings.Repeat("a", 1<<20) + `"}`,
			status: 413, code: "invalid"},
		{name: "Desk validation", method: http.MethodPost, path: "/tickets", body: `{"title":""}`,
			status: 422, code: "invalid", field: "title"},
		{name: "bad query parameter", method: http.MethodGet, path: "/tickets?assignee_id=nope",
			status: 422, code: "invalid", field: "assignee_id"},
		{name: "unknown state", method: http.MethodGet, path: "/tickets?state=lost",
			status: 422, code: "invalid", field: "state"},
		{name: "malformed ID", method: http.MethodGet, path: "/tickets/not-an-id", status: 404, code: "not_found"},
		{name: "no such ticket", method: http.MethodGet, path: "/tickets/01900000-0000-7000-8000-000000000000", status: 404, code: "not_found"},
		{name: "no such operation", method: http.MethodGet, path: "/nothing-here", status: 404, code: "not_found"},
		{name: "a method the path does not take", method: http.MethodPut, path: "/tickets", body: `{}`,
			status: 405, code: "method_not_allowed"},
		{name: "weak If-Match", method: http.MethodPatch, path: "/tickets/{ticket:x}", body: `{"title":"t"}`,
			header: []string{"If-Match", `W/"1"`}, status: 412, code: "precondition_failed"},
		{name: "event the state refuses", method: http.MethodPost, path: "/tickets/{ticket:x}/events", body: `{"event":"complete"}`,
			status: 409, code: "conflict"},
		{name: "forbidden", method: http.MethodDelete, path: "/tickets/{ticket:x}", status: 403, code: "forbidden"},
		{name: "stale If-Match", method: http.MethodPatch, path: "/tickets/{ticket:x}", body: `{"title":"t"}`,
			header: []string{"If-Match", `"999"`}, status: 412, code: "precondition_failed"},
		{name: "stale If-Match on an event", method: http.MethodPost, path: "/tickets/{ticket:x}/events", body: `{"event":"cancel","reason":"r"}`,
			header: []string{"If-Match", `"999"`}, status: 412, code: "precondition_failed"},
		{name: "malformed If-Match", method: http.MethodPatch, path: "/tickets/{ticket:x}", body: `{"title":"t"}`,
			header: []string{"If-Match", `yesterday`}, status: 422, code: "invalid", field: "If-Match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			as := "agent"
			if c.name == "forbidden" {
				as = "supervisor"
			}
			a := w.call(t, as, c.method, c.path, c.body, c.header...)
			p := decodeProblem(t, a)
			assert.Equal(t, c.status, a.StatusCode, a.body)
			assert.Equal(t, c.code, p.Code)
			if c.field != "" && assert.Len(t, p.Errors, 1, a.body) {
				assert.Equal(t, c.field, p.Errors[0].Field)
				assert.NotEmpty(t, p.Errors[0].Message)
			}
		})
	}
	t.Run("no credentials", func(t *testing.T) {
		a := w.call(t, "anonymous", http.MethodGet, "/tickets", "")
		assert.Equal(t, "unauthenticated", decodeProblem(t, a).Code)
		assert.Contains(t, a.Header.Get("WWW-Authenticate"), "Bearer")
	})
	t.Run("405 names the methods", func(t *testing.T) {
		a := w.call(t, "agent", http.MethodDelete, "/tickets", "")
		assert.ElementsMatch(t, []string{"GET", "POST", "HEAD"}, strings.Split(a.Header.Get("Allow"), ", "))
	})
	t.Run("a public link that is no more", func(t *testing.T) {
		a := w.call(t, "anonymous", http.MethodGet, "/public/requests/forged-token", "")
		assert.Equal(t, http.StatusUnauthorized, a.StatusCode, a.body)
		assert.Empty(t, a.Header.Get("WWW-Authenticate"), "no bearer token would help")
	})
	t.Run("unknown token", func(t *testing.T) {
		a := w.call(t, "anonymous", http.MethodGet, "/tickets", "", "Authorization", "Bearer hdt_nothing")
		assert.Equal(t, http.StatusUnauthorized, a.StatusCode)
	})
	t.Run("not a bearer token", func(t *testing.T) {
		a := w.call(t, "anonymous", http.MethodGet, "/tickets", "", "Authorization", "Basic YTpi")
		assert.Equal(t, http.StatusUnauthorized, a.StatusCode)
	})
}

// TestConcurrency checks optimistic concurrency as a client sees it: the ETag follows the
// version; a write on the current ETag wins once, however many race for it (412 for the
// others); events racing without If-Match leave one winner and 409s.
func TestConcurrency(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		a := w.call(t, "agent", http.MethodGet, "/tickets/{ticket:x}", "")
		require.Equal(t, http.StatusOK, a.StatusCode)
		etag := a.Header.Get("ETag")
		require.Regexp(t, `^"\d+"$`, etag)

		const n = 6
		var wg sync.WaitGroup
		got := make([]int, n)
		for i := range n {
			wg.Go(func() {
				got[i] = w.call(t, "agent", http.MethodPatch, "/tickets/{ticket:x}", `{"title":"Edit `+string(rune('A'+i))+`"}`,
					"If-Match", etag).StatusCode
			})
		}
		wg.Wait()
		assert.Equal(t, 1, count(got, http.StatusOK), "%v", got)
		assert.Equal(t, n-1, count(got, http.StatusPreconditionFailed), "%v", got)

		after := w.call(t, "agent", http.MethodGet, "/tickets/{ticket:x}", "")
		assert.NotEqual(t, etag, after.Header.Get("ETag"), "the version moved on")
		hist := w.call(t, "agent", http.MethodGet, "/tickets/{ticket:x}/history?limit=100", "")
		assert.Equal(t, 1, strings.Count(hist.body, `"action":"edit"`), "exactly one edit is recorded: %s", hist.body)

		w.ticket(t, "race", "customer_user", "Raced")
		for i := range n {
			wg.Go(func() {
				got[i] = w.call(t, "agent", http.MethodPost, "/tickets/{ticket:race}/events", `{"event":"cancel","reason":"Dup"}`).StatusCode
			})
		}
		wg.Wait()
		assert.Equal(t, 1, count(got, http.StatusOK), "%v", got)
		assert.Equal(t, n-1, count(got, http.StatusConflict), "%v", got)
	})
}

func count(xs []int, v int) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}

// TestSessionCookie checks the back office's cookie as a credential: reads work, a write from
// the same origin works, and a write another site makes the browser send is refused.
func TestSessionCookie(t *testing.T) {
	w := newWorld(t, engines[0])
	in, err := w.desk.SignIn(t.Context(), w.ten.ID, "agent@example.com", pw)
	require.NoError(t, err)
	cookie := "session=" + in.Token
	const body = `{"body":"From the page's script"}`
	read := w.call(t, "anonymous", http.MethodGet, "/tickets/{ticket:x}", "", "Cookie", cookie)
	assert.Equal(t, http.StatusOK, read.StatusCode, read.body)
	same := w.call(t, "anonymous", http.MethodPost, "/tickets/{ticket:x}/messages", body,
		"Cookie", cookie, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusCreated, same.StatusCode, same.body)
	cross := w.call(t, "anonymous", http.MethodPost, "/tickets/{ticket:x}/messages", body,
		"Cookie", cookie, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, cross.StatusCode, cross.body)
	origin := w.call(t, "anonymous", http.MethodPost, "/tickets/{ticket:x}/messages", body,
		"Cookie", cookie, "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, origin.StatusCode, origin.body)
	// A bearer token is not sent by browsers on their own: no origin rule applies.
	tokenCross := w.call(t, "agent", http.MethodPost, "/tickets/{ticket:x}/messages", body, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusCreated, tokenCross.StatusCode, tokenCross.body)
	expired := w.call(t, "anonymous", http.MethodGet, "/tickets/{ticket:x}", "", "Cookie", "session=nothing")
	assert.Equal(t, http.StatusUnauthorized, expired.StatusCode)
}
