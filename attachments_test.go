package helpdesk_test

import (
	"mime"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAttachmentTypes checks the types message attachments are recorded with: active content a
// browser would run is recorded as application/octet-stream, whoever posts it, whatever its
// name says; other types are kept as detected.
func TestAttachmentTypes(t *testing.T) {
	cases := []struct {
		name    string
		content string
		want    string
	}{
		{"evil.html", `<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>`, "application/octet-stream"},
		{"evil.txt", `<html><script>alert(1)</script></html>`, "application/octet-stream"},
		{"x.svg", string(svgFile), "application/octet-stream"},
		{"x.xml", `<?xml version="1.0"?><a xmlns:h="http://www.w3.org/1999/xhtml"><h:script>alert(1)</h:script></a>`, "application/octet-stream"},
		{"x.xhtml", `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>`, "application/octet-stream"},
		{"feed.rss", `<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>`, "application/octet-stream"},
		{"app.js", "#!/usr/bin/env node\nalert(1)\n", "application/octet-stream"},
		{"notes.txt", "serial mismatch\n", "text/plain; charset=utf-8"},
		{"manual.pdf", "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "application/pdf"},
		{"photo.jpg", string(jpegFile), "image/jpeg"},
	}
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		tk := f.ticketIn(t, ticket.StateAssigned)
		for _, actor := range []struct {
			name  string
			actor tenant.Actor
		}{{"requester", f.link(t, tk)}, {"agent", f.agent}} {
			for _, c := range cases {
				t.Run(actor.name+"/"+c.name, func(t *testing.T) {
					_, err := f.desk.PostMessage(ctx, actor.actor, tk.ID, helpdesk.NewMessage{Body: "see attached",
						Attachments: []helpdesk.Upload{upload(c.name, []byte(c.content))}})
					require.NoError(t, err)
					as, err := attachmentsOf(ctx, f.desk, f.agent, tk.ID)
					require.NoError(t, err)
					got := as[len(as)-1]
					assert.Equal(t, c.want, got.ContentType)
					assert.Equal(t, c.name, got.Name)
				})
			}
		}
	})
}

// TestAttachmentNames checks the names files are stored under: readable, without what could
// disguise them or break a header, never empty.
func TestAttachmentNames(t *testing.T) {
	cases := []struct {
		name, given, want string
	}{
		{"Plain", "pump manual.pdf", "pump manual.pdf"},
		{"Unicode", "Prüfbericht für Pumpe 7.pdf", "Prüfbericht für Pumpe 7.pdf"},
		{"WindowsPath", `C:\Users\nina\pump.txt`, "pump.txt"},
		{"UnixPath", "/etc/passwd", "passwd"},
		{"Climbing", "../../secret.txt", "secret.txt"},
		{"RightToLeftOverride", "invoice\u202egpj.exe", "invoicegpj.exe"},
		{"BidiIsolates", "a\u2066b\u2069c\u200f.txt", "abc.txt"},
		{"ZeroWidth", "pho\u200bto\ufeff.jpg", "photo.jpg"},
		{"Quotes", `say "hi" it's.txt`, "say hi its.txt"},
		{"Backtick", "a`b.txt", "ab.txt"},
		{"Semicolon", "a.txt; filename=evil.html", "a.txt filename=evil.html"},
		{"Controls", "a\x00b\x1bc\x7f\u0085d.txt", "abcd.txt"},
		{"LineBreaks", "line\r\nbreak\u2028here.txt", "linebreakhere.txt"},
		{"LookalikeSlashes", "dir\uff0fname\u2215x\u2044y\uff3cz.txt", "dirnamexyz.txt"},
		{"InvalidUTF8", "caf\xe9.txt", "caf\ufffd.txt"},
		{"Spaces", "  report.txt  ", "report.txt"},
		{"Empty", "", "file"},
		{"OnlyDots", "..", "file"},
		{"OnlyFormat", "\u202e\u200b", "file"},
		{"OnlyQuotes", `"'";`, "file"},
	}
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		tk := f.ticketIn(t, ticket.StateAssigned)
		requester := f.link(t, tk)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				m, err := f.desk.PostMessage(ctx, requester, tk.ID, helpdesk.NewMessage{Body: "see attached",
					Attachments: []helpdesk.Upload{upload(c.given, []byte("text"))}})
				require.NoError(t, err)
				as, err := attachmentsOf(ctx, f.desk, requester, tk.ID)
				require.NoError(t, err)
				got := as[len(as)-1]
				require.Equal(t, m.ID, got.MessageID)
				assert.Equal(t, c.want, got.Name)
			})
		}
		_, err := f.desk.PostMessage(ctx, requester, tk.ID, helpdesk.NewMessage{Body: "long",
			Attachments: []helpdesk.Upload{upload(strings.Repeat("ü", helpdesk.MaxFileNameLen/2+1), []byte("text"))}})
		assertField(t, err, "name")
	})
}

// TestContentDisposition checks the header value files are served with: inline only for
// images and videos when asked, the name cleaned again and given in ASCII and in UTF-8.
func TestContentDisposition(t *testing.T) {
	cases := []struct {
		name        string
		file        string
		contentType string
		inline      bool
		want        string
	}{
		{"PhotoInline", "photo.jpg", "image/jpeg", true, "inline; filename=photo.jpg"},
		{"PhotoDownload", "photo.jpg", "image/jpeg", false, "attachment; filename=photo.jpg"},
		{"VideoInline", "clip.mp4", "video/mp4", true, "inline; filename=clip.mp4"},
		{"UpperCaseType", "logo.png", "IMAGE/PNG", true, "inline; filename=logo.png"},
		{"SVGNeverInline", "x.svg", "image/svg+xml", true, "attachment; filename=x.svg"},
		{"HTMLNeverInline", "evil.html", "text/html; charset=utf-8", true, "attachment; filename=evil.html"},
		{"TextNeverInline", "notes.txt", "text/plain; charset=utf-8", true, "attachment; filename=notes.txt"},
		{"PDFNeverInline", "manual.pdf", "application/pdf", true, "attachment; filename=manual.pdf"},
		{"NoType", "blob", "", true, "attachment; filename=blob"},
		{"Space", "pump manual.pdf", "application/pdf", false, `attachment; filename="pump manual.pdf"`},
		{"Umlaut", "Prüfbericht 7.pdf", "application/pdf", false,
			`attachment; filename="Pr_fbericht 7.pdf"; filename*=UTF-8''Pr%C3%BCfbericht%207.pdf`},
		{"CJK", "写真.jpg", "image/jpeg", true, "inline; filename=__.jpg; filename*=UTF-8''%E5%86%99%E7%9C%9F.jpg"},
		{"Percent", "50%.txt", "text/plain", false, "attachment; filename=50_.txt; filename*=UTF-8''50%25.txt"},
		{"HeaderInjection", "a\"; filename=evil.html", "text/plain", false, `attachment; filename="a filename=evil.html"`},
		{"LineBreak", "a\r\nSet-Cookie: x=1.txt", "text/plain", false, `attachment; filename="aSet-Cookie: x=1.txt"`},
		{"Bidi", "invoice\u202egpj.exe", "application/octet-stream", false, "attachment; filename=invoicegpj.exe"},
		{"Path", `C:\Users\nina\pump.txt`, "text/plain", false, "attachment; filename=pump.txt"},
		{"Empty", "", "text/plain", false, "attachment; filename=file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := &ticket.Attachment{Name: c.file, ContentType: c.contentType}
			got := helpdesk.ContentDisposition(a, c.inline)
			assert.Equal(t, c.want, got)
			// A client reading the header gets the cleaned name back, whole.
			disposition, params, err := mime.ParseMediaType(got)
			require.NoError(t, err)
			assert.Equal(t, strings.Fields(c.want)[0], disposition+";")
			name := params["filename"]
			assert.NotContains(t, name, "\"")
			assert.NotContains(t, name, ";")
			if !strings.Contains(c.want, "filename*") {
				assert.Equal(t, strings.Trim(strings.TrimPrefix(c.want, strings.Fields(c.want)[0]+" filename="), `"`), name)
			}
		})
	}
}
