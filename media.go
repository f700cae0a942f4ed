package helpdesk

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/gabriel-vasile/mimetype"
	"github.com/google/uuid"
)

// Upload is a file to store on a ticket: uploaded media, or a message's attachment.
type Upload struct {
	// Name is the file's name as the uploader's device gave it. It is stored cleaned: any path
	// is dropped, and so are control and format characters (bidi controls among them), line
	// separators, quotes, semicolons, backslashes and slashes; "file" when nothing is left.
	Name string
	// Body yields the content; it is read once, to its end or to Config.MaxUploadSize.
	Body io.Reader
}

// MaxFileNameLen caps an upload's file name, in bytes.
const MaxFileNameLen = 255

// sniffLen is how much of an upload is read to detect its type.
const sniffLen = 3072

// UploadMedia stores a photo or video the ticket's requester sends (the requester link, the
// customer user who opened the ticket, or a customer_admin of its customer), while the
// tenant's Offer.MediaUpload is on, the ticket holds fewer than Offer.MaxMedia media, and its
// media transfer window is open: uploads are refused once Durations.MediaTransfer has passed
// since the ticket was done. The type is detected from the content, whatever the name says:
// images (except SVG, which can carry scripts) and videos are accepted. The ticket's files
// count toward the tenant's Quotas.FilesPerTicket and Quotas.BytesPerTicket (media and
// message attachments together): a full ticket is refused before the content is read, and a
// file that does not fit as soon as it is read past the room left. The content goes to
// Config.Blobs before the record is written, and is deleted again if the record cannot be.
//
// Returns *ValidationError for an empty, oversized (Config.MaxUploadSize) or non-media file,
// ErrNotOffered, ErrMediaLimit, ErrQuotaExceeded when the ticket's files would pass a quota,
// ErrUploadsClosed, ErrTicketClosed for a ticket closed or cancelled without a window,
// ErrNotFound, ErrForbidden, and ErrConflict when a concurrent change won.
func (d *Desk) UploadMedia(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, up Upload) (*ticket.Attachment, error) {
	fail := func(err error) (*ticket.Attachment, error) {
		return nil, fmt.Errorf("upload media to ticket %s: %w", ticketID, err)
	}
	tid, err := d.authorizeOn(ctx, actor, tenant.ActMediaUpload, ticketAt(ticketID))
	if err != nil {
		return fail(err)
	}
	check := func(q storage.Queries) (*caseTx, fileQuota, error) {
		c, err := d.openCase(ctx, q, actor, tid, ticketID, tenant.ActMediaUpload)
		if err != nil {
			return nil, fileQuota{}, err
		}
		if err := d.checkUpload(c); err != nil {
			return nil, fileQuota{}, err
		}
		fq, err := c.fileQuota()
		return c, fq, err
	}
	// Refuse before reading the content when the ticket takes no more media or files.
	var room int64
	err = d.inTx(ctx, func(q storage.Queries) error {
		_, fq, err := check(q)
		if err != nil {
			return err
		}
		room = fq.bytesLeft()
		return fq.admit(1, 1) // a file holds a byte at least
	})
	if err != nil {
		return fail(err)
	}
	a, err := d.storeUpload(ctx, actor, tid, ticketID, up, true, room)
	if err != nil {
		return fail(err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		c, fq, err := check(q)
		if err != nil {
			return err
		}
		if err := fq.admit(1, a.Size); err != nil {
			return err
		}
		if err := q.CreateAttachment(ctx, a); err != nil {
			return err
		}
		// Touching the ticket serializes concurrent uploads, so neither the count check nor the
		// quotas can be raced.
		c.ticketMoved = true
		if err := c.history(uuid.Nil, "media", string(c.t.State), string(c.t.State), a.Name); err != nil {
			return err
		}
		return d.finish(c)
	})
	if err != nil {
		d.dropBlobs(ctx, a)
		return fail(err)
	}
	return a, nil
}

// checkCodeOffers refuses a requester action on a ticket opened through a device code whose
// actions (still) leave it out: the code's page decides what its requesters may do, and the
// Desk enforces it, not only the page. Staff and tickets opened otherwise pass.
func checkCodeOffers(c *caseTx, a device.Action) error {
	if c.t.CodeID == uuid.Nil || c.actor.IsStaff() {
		return nil
	}
	code, err := c.q.GetCode(c.ctx, c.t.TenantID, c.t.CodeID)
	if err != nil {
		return fmt.Errorf("code of %s: %w", c.t.Ref(), err)
	}
	if !code.Allows(a) {
		return fmt.Errorf("%w: the code the ticket came through does not offer %s", ErrCodeUnusable, a)
	}
	return nil
}

// checkUpload applies the tenant's offer, the code's actions, the media count and the
// transfer window.
func (d *Desk) checkUpload(c *caseTx) error {
	offer := c.ten.Settings.EffectiveOffer()
	t := c.t
	switch {
	case !offer.MediaUpload:
		return fmt.Errorf("%w: media uploads", ErrNotOffered)
	case t.UploadsUntil != nil && !c.now.Before(*t.UploadsUntil):
		return fmt.Errorf("%w: it ended at %s", ErrUploadsClosed, t.UploadsUntil.Format("2006-01-02 15:04 UTC"))
	case t.State.Terminal() && t.UploadsUntil == nil, t.State == ticket.StateDraft:
		return fmt.Errorf("%w: %s is %s", ErrTicketClosed, t.Ref(), t.State)
	}
	if err := checkCodeOffers(c, device.ActionUploadMedia); err != nil {
		return err
	}
	n, err := c.q.CountMedia(c.ctx, t.TenantID, t.ID)
	if err != nil {
		return err
	}
	if n >= offer.MaxMedia {
		return fmt.Errorf("%w: %s holds %d of %d", ErrMediaLimit, t.Ref(), n, offer.MaxMedia)
	}
	return nil
}

// storeUpload writes up's content to the blob store and returns its attachment record, not yet
// stored. Media must be an image or a video; a message attachment of an active type (see
// activeContent) is recorded as application/octet-stream. room is how many bytes the ticket's
// quota leaves: a file that does not fit is ErrQuotaExceeded, and is refused before any of it
// is read when there is no room at all.
func (d *Desk) storeUpload(ctx context.Context, actor tenant.Actor, tid, ticketID uuid.UUID, up Upload, media bool, room int64) (*ticket.Attachment, error) {
	name, err := cleanFileName(up.Name)
	if err != nil {
		return nil, err
	}
	if up.Body == nil {
		return nil, invalid("file", "%s has no content", name)
	}
	if room < 1 {
		return nil, fmt.Errorf("%w: the ticket's files take all the room its quota leaves", ErrQuotaExceeded)
	}
	br := bufio.NewReaderSize(up.Body, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(head) == 0 {
		return nil, invalid("file", "%s is empty", name)
	}
	contentType := mimetype.Detect(head).String()
	if media && !isMedia(contentType) {
		return nil, invalid("file", "%s is %s, not a photo or video", name, contentType)
	}
	if activeContent(contentType) {
		// A browser would run it if it were served as detected.
		contentType = "application/octet-stream"
	}
	a := &ticket.Attachment{ID: newID(), TenantID: tid, TicketID: ticketID, Visibility: ticket.Public, Name: name,
		ContentType: contentType, Uploader: actor.Ref(), CreatedAt: d.clock()}
	a.Key = path.Join(tid.String(), ticketID.String(), a.ID.String())
	sum := sha256.New()
	limit := min(d.cfg.MaxUploadSize, room)
	lr := &limitedReader{r: io.TeeReader(br, sum), left: limit}
	if err := d.cfg.Blobs.Put(ctx, a.Key, lr, a.ContentType); err != nil {
		switch {
		case lr.over && limit < d.cfg.MaxUploadSize:
			return nil, fmt.Errorf("%w: the ticket's quota leaves room for %d more bytes", ErrQuotaExceeded, room)
		case lr.over:
			return nil, invalid("file", "%s is larger than %d bytes", name, d.cfg.MaxUploadSize)
		}
		return nil, fmt.Errorf("store %s: %w", name, err)
	}
	a.Size, a.Digest = lr.read, hex.EncodeToString(sum.Sum(nil))
	return a, nil
}

// isMedia accepts images and videos by detected type, except SVG, which can carry scripts.
func isMedia(mediaType string) bool {
	return strings.HasPrefix(mediaType, "video/") ||
		strings.HasPrefix(mediaType, "image/") && !strings.HasPrefix(mediaType, "image/svg")
}

// activeContent reports whether a browser would run scripts in content served as mediaType:
// HTML, XHTML, SVG and any other XML (a browser renders XML and runs the scripts of its XHTML
// elements), JavaScript, and Flash. An unparsable type counts as active.
func activeContent(mediaType string) bool {
	base, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return true
	}
	switch base {
	case "text/html", "text/javascript", "text/ecmascript", "text/x-javascript", "text/jscript",
		"application/javascript", "application/x-javascript", "application/ecmascript",
		"application/x-ecmascript", "application/x-shockwave-flash", "text/xsl":
		return true
	}
	return strings.HasSuffix(base, "/xml") || strings.HasSuffix(base, "+xml")
}

// fileNameFallback names a file whose name leaves nothing once cleaned.
const fileNameFallback = "file"

// cleanFileName keeps the last element of a path, cleaned by safeFileName. Returns
// *ValidationError for a name longer than MaxFileNameLen.
func cleanFileName(name string) (string, error) {
	name = safeFileName(name)
	if len(name) > MaxFileNameLen {
		return "", invalid("name", "longer than %d bytes", MaxFileNameLen)
	}
	return name, nil
}

// safeFileName keeps the last element of a path, readable and inert wherever it is shown or
// put in a header: without control and format characters (bidi controls among them, which
// could make "gpj.exe" read as "exe.jpg"), line and paragraph separators, quotes, semicolons,
// backslashes and slashes (lookalike slashes too), and with invalid UTF-8 replaced by U+FFFD.
// What leaves nothing, or dots only, becomes "file".
func safeFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
			return -1
		case strings.ContainsRune("\"'`;\\/\u2044\u2215\u29f8\u29f9\uff0f\uff3c", r):
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if strings.Trim(name, ".") == "" {
		return fileNameFallback
	}
	return name
}

// limitedReader fails once more than left bytes were read, so an oversized upload is never
// stored whole.
type limitedReader struct {
	r          io.Reader
	left, read int64
	over       bool
}

var errTooLarge = errors.New("upload too large")

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.read > l.left {
		l.over = true
		return n, errTooLarge
	}
	return n, err
}

// dropBlobs deletes the content of attachments whose records were not (or are no longer)
// stored. A failure only leaves an orphan behind; it is logged.
func (d *Desk) dropBlobs(ctx context.Context, as ...*ticket.Attachment) {
	for _, a := range as {
		d.dropKey(ctx, a.Key)
	}
}

// Attachments lists a page of a ticket's files, oldest first (ties by ID): uploaded media and
// the attachments of its messages (of internal messages for staff only, left out by the query,
// so that every page but the last is full). A zero PageRequest asks for the first page of
// storage.DefaultPageSize; pass the page's Next as After for the next one. Returns ErrNotFound
// for a ticket the actor cannot see, and storage.ErrInvalidCursor for a cursor that is not one
// of this listing's.
func (d *Desk) Attachments(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[*ticket.Attachment], error) {
	var page storage.Page[*ticket.Attachment]
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketRead, ticketAt(ticketID))
	if err != nil {
		return page, fmt.Errorf("list attachments of ticket %s: %w", ticketID, err)
	}
	err = d.inTx(ctx, func(q storage.Queries) error {
		if _, err := d.visibleTicket(ctx, q, actor, tid, ticketID); err != nil {
			return err
		}
		var err error
		page, err = q.ListAttachments(ctx, tid, ticketID, seesInternal(actor), p)
		return err
	})
	if err != nil {
		return storage.Page[*ticket.Attachment]{}, fmt.Errorf("list attachments of ticket %s: %w", ticketID, err)
	}
	return page, nil
}

// OpenAttachment returns a file of a ticket the actor can see, with its content, which the
// caller closes. Serve it with the record's ContentType (detected from the content), the header
// X-Content-Type-Options: nosniff, and the Content-Disposition ContentDisposition gives.
// Returns ErrNotFound (also for an internal message's file and a requester).
func (d *Desk) OpenAttachment(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*ticket.Attachment, io.ReadCloser, error) {
	fail := func(err error) (*ticket.Attachment, io.ReadCloser, error) {
		return nil, nil, fmt.Errorf("open attachment %s: %w", id, err)
	}
	at := func(ctx context.Context, q storage.Queries, tid uuid.UUID) (tenant.Resource, error) {
		a, err := q.GetAttachment(ctx, tid, id)
		if err != nil {
			return tenant.Resource{}, err
		}
		return ticketAt(a.TicketID)(ctx, q, tid)
	}
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketRead, at)
	if err != nil {
		return fail(err)
	}
	var a *ticket.Attachment
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if a, err = q.GetAttachment(ctx, tid, id); err != nil {
			return err
		}
		if a.Visibility == ticket.Internal && !seesInternal(actor) {
			return storage.ErrNotFound
		}
		_, err = d.visibleTicket(ctx, q, actor, tid, a.TicketID)
		return err
	})
	if err != nil {
		return fail(err)
	}
	rc, err := d.cfg.Blobs.Open(ctx, a.Key)
	if err != nil {
		return fail(err)
	}
	return a, rc, nil
}

// ContentDisposition returns the value of the Content-Disposition header to serve a's content
// with (RFC 6266): "inline" when inline is asked for and a's ContentType is an image (not SVG)
// or a video, which a browser displays without running anything, and "attachment" for every
// other type, so that the browser downloads it instead. The file name is cleaned again (as
// Upload.Name says, for records stored before names were cleaned) and given as an ASCII
// filename parameter (every other character, and '%', as '_'), followed, when that differs
// from the name, by the extended filename* parameter of RFC 5987 (the UTF-8 name,
// percent-encoded), which current browsers prefer. Serve the content with a's ContentType and
// the header X-Content-Type-Options: nosniff. For example, "Prüfbericht 7.pdf" gives:
//
//	attachment; filename="Pr_fbericht 7.pdf"; filename*=UTF-8''Pr%C3%BCfbericht%207.pdf
func ContentDisposition(a *ticket.Attachment, inline bool) string {
	disposition := "attachment"
	if base, _, err := mime.ParseMediaType(a.ContentType); inline && err == nil && isMedia(base) {
		disposition = "inline"
	}
	name := safeFileName(a.Name)
	ascii := strings.Map(func(r rune) rune {
		if r >= utf8.RuneSelf || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := mime.FormatMediaType(disposition, map[string]string{"filename": ascii})
	if ascii == name {
		return v
	}
	// FormatMediaType would write RFC 2231's filename*, whose characters RFC 5987 narrows for
	// HTTP: percent-encode everything but RFC 5987's attr-char.
	var b strings.Builder
	b.WriteString(v)
	b.WriteString("; filename*=UTF-8''")
	const hex = "0123456789ABCDEF"
	for i := range len(name) {
		if c := name[i]; attrChar(c) {
			b.WriteByte(c)
		} else {
			b.Write([]byte{'%', hex[c>>4], hex[c&0xf]})
		}
	}
	return b.String()
}

// attrChar reports whether c is an attr-char of RFC 5987, written as is in an extended value.
func attrChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
