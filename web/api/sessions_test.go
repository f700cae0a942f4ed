package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The PIN of the world's code "code_pin".
const codePIN = "4321"

// sessionsRecords makes the records the sessions scenarios name, in both tenants (the second
// tenant's as "kind:other", for TestIsolation): a ticket "sess" of customer X with an invited
// session "x" (the agent's) and a requested one, a ticket "sess2" with agent2's invitation,
// the second tenant's session "other", a device with a code
// ("code") and one with a PIN ("code_pin"), a request link ("reqlink") and a used one
// ("reqlink_used"), and a requester's ticket "req" with its link ("req"), a file
// ("attachment:req") and an invited session with its link ("sess_link").
func sessionsRecords(t *testing.T, w *world) {
	t.Helper()
	ctx := t.Context()
	admin := w.actors["admin"]
	w.ticket(t, "sess", "customer_user", "Xylo pump needs a look")
	w.ids["session:x"] = w.invite(t, "agent", "sess", time.Time{}).ID
	w.ids["session:other"] = w.invite(t, "other_admin", "other", time.Time{}).ID
	// Another agent's invitation and a request, for the filters and pages to tell apart.
	w.ticket(t, "sess2", "customer_user2", "Xylo valve needs a look")
	w.invite(t, "agent2", "sess2", time.Time{})
	_, err := w.desk.RequestSession(ctx, w.actors["customer_user"], w.ids["ticket:sess"])
	require.NoError(t, err)

	dev, err := w.desk.CreateDevice(ctx, admin, helpdesk.NewDevice{Name: "Session pump", SerialNumber: "SP-1", Location: "Hall 3",
		CustomerID: w.ids["customer:x"]})
	require.NoError(t, err)
	w.ids["device:sessions"] = dev.ID
	code, err := w.desk.CreateCode(ctx, admin, dev.ID, helpdesk.NewCode{Actions: device.Actions()})
	require.NoError(t, err)
	w.links["code"], w.ids["code:sessions"] = code.Token, code.ID
	pinned, err := w.desk.CreateCode(ctx, admin, dev.ID, helpdesk.NewCode{PIN: codePIN})
	require.NoError(t, err)
	w.links["code_pin"] = pinned.Token
	w.requestLink(t, "reqlink")
	w.requestLink(t, "reqlink_used")
	p, err := w.desk.OpenRequestLink(ctx, w.links["reqlink_used"])
	require.NoError(t, err)
	_, err = w.desk.SubmitTicket(ctx, p.Actor, helpdesk.NewTicket{Title: "Through the link"})
	require.NoError(t, err)

	w.requesterTicket(t, "req")
	s := w.invite(t, "agent", "req", time.Time{})
	w.sessionLink(t, "sess_link", "req", s)
	_, err = w.desk.PostMessage(ctx, w.actors["customer_user"], w.ids["ticket:req"], helpdesk.NewMessage{Body: "The log",
		Attachments: []helpdesk.Upload{{Name: "note-req.txt", Body: strings.NewReader("content of req")}}})
	require.NoError(t, err)
	files, err := w.desk.Attachments(ctx, admin, w.ids["ticket:req"], storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, files.Items, 1)
	w.ids["attachment:req"] = files.Items[0].ID
}

// invite invites the requester of ticket name to a call as the named employee: now, or at a
// proposed time.
func (w *world) invite(t *testing.T, by, name string, at time.Time) *ticket.Session {
	t.Helper()
	s, err := w.desk.Invite(t.Context(), w.actors[by], w.ids["ticket:"+name], helpdesk.Invitation{At: at})
	require.NoError(t, err)
	return s
}

// requestLink sends a request link for the world's device, named name.
func (w *world) requestLink(t *testing.T, name string) {
	t.Helper()
	sent, err := w.desk.SendRequestLink(t.Context(), w.actors["admin"], w.ids["device:sessions"], helpdesk.NewRequestLink{
		Contact: ticket.Contact{Name: "Linda Link", Email: name + "@link.example"}})
	require.NoError(t, err)
	w.links[name] = sent.Token
}

// requesterTicket opens a ticket named name as customer_user and keeps its requester link's
// token under the same name.
func (w *world) requesterTicket(t *testing.T, name string) {
	t.Helper()
	s, err := w.desk.SubmitTicket(t.Context(), w.actors["customer_user"], helpdesk.NewTicket{Title: "Asked by link " + name,
		Requester: ticket.Contact{Name: "Req " + name, Email: name + "@req.example"}})
	require.NoError(t, err)
	require.NotEmpty(t, s.RequesterToken)
	w.ids["ticket:"+name] = s.ID
	w.links[name] = s.RequesterToken
}

// sessionLink keeps, as name, the token of the requester's link to session s of ticket tk,
// as the invitation's notification carries it.
func (w *world) sessionLink(t *testing.T, name, tk string, s *ticket.Session) {
	t.Helper()
	tc, err := w.desk.Ticket(t.Context(), w.actors["admin"], w.ids["ticket:"+tk])
	require.NoError(t, err)
	w.links[name] = secret.Link([]byte(secretKey), "session", s.TenantID, s.ID, tc.LinkVersion)
	w.ids["session:"+name] = s.ID
}

// freshInvitation returns a setup that opens a ticket of customer_user and invites its
// requester as the agent (at a proposed time unless at is zero); the session is
// "session:name", its link "<token:name>" and the ticket's requester link
// "<token:name_ticket>".
func freshInvitation(name string, at time.Time) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		t.Helper()
		w.requesterTicket(t, name)
		w.links[name+"_ticket"] = w.links[name]
		w.sessionLink(t, name, name, w.invite(t, "agent", name, at))
	}
}

// rotated returns a setup that makes a fresh invitation (see freshInvitation) and then
// replaces its ticket's requester link, which ends the session's link too.
func rotated(name string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		t.Helper()
		freshInvitation(name, time.Time{})(t, w)
		_, err := w.desk.RotateRequesterLink(t.Context(), w.actors["admin"], w.ids["ticket:"+name])
		require.NoError(t, err)
	}
}

// freshRequest returns a setup that opens a ticket of customer_user, who asks for a call on
// it: the session is "session:name".
func freshRequest(name string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		t.Helper()
		w.requesterTicket(t, name)
		s, err := w.desk.RequestSession(t.Context(), w.actors["customer_user"], w.ids["ticket:"+name])
		require.NoError(t, err)
		w.ids["session:"+name] = s.ID
	}
}

// everyone is the want table of a public operation: credentials are ignored, so every
// caller, anonymous included, gets status.
func everyone(status int) map[string]int {
	m := map[string]int{}
	for _, n := range actorNames {
		m[n] = status
	}
	return m
}

// sessionOut is what the checks read of a session.
type sessionOut struct {
	ID        uuid.UUID  `json:"id"`
	TicketID  uuid.UUID  `json:"ticket_id"`
	State     string     `json:"state"`
	AgentID   *uuid.UUID `json:"agent_id"`
	PlannedAt *time.Time `json:"planned_at"`
	Version   int64      `json:"version"`
}

// future is a proposed time no test outlives.
var future = time.Date(2099, 1, 2, 10, 0, 0, 0, time.UTC)

func sessionsScenarios() map[string][]scenario {
	ok, created := http.StatusOK, http.StatusCreated
	forbidden, notFound, invalid := http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity
	sessionIs := func(state string) func(t *testing.T, w *world, as string, a answer) {
		return func(t *testing.T, w *world, as string, a answer) {
			assert.Equal(t, state, decode[sessionOut](t, a).State, "as %s", as)
		}
	}
	return map[string][]scenario{
		"listSessions": {
			{name: "all", path: "/sessions", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[struct{ Items []sessionOut }](t, a)
					require.NotEmpty(t, p.Items, "as %s", as)
					for _, s := range p.Items {
						assert.NotEqual(t, w.ids["session:other"], s.ID, "as %s: the other tenant's session", as)
					}
				}},
			{name: "paged", path: "/sessions?limit=2", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[struct {
						Items []sessionOut
						Next  string
					}](t, a)
					assert.Len(t, p.Items, 2, "as %s", as)
					assert.NotEmpty(t, p.Next, "as %s", as)
				}},
			{name: "filtered", path: "/sessions?state=invited&agent_id={user:agent}&limit=5", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[struct{ Items []sessionOut }](t, a)
					require.NotEmpty(t, p.Items, "as %s", as)
					for _, s := range p.Items {
						assert.Equal(t, "invited", s.State)
						assert.Equal(t, w.ids["user:agent"], *s.AgentID)
					}
				}},
			{name: "another customer's", path: "/sessions?customer_id={customer:y}", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[struct{ Items []sessionOut }](t, a)
					assert.Empty(t, p.Items, "as %s: no session on customer Y's tickets, and customers see none of Y's", as)
				}},
			{name: "planned", path: "/sessions?planned_from=2099-01-01T00:00:00Z&planned_to=2099-01-03T00:00:00Z",
				setup: freshInvitation("planned", future), want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[struct{ Items []sessionOut }](t, a)
					require.NotEmpty(t, p.Items, "as %s", as)
					for _, s := range p.Items {
						require.NotNil(t, s.PlannedAt, "as %s: an unplanned session", as)
						assert.True(t, future.Equal(*s.PlannedAt), "as %s", as)
					}
				}},
			{name: "planned range reversed", path: "/sessions?planned_from=2099-01-03T00:00:00Z&planned_to=2099-01-01T00:00:00Z",
				want: statuses(invalid, 0, people...)},
			{name: "unknown state", path: "/sessions?state=dozing", want: statuses(invalid, 0, people...)},
		},
		"getSession": {{name: "customer's", path: "/sessions/{session:x}", want: statuses(ok, 0, people...),
			check: func(t *testing.T, w *world, as string, a answer) {
				s := decode[sessionOut](t, a)
				assert.Equal(t, w.ids["ticket:sess"], s.TicketID)
				assert.Equal(t, `"`+jsonInt(s.Version)+`"`, a.Header.Get("ETag"))
			}}},
		"listTicketSessions": {
			{name: "customer's", path: "/tickets/{ticket:sess}/sessions", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[struct{ Items []sessionOut }](t, a)
					require.NotEmpty(t, p.Items)
					assert.Equal(t, w.ids["session:x"], p.Items[0].ID, "oldest first")
				}},
			{name: "paged", path: "/tickets/{ticket:sess}/sessions?limit=1", want: statuses(ok, 0, people...),
				check: func(t *testing.T, w *world, as string, a answer) {
					type page struct {
						Items []sessionOut
						Next  string
					}
					first := decode[page](t, a)
					require.Len(t, first.Items, 1)
					require.NotEmpty(t, first.Next)
					b := w.call(t, as, http.MethodGet, "/tickets/{ticket:sess}/sessions?limit=1&after="+url.QueryEscape(first.Next), "")
					require.Equal(t, http.StatusOK, b.StatusCode, b.body)
					second := decode[page](t, b)
					require.Len(t, second.Items, 1)
					assert.NotEqual(t, first.Items[0].ID, second.Items[0].ID, "the next page goes on")
				}},
		},
		"requestSession": {{name: "requester", path: "/tickets/{ticket:asking}/sessions", setup: freshTicket("asking", "customer_user"),
			want: statuses(created, forbidden, customers...),
			check: func(t *testing.T, w *world, as string, a answer) {
				s := decode[sessionOut](t, a)
				assert.Equal(t, "requested", s.State)
				assert.Equal(t, "/api/v1/sessions/"+s.ID.String(), a.Header.Get("Location"))
			}}},
		"inviteToSession": {
			{name: "now", path: "/tickets/{ticket:inviting}/invitations", body: `{}`, setup: freshTicket("inviting", "customer_user"),
				want: statuses(created, forbidden, employees...),
				check: func(t *testing.T, w *world, as string, a answer) {
					s := decode[sessionOut](t, a)
					assert.Equal(t, "invited", s.State)
					require.NotNil(t, s.AgentID)
					assert.Equal(t, w.ids["user:"+as], *s.AgentID, "the inviting employee is the session's agent")
					assert.Equal(t, "/api/v1/sessions/"+s.ID.String(), a.Header.Get("Location"))
				}},
			{name: "proposed", path: "/tickets/{ticket:proposing}/invitations", setup: freshTicket("proposing", "customer_user"),
				body: `{"at":"` + future.Format(time.RFC3339) + `","duration":1800}`, want: statuses(created, forbidden, employees...),
				check: func(t *testing.T, w *world, as string, a answer) {
					s := decode[sessionOut](t, a)
					assert.Equal(t, "proposed", s.State)
					require.NotNil(t, s.PlannedAt)
					assert.True(t, future.Equal(*s.PlannedAt))
				}},
			{name: "answering a request", path: "/tickets/{ticket:requesting}/invitations", setup: freshRequest("requesting"),
				body: `{"session_id":"{session:requesting}"}`, want: statuses(created, forbidden, employees...),
				check: func(t *testing.T, w *world, as string, a answer) {
					s := decode[sessionOut](t, a)
					assert.Equal(t, w.ids["session:requesting"], s.ID, "the requested session is answered, not a new one")
					assert.Equal(t, "invited", s.State)
				}},
			{name: "in the past", path: "/tickets/{ticket:sess}/invitations", body: `{"at":"2001-01-01T10:00:00Z"}`,
				want: statuses(invalid, forbidden, employees...)},
		},
		"fireSessionEvent": {
			{name: "cancel", path: "/sessions/{session:cancelling}/events", setup: freshInvitation("cancelling", time.Time{}),
				body: `{"event":"cancel","reason":"Fixed meanwhile"}`, want: statuses(ok, 0, people...), check: sessionIs("cancelled")},
			{name: "confirm", path: "/sessions/{session:confirming}/events", setup: freshRequest("confirming"),
				body: `{"event":"confirm"}`, want: statuses(ok, forbidden, employees...), check: sessionIs("confirmed")},
			{name: "If-Match current", path: "/sessions/{session:matching}/events", header: []string{"If-Match", `"1"`},
				setup: freshInvitation("matching", time.Time{}), body: `{"event":"cancel","reason":"Fixed meanwhile"}`,
				want: statuses(ok, 0, people...), check: sessionIs("cancelled")},
			{name: "If-Match stale", path: "/sessions/{session:x}/events", header: []string{"If-Match", `"999"`},
				body: `{"event":"cancel","reason":"Fixed meanwhile"}`, want: statuses(http.StatusPreconditionFailed, 0, people...)},
		},
		"joinSession": {{name: "invited", path: "/sessions/{session:x}/join",
			// Without the tenant's conferences only the session's agent joins among employees.
			want: statuses(ok, forbidden, "agent", "customer_admin", "customer_user"),
			check: func(t *testing.T, w *world, as string, a answer) {
				g := decode[struct{ Room, Identity, Token string }](t, a)
				assert.Equal(t, "session-"+w.ids["session:x"].String(), g.Room)
				assert.Equal(t, "user-"+w.ids["user:"+as].String(), g.Identity)
				assert.NotEmpty(t, g.Token)
			}}},

		// Public operations: the token is the credential, whoever calls.
		"getCodePage": {
			{name: "open", path: "/public/codes/<token:code>", want: everyone(ok),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[struct {
						Actions []string
						Device  struct{ Name, SerialNumber string }
						Form    struct{ Operator, Visibility string }
					}](t, a)
					assert.ElementsMatch(t, []string{"view", "open_ticket", "request_session", "upload_media"}, p.Actions)
					assert.Equal(t, "Session pump", p.Device.Name)
					assert.Equal(t, "Acme Service", p.Form.Operator)
					assert.NotContains(t, a.body, "Xylo", "a public page tells nothing of the device's customer")
				}},
			{name: "PIN given", path: "/public/codes/<token:code_pin>", header: []string{"X-Code-PIN", codePIN}, want: everyone(ok)},
			{name: "PIN missing", path: "/public/codes/<token:code_pin>", want: everyone(forbidden),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.NotContains(t, a.body, "Session pump", "nothing of the device before its PIN")
				}},
			{name: "unknown", path: "/public/codes/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", want: everyone(notFound)},
		},
		"openTicketByCode": {
			{name: "open", path: "/public/codes/<token:code>/tickets", want: everyone(created),
				body: `{"title":"Pump beeps","description":"Three beeps","requester":{"name":"Walk-in","email":"walkin@example.com"}}`,
				check: func(t *testing.T, w *world, as string, a answer) {
					c := decode[struct {
						ID            uuid.UUID
						Source        string
						DeviceID      uuid.UUID `json:"device_id"`
						RequesterLink string    `json:"requester_link"`
					}](t, a)
					assert.Equal(t, "code", c.Source)
					assert.Equal(t, w.ids["device:sessions"], c.DeviceID)
					token := c.RequesterLink[strings.LastIndex(c.RequesterLink, "/")+1:]
					assert.Equal(t, "/api/v1/public/requests/"+token, a.Header.Get("Location"))
					link, err := w.desk.OpenRequesterLink(t.Context(), token)
					require.NoError(t, err)
					assert.Equal(t, c.ID, link.Ticket.ID)
				}},
			{name: "PIN missing", path: "/public/codes/<token:code_pin>/tickets", body: `{"title":"Pump beeps"}`, want: everyone(forbidden)},
			{name: "no title", path: "/public/codes/<token:code>/tickets", body: `{"title":""}`, want: everyone(invalid)},
		},
		"getRequestLinkPage": {
			{name: "open", path: "/public/request-links/<token:reqlink>", want: everyone(ok),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[struct {
						Contact struct{ Name, Email string }
						Device  struct{ Name string }
					}](t, a)
					assert.Equal(t, "reqlink@link.example", p.Contact.Email)
					assert.Equal(t, "Session pump", p.Device.Name)
				}},
			{name: "used", path: "/public/request-links/<token:reqlink_used>", want: everyone(http.StatusUnauthorized)},
		},
		"openTicketByRequestLink": {
			{name: "open", path: "/public/request-links/<token:reqlink_fresh>/tickets", body: `{"title":"Valve leaks"}`,
				setup: func(t *testing.T, w *world) { w.requestLink(t, "reqlink_fresh") }, want: everyone(created),
				check: func(t *testing.T, w *world, as string, a answer) {
					c := decode[struct {
						Requester     struct{ Name, Email string }
						RequesterLink string `json:"requester_link"`
					}](t, a)
					assert.Equal(t, "reqlink_fresh@link.example", c.Requester.Email, "the link's contact is the requester")
					assert.NotEmpty(t, c.RequesterLink)
				}},
			{name: "used", path: "/public/request-links/<token:reqlink_used>/tickets", body: `{"title":"Again"}`,
				want: everyone(http.StatusUnauthorized)},
		},
		"getRequesterTicket": {
			{name: "open", path: "/public/requests/<token:req>", want: everyone(ok),
				check: func(t *testing.T, w *world, as string, a answer) {
					p := decode[struct {
						Ticket  struct{ ID uuid.UUID }
						Actions []string
					}](t, a)
					assert.Equal(t, w.ids["ticket:req"], p.Ticket.ID)
					assert.ElementsMatch(t, []string{"upload_media", "request_session"}, p.Actions)
				}},
			{name: "forged", path: "/public/requests/" + strings.Repeat("A", 60), want: everyone(http.StatusUnauthorized)},
			{name: "replaced", path: "/public/requests/<token:rotated_ticket>", want: everyone(http.StatusUnauthorized),
				setup: rotated("rotated")},
		},
		"fireRequesterEvent": {
			{name: "cancel", path: "/public/requests/<token:withdrawing>/events", setup: freshRequesterTicket("withdrawing"),
				body: `{"event":"cancel","reason":"Works again"}`, want: everyone(ok),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.Equal(t, "cancelled", decode[struct{ State string }](t, a).State)
				}},
			{name: "If-Match stale", path: "/public/requests/<token:req>/events", header: []string{"If-Match", `"999"`},
				body: `{"event":"cancel","reason":"Works again"}`, want: everyone(http.StatusPreconditionFailed)},
			{name: "staff's event", path: "/public/requests/<token:req>/events", body: `{"event":"start"}`, want: everyone(forbidden)},
		},
		"listRequesterMessages": {{name: "open", path: "/public/requests/<token:req>/messages", want: everyone(ok)}},
		"postRequesterMessage": {
			{name: "public", path: "/public/requests/<token:req>/messages", body: `{"body":"Still beeping"}`, want: everyone(created),
				check: func(t *testing.T, w *world, as string, a answer) {
					m := decode[struct {
						TicketID uuid.UUID `json:"ticket_id"`
						Author   struct{ Kind string }
					}](t, a)
					assert.Equal(t, w.ids["ticket:req"], m.TicketID)
					assert.Equal(t, "requester_link", m.Author.Kind)
				}},
			{name: "internal", path: "/public/requests/<token:req>/messages", body: `{"body":"Psst","internal":true}`,
				want: everyone(forbidden)},
		},
		"uploadRequesterMedia": {{name: "png", path: "/public/requests/<token:uploading>/media?name=photo.png",
			setup: freshRequesterTicket("uploading"), body: tinyPNG(), header: []string{"Content-Type", "image/png"},
			want: everyone(created)}},
		"listRequesterSessions": {{name: "open", path: "/public/requests/<token:req>/sessions", want: everyone(ok),
			check: func(t *testing.T, w *world, as string, a answer) {
				p := decode[struct{ Items []sessionOut }](t, a)
				require.NotEmpty(t, p.Items)
				assert.Equal(t, w.ids["session:sess_link"], p.Items[0].ID)
			}}},
		"requestSessionByLink": {{name: "open", path: "/public/requests/<token:calling>/sessions", setup: freshRequesterTicket("calling"),
			want: everyone(created), check: sessionIs("requested")}},
		"listRequesterAttachments": {{name: "open", path: "/public/requests/<token:req>/attachments", want: everyone(ok),
			check: func(t *testing.T, w *world, as string, a answer) {
				p := decode[struct{ Items []struct{ ID uuid.UUID } }](t, a)
				require.NotEmpty(t, p.Items)
				assert.Equal(t, w.ids["attachment:req"], p.Items[0].ID)
			}}},
		"downloadRequesterAttachment": {
			{name: "its file", path: "/public/requests/<token:req>/attachments/{attachment:req}/content", want: everyone(ok),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.Equal(t, "content of req", a.body)
				}},
			{name: "another ticket's file", path: "/public/requests/<token:req>/attachments/{attachment:x}/content",
				want: everyone(notFound)},
		},
		"fireRequesterSessionEvent": {
			{name: "accept", path: "/public/requests/<token:answering_ticket>/sessions/{session:answering}/events",
				setup: freshInvitation("answering", future), body: `{"event":"accept"}`, want: everyone(ok), check: sessionIs("confirmed")},
			{name: "If-Match stale", path: "/public/requests/<token:req>/sessions/{session:sess_link}/events",
				header: []string{"If-Match", `"999"`}, body: `{"event":"cancel"}`, want: everyone(http.StatusPreconditionFailed)},
			{name: "another ticket's session", path: "/public/requests/<token:req>/sessions/{session:x}/events",
				body: `{"event":"cancel"}`, want: everyone(notFound)},
		},
		"joinRequesterSession": {
			{name: "invited", path: "/public/requests/<token:req>/sessions/{session:sess_link}/join", want: everyone(ok),
				check: func(t *testing.T, w *world, as string, a answer) {
					g := decode[struct{ Room, Identity string }](t, a)
					assert.Equal(t, "session-"+w.ids["session:sess_link"].String(), g.Room)
					assert.Equal(t, "requester-"+w.ids["ticket:req"].String(), g.Identity)
				}},
			{name: "another ticket's session", path: "/public/requests/<token:req>/sessions/{session:x}/join", want: everyone(notFound)},
		},
		"getLinkedSession": {
			{name: "open", path: "/public/sessions/<token:sess_link>", want: everyone(ok),
				check: func(t *testing.T, w *world, as string, a answer) {
					assert.Equal(t, w.ids["session:sess_link"], decode[sessionOut](t, a).ID)
					assert.NotEmpty(t, a.Header.Get("ETag"))
				}},
			{name: "a requester link is no session link", path: "/public/sessions/<token:req>", want: everyone(http.StatusUnauthorized)},
			{name: "ticket's link replaced", path: "/public/sessions/<token:rotated>", want: everyone(http.StatusUnauthorized),
				setup: rotated("rotated")},
		},
		"fireLinkedSessionEvent": {
			{name: "accept", path: "/public/sessions/<token:accepting>/events", setup: freshInvitation("accepting", future),
				body: `{"event":"accept"}`, want: everyone(ok), check: sessionIs("confirmed")},
			{name: "refuse", path: "/public/sessions/<token:refusing>/events", setup: freshInvitation("refusing", future),
				body: `{"event":"refuse","reason":"Not on Mondays"}`, want: everyone(ok), check: sessionIs("refused")},
			{name: "If-Match stale", path: "/public/sessions/<token:sess_link>/events", header: []string{"If-Match", `"999"`},
				body: `{"event":"cancel"}`, want: everyone(http.StatusPreconditionFailed)},
			{name: "staff's event", path: "/public/sessions/<token:sess_link>/events", body: `{"event":"confirm"}`,
				want: everyone(forbidden)},
		},
		"joinLinkedSession": {{name: "invited", path: "/public/sessions/<token:sess_link>/join", want: everyone(ok),
			check: func(t *testing.T, w *world, as string, a answer) {
				g := decode[struct{ Room, Identity, Token string }](t, a)
				assert.Equal(t, "session-"+w.ids["session:sess_link"].String(), g.Room)
				assert.Equal(t, "requester-"+w.ids["ticket:req"].String(), g.Identity)
				assert.NotEmpty(t, g.Token)
			}}},
	}
}

// freshRequesterTicket returns a setup that opens a ticket of customer_user, "<token:name>"
// its requester link.
func freshRequesterTicket(name string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) { t.Helper(); w.requesterTicket(t, name) }
}

func jsonInt(v int64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPublicCode follows a visit of a code's page: the page counts a scan, the requests that
// follow it (its form's submission) do not; a PIN is asked before anything is told; the
// ticket names who asked, and its requester's link opens it.
func TestPublicCode(t *testing.T) {
	eachEngine(t, func(t *testing.T, e engine) {
		w := newWorld(t, e)
		scans := func() int64 {
			t.Helper()
			c, err := w.desk.Code(t.Context(), w.actors["admin"], w.ids["code:sessions"])
			require.NoError(t, err)
			return c.ScanCount
		}
		before := scans()
		for range 2 {
			require.Equal(t, http.StatusOK, w.call(t, "anonymous", http.MethodGet, "/public/codes/<token:code>", "").StatusCode)
		}
		assert.Equal(t, before+2, scans(), "each visit of the page counts")

		a := w.call(t, "anonymous", http.MethodPost, "/public/codes/<token:code>/tickets",
			`{"title":"Display dark","requester":{"name":"Paula Passer","phone":"+4930123456"},"request_session":true}`)
		require.Equal(t, http.StatusCreated, a.StatusCode, a.body)
		assert.Equal(t, before+2, scans(), "submitting the page's form is no new visit")
		c := decode[struct {
			ID            uuid.UUID
			CreatedBy     struct{ Kind, Name string } `json:"created_by"`
			RequesterLink string                      `json:"requester_link"`
		}](t, a)
		assert.Equal(t, "code_holder", c.CreatedBy.Kind)
		assert.Equal(t, "Paula Passer", c.CreatedBy.Name, "the history names who asked")
		loc := strings.TrimPrefix(a.Header.Get("Location"), "/api/v1")
		got := w.call(t, "anonymous", http.MethodGet, loc, "")
		require.Equal(t, http.StatusOK, got.StatusCode, got.body)
		assert.Equal(t, c.ID, decode[struct{ Ticket struct{ ID uuid.UUID } }](t, got).Ticket.ID)
		ss := w.call(t, "anonymous", http.MethodGet, loc+"/sessions", "")
		require.Equal(t, http.StatusOK, ss.StatusCode, ss.body)
		assert.Len(t, decode[struct{ Items []sessionOut }](t, ss).Items, 1, "the call asked for with the ticket")

		for _, pin := range []string{"", "1234", "12"} {
			a := w.call(t, "anonymous", http.MethodGet, "/public/codes/<token:code_pin>", "", "X-Code-PIN", pin)
			assert.Equal(t, http.StatusForbidden, a.StatusCode, "PIN %q", pin)
			assert.NotContains(t, a.body, "Session pump", "PIN %q", pin)
		}
	})
}
