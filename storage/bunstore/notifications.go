package bunstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// outboxChannel is the PostgreSQL NOTIFY channel EnqueueNotifications signals and ListenOutbox
// listens on. Channels are database-wide: stores in other schemas of the same database share it,
// which costs them nothing but an occasional needless claim.
const outboxChannel = "helpdesk_outbox"

// Outbox.

func (q *queries) EnqueueNotifications(ctx context.Context, ns []*notify.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	rows := make([]notificationRow, len(ns))
	for i, n := range ns {
		rows[i] = fromNotification(n)
	}
	insert := q.db.NewInsert().Model(&rows)
	// Only pending notifications need a dispatcher (in-app ones are delivered once stored).
	wake := slices.ContainsFunc(ns, func(n *notify.Notification) bool { return n.Status == notify.StatusPending })
	if !q.pg || !wake {
		_, err := insert.Exec(ctx)
		return mapErr(err)
	}
	// One statement: the data-modifying CTE always runs, and the notification is queued in the
	// statement's transaction, so PostgreSQL delivers it when (and only if) that commits, after
	// the rows are visible to the dispatchers it wakes.
	_, err := q.db.NewRaw("WITH ins AS (?) SELECT pg_notify(?, '')", insert, outboxChannel).Exec(ctx)
	return mapErr(err)
}

func (q *queries) ClaimNotifications(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*notify.Notification, error) {
	return claim[notificationRow](ctx, q, outboxQueue, now, leaseUntil, limit, notificationID)
}

func notificationID(n *notify.Notification) uuid.UUID { return n.ID }

// finishColumns are the columns of the VALUES list FinishNotifications joins, by position
// (VALUES names them column1, column2, … on both engines); PostgreSQL needs their types, since
// bun sends every value as a literal.
var finishColumns = []struct{ name, pgType string }{
	{"id", "uuid"}, {"attempt", "integer"}, {"status", "text"}, {"next_attempt_at", "timestamptz"},
	{"last_error", "text"}, {"provider_id", "text"}, {"at", "timestamptz"}, {"retries", "integer"},
}

// finishNotifications applies every outcome in one statement: an UPDATE joined to a VALUES list
// of the outcomes, each row's fields chosen by its status. The attempts and status conditions
// drop outcomes whose claim has been overtaken (see storage.DeliveryOutcome).
const finishNotifications = `UPDATE notifications SET
	status = v.column3,
	attempts = attempts + v.column8,
	next_attempt_at = CASE WHEN v.column3 = 'pending' THEN v.column4 ELSE next_attempt_at END,
	last_error = CASE WHEN v.column3 = 'sent' THEN last_error ELSE v.column5 END,
	provider_id = CASE WHEN v.column3 = 'sent' THEN v.column6 ELSE provider_id END,
	sent_at = CASE WHEN v.column3 = 'sent' THEN v.column7 ELSE sent_at END
FROM (VALUES %s) AS v
WHERE notifications.id = v.column1 AND notifications.attempts = v.column2 AND notifications.status = 'pending'`

func (q *queries) FinishNotifications(ctx context.Context, outcomes []storage.DeliveryOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	// An UPDATE … FROM matching one row twice applies an arbitrary one of them: keep the last
	// outcome given for each ID.
	last := make(map[uuid.UUID]int, len(outcomes))
	for i, o := range outcomes {
		switch o.Status {
		case notify.StatusSent, notify.StatusPending, notify.StatusFailed:
		default:
			return fmt.Errorf("bunstore: finish notification %s: status %q is not an outcome (want sent, pending or failed)", o.ID, o.Status)
		}
		if o.Retries < 0 {
			return fmt.Errorf("bunstore: finish notification %s: %d retries", o.ID, o.Retries)
		}
		last[o.ID] = i
	}
	placeholders := make([]string, len(finishColumns))
	for i, c := range finishColumns {
		placeholders[i] = "?"
		if q.pg {
			placeholders[i] = "?::" + c.pgType
		}
	}
	row := "(" + strings.Join(placeholders, ", ") + ")"
	var (
		values []string
		args   []any
	)
	for i, o := range outcomes {
		if last[o.ID] != i {
			continue
		}
		values = append(values, row)
		args = append(args, o.ID, o.Attempt, string(o.Status), o.NextAttemptAt, o.LastError, o.ProviderID, o.At, o.Retries)
	}
	_, err := q.db.ExecContext(ctx, fmt.Sprintf(finishNotifications, strings.Join(values, ", ")), args...)
	return mapErr(err)
}

func (q *queries) NextNotificationDue(ctx context.Context) (time.Time, bool, error) {
	return q.nextDue(ctx, outboxQueue)
}

func (q *queries) GetNotification(ctx context.Context, tenantID, id uuid.UUID) (*notify.Notification, error) {
	return getRow[notificationRow, *notify.Notification](ctx, q, scoped, tenantID, id)
}

func (q *queries) ListNotifications(ctx context.Context, tenantID uuid.UUID, f storage.NotificationFilter, p storage.PageRequest) (storage.Page[*notify.Notification], error) {
	return page[notificationRow, *notify.Notification](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery {
		for _, c := range []struct{ col, v string }{
			{"status", string(f.Status)}, {"channel", string(f.Channel)}, {"event", string(f.Event)},
		} {
			if c.v != "" {
				s = s.Where("? = ?", bun.Ident(c.col), c.v)
			}
		}
		if f.UserID != uuid.Nil {
			s = s.Where("user_id = ?", f.UserID)
		}
		if f.TicketID != uuid.Nil {
			s = s.Where("ticket_id = ?", f.TicketID)
		}
		return s
	}, func(n *notify.Notification) uuid.UUID { return n.ID })
}

func (q *queries) RetryNotification(ctx context.Context, tenantID, id uuid.UUID, at time.Time) (*notify.Notification, error) {
	ns, err := queryRows[notificationRow, *notify.Notification](ctx, q,
		`UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = ?
		WHERE tenant_id = ? AND id = ? AND status = 'failed' RETURNING `+(*notificationRow)(nil).columns(), at, tenantID, id)
	if err != nil {
		return nil, err
	}
	if len(ns) == 1 {
		return ns[0], nil
	}
	n, err := q.GetNotification(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: notification %s is %s, not failed", storage.ErrConflict, id, n.Status)
}

func (q *queries) ReportNotification(ctx context.Context, ch notify.Channel, providerID string, delivered bool, detail string, at time.Time) (*notify.Notification, error) {
	if providerID == "" {
		return nil, fmt.Errorf("%w: no notification is sent under an empty provider ID", storage.ErrNotFound)
	}
	// Provider IDs are unique per provider; should one repeat all the same, the report is about
	// the latest message sent under it. provider_id <> '' lets both engines use the partial index.
	const match = "channel = ? AND provider_id = ? AND provider_id <> ''"
	set, from := "status = 'delivered', delivered_at = ?", "status = 'sent'"
	arg := any(at)
	if !delivered {
		set, from, arg = "status = 'failed', last_error = ?", "status IN ('sent', 'delivered')", detail
	}
	ns, err := queryRows[notificationRow, *notify.Notification](ctx, q,
		"UPDATE notifications SET "+set+" WHERE "+from+
			" AND id = (SELECT id FROM notifications WHERE "+match+" ORDER BY id DESC LIMIT 1) RETURNING "+(*notificationRow)(nil).columns(),
		arg, string(ch), providerID)
	if err != nil {
		return nil, err
	}
	if len(ns) == 1 {
		return ns[0], nil
	}
	// Nothing to change (a failed notification, or a repeated delivery report): return it as it is.
	items, err := listRows[notificationRow, *notify.Notification](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where(match, string(ch), providerID).OrderExpr("id DESC").Limit(1)
	})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%w: no %s notification was sent under provider ID %q", storage.ErrNotFound, ch, providerID)
	}
	return items[0], nil
}

// inbox is the condition for a user's in-app notifications, the bell's index.
const inbox = "tenant_id = ? AND user_id = ? AND channel = 'inapp'"

func (q *queries) CountUnread(ctx context.Context, tenantID, userID uuid.UUID) (int, error) {
	n, err := q.db.NewSelect().Table("notifications").Where(inbox, tenantID, userID).Where("read_at IS NULL").Count(ctx)
	return int(n), mapErr(err)
}

func (q *queries) MarkRead(ctx context.Context, tenantID, userID, id uuid.UUID, at time.Time) (int, error) {
	u := q.db.NewUpdate().Table("notifications").Set("read_at = ?", at).Where(inbox, tenantID, userID).Where("read_at IS NULL")
	if id == uuid.Nil {
		return affected(u.Exec(ctx))
	}
	n, err := affected(u.Where("id = ?", id).Exec(ctx))
	if err != nil || n > 0 {
		return n, err
	}
	exists, err := q.db.NewSelect().Table("notifications").Where(inbox, tenantID, userID).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return 0, mapErr(err)
	}
	if !exists {
		return 0, fmt.Errorf("%w: user %s has no in-app notification %s", storage.ErrNotFound, userID, id)
	}
	return 0, nil // read already
}

// Notification templates.

func (q *queries) CreateNotificationTemplate(ctx context.Context, t *notify.Template) error {
	return q.insert(ctx, fromNotificationTemplate(t))
}

func (q *queries) GetNotificationTemplate(ctx context.Context, tenantID, id uuid.UUID) (*notify.Template, error) {
	return getRow[notificationTemplateRow, *notify.Template](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdateNotificationTemplate(ctx context.Context, t *notify.Template) error {
	r := fromNotificationTemplate(t)
	return q.updateVersioned(ctx, r, &r.Version, "notification_templates", t.TenantID, t.ID, &t.Version)
}

func (q *queries) DeleteNotificationTemplate(ctx context.Context, tenantID, id uuid.UUID) error {
	n, err := affected(q.db.NewDelete().Table("notification_templates").Where(scoped, tenantID, id).Exec(ctx))
	if err == nil && n == 0 {
		err = storage.ErrNotFound
	}
	return err
}

func (q *queries) ListNotificationTemplates(ctx context.Context, tenantID uuid.UUID, ev notify.Event) ([]*notify.Template, error) {
	return listRows[notificationTemplateRow, *notify.Template](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		s = s.Where("tenant_id = ?", tenantID)
		if ev != "" {
			s = s.Where("event = ?", string(ev))
		}
		return s.OrderExpr("event, channel, language, id")
	})
}

// ListenOutbox implements storage.OutboxListener on PostgreSQL with LISTEN/NOTIFY, on a
// connection of its own (pgdriver.Listener, which reconnects when the connection breaks). By
// the time it returns, the LISTEN is in effect: every enqueueing transaction that commits
// afterwards signals the channel. On SQLite, and on PostgreSQL through another driver than
// pgdriver, it returns an error wrapping errors.ErrUnsupported.
func (s *Store) ListenOutbox(ctx context.Context) (<-chan struct{}, error) {
	if !s.pg {
		return nil, fmt.Errorf("bunstore: listen outbox: %s has no LISTEN/NOTIFY: %w", s.db.Dialect().Name(), errors.ErrUnsupported)
	}
	if _, ok := s.db.Driver().(pgdriver.Driver); !ok {
		return nil, fmt.Errorf("bunstore: listen outbox needs pgdriver, the database uses %T: %w", s.db.Driver(), errors.ErrUnsupported)
	}
	// LISTEN returns before the server has acted on it. A private channel, listened on after
	// the outbox's on the same connection and then notified, tells when it has.
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	ready := outboxChannel + "_ready_" + hex.EncodeToString(b)
	ln := pgdriver.NewListener(s.db)
	if err := ln.Listen(ctx, outboxChannel, ready); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("bunstore: listen outbox: %w", err)
	}
	in := ln.Channel()
	notifyReady := func() error {
		_, err := s.db.ExecContext(ctx, "SELECT pg_notify(?, '')", ready)
		return err
	}
	if err := notifyReady(); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("bunstore: listen outbox: %w", mapErr(err))
	}
	// Under load the first confirmation is sometimes not seen; ask again every second.
	again := time.NewTicker(time.Second)
	defer again.Stop()
	out := make(chan struct{}, 1)
	signal := func() {
		select {
		case out <- struct{}{}:
		default: // a signal is waiting already: coalesce
		}
	}
	timeout := time.NewTimer(listenReadyTimeout)
	defer timeout.Stop()
	for confirmed := false; !confirmed; {
		select {
		case n, ok := <-in:
			switch {
			case !ok:
				_ = ln.Close()
				return nil, errors.New("bunstore: listen outbox: listener closed")
			case n.Channel == ready:
				confirmed = true
			case n.Channel == outboxChannel:
				signal()
			}
		case <-again.C:
			if err := notifyReady(); err != nil {
				_ = ln.Close()
				return nil, fmt.Errorf("bunstore: listen outbox: %w", mapErr(err))
			}
		case <-timeout.C:
			_ = ln.Close()
			return nil, fmt.Errorf("bunstore: listen outbox: LISTEN not confirmed within %s", listenReadyTimeout)
		case <-ctx.Done():
			_ = ln.Close()
			return nil, fmt.Errorf("bunstore: listen outbox: %w", ctx.Err())
		}
	}
	go func() {
		defer close(out)
		defer func() { _ = ln.Close() }()
		for {
			select {
			case <-ctx.Done():
				return
			case n, ok := <-in:
				if !ok {
					return
				}
				if n.Channel == outboxChannel {
					signal()
				}
			}
		}
	}()
	return out, nil
}

// listenReadyTimeout bounds ListenOutbox's wait for its LISTEN to take effect.
const listenReadyTimeout = 10 * time.Second
