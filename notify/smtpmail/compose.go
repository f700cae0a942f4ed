package smtpmail

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// compose renders an RFC 5322 message: a text/plain part alone, or with html a
// multipart/alternative of text/plain and text/html, each quoted-printable UTF-8 so that the
// message is 7-bit clean for any relay.
func (m *Mailer) compose(to *mail.Address, messageID, subject, text, html string) ([]byte, error) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	headers := [][2]string{
		{"From", m.from.String()},
		{"To", to.String()},
		{"Subject", mime.QEncoding.Encode("utf-8", oneLine(subject))},
		{"Date", m.now().Format(time.RFC1123Z)},
		{"Message-ID", messageID},
		// RFC 3834: keeps vacation responders from answering notifications.
		{"Auto-Submitted", "auto-generated"},
		{"MIME-Version", "1.0"},
	}
	if html == "" {
		headers = append(headers,
			[2]string{"Content-Type", "text/plain; charset=utf-8"},
			[2]string{"Content-Transfer-Encoding", "quoted-printable"})
	} else {
		// Folded before the boundary parameter to keep the line within 78 characters.
		contentType := mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()})
		headers = append(headers, [2]string{"Content-Type", strings.Replace(contentType, "; ", ";\r\n ", 1)})
	}
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")

	if html == "" {
		if err := writeQuotedPrintable(&b, text); err != nil {
			return nil, err
		}
		// End on a line break of our own, so that the one SMTP needs before the final dot
		// is not taken from the text.
		b.WriteString("\r\n")
		return b.Bytes(), nil
	}
	for _, part := range []struct{ contentType, body string }{
		{"text/plain; charset=utf-8", text},
		{"text/html; charset=utf-8", html},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.contentType},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		if err := writeQuotedPrintable(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeQuotedPrintable(w io.Writer, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, s); err != nil {
		return err
	}
	return qp.Close()
}

// oneLine joins a multi-line subject with spaces; a line break in a header would end it.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

// messageIDLocal makes key a valid left part of a Message-ID (RFC 5322 dot-atom-text) by
// percent-encoding the bytes that are not allowed there; keys made of letters, digits and
// hyphens, such as UUIDs, pass unchanged.
func messageIDLocal(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		if c := key[i]; isAtext(c) || c == '.' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	s := b.String()
	if strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, ".", "%2E")
	}
	return s
}

// isAtext reports whether c is an atext character of RFC 5322 3.2.3, less '%', which
// messageIDLocal uses as its escape.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&'*+-/=?^_`{|}~", c) >= 0
}
