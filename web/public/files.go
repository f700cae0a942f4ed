package public

import (
	"io"
	"net/http"
	"strconv"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/ticket"
)

// serveFile sends a ticket's file with its detected type and a Content-Disposition that keeps
// the browser from running it (helpdesk.ContentDisposition: pictures and videos inline,
// everything else downloaded), under a policy that forbids scripts even so.
func serveFile(w http.ResponseWriter, a *ticket.Attachment, body io.Reader) {
	h := w.Header()
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", helpdesk.ContentDisposition(a, true))
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'")
	h.Set("Cache-Control", "private, no-store")
	_, _ = io.Copy(w, body)
}
