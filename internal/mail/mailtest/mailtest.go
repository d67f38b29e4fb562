// Package mailtest is an in-process SMTP server for tests: the mails the
// service sends through its real SMTP client arrive here, and a test takes
// them in order, or by recipient, and reads their parts.
//
// It is the one test mail server of the project (graph tests, the desktop's
// browser test, the command line's tests); internal/mail's own tests keep a
// stricter server of their own that can refuse and fail on purpose.
package mailtest

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Wait is how long Next waits for a mail before failing the test.
const Wait = 20 * time.Second

// Message is one mail as the server received it.
type Message struct {
	From string   // envelope sender
	To   []string // envelope recipients, lower-cased
	Data []byte   // the whole message, headers and body
}

// Server is a running SMTP server on loopback.
type Server struct {
	Addr string // host:port

	mu     sync.Mutex
	queue  []Message // received and not taken yet, oldest first
	notify chan struct{}
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), notify: make(chan struct{}, 1)}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	return s
}

// URL is the server as an AGENTDESK_SMTP_URL.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// Next takes the oldest mail not taken yet, failing the test when none
// arrives within Wait.
func (s *Server) Next(t testing.TB) Message {
	t.Helper()
	m, err := s.take(func(Message) bool { return true }, Wait)
	if err != nil {
		t.Fatal("the SMTP server received nothing: ", err)
	}
	return m
}

// NextTo takes the oldest mail to addr not taken yet, waiting up to wait.
// Mails to others stay for their own takers.
func (s *Server) NextTo(addr string, wait time.Duration) (Message, error) {
	addr = strings.ToLower(addr)
	return s.take(func(m Message) bool {
		for _, to := range m.To {
			if to == addr {
				return true
			}
		}
		return false
	}, wait)
}

func (s *Server) take(match func(Message) bool, wait time.Duration) (Message, error) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for i, m := range s.queue {
			if match(m) {
				s.queue = append(s.queue[:i:i], s.queue[i+1:]...)
				s.mu.Unlock()
				return m, nil
			}
		}
		s.mu.Unlock()
		select {
		case <-s.notify:
		case <-deadline.C:
			return Message{}, fmt.Errorf("no matching mail within %s", wait)
		}
	}
}

func (s *Server) receive(m Message) {
	s.mu.Lock()
	s.queue = append(s.queue, m)
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Parts decodes the text/plain and text/html parts of the message; a
// message that is not multipart is all text.
func (m Message) Parts() (text, html string, err error) {
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		return "", "", err
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		b, err := io.ReadAll(msg.Body)
		return string(b), "", err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return text, html, nil
		}
		if err != nil {
			return "", "", err
		}
		// multipart.Part decodes quoted-printable itself and drops the
		// header; decode by hand only when it is still there.
		var r io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return "", "", err
		}
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			text = string(b)
		case strings.HasPrefix(ct, "text/html"):
			html = string(b)
		}
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s   *Server
	cur Message
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.cur.From = from; return nil }
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.cur.To = append(x.cur.To, strings.ToLower(to))
	return nil
}
func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.cur.Data = data
	x.s.receive(x.cur)
	x.cur = Message{}
	return nil
}
func (x *session) Reset()        { x.cur = Message{} }
func (x *session) Logout() error { return nil }
