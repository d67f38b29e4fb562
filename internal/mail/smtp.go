package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPOption adjusts an SMTP sender; the defaults suit production.
type SMTPOption func(*smtpSender)

// WithTLSConfig sets the TLS configuration for STARTTLS and smtps (tests set
// RootCAs to trust their own certificate). It is cloned; an empty ServerName
// is filled with the URL's host.
func WithTLSConfig(c *tls.Config) SMTPOption {
	return func(s *smtpSender) {
		if c != nil {
			s.tlsConfig = c.Clone()
		}
	}
}

// WithDialTimeout bounds connecting (TCP and, for smtps, the TLS handshake).
// The default is 10 seconds. The rest of the exchange is bounded by the
// context given to Send.
func WithDialTimeout(d time.Duration) SMTPOption {
	return func(s *smtpSender) {
		if d > 0 {
			s.dialTimeout = d
		}
	}
}

// WithClock sets the clock used for the Date header; the default is time.Now.
func WithClock(now func() time.Time) SMTPOption {
	return func(s *smtpSender) {
		if now != nil {
			s.now = now
		}
	}
}

type smtpSender struct {
	addr        string // host:port to dial
	host        string // for TLS ServerName and the "is it local" rule
	implicitTLS bool
	username    string
	password    string
	auth        bool
	from        *mail.Address
	tlsConfig   *tls.Config
	dialTimeout time.Duration
	now         func() time.Time
	// dial opens the TCP connection. Only tests replace it, to reach a local
	// server under a name that is not local.
	dial func(ctx context.Context, addr string) (net.Conn, error)
}

// NewSMTPSender returns a Sender that delivers through the SMTP server named
// by rawURL:
//
//	smtp://user:pass@host:port   plain connection upgraded with STARTTLS
//	                             whenever the server offers it (default port 587)
//	smtps://user:pass@host:port  implicit TLS from the first byte (default port 465)
//
// User and password are optional and percent-decoded. Credentials are sent
// (AUTH PLAIN, else AUTH LOGIN) only over TLS or to a loopback host; to any
// other host without STARTTLS, Send fails rather than leak them.
//
// from is the envelope and From address (AGENTDESK_MAIL_FROM), optionally
// with a display name: "agentdesk <no-reply@example.com>".
//
// Errors never echo rawURL, which holds the password.
func NewSMTPSender(rawURL, from string, opts ...SMTPOption) (Sender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("mail: invalid SMTP URL: %v", err)
	}
	s := &smtpSender{
		dialTimeout: 10 * time.Second,
		now:         time.Now,
		tlsConfig:   &tls.Config{MinVersion: tls.VersionTLS12},
	}
	var defaultPort string
	switch u.Scheme {
	case "smtp":
		defaultPort = "587"
	case "smtps":
		defaultPort = "465"
		s.implicitTLS = true
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme must be smtp or smtps, not %q", u.Scheme)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("mail: SMTP URL has no host")
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.username = u.User.Username()
		s.password, _ = u.User.Password()
		s.auth = s.username != ""
	}

	if strings.ContainsAny(from, "\r\n") {
		return nil, errors.New("mail: from address contains CR or LF")
	}
	s.from, err = mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: invalid from address: %w", err)
	}

	for _, o := range opts {
		o(s)
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	if s.dial == nil {
		d := &net.Dialer{}
		s.dial = func(ctx context.Context, addr string) (net.Conn, error) {
			return d.DialContext(ctx, "tcp", addr)
		}
	}
	return s, nil
}

// Send delivers m over a new connection: one message per connection is plenty
// for password mail and needs no pool to keep healthy.
func (s *smtpSender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	to, err := m.recipient()
	if err != nil {
		return err
	}
	body, err := s.compose(m, to)
	if err != nil {
		return err
	}

	c, err := s.connect(ctx)
	if err != nil {
		return s.ctxErr(ctx, err)
	}
	defer c.Close()
	// go-smtp takes no context: closing the connection is what interrupts a
	// command that is waiting on the server.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	if err := s.deliver(c, to.Address, body); err != nil {
		return s.ctxErr(ctx, err)
	}
	// The message is accepted; a failed QUIT must not make the outbox send it again.
	_ = c.Quit()
	return nil
}

func (s *smtpSender) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("mail: smtp: %w (%v)", context.Cause(ctx), err)
	}
	return err
}

// errNoStartTLS is how go-smtp v0.25 reports a server without STARTTLS from
// NewClientStartTLS. The library exports no way to upgrade a connection after
// looking at EHLO, so the sender tries STARTTLS first and, on exactly this
// error, reconnects in plain text. TestSMTPPlainServerWithoutSTARTTLS pins it.
const errNoStartTLS = "smtp: server doesn't support STARTTLS"

// connect returns a greeted client, over TLS whenever the server allows it.
func (s *smtpSender) connect(ctx context.Context) (*smtp.Client, error) {
	if s.implicitTLS {
		conn, err := s.dialConn(ctx, true)
		if err != nil {
			return nil, err
		}
		c := smtp.NewClient(conn)
		if err := c.Hello("localhost"); err != nil {
			c.Close()
			return nil, fmt.Errorf("mail: smtp hello: %w", err)
		}
		return c, nil
	}

	conn, err := s.dialConn(ctx, false)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c, err := smtp.NewClientStartTLS(conn, s.tlsConfig)
	if err == nil {
		// EHLO again, now over TLS: this runs the handshake, so a certificate
		// problem surfaces here as itself rather than as a missing extension.
		err = c.Hello("localhost")
		stop()
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("mail: smtp starttls: %w", err)
		}
		return c, nil
	}
	stop()
	if err.Error() != errNoStartTLS {
		return nil, fmt.Errorf("mail: smtp starttls: %w", err)
	}

	conn, err = s.dialConn(ctx, false)
	if err != nil {
		return nil, err
	}
	c = smtp.NewClient(conn)
	stop = context.AfterFunc(ctx, func() { conn.Close() })
	err = c.Hello("localhost")
	stop()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("mail: smtp hello: %w", err)
	}
	return c, nil
}

func (s *smtpSender) dialConn(ctx context.Context, implicitTLS bool) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, s.dialTimeout)
	defer cancel()
	conn, err := s.dial(ctx, s.addr)
	if err != nil {
		return nil, fmt.Errorf("mail: smtp dial: %w", err)
	}
	if !implicitTLS {
		return conn, nil
	}
	tc := tls.Client(conn, s.tlsConfig)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("mail: smtp tls: %w", err)
	}
	return tc, nil
}

// deliver authenticates when asked to and runs one mail transaction.
func (s *smtpSender) deliver(c *smtp.Client, to string, body []byte) error {
	if s.auth {
		if err := s.authenticate(c); err != nil {
			return err
		}
	}

	var mailOpts *smtp.MailOptions
	if !isASCII(s.from.Address) || !isASCII(to) {
		mailOpts = &smtp.MailOptions{UTF8: true}
	}
	// A refused sender is our configuration, not this message: keep retrying.
	if err := c.Mail(s.from.Address, mailOpts); err != nil {
		return fmt.Errorf("mail: smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return rejected("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return rejected("DATA", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("mail: smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return rejected("DATA", err)
	}
	return nil
}

func (s *smtpSender) authenticate(c *smtp.Client) error {
	_, overTLS := c.TLSConnectionState()
	if !overTLS && !isLoopback(s.host) {
		return errors.New("mail: smtp: server offers no STARTTLS; refusing to send credentials in plain text to a non-local host")
	}
	var a sasl.Client
	switch {
	case c.SupportsAuth(sasl.Plain):
		a = sasl.NewPlainClient("", s.username, s.password)
	case c.SupportsAuth(sasl.Login):
		a = sasl.NewLoginClient(s.username, s.password)
	default:
		return errors.New("mail: smtp: credentials are configured but the server offers neither AUTH PLAIN nor AUTH LOGIN")
	}
	if err := c.Auth(a); err != nil {
		return fmt.Errorf("mail: smtp AUTH: %w", err)
	}
	return nil
}

// rejected marks a 5xx reply to RCPT or DATA as permanent: the server refuses
// this recipient or this content, and will again.
func rejected(stage string, err error) error {
	err = fmt.Errorf("mail: smtp %s: %w", stage, err)
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 && se.Code < 600 {
		return Permanent(err)
	}
	return err
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// compose renders m as an RFC 5322 message with CRLF line endings. Bodies are
// quoted-printable, so any UTF-8 text survives 7-bit relays and long lines.
func (s *smtpSender) compose(m Message, to *mail.Address) ([]byte, error) {
	var b bytes.Buffer
	header := func(k, v string) {
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteString("\r\n")
	}
	domain := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]

	header("Date", s.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+rand.Text()+"@"+domain+">")
	header("From", s.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("MIME-Version", "1.0")

	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQuotedPrintable(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}

	mw := multipart.NewWriter(&b)
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	// Least preferred first (RFC 2046 §5.1.4): clients show the HTML part.
	for _, p := range []struct{ contentType, body string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.contentType},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		if err := writeQuotedPrintable(w, p.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeQuotedPrintable encodes text; the encoder turns LF and CRLF into CRLF.
func writeQuotedPrintable(w io.Writer, text string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, text); err != nil {
		return err
	}
	return qp.Close()
}
