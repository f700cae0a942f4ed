package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/mail"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is an SMTP server on loopback that accepts every message and keeps its Message-ID,
// the EHLO name of the instance that sent it and when.
type sink struct {
	srv  *smtp.Server
	addr *net.TCPAddr

	mu       sync.Mutex
	received []Receipt
}

// startSink listens on a free loopback port and serves until close.
func startSink() (*sink, error) {
	s := &sink{}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: s, helo: c.Hostname()}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("SMTP sink: %w", err)
	}
	s.addr = l.Addr().(*net.TCPAddr)
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *sink) close() { _ = s.srv.Close() }

// Received returns the messages accepted so far.
func (s *sink) Received() []Receipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Receipt(nil), s.received...)
}

type sinkSession struct {
	sink *sink
	helo string
}

func (*sinkSession) Reset()                               {}
func (*sinkSession) Logout() error                        { return nil }
func (*sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable message"}
	}
	_, _ = io.Copy(io.Discard, msg.Body)
	rc := Receipt{MessageID: msg.Header.Get("Message-ID"), Helo: s.helo, At: time.Now()}
	s.sink.mu.Lock()
	s.sink.received = append(s.sink.received, rc)
	s.sink.mu.Unlock()
	return nil
}
