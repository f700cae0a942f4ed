package helpdesk_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setQuotas gives the fixture's tenant quotas q, keeping its other settings.
func (f *fixture) setQuotas(t *testing.T, q tenant.Quotas) {
	t.Helper()
	settings := f.tenant.Settings
	settings.Quotas = q
	var err error
	f.tenant, err = updateSettings(t.Context(), f.desk, f.admin, settings)
	require.NoError(t, err)
}

// assertQuota checks that err is a quota hit that names nobody of the fixture's tenant.
func assertQuota(t *testing.T, f *fixture, err error, msgAndArgs ...any) {
	t.Helper()
	if !assert.ErrorIs(t, err, helpdesk.ErrQuotaExceeded, msgAndArgs...) {
		return
	}
	assert.Equal(t, helpdesk.KindThrottled, helpdesk.KindOf(err))
	for _, private := range []string{f.custX.Name, f.custY.Name, f.devX.Name, f.devX.SerialNumber, f.code.Token,
		nurseContact.Name, nurseContact.Email, f.tenant.Name} {
		assert.NotContains(t, err.Error(), private, "the quota error names something private")
	}
}

// readCounter counts the reads of its content and the bytes they read.
type readCounter struct {
	r     io.Reader
	reads int
	n     int
}

func (c *readCounter) Read(p []byte) (int, error) {
	c.reads++
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestTicketsPerCodeQuota walks a code's hourly ticket quota through time: a code holder's
// tickets count, whatever they ask for; other codes, staff and customer users are not limited;
// a ticket leaves the count an hour after it was created; a refused ticket takes no number.
func TestTicketsPerCodeQuota(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		f.setQuotas(t, tenant.Quotas{TicketsPerCodeHour: 3})
		_, caller := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{Actions: []device.Action{
			device.ActionOpenTicket, device.ActionRequestSession}})
		_, other := f.newHolder(t, f.org, f.devX.ID, helpdesk.NewCode{})
		plain := helpdesk.NewTicket{Title: "Pump alarms", Requester: nurseContact}
		call := helpdesk.NewTicket{Title: "Please call", Requester: nurseContact, RequestSession: true}
		staff := helpdesk.NewTicket{Title: "On behalf", Requester: nurseContact, DeviceID: f.devX.ID}
		var last int64
		steps := []struct {
			name    string
			advance time.Duration
			actor   tenant.Actor
			in      helpdesk.NewTicket
			refused bool
		}{
			{"first", 0, caller, plain, false},
			{"second, a call", 10 * time.Minute, caller, call, false},
			{"third", 10 * time.Minute, caller, plain, false},
			{"fourth refused", 10 * time.Minute, caller, plain, true},
			{"a call refused too", 0, caller, call, true},
			{"another code", 0, other, plain, false},
			{"staff", 0, f.agent, staff, false},
			{"the system", 0, f.system, staff, false},
			{"a customer user", 0, f.userX, staff, false},
			{"still refused at 59 minutes", 29 * time.Minute, caller, plain, true},
			// The first ticket, created an hour ago, no longer counts.
			{"an hour after the first", time.Minute, caller, plain, false},
			{"full again", 0, caller, plain, true},
			{"the second leaves the window", 10 * time.Minute, caller, plain, false},
		}
		for _, st := range steps {
			f.clock.Advance(st.advance)
			tk, err := f.desk.SubmitTicket(ctx, st.actor, st.in)
			if st.refused {
				assertQuota(t, f, err, st.name)
				assert.Nil(t, tk, st.name)
				continue
			}
			require.NoError(t, err, st.name)
			if last != 0 {
				assert.Equal(t, last+1, tk.Number, "%s: a refused ticket took a number", st.name)
			}
			last = tk.Number
		}
		// Only the accepted tickets were stored.
		n, err := s.CountCodeTickets(ctx, f.tenant.ID, caller.CodeID, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, 5, n)
	})
}

// TestTicketsPerCodeQuotaConcurrent submits through one code at once: the quota holds
// however the submissions interleave.
func TestTicketsPerCodeQuotaConcurrent(t *testing.T) {
	const quota, attempts = 3, 8
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		f.setQuotas(t, tenant.Quotas{TicketsPerCodeHour: quota})
		errs := make([]error, attempts)
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Go(func() {
				_, errs[i] = f.desk.SubmitTicket(t.Context(), f.holder, helpdesk.NewTicket{Title: "Pump alarms", Requester: nurseContact})
			})
		}
		wg.Wait()
		accepted := 0
		for _, err := range errs {
			if err == nil {
				accepted++
				continue
			}
			assertQuota(t, f, err)
		}
		assert.Equal(t, quota, accepted)
		n, err := s.CountCodeTickets(t.Context(), f.tenant.ID, f.code.ID, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, quota, n, "tickets stored through the code")
	})
}

// TestFileQuotas checks a ticket's file and byte quotas on uploaded media and message
// attachments together: what does not fit is refused, when the count tells before any content
// is read; staff are not limited, though their files count.
func TestFileQuotas(t *testing.T) {
	type post struct {
		name  string
		actor func(f *fixture, tk *ticket.Ticket) tenant.Actor
		media bool // UploadMedia, else PostMessage with the files
		files [][]byte
		// refused is the quota refusing; unread that it refuses before reading any content,
		// partial that it stops reading before the content's end.
		refused, unread bool
		partial         bool
	}
	requester := func(f *fixture, tk *ticket.Ticket) tenant.Actor { return f.link(t, tk) }
	agent := func(f *fixture, _ *ticket.Ticket) tenant.Actor { return f.agent }
	customer := func(f *fixture, _ *ticket.Ticket) tenant.Actor { return f.userX }
	small := []byte("serial number plate, photographed\n")
	bigPhoto := append(slices.Clip(jpegFile), make([]byte, 1<<20)...)
	cases := []struct {
		name   string
		quotas tenant.Quotas
		// byCustomer opens the ticket as customer user X instead of through the code.
		byCustomer bool
		posts      []post
	}{
		{"Files", tenant.Quotas{FilesPerTicket: 3}, false, []post{
			{"two attachments", requester, false, [][]byte{small, small}, false, false, false},
			{"a photo fills it", requester, true, [][]byte{jpegFile}, false, false, false},
			{"another photo", requester, true, [][]byte{jpegFile}, true, true, false},
			{"another attachment", requester, false, [][]byte{small}, true, true, false},
			{"staff are not limited", agent, false, [][]byte{small, small}, false, false, false},
			{"still full", requester, true, [][]byte{jpegFile}, true, true, false},
		}},
		{"FilesOfOnePost", tenant.Quotas{FilesPerTicket: 3}, false, []post{
			{"four at once", requester, false, [][]byte{small, small, small, small}, true, true, false},
			{"three at once", requester, false, [][]byte{small, small, small}, false, false, false},
		}},
		{"Bytes", tenant.Quotas{BytesPerTicket: 2*int64(len(jpegFile)) + 10}, false, []post{
			{"a photo", requester, true, [][]byte{jpegFile}, false, false, false},
			{"a second photo", requester, true, [][]byte{jpegFile}, false, false, false},
			{"a third does not fit", requester, true, [][]byte{jpegFile}, true, false, false},
			{"a big one is not read to its end", requester, true, [][]byte{bigPhoto}, true, false, true},
			{"ten bytes fit", requester, false, [][]byte{small[:10]}, false, false, false},
			{"no room at all", requester, false, [][]byte{small[:1]}, true, true, false},
			{"staff are not limited", agent, false, [][]byte{jpegFile}, false, false, false},
		}},
		{"BytesOfOnePost", tenant.Quotas{BytesPerTicket: int64(len(jpegFile)) + 5}, false, []post{
			{"the second file does not fit", requester, false, [][]byte{jpegFile, small}, true, false, false},
			{"the first alone fits", requester, false, [][]byte{jpegFile}, false, false, false},
		}},
		{"CustomerUser", tenant.Quotas{FilesPerTicket: 1}, true, []post{
			{"a file", customer, false, [][]byte{small}, false, false, false},
			{"a second", customer, false, [][]byte{small}, true, true, false},
		}},
	}
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := newFixture(t, s)
				f.setQuotas(t, c.quotas)
				creator := f.holder
				if c.byCustomer {
					creator = f.userX
				}
				tk := f.ticketBy(t, creator, ticket.StateAssigned)
				stored := 0
				for _, p := range c.posts {
					var readers []*readCounter
					var ups []helpdesk.Upload
					for i, b := range p.files {
						rc := &readCounter{r: bytes.NewReader(b)}
						readers = append(readers, rc)
						ups = append(ups, helpdesk.Upload{Name: "file" + string(rune('a'+i)) + ".bin", Body: rc})
					}
					var err error
					if p.media {
						_, err = f.desk.UploadMedia(ctx, p.actor(f, tk), tk.ID, ups[0])
					} else {
						_, err = f.desk.PostMessage(ctx, p.actor(f, tk), tk.ID, helpdesk.NewMessage{Body: p.name, Attachments: ups})
					}
					if !p.refused {
						require.NoError(t, err, p.name)
						stored += len(p.files)
						continue
					}
					assertQuota(t, f, err, p.name)
					for i, rc := range readers {
						if p.unread {
							assert.Zero(t, rc.reads, "%s: content read before the count refused it", p.name)
						}
						if p.partial {
							assert.Less(t, rc.n, len(p.files[i])/2, "%s: content read far past the room left", p.name)
						}
					}
				}
				as, err := attachmentsOf(ctx, f.desk, f.agent, tk.ID)
				require.NoError(t, err)
				assert.Len(t, as, stored, "the ticket's files")
			})
		}
	})
}

// gatedReader holds its first read until release is closed, after telling arrived: uploads
// that have all passed the checks before reading wait there for each other.
type gatedReader struct {
	r       io.Reader
	arrived chan<- struct{}
	release <-chan struct{}
	once    sync.Once
}

func (g *gatedReader) Read(p []byte) (int, error) {
	g.once.Do(func() {
		g.arrived <- struct{}{}
		<-g.release
	})
	return g.r.Read(p)
}

// TestFileQuotaRace lets two uploads pass the check before their content is read, then
// finishes both: the check within the write transaction keeps the ticket within its quota.
func TestFileQuotaRace(t *testing.T) {
	ops := []struct {
		name string
		run  func(f *fixture, actor tenant.Actor, tk *ticket.Ticket, up helpdesk.Upload) error
	}{
		{"UploadMedia", func(f *fixture, actor tenant.Actor, tk *ticket.Ticket, up helpdesk.Upload) error {
			_, err := f.desk.UploadMedia(t.Context(), actor, tk.ID, up)
			return err
		}},
		{"PostMessage", func(f *fixture, actor tenant.Actor, tk *ticket.Ticket, up helpdesk.Upload) error {
			_, err := f.desk.PostMessage(t.Context(), actor, tk.ID, helpdesk.NewMessage{Body: "photo", Attachments: []helpdesk.Upload{up}})
			return err
		}},
	}
	quotas := []struct {
		name   string
		quotas tenant.Quotas
	}{
		{"Files", tenant.Quotas{FilesPerTicket: 1}},
		{"Bytes", tenant.Quotas{BytesPerTicket: int64(len(jpegFile)) + 100}},
	}
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		for _, op := range ops {
			for _, q := range quotas {
				t.Run(op.name+"/"+q.name, func(t *testing.T) {
					f := newFixture(t, s)
					f.setQuotas(t, q.quotas)
					tk := f.ticketIn(t, ticket.StateAssigned)
					actor := f.link(t, tk)
					arrived, release, done := make(chan struct{}), make(chan struct{}), make(chan int, 2)
					errs := make([]error, 2)
					var wg sync.WaitGroup
					for i := range errs {
						wg.Go(func() {
							up := helpdesk.Upload{Name: "photo.jpg", Body: &gatedReader{r: bytes.NewReader(jpegFile), arrived: arrived, release: release}}
							errs[i] = op.run(f, actor, tk, up)
							done <- i
						})
					}
					early := -1
					for range errs {
						select {
						case <-arrived:
						case early = <-done:
						}
						if early >= 0 {
							break
						}
					}
					close(release)
					wg.Wait()
					require.Equal(t, -1, early, "an upload ended before reading its content: %v", errs)
					accepted := 0
					for _, err := range errs {
						switch {
						case err == nil:
							accepted++
						case errors.Is(err, storage.ErrConflict):
						default:
							assertQuota(t, f, err)
						}
					}
					assert.Equal(t, 1, accepted)
					as, err := attachmentsOf(t.Context(), f.desk, f.agent, tk.ID)
					require.NoError(t, err)
					assert.Len(t, as, 1, "the ticket's files")
				})
			}
		}
	})
}

// TestSessionQuota checks the open sessions a ticket's requester may ask for: sessions in any
// open state count, whoever started them; staff are not limited; a session that ends frees
// its place.
func TestSessionQuota(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		f.setQuotas(t, tenant.Quotas{OpenSessionsPerTicket: 2})
		tk := f.ticketIn(t, ticket.StateAssigned)
		requester := f.link(t, tk)

		first, err := f.desk.RequestSession(ctx, requester, tk.ID)
		require.NoError(t, err)
		_, err = f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{})
		require.NoError(t, err, "staff invite")
		_, err = f.desk.RequestSession(ctx, requester, tk.ID)
		assertQuota(t, f, err, "a requested and an invited session fill the quota")
		_, err = f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{})
		require.NoError(t, err, "staff are not limited")

		_, err = f.desk.SessionTransition(ctx, requester, first.ID, ticket.SessionEventCancel, helpdesk.SessionChange{})
		require.NoError(t, err)
		_, err = f.desk.RequestSession(ctx, requester, tk.ID)
		assertQuota(t, f, err, "two invited sessions are still open")

		// Another ticket has a quota of its own, and customer users are limited too.
		mine := f.ticketBy(t, f.userX, ticket.StateAssigned)
		for range 2 {
			_, err = f.desk.RequestSession(ctx, f.userX, mine.ID)
			require.NoError(t, err)
		}
		_, err = f.desk.RequestSession(ctx, f.userX, mine.ID)
		assertQuota(t, f, err, "a customer user's third request")
		ss, err := sessionsOf(ctx, f.desk, f.agent, mine.ID)
		require.NoError(t, err)
		assert.Len(t, ss, 2)
	})
}

// barrierStore holds the first two transactions that count a ticket's open sessions until
// release is closed, telling arrived of each (unless released already).
type barrierStore struct {
	storage.Store
	arrived chan struct{}
	release chan struct{}
	calls   atomic.Int32
}

func (b *barrierStore) InTx(ctx context.Context, fn func(q storage.Queries) error) error {
	return b.Store.InTx(ctx, func(q storage.Queries) error { return fn(barrierQueries{q, b}) })
}

type barrierQueries struct {
	storage.Queries
	b *barrierStore
}

func (q barrierQueries) CountSessions(ctx context.Context, tenantID, ticketID uuid.UUID, states ...ticket.SessionState) (int, error) {
	n, err := q.Queries.CountSessions(ctx, tenantID, ticketID, states...)
	if q.b.calls.Add(1) <= 2 {
		select {
		case q.b.arrived <- struct{}{}:
		case <-q.b.release:
		}
		<-q.b.release
	}
	return n, err
}

// TestSessionQuotaConcurrent asks for calls on one ticket at once: the quota holds however
// the requests interleave. No request counts the open sessions while another that counted has
// not committed: on SQLite write transactions never overlap; on PostgreSQL each request locks
// the ticket's row first, so the second waits, before counting, for the first, which the test
// holds after its count.
func TestSessionQuotaConcurrent(t *testing.T) {
	const attempts = 6
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		f.setQuotas(t, tenant.Quotas{OpenSessionsPerTicket: 1})
		tk := f.ticketIn(t, ticket.StateAssigned)
		requester := f.link(t, tk)
		n := attempts
		d := f.desk
		var b *barrierStore
		if strings.HasSuffix(t.Name(), "postgres") {
			n = 2
			b = &barrierStore{Store: s, arrived: make(chan struct{}), release: make(chan struct{})}
			var err error
			d, err = helpdesk.New(b, &helpdesk.Config{Now: f.clock.Now, Blobs: blob.NewMem()})
			require.NoError(t, err)
		}
		errs := make([]error, n)
		done := make(chan int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = d.RequestSession(t.Context(), requester, tk.ID)
				done <- i
			})
		}
		if b != nil {
			select {
			case <-b.arrived:
			case i := <-done:
				t.Fatalf("request %d ended before counting: %v", i, errs[i])
			}
			select {
			case <-b.arrived:
				t.Error("a second request counted while the first, which counted, held the ticket")
			case i := <-done:
				t.Errorf("request %d ended while the first held the ticket: %v", i, errs[i])
			case <-time.After(300 * time.Millisecond):
			}
			close(b.release)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && !errors.Is(err, storage.ErrConflict) {
				assertQuota(t, f, err)
			}
		}
		ss, err := sessionsOf(t.Context(), f.desk, f.agent, tk.ID)
		require.NoError(t, err)
		assert.Len(t, ss, 1, "sessions stored")
	})
}

// TestQuotaSettings checks that quotas default when zero and are refused when negative.
func TestQuotaSettings(t *testing.T) {
	assert.Equal(t, tenant.Quotas{TicketsPerCodeHour: tenant.DefaultTicketsPerCodeHour, FilesPerTicket: tenant.DefaultFilesPerTicket,
		BytesPerTicket: tenant.DefaultBytesPerTicket, OpenSessionsPerTicket: tenant.DefaultOpenSessionsPerTicket},
		tenant.Quotas{}.WithDefaults())
	assert.Equal(t, tenant.Quotas{TicketsPerCodeHour: 7, FilesPerTicket: tenant.DefaultFilesPerTicket, BytesPerTicket: 1,
		OpenSessionsPerTicket: tenant.DefaultOpenSessionsPerTicket}, tenant.Quotas{TicketsPerCodeHour: 7, BytesPerTicket: 1}.WithDefaults())
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for _, c := range []struct {
			field  string
			quotas tenant.Quotas
		}{
			{"quotas.tickets_per_code_hour", tenant.Quotas{TicketsPerCodeHour: -1}},
			{"quotas.files_per_ticket", tenant.Quotas{FilesPerTicket: -1}},
			{"quotas.bytes_per_ticket", tenant.Quotas{BytesPerTicket: -1}},
			{"quotas.open_sessions_per_ticket", tenant.Quotas{OpenSessionsPerTicket: -5}},
		} {
			t.Run(c.field, func(t *testing.T) {
				_, err := updateSettings(t.Context(), f.desk, f.admin, tenant.Settings{Quotas: c.quotas})
				assertField(t, err, c.field)
			})
		}
		want := tenant.Quotas{TicketsPerCodeHour: 5, FilesPerTicket: 6, BytesPerTicket: 7 << 20, OpenSessionsPerTicket: 8}
		f.setQuotas(t, want)
		got, err := s.GetTenant(t.Context(), f.tenant.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got.Settings.Quotas, "stored with the settings")
	})
}
