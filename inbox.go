package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// Inbox returns a page of the acting user's in-app notifications (the bell), newest first.
// Employees and customer users have one. Returns ErrForbidden for other actors.
func (d *Desk) Inbox(ctx context.Context, actor tenant.Actor, p storage.PageRequest) (storage.Page[*notify.Notification], error) {
	tid, err := authorize(actor, tenant.ActInbox)
	if err != nil {
		return storage.Page[*notify.Notification]{}, fmt.Errorf("inbox: %w", err)
	}
	page, err := d.store.ListNotifications(ctx, tid, storage.NotificationFilter{Channel: notify.InApp, UserID: actor.UserID}, p)
	if err != nil {
		return page, fmt.Errorf("inbox: %w", err)
	}
	return page, nil
}

// UnreadCount returns how many of the acting user's in-app notifications are unread: the
// number on the bell. Returns ErrForbidden for actors without a bell.
func (d *Desk) UnreadCount(ctx context.Context, actor tenant.Actor) (int, error) {
	tid, err := authorize(actor, tenant.ActInbox)
	if err != nil {
		return 0, fmt.Errorf("unread count: %w", err)
	}
	n, err := d.store.CountUnread(ctx, tid, actor.UserID)
	if err != nil {
		return 0, fmt.Errorf("unread count: %w", err)
	}
	return n, nil
}

// MarkRead marks one of the acting user's in-app notifications read. Marking a read one again
// is no error. Returns ErrNotFound when id is not one of the actor's in-app notifications, and
// ErrForbidden for actors without a bell.
func (d *Desk) MarkRead(ctx context.Context, actor tenant.Actor, id uuid.UUID) error {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActInbox, recordAt(id, storage.Queries.GetNotification))
	if err != nil {
		return fmt.Errorf("mark notification %s read: %w", id, err)
	}
	if id == uuid.Nil {
		return fmt.Errorf("mark notification read: %w", storage.ErrNotFound)
	}
	if _, err := d.store.MarkRead(ctx, tid, actor.UserID, id, d.clock()); err != nil {
		return fmt.Errorf("mark notification %s read: %w", id, err)
	}
	return nil
}

// MarkAllRead marks all of the acting user's in-app notifications read and returns how many
// were unread. Returns ErrForbidden for actors without a bell.
func (d *Desk) MarkAllRead(ctx context.Context, actor tenant.Actor) (int, error) {
	tid, err := authorize(actor, tenant.ActInbox)
	if err != nil {
		return 0, fmt.Errorf("mark all notifications read: %w", err)
	}
	n, err := d.store.MarkRead(ctx, tid, actor.UserID, uuid.Nil, d.clock())
	if err != nil {
		return 0, fmt.Errorf("mark all notifications read: %w", err)
	}
	return n, nil
}

// Notifications returns a page of the tenant's delivery log, newest first, narrowed by f: for
// example every failed delivery (f.Status notify.StatusFailed). The secret links a message
// carries (one-time account links, requester and session links) show as placeholders: they
// are put in only when the message is sent. Admins, moderators and the system may. Returns ErrForbidden, or storage.ErrInvalidCursor for a bad cursor.
func (d *Desk) Notifications(ctx context.Context, actor tenant.Actor, f storage.NotificationFilter, p storage.PageRequest) (storage.Page[*notify.Notification], error) {
	tid, err := authorize(actor, tenant.ActOutbox)
	if err != nil {
		return storage.Page[*notify.Notification]{}, fmt.Errorf("list notifications: %w", err)
	}
	page, err := d.store.ListNotifications(ctx, tid, f, p)
	if err != nil {
		return page, fmt.Errorf("list notifications: %w", err)
	}
	for _, n := range page.Items {
		n.Sealed = ""
	}
	return page, nil
}

// RetryNotification sends a failed notification again: it becomes pending with a fresh count
// of attempts, due at once, and keeps its idempotency key. Admins, moderators and the system
// may. Returns ErrNotFound, ErrForbidden, or ErrConflict when the notification is not failed.
func (d *Desk) RetryNotification(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*notify.Notification, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActOutbox, recordAt(id, storage.Queries.GetNotification))
	if err != nil {
		return nil, fmt.Errorf("retry notification %s: %w", id, err)
	}
	var n *notify.Notification
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if n, err = q.RetryNotification(ctx, tid, id, d.clock()); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "notification.retried", "notification", id, string(n.Channel)+" "+string(n.Event))
	})
	if err != nil {
		return nil, fmt.Errorf("retry notification %s: %w", id, err)
	}
	n.Sealed = ""
	d.signal()
	return n, nil
}

// ReportDelivery records a provider's delivery report (an SMS delivery receipt, say) on the
// notification it accepted under r.ProviderID: delivered, or failed with r.Detail. The
// provider's adapter authenticates the report (twiliosms.StatusHandler checks Twilio's
// signature), so it takes no actor. Returns ErrNotFound for an unknown provider ID and
// *ValidationError for a report without channel or ID.
func (d *Desk) ReportDelivery(ctx context.Context, r notify.StatusReport) error {
	if !r.Channel.Valid() {
		return invalid("channel", "%q is not a channel", r.Channel)
	}
	if strings.TrimSpace(r.ProviderID) == "" {
		return invalid("provider_id", "is required")
	}
	if _, err := d.store.ReportNotification(ctx, r.Channel, r.ProviderID, r.Delivered, r.Detail, d.clock()); err != nil {
		return fmt.Errorf("report delivery %s: %w", r.ProviderID, err)
	}
	return nil
}

var _ notify.StatusSink = (*Desk)(nil)

// NotificationTemplates returns the tenant's own notification templates of ev (every event
// when ev is empty), ordered by event, channel and language. Admins, moderators and the system
// may. Returns ErrForbidden.
func (d *Desk) NotificationTemplates(ctx context.Context, actor tenant.Actor, ev notify.Event) ([]*notify.Template, error) {
	tid, err := authorize(actor, tenant.ActNotifyTemplates)
	if err != nil {
		return nil, fmt.Errorf("list notification templates: %w", err)
	}
	ts, err := d.store.ListNotificationTemplates(ctx, tid, ev)
	if err != nil {
		return nil, fmt.Errorf("list notification templates: %w", err)
	}
	return ts, nil
}

// SaveNotificationTemplate stores a tenant's own template: a new one when t.ID is uuid.Nil,
// otherwise an update of the stored one with t.Version. The template is checked first (see
// notify.Compile): an unknown tag is refused with the list of the event's tags. It is used in
// place of the default only while t.Enabled. Admins, moderators and the system may, except
// for the templates of account events (user.invited, user.registered, password.reset), which
// carry one-time sign-in links: only admins and the system may save or delete those
// (tenant.ActAccountTemplates). Returns
// *ValidationError wrapping the *notify.TemplateError, ErrNotFound, ErrForbidden, or
// ErrConflict (a stale Version, or another template for the same event, channel and
// language).
func (d *Desk) SaveNotificationTemplate(ctx context.Context, actor tenant.Actor, t notify.Template) (*notify.Template, error) {
	var tid uuid.UUID
	var err error
	if t.ID == uuid.Nil {
		tid, err = authorize(actor, templateAction(t.Event))
	} else {
		tid, err = d.authorizeOn(ctx, actor, templateAction(t.Event), recordAt(t.ID, storage.Queries.GetNotificationTemplate))
	}
	if err != nil {
		return nil, fmt.Errorf("save notification template: %w", err)
	}
	if _, err := notify.Compile(&t); err != nil {
		return nil, templateInvalid(err)
	}
	t.TenantID = tid
	now := d.clock()
	err = d.inTx(ctx, func(q storage.Queries) error {
		action := "notification_template.updated"
		if t.ID == uuid.Nil {
			t.ID, t.CreatedAt, t.UpdatedAt, t.Version = newID(), now, now, 1
			action = "notification_template.created"
			if err := q.CreateNotificationTemplate(ctx, &t); err != nil {
				return err
			}
		} else {
			old, err := q.GetNotificationTemplate(ctx, tid, t.ID)
			if err != nil {
				return err
			}
			if _, err := authorize(actor, templateAction(old.Event)); err != nil {
				return err
			}
			t.CreatedAt, t.UpdatedAt = old.CreatedAt, now
			if err := q.UpdateNotificationTemplate(ctx, &t); err != nil {
				return err
			}
		}
		return d.audit(ctx, q, actor, tid, action, "notification_template", t.ID,
			fmt.Sprintf("%s %s %s enabled=%t", t.Event, t.Channel, t.Language, t.Enabled))
	})
	if err != nil {
		return nil, fmt.Errorf("save notification template: %w", err)
	}
	return &t, nil
}

// templateAction is the action of editing ev's templates: account events carry one-time
// sign-in links, so editing theirs is an action of its own.
func templateAction(ev notify.Event) tenant.Action {
	if spec, ok := notify.Lookup(ev); ok && slices.Contains(spec.Tags, notify.TagAccountLink) {
		return tenant.ActAccountTemplates
	}
	return tenant.ActNotifyTemplates
}

// templateInvalid reports a *notify.TemplateError as a *ValidationError on its field, keeping
// the template error in the chain.
func templateInvalid(err error) error {
	var te *notify.TemplateError
	if errors.As(err, &te) {
		return &ValidationError{Field: te.Field, Problem: strings.TrimPrefix(te.Error(), "template "+te.Field+": "), Err: te}
	}
	return err
}

// DeleteNotificationTemplate removes a tenant's own template; the default is sent again.
// Admins, moderators and the system may; only admins and the system for account events (see
// SaveNotificationTemplate). Returns ErrNotFound or ErrForbidden.
func (d *Desk) DeleteNotificationTemplate(ctx context.Context, actor tenant.Actor, id uuid.UUID) error {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActNotifyTemplates, recordAt(id, storage.Queries.GetNotificationTemplate))
	if err != nil {
		return fmt.Errorf("delete notification template %s: %w", id, err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		t, err := q.GetNotificationTemplate(ctx, tid, id)
		if err != nil {
			return err
		}
		if _, err := authorize(actor, templateAction(t.Event)); err != nil {
			return err
		}
		if err := q.DeleteNotificationTemplate(ctx, tid, id); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "notification_template.deleted", "notification_template", id,
			fmt.Sprintf("%s %s %s", t.Event, t.Channel, t.Language))
	})
	if err != nil {
		return fmt.Errorf("delete notification template %s: %w", id, err)
	}
	return nil
}

// PreviewNotificationTemplate renders t with sample data, as an editor shows it while the
// template is written, with its SMS segment count on the SMS channel. Nothing is stored.
// Admins, moderators and the system may. Returns *ValidationError wrapping the
// *notify.TemplateError for a template that could not be saved, or ErrForbidden.
func (d *Desk) PreviewNotificationTemplate(_ context.Context, actor tenant.Actor, t notify.Template) (notify.Preview, error) {
	if _, err := authorize(actor, tenant.ActNotifyTemplates); err != nil {
		return notify.Preview{}, fmt.Errorf("preview notification template: %w", err)
	}
	p, err := notify.PreviewTemplate(&t)
	if err != nil {
		return notify.Preview{}, templateInvalid(err)
	}
	return p, nil
}
