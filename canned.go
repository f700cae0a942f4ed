package helpdesk

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// CannedLanguages are the languages a canned response may be written in.
var CannedLanguages = []string{"en", "de", "fr", "es", "pl"}

// NewCannedResponse describes a canned response to create.
type NewCannedResponse struct {
	// Language is one of CannedLanguages.
	Language string
	// Title and Body use the tags of notification templates that describe a ticket
	// (notify.SnippetTags), such as {{.ticket_ref}} and {{if .manager_name}}…{{end}}.
	Title string
	Body  string
}

// checkCanned validates a canned response's language, title and body. A bad language is a
// *ValidationError on "language"; a bad title or body one on "title" or "body" wrapping the
// *notify.TemplateError (empty, too long, an unknown tag with the valid ones, a construct other
// than tags and {{if}}).
func checkCanned(in *NewCannedResponse) error {
	if !slices.Contains(CannedLanguages, in.Language) {
		return invalid("language", "%q is not one of %s", in.Language, strings.Join(CannedLanguages, ", "))
	}
	in.Title = strings.TrimSpace(in.Title)
	if _, err := notify.CompileSnippet(in.Title, in.Body); err != nil {
		return templateInvalid(err)
	}
	return nil
}

// CreateCannedResponse adds a canned response to the tenant, with an audit entry. Admins,
// moderators and the system may. Returns *ValidationError (unknown language; title or body
// empty, too long, or with an unknown tag, wrapping *notify.TemplateError) or ErrForbidden.
func (d *Desk) CreateCannedResponse(ctx context.Context, actor tenant.Actor, in NewCannedResponse) (*ticket.CannedResponse, error) {
	tid, err := authorize(actor, tenant.ActCannedManage)
	if err != nil {
		return nil, fmt.Errorf("create canned response: %w", err)
	}
	if err := checkCanned(&in); err != nil {
		return nil, err
	}
	now := d.clock()
	c := &ticket.CannedResponse{ID: newID(), TenantID: tid, Language: in.Language, Title: in.Title, Body: in.Body,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := q.CreateCannedResponse(ctx, c); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "canned_response.created", "canned_response", c.ID, c.Language+" "+c.Title)
	})
	if err != nil {
		return nil, fmt.Errorf("create canned response: %w", err)
	}
	return c, nil
}

// UpdateCannedResponse replaces a canned response's language, title and body with c's, checked
// as CreateCannedResponse checks them. c.Version must be the version read: one changed since
// gets ErrConflict. Admins, moderators and the system may. Returns *ValidationError,
// ErrNotFound, ErrConflict or ErrForbidden.
func (d *Desk) UpdateCannedResponse(ctx context.Context, actor tenant.Actor, c *ticket.CannedResponse) (*ticket.CannedResponse, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCannedManage, recordAt(c.ID, storage.Queries.GetCannedResponse))
	if err != nil {
		return nil, fmt.Errorf("update canned response: %w", err)
	}
	in := NewCannedResponse{Language: c.Language, Title: c.Title, Body: c.Body}
	if err := checkCanned(&in); err != nil {
		return nil, err
	}
	var out *ticket.CannedResponse
	err = d.inTx(ctx, func(q storage.Queries) error {
		cur, err := q.GetCannedResponse(ctx, tid, c.ID)
		if err != nil {
			return err
		}
		cur.Language, cur.Title, cur.Body = in.Language, in.Title, in.Body
		cur.Version, cur.UpdatedAt = c.Version, d.clock()
		if err := q.UpdateCannedResponse(ctx, cur); err != nil {
			return err
		}
		out = cur
		return d.audit(ctx, q, actor, tid, "canned_response.updated", "canned_response", cur.ID, cur.Language+" "+cur.Title)
	})
	if err != nil {
		return nil, fmt.Errorf("update canned response %s: %w", c.ID, err)
	}
	return out, nil
}

// DeleteCannedResponse removes a canned response, with an audit entry. Messages it was inserted
// into keep their text. Admins, moderators and the system may. Returns ErrNotFound or
// ErrForbidden.
func (d *Desk) DeleteCannedResponse(ctx context.Context, actor tenant.Actor, id uuid.UUID) error {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCannedManage, recordAt(id, storage.Queries.GetCannedResponse))
	if err != nil {
		return fmt.Errorf("delete canned response %s: %w", id, err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		c, err := q.GetCannedResponse(ctx, tid, id)
		if err != nil {
			return err
		}
		if err := q.DeleteCannedResponse(ctx, tid, id); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "canned_response.deleted", "canned_response", id, c.Language+" "+c.Title)
	})
	if err != nil {
		return fmt.Errorf("delete canned response %s: %w", id, err)
	}
	return nil
}

// CannedResponses lists the tenant's canned responses in language ("" for every language), by
// title, as written (unrendered). Staff and the system may. Returns *ValidationError for a
// language outside CannedLanguages, or ErrForbidden.
func (d *Desk) CannedResponses(ctx context.Context, actor tenant.Actor, language string) ([]*ticket.CannedResponse, error) {
	tid, err := authorize(actor, tenant.ActCannedUse)
	if err != nil {
		return nil, fmt.Errorf("list canned responses: %w", err)
	}
	if language != "" && !slices.Contains(CannedLanguages, language) {
		return nil, invalid("language", "%q is not one of %s", language, strings.Join(CannedLanguages, ", "))
	}
	cs, err := d.store.ListCannedResponses(ctx, tid, language)
	if err != nil {
		return nil, fmt.Errorf("list canned responses: %w", err)
	}
	return cs, nil
}

// RenderedCanned is a canned response filled in for one ticket, ready to be posted (staff may
// edit it first).
type RenderedCanned struct {
	Title string
	Body  string
}

// RenderCannedResponse fills canned response id in with ticket ticketID's data, exactly as a
// notification about the ticket renders the same tags (recipient_name is the requester's
// name: the customer user who opened it, else its requester contact), so that staff insert the result into a message. Nothing is stored. Staff and the
// system may. Returns ErrNotFound (ticket or canned response) or ErrForbidden.
func (d *Desk) RenderCannedResponse(ctx context.Context, actor tenant.Actor, id, ticketID uuid.UUID) (RenderedCanned, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActCannedUse, ticketAt(ticketID))
	if err != nil {
		return RenderedCanned{}, fmt.Errorf("render canned response %s: %w", id, err)
	}
	var out RenderedCanned
	err = func(q storage.Queries) error {
		t, err := d.visibleTicket(ctx, q, actor, tid, ticketID)
		if err != nil {
			return err
		}
		if err := reach(actor, tenant.ActCannedUse, t.Resource()); err != nil {
			return err
		}
		c, err := q.GetCannedResponse(ctx, tid, id)
		if err != nil {
			return fmt.Errorf("canned response %s: %w", id, err)
		}
		snip, err := notify.CompileSnippet(c.Title, c.Body)
		if err != nil {
			return err // stored responses were checked when saved
		}
		ten, err := q.GetTenant(ctx, tid)
		if err != nil {
			return err
		}
		l, o := &lookup{ctx: ctx, q: q, tenantID: tid}, &occurrence{actor: actor, ticket: t}
		data, err := d.tagData(l, ten, o)
		if err != nil {
			return err
		}
		// The message goes to the requester: recipient_name is whom a notification to the
		// requester party would name.
		data[notify.TagRecipientName] = t.Requester.Name
		if rs, err := d.requester(l, o); err != nil {
			return err
		} else if len(rs) > 0 {
			data[notify.TagRecipientName] = rs[0].addr.Name
		}
		out.Title, out.Body, err = snip.Render(data)
		return err
	}(d.store)
	if err != nil {
		return RenderedCanned{}, fmt.Errorf("render canned response %s: %w", id, err)
	}
	return out, nil
}
