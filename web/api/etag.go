package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/deskkit/helpdesk"
	"github.com/google/uuid"
)

// etagOf is the ETag of a record at version v.
func etagOf(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// parseIfMatch reads an If-Match header: the version it names, or any (for "*" or none).
func parseIfMatch(h string) (version int64, any bool, err error) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return 0, true, nil
	}
	if strings.HasPrefix(h, "W/") {
		// If-Match compares strongly (RFC 9110, 13.1.1): a weak tag never matches.
		return 0, false, preconditionFailed("If-Match compares strongly: a weak ETag never matches")
	}
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v <= 0 || !strings.HasPrefix(h, `"`) || !strings.HasSuffix(h, `"`) {
		return 0, false, badInput("If-Match", `not an ETag of this API (as "12")`)
	}
	return v, false, nil
}

// ticketVersion checks If-Match against the ticket's current version: 412 when it is stale.
// It returns the version the change must be based on (0 without If-Match: the Desk then
// bases it on what it reads, and a concurrent change still answers 409).
func (c *call) ticketVersion(id uuid.UUID, ifMatch string) (int64, error) {
	return versionFor(ifMatch, func() (int64, error) {
		t, err := c.h.desk.Ticket(c.ctx, c.actor, id)
		if err != nil {
			return 0, err
		}
		return t.Version, nil
	})
}

// versionFor checks If-Match against a record's version, read by read only when the header
// is given: 412 when stale. It returns the version named (0 without If-Match).
func versionFor(ifMatch string, read func() (int64, error)) (int64, error) {
	want, any, err := parseIfMatch(ifMatch)
	if err != nil || any {
		return 0, err
	}
	have, err := read()
	if err != nil {
		return 0, err
	}
	return want, checkVersion(want, have)
}

// checkVersion answers 412 when the client's version is not the record's.
func checkVersion(want, have int64) error {
	if want != have {
		return preconditionFailed("the record changed since the ETag " + etagOf(want) + " was read; it is now " + etagOf(have))
	}
	return nil
}

// stale turns a conflict into 412 when the change was based on an If-Match: the version it
// named moved on while the change was made.
func (c *call) stale(err error, ifMatch string) error {
	if err != nil && ifMatch != "" && helpdesk.KindOf(err) == helpdesk.KindConflict {
		return preconditionFailed("the record changed since the ETag " + ifMatch + " was read")
	}
	return err
}

// base is the Desk's base URL, for links in answers.
func (h *Handler) base() string { return strings.TrimSuffix(h.desk.CodeURL(""), helpdesk.CodePath) }

var _ = http.StatusOK
