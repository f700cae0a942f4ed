package helpdesk_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newMemBlobs() blob.Store { return blob.NewMem() }

// Files whose types are told by their first bytes, as a phone would send them.
var (
	jpegFile = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), bytes.Repeat([]byte{0x42}, 4000)...)
	mp4File  = append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), bytes.Repeat([]byte{0}, 2000)...)
	svgFile  = []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
)

func upload(name string, content []byte) helpdesk.Upload {
	return helpdesk.Upload{Name: name, Body: bytes.NewReader(content)}
}

func readAll(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer func() { require.NoError(t, rc.Close()) }()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return b
}

func TestUploadMedia(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		blobs := blob.NewMem()
		clock := newClock()
		d, err := helpdesk.New(s, &helpdesk.Config{Now: clock.Now, Blobs: blobs, MaxUploadSize: 8 << 10})
		require.NoError(t, err)
		f := newFixture(t, s)
		f.desk, f.clock = d, clock
		settings := f.tenant.Settings
		settings.Offer, settings.Durations = &tenant.Offer{MediaUpload: true, MaxMedia: 2}, durations
		_, err = updateSettings(ctx, d, f.admin, settings)
		require.NoError(t, err)
		tk := f.ticketIn(t, ticket.StateAssigned)
		requester := f.link(t, tk)

		// The type comes from the content: a JPEG named .txt is a photo, an SVG is refused.
		photo, err := d.UploadMedia(ctx, requester, tk.ID, upload(`C:\Users\nina\pump.txt`, jpegFile))
		require.NoError(t, err)
		assert.Equal(t, "image/jpeg", photo.ContentType)
		assert.Equal(t, "pump.txt", photo.Name, "the path is dropped")
		assert.Equal(t, int64(len(jpegFile)), photo.Size)
		assert.True(t, photo.Media())
		_, err = d.UploadMedia(ctx, requester, tk.ID, upload("logo.svg", svgFile))
		assertField(t, err, "file")
		_, err = d.UploadMedia(ctx, requester, tk.ID, upload("notes.jpg", []byte("just some text, no photo")))
		assertField(t, err, "file")
		_, err = d.UploadMedia(ctx, requester, tk.ID, upload("empty.jpg", nil))
		assertField(t, err, "file")
		_, err = d.UploadMedia(ctx, requester, tk.ID, upload("huge.jpg", append(jpegFile, make([]byte, 8<<10)...)))
		assertField(t, err, "file")
		_, err = d.UploadMedia(ctx, f.agent, tk.ID, upload("a.jpg", jpegFile))
		assert.ErrorIs(t, err, helpdesk.ErrForbidden, "staff attach files to messages")

		// The content reads back; the offer's count caps the uploads.
		got, rc, err := d.OpenAttachment(ctx, f.agent, photo.ID)
		require.NoError(t, err)
		assert.Equal(t, photo.ID, got.ID)
		assert.Equal(t, jpegFile, readAll(t, rc))
		clip, err := d.UploadMedia(ctx, requester, tk.ID, upload("clip.mp4", mp4File))
		require.NoError(t, err)
		assert.Equal(t, "video/mp4", clip.ContentType)
		_, err = d.UploadMedia(ctx, requester, tk.ID, upload("third.jpg", jpegFile))
		assert.ErrorIs(t, err, helpdesk.ErrMediaLimit)
		assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))

		// The media transfer window: open for a day after the ticket is done, then shut.
		done := f.ticketIn(t, ticket.StateDone)
		_, err = d.UploadMedia(ctx, f.link(t, done), done.ID, upload("after.jpg", jpegFile))
		require.NoError(t, err)
		clock.Advance(24 * time.Hour)
		_, err = d.UploadMedia(ctx, f.link(t, done), done.ID, upload("late.jpg", jpegFile))
		assert.ErrorIs(t, err, helpdesk.ErrUploadsClosed)
		_, err = d.Transition(ctx, f.agent, done.ID, ticket.EventReopen, helpdesk.Change{})
		require.NoError(t, err)
		_, err = d.UploadMedia(ctx, f.link(t, done), done.ID, upload("reopened.jpg", jpegFile))
		require.NoError(t, err, "reopening opens the window again")

		// Message attachments share the message's visibility.
		_, err = d.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "Manual attached", Attachments: []helpdesk.Upload{
			upload("manual.pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"))}})
		require.NoError(t, err)
		_, err = d.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "Our notes", Internal: true, Attachments: []helpdesk.Upload{
			upload("notes.txt", []byte("serial mismatch"))}})
		require.NoError(t, err)
		names := func(as []*ticket.Attachment) []string {
			out := make([]string, len(as))
			for i, a := range as {
				out[i] = a.Name + " " + a.ContentType
			}
			return out
		}
		staff, err := attachmentsOf(ctx, d, f.agent, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"pump.txt image/jpeg", "clip.mp4 video/mp4", "manual.pdf application/pdf",
			"notes.txt text/plain; charset=utf-8"}, names(staff))
		theirs, err := attachmentsOf(ctx, d, requester, tk.ID)
		require.NoError(t, err)
		assert.Len(t, theirs, 3, "the internal note's file is staff-only")
		_, _, err = d.OpenAttachment(ctx, requester, staff[3].ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		_, err = d.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "x", Attachments: []helpdesk.Upload{
			upload(strings.Repeat("a", helpdesk.MaxFileNameLen+1), []byte("x"))}})
		assertField(t, err, "name")

		// Deleting the ticket deletes the files.
		require.NoError(t, d.DeleteTicket(ctx, f.admin, tk.ID))
		for _, a := range staff {
			_, err := blobs.Open(ctx, a.Key)
			assert.ErrorIs(t, err, blob.ErrNotFound, a.Name)
		}

		// With uploads off, none are taken.
		settings.Offer = &tenant.Offer{}
		_, err = updateSettings(ctx, d, f.admin, settings)
		require.NoError(t, err)
		other := f.ticketIn(t, ticket.StateAssigned)
		_, err = d.UploadMedia(ctx, f.link(t, other), other.ID, upload("a.jpg", jpegFile))
		assert.ErrorIs(t, err, helpdesk.ErrNotOffered)
		assert.False(t, strings.Contains(err.Error(), "%!"), err.Error())
	})
}
