package helpdesk_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/internal/pgtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/video/videotest"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// engines lists the databases every Desk test runs on, as subtests named for the engine.
var engines = []struct {
	name string
	open func(t testing.TB) *bunstore.Store
}{
	{"sqlite", openSQLite},
	{"postgres", openPostgres},
}

// forEachEngine runs fn as a subtest per database engine, each with a fresh store.
func forEachEngine(t *testing.T, fn func(t *testing.T, s *bunstore.Store)) {
	t.Helper()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { fn(t, e.open(t)) })
	}
}

func openSQLite(t testing.TB) *bunstore.Store {
	t.Helper()
	return openStore(t, "sqlite:"+filepath.Join(t.TempDir(), "helpdesk.db"))
}

func openPostgres(t testing.TB) *bunstore.Store {
	t.Helper()
	return openStore(t, pgtest.Schema(t))
}

func openStore(t testing.TB, dsn string) *bunstore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := bunstore.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.MigrateUp(ctx))
	return s
}

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newDesk returns a Desk on s with a fake clock.
func newDesk(t testing.TB, s *bunstore.Store) (*helpdesk.Desk, *fakeClock) {
	t.Helper()
	clock := newClock()
	calls := videotest.NewFake()
	calls.SetNow(clock.Now)
	d, err := helpdesk.New(s, &helpdesk.Config{Now: clock.Now, Video: calls, Blobs: blob.NewMem(), SecretKeys: [][]byte{testKey},
		TenantMailer: acceptingMailers,
		// Enough for the concurrency tests, whose point is what happens when all of them run.
		MaxConcurrentHashes: 64})
	require.NoError(t, err)
	return d, clock
}

// acceptingMailers is the tests' Config.TenantMailer: a tenant's own mail server that takes
// every message (the SMTP tests use a real one).
func acceptingMailers(notify.SMTPSettings) (notify.Mailer, error) { return acceptingMailer{}, nil }

type acceptingMailer struct{}

func (acceptingMailer) Send(context.Context, *notify.Message) (notify.Receipt, error) {
	return notify.Receipt{}, nil
}

func (acceptingMailer) Check(context.Context, string) error { return nil }

// testKey is the master key of the tests' Desks: every Desk on a store signs the same links.
var testKey = []byte("the tests' master key, 32 bytes+")

// walkPages reads a Desk listing to its end and returns every item. It asks for two rows a
// page, so that the tests' short listings span pages too and every access rule is checked
// across page boundaries.
func walkPages[T any](list func(storage.PageRequest) (storage.Page[T], error)) ([]T, error) {
	var out []T
	p := storage.PageRequest{Limit: 2}
	for {
		page, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		p.After = page.Next
	}
}

// messagesOf returns every message of the ticket actor may read, page by page.
func messagesOf(ctx context.Context, d *helpdesk.Desk, actor tenant.Actor, ticketID uuid.UUID) ([]*ticket.Message, error) {
	return walkPages(func(p storage.PageRequest) (storage.Page[*ticket.Message], error) {
		return d.Messages(ctx, actor, ticketID, p)
	})
}

// historyOf returns every history entry of the ticket actor may read, page by page.
func historyOf(ctx context.Context, d *helpdesk.Desk, actor tenant.Actor, ticketID uuid.UUID) ([]*ticket.HistoryEntry, error) {
	return walkPages(func(p storage.PageRequest) (storage.Page[*ticket.HistoryEntry], error) {
		return d.History(ctx, actor, ticketID, p)
	})
}

// sessionsOf returns every session of the ticket actor may read, page by page.
func sessionsOf(ctx context.Context, d *helpdesk.Desk, actor tenant.Actor, ticketID uuid.UUID) ([]*ticket.Session, error) {
	return walkPages(func(p storage.PageRequest) (storage.Page[*ticket.Session], error) {
		return d.Sessions(ctx, actor, ticketID, p)
	})
}

// attachmentsOf returns every file of the ticket actor may read, page by page.
func attachmentsOf(ctx context.Context, d *helpdesk.Desk, actor tenant.Actor, ticketID uuid.UUID) ([]*ticket.Attachment, error) {
	return walkPages(func(p storage.PageRequest) (storage.Page[*ticket.Attachment], error) {
		return d.Attachments(ctx, actor, ticketID, p)
	})
}

// updateSettings replaces the settings of actor's tenant at the version it reads first, as an
// admin's settings page does; an actor that cannot read the tenant passes version 0.
func updateSettings(ctx context.Context, d *helpdesk.Desk, actor tenant.Actor, s tenant.Settings) (*tenant.Tenant, error) {
	var version int64
	if ten, err := d.Tenant(ctx, actor); err == nil {
		version = ten.Version
	}
	return d.UpdateSettings(ctx, actor, version, s)
}
