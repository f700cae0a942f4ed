package smtpmail_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/notify/notifytest"
	"github.com/deskkit/helpdesk/notify/smtpmail"
)

const (
	testUser     = "helpdesk"
	testPassword = "s3cret"
	// refusedDomain is a domain whose recipients the test server refuses with 550.
	refusedDomain = "@refused.example"
)

// serverOptions says how a testServer behaves.
type serverOptions struct {
	// security is how the server listens: plain (no STARTTLS offered), starttls (STARTTLS
	// offered, AUTH only after it) or tls (implicit TLS).
	security smtpmail.Security
	// auth requires AUTH before MAIL, with mechs (PLAIN by default).
	auth  bool
	mechs []string
	// insecureAuth offers AUTH without TLS.
	insecureAuth bool
	// refuseSessions answers EHLO/HELO with 554.
	refuseSessions bool
}

// testServer is an SMTP server on 127.0.0.1 built with go-smtp. It implements
// notifytest.Provider.
type testServer struct {
	t     *testing.T
	opts  serverOptions
	port  int
	roots *x509.CertPool
	done  chan struct{}

	mu       sync.Mutex
	accepted []notifytest.Accepted
	raw      [][]byte
	fails    []plannedFailure
	stall    chan struct{}
}

var _ notifytest.Provider = (*testServer)(nil)

// plannedFailure is a reply the server gives at a step of the next transaction.
type plannedFailure struct {
	step string // "mail", "rcpt" or "data"
	err  *smtp.SMTPError
}

// startServer starts a testServer and stops it when the test ends.
func startServer(t *testing.T, opts serverOptions) *testServer {
	t.Helper()
	if opts.auth && len(opts.mechs) == 0 {
		opts.mechs = []string{sasl.Plain}
	}
	s := &testServer{t: t, opts: opts, done: make(chan struct{})}
	cert, roots := newCertificate(t)
	s.roots = roots

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.AllowInsecureAuth = opts.insecureAuth

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.port = l.Addr().(*net.TCPAddr).Port
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	switch opts.security {
	case smtpmail.SecurityStartTLS:
		srv.TLSConfig = tlsConfig
	case smtpmail.SecurityTLS:
		srv.TLSConfig = tlsConfig
		l = tls.NewListener(l, tlsConfig)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		close(s.done) // frees sessions held by Stall
		_ = srv.Close()
	})
	return s
}

// newCertificate makes a self-signed certificate for 127.0.0.1, ::1 and localhost, and a
// pool that trusts it.
func newCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtpmail test server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}

// config returns a Config for a Mailer talking to s as s expects.
func (s *testServer) config() smtpmail.Config {
	cfg := smtpmail.Config{
		Host:      "127.0.0.1",
		Port:      s.port,
		Security:  s.opts.security,
		From:      "Support Team <support@example.com>",
		TLSConfig: &tls.Config{RootCAs: s.roots},
	}
	if s.opts.auth {
		cfg.Username, cfg.Password = testUser, testPassword
	}
	return cfg
}

func (s *testServer) newSession(*smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	stall := s.stall
	s.mu.Unlock()
	if stall != nil {
		select {
		case <-stall:
		case <-s.done:
		}
	}
	if s.opts.refuseSessions {
		return nil, &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Client host rejected"}
	}
	return &session{srv: s}, nil
}

// Accepted returns the messages the server accepted, decoded.
func (s *testServer) Accepted() []notifytest.Accepted {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notifytest.Accepted(nil), s.accepted...)
}

// Raw returns the accepted messages as received.
func (s *testServer) Raw() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raw...)
}

// FailNext makes the next transaction fail the way a mail server does: transient with 451
// after DATA (local error in processing), permanent with 550 at RCPT (no such user).
func (s *testServer) FailNext(f notifytest.Failure) {
	switch f {
	case notifytest.Transient:
		s.failNext("data", 451, "Requested action aborted: local error in processing")
	case notifytest.Permanent:
		s.failNext("rcpt", 550, "No such user")
	default:
		s.t.Fatalf("unknown failure %v", f)
	}
}

// failNext makes the next transaction fail at step ("mail", "rcpt", "data") with code.
func (s *testServer) failNext(step string, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	enhanced := smtp.EnhancedCode{code / 100, 0, 0}
	s.fails = append(s.fails, plannedFailure{step, &smtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: msg}})
}

// Stall holds every new connection after its greeting until release is called.
func (s *testServer) Stall() func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	stall := make(chan struct{})
	s.stall = stall
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			close(stall)
			s.stall = nil
		})
	}
}

type session struct {
	srv    *testServer
	authed bool
	plan   *plannedFailure
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string {
	if !s.srv.opts.auth {
		return nil
	}
	return s.srv.opts.mechs
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, username, password string) error {
			return s.login(username, password)
		}), nil
	case sasl.Login:
		return &loginServer{login: s.login}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *session) login(username, password string) error {
	if username != testUser || password != testPassword {
		return smtp.ErrAuthFailed
	}
	s.authed = true
	return nil
}

// failAt returns the planned failure for step, if any.
func (s *session) failAt(step string) error {
	if s.plan != nil && s.plan.step == step {
		return s.plan.err
	}
	return nil
}

func (s *session) Mail(string, *smtp.MailOptions) error {
	if s.srv.opts.auth && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.srv.mu.Lock()
	if len(s.srv.fails) > 0 {
		plan := s.srv.fails[0]
		s.plan = &plan
		s.srv.fails = s.srv.fails[1:]
	}
	s.srv.mu.Unlock()
	return s.failAt("mail")
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.failAt("rcpt"); err != nil {
		return err
	}
	if strings.HasSuffix(to, refusedDomain) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := s.failAt("data"); err != nil {
		return err
	}
	acc, err := parseMessage(raw)
	if err != nil {
		s.srv.t.Errorf("test server: cannot parse message: %v\n%s", err, raw)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	}
	if len(s.to) != 1 || s.to[0] != acc.To {
		s.srv.t.Errorf("test server: envelope recipients %q, To header %q", s.to, acc.To)
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.accepted = append(s.srv.accepted, acc)
	s.srv.raw = append(s.srv.raw, raw)
	return nil
}

func (s *session) Reset() {
	s.plan = nil
	s.to = nil
}

func (s *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	login    func(username, password string) error
	username string
	step     int
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		return []byte("Username:"), false, nil
	case 2:
		l.username = string(response)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.login(l.username, string(response))
	}
}

// parseMessage decodes a received message the way a mail client would.
func parseMessage(raw []byte) (notifytest.Accepted, error) {
	var acc notifytest.Accepted
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return acc, err
	}
	to, err := msg.Header.AddressList("To")
	if err != nil {
		return acc, fmt.Errorf("To: %w", err)
	}
	if len(to) != 1 {
		return acc, fmt.Errorf("To: %d addresses", len(to))
	}
	acc.To = to[0].Address
	if acc.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return acc, fmt.Errorf("Subject: %w", err)
	}
	id := msg.Header.Get("Message-ID")
	if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@helpdesk>") {
		return acc, fmt.Errorf("Message-ID %q", id)
	}
	acc.IdempotencyKey = strings.TrimSuffix(strings.TrimPrefix(id, "<"), "@helpdesk>")

	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return acc, fmt.Errorf("Content-Type: %w", err)
	}
	switch mediaType {
	case "multipart/alternative":
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			part, err := mr.NextPart() // decodes quoted-printable itself
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return acc, err
			}
			body, err := io.ReadAll(part)
			if err != nil {
				return acc, err
			}
			partType, _, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
			if err != nil {
				return acc, err
			}
			switch partType {
			case "text/plain":
				acc.Text = toLF(string(body))
			case "text/html":
				acc.HTML = toLF(string(body))
			default:
				return acc, fmt.Errorf("unexpected part %s", partType)
			}
		}
	case "text/plain":
		if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			return acc, fmt.Errorf("Content-Transfer-Encoding %q", cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		if err != nil {
			return acc, err
		}
		// The line break before SMTP's final dot ends the message, not the text.
		acc.Text = toLF(strings.TrimSuffix(string(body), "\r\n"))
	default:
		return acc, fmt.Errorf("unexpected Content-Type %s", mediaType)
	}
	return acc, nil
}

func toLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
