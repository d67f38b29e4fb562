package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// --- an in-process SMTP server ---------------------------------------------

type delivery struct {
	from string
	to   []string
	data []byte
	tls  bool // the DATA came over TLS
}

type authAttempt struct {
	user, pass string
	tls        bool
}

// backend records what an SMTP client did. rcptErr and dataErr make the
// server refuse at that step.
type backend struct {
	rcptErr error
	dataErr error

	mu        sync.Mutex
	sessions  int
	auths     []authAttempt
	delivered []delivery
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.mu.Lock()
	b.sessions++
	b.mu.Unlock()
	return &session{be: b, conn: c}, nil
}

func (b *backend) snapshot() (sessions int, auths []authAttempt, delivered []delivery) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sessions, append([]authAttempt(nil), b.auths...), append([]delivery(nil), b.delivered...)
}

type session struct {
	be   *backend
	conn *smtp.Conn
	cur  delivery
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		_, overTLS := s.conn.TLSConnectionState()
		s.be.mu.Lock()
		s.be.auths = append(s.be.auths, authAttempt{user, pass, overTLS})
		s.be.mu.Unlock()
		if user != "agent" || pass != "s3cret" {
			return smtp.ErrAuthFailed
		}
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.cur = delivery{from: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.be.rcptErr != nil {
		return s.be.rcptErr
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.be.dataErr != nil {
		return s.be.dataErr
	}
	s.cur.data = data
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.be.mu.Lock()
	s.be.delivered = append(s.be.delivered, s.cur)
	s.be.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = delivery{} }
func (s *session) Logout() error { return nil }

type serverOpts struct {
	startTLS    *tls.Config // offered with STARTTLS
	implicitTLS *tls.Config // smtps
	insecure    bool        // AUTH allowed without TLS
}

// startServer serves be on 127.0.0.1 and returns its port.
func startServer(t *testing.T, be *backend, o serverOpts) string {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.TLSConfig = o.startTLS
	srv.AllowInsecureAuth = o.insecure
	srv.ReadTimeout = 5 * time.Second
	srv.WriteTimeout = 5 * time.Second
	var l net.Listener
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if o.implicitTLS != nil {
		l = tls.NewListener(l, o.implicitTLS)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	// Closing l ourselves too: Server.Close misses a listener that Serve
	// has not registered yet, when a test never connects.
	t.Cleanup(func() { srv.Close(); l.Close(); <-done })
	return itoa(port)
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// selfSigned makes a certificate for the test server, valid for 127.0.0.1
// and mail.agentdesk.test, and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "agentdesk test SMTP"},
		DNSNames:              []string{"mail.agentdesk.test", "localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// redirect makes the sender reach the local server whatever host its URL
// names, to test the rules that depend on the host not being local.
func redirect(t *testing.T, s Sender, port string) {
	t.Helper()
	ss := s.(*smtpSender)
	ss.dial = func(ctx context.Context, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", "127.0.0.1:"+port)
	}
}

func newSender(t *testing.T, rawURL string, opts ...SMTPOption) Sender {
	t.Helper()
	opts = append([]SMTPOption{WithDialTimeout(2 * time.Second)}, opts...)
	s, err := NewSMTPSender(rawURL, "agentdesk <no-reply@agentdesk.test>", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sendCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// --- the tests ---------------------------------------------------------------

func TestSMTPSendsPasswordResetCodeAsMultipart(t *testing.T) {
	be := &backend{}
	port := startServer(t, be, serverOpts{})
	date := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	s := newSender(t, "smtp://127.0.0.1:"+port, WithClock(func() time.Time { return date }))

	if err := s.Send(sendCtx(t), PasswordResetCode("Ada Lovelace <ada@example.com>", "493817", 15*time.Minute)); err != nil {
		t.Fatalf("Send: %v", err)
	}

	_, _, delivered := be.snapshot()
	if len(delivered) != 1 {
		t.Fatalf("server received %d messages, want 1", len(delivered))
	}
	d := delivered[0]
	if d.from != "no-reply@agentdesk.test" {
		t.Errorf("MAIL FROM = %q", d.from)
	}
	if len(d.to) != 1 || d.to[0] != "ada@example.com" {
		t.Errorf("RCPT TO = %q", d.to)
	}

	msg, err := mail.ReadMessage(bytes.NewReader(d.data))
	if err != nil {
		t.Fatalf("parsing what the server received: %v", err)
	}
	h := msg.Header
	if got, err := h.Date(); err != nil || !got.Equal(date) {
		t.Errorf("Date = %v, %v; want %v", got, err, date)
	}
	if !regexp.MustCompile(`^<[A-Z2-7]{26}@agentdesk\.test>$`).MatchString(h.Get("Message-ID")) {
		t.Errorf("Message-ID = %q", h.Get("Message-ID"))
	}
	if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Name != "agentdesk" || from.Address != "no-reply@agentdesk.test" {
		t.Errorf("From = %q (%v)", h.Get("From"), err)
	}
	if to, err := mail.ParseAddress(h.Get("To")); err != nil || to.Name != "Ada Lovelace" || to.Address != "ada@example.com" {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if h.Get("Subject") != "Your agentdesk confirmation code" {
		t.Errorf("Subject = %q", h.Get("Subject"))
	}
	if h.Get("MIME-Version") != "1.0" {
		t.Errorf("MIME-Version = %q", h.Get("MIME-Version"))
	}

	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v)", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		// NextRawPart: keep Content-Transfer-Encoding visible to check it.
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, ctParams, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		types = append(types, ct)
		if ctParams["charset"] != "utf-8" {
			t.Errorf("%s charset = %q", ct, ctParams["charset"])
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("%s Content-Transfer-Encoding = %q", ct, cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatalf("%s: %v", ct, err)
		}
		if !strings.Contains(string(body), "493817") {
			t.Errorf("%s part lacks the code:\n%s", ct, body)
		}
		if ct == "text/plain" && !strings.HasPrefix(string(body), "Your agentdesk confirmation code is 493817") {
			t.Errorf("text part starts %q", firstLine(string(body)))
		}
		if ct == "text/html" && !strings.Contains(string(body), "<html") {
			t.Errorf("html part is not HTML:\n%s", body)
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Errorf("parts = %v, want text/plain then text/html", types)
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

// The wire format, checked on what compose produces (a server may normalise
// line endings before its backend sees them).
func TestComposeUsesCRLFAndEncodesNonASCIISubject(t *testing.T) {
	s := newSender(t, "smtp://127.0.0.1:1").(*smtpSender)
	to, _ := mail.ParseAddress("Zoë <zoe@example.com>")
	m := Message{To: "Zoë <zoe@example.com>", Subject: "Réinitialisation du mot de passe", Text: "ligne 1\nligne 2 é\n", HTML: "<p>é</p>\n"}
	raw, err := s.compose(m, to)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			t.Fatalf("bare LF at byte %d:\n%s", i, raw)
		}
		if c >= 0x80 {
			t.Fatalf("non-ASCII byte at %d; bodies must be quoted-printable:\n%s", i, raw)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	enc := msg.Header.Get("Subject")
	if !strings.HasPrefix(enc, "=?utf-8?q?") {
		t.Errorf("Subject not Q-encoded: %q", enc)
	}
	dec, err := new(mime.WordDecoder).DecodeHeader(enc)
	if err != nil || dec != m.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", dec, err, m.Subject)
	}
	if got, err := msg.Header.AddressList("To"); err != nil || len(got) != 1 || got[0].Name != "Zoë" {
		t.Errorf("To = %q, want the display name Zoë encoded", msg.Header.Get("To"))
	}
}

func TestSMTPAuthOverSTARTTLS(t *testing.T) {
	serverTLS, roots := selfSigned(t)
	for _, host := range []string{"127.0.0.1", "mail.agentdesk.test"} {
		t.Run(host, func(t *testing.T) {
			be := &backend{}
			// Without TLS this server would not offer AUTH at all.
			port := startServer(t, be, serverOpts{startTLS: serverTLS})
			s := newSender(t, "smtp://agent:s3cret@"+host+":"+port, WithTLSConfig(&tls.Config{RootCAs: roots}))
			redirect(t, s, port)

			if err := s.Send(sendCtx(t), PasswordChanged("ada@example.com", time.Now())); err != nil {
				t.Fatalf("Send: %v", err)
			}
			_, auths, delivered := be.snapshot()
			if len(auths) != 1 || auths[0] != (authAttempt{"agent", "s3cret", true}) {
				t.Errorf("auth attempts = %+v, want one as agent/s3cret over TLS", auths)
			}
			if len(delivered) != 1 || !delivered[0].tls {
				t.Errorf("delivered = %d messages (tls=%v), want 1 over TLS", len(delivered), len(delivered) == 1 && delivered[0].tls)
			}
		})
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	serverTLS, roots := selfSigned(t)
	be := &backend{}
	port := startServer(t, be, serverOpts{implicitTLS: serverTLS})
	s := newSender(t, "smtps://agent:s3cret@127.0.0.1:"+port, WithTLSConfig(&tls.Config{RootCAs: roots}))

	if err := s.Send(sendCtx(t), PasswordChanged("ada@example.com", time.Now())); err != nil {
		t.Fatalf("Send: %v", err)
	}
	_, auths, delivered := be.snapshot()
	if len(auths) != 1 || !auths[0].tls || len(delivered) != 1 || !delivered[0].tls {
		t.Errorf("auths=%+v delivered=%d; want one TLS auth and one TLS delivery", auths, len(delivered))
	}
}

func TestSMTPUntrustedCertificateFailsWithoutFallingBackToPlainText(t *testing.T) {
	serverTLS, _ := selfSigned(t)
	be := &backend{}
	port := startServer(t, be, serverOpts{startTLS: serverTLS})
	s := newSender(t, "smtp://agent:s3cret@127.0.0.1:"+port) // system roots: our cert is unknown

	err := s.Send(sendCtx(t), PasswordChanged("ada@example.com", time.Now()))
	var unknownAuthority x509.UnknownAuthorityError
	if !errors.As(err, &unknownAuthority) {
		t.Fatalf("Send error = %v, want an unknown-authority TLS error", err)
	}
	sessions, auths, delivered := be.snapshot()
	if sessions != 1 || len(auths) != 0 || len(delivered) != 0 {
		t.Errorf("sessions=%d auths=%d delivered=%d; want 1, 0, 0", sessions, len(auths), len(delivered))
	}
}

// A server without STARTTLS (a local relay, a demo catcher): plain text is
// fine, and credentials may follow only when the server is on this machine.
func TestSMTPPlainServerWithoutSTARTTLS(t *testing.T) {
	for _, tc := range []struct {
		url      string
		wantSent bool
	}{
		{"smtp://127.0.0.1", true},                         // no credentials
		{"smtp://mail.agentdesk.test", true},               // no credentials
		{"smtp://agent:s3cret@127.0.0.1", true},            // loopback
		{"smtp://agent:s3cret@localhost", true},            // loopback
		{"smtp://agent:s3cret@mail.agentdesk.test", false}, // would leak the password
	} {
		t.Run(tc.url, func(t *testing.T) {
			be := &backend{}
			port := startServer(t, be, serverOpts{insecure: true})
			s := newSender(t, tc.url+":"+port)
			redirect(t, s, port)

			err := s.Send(sendCtx(t), PasswordChanged("ada@example.com", time.Now()))
			_, auths, delivered := be.snapshot()
			if tc.wantSent {
				if err != nil || len(delivered) != 1 {
					t.Fatalf("Send = %v, delivered %d; want sent", err, len(delivered))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "refusing to send credentials") {
				t.Errorf("Send = %v, want a refusal to send credentials", err)
			}
			if len(auths) != 0 || len(delivered) != 0 {
				t.Errorf("server saw %d auths and %d messages; want none", len(auths), len(delivered))
			}
		})
	}
}

func TestSMTPWrongPasswordFails(t *testing.T) {
	be := &backend{}
	port := startServer(t, be, serverOpts{insecure: true})
	s := newSender(t, "smtp://agent:wrong@127.0.0.1:"+port)
	err := s.Send(sendCtx(t), PasswordChanged("ada@example.com", time.Now()))
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("Send = %v, want a retryable error", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error leaks the password: %v", err)
	}
}

func TestSMTPServerRejections(t *testing.T) {
	for _, tc := range []struct {
		name          string
		be            *backend
		wantPermanent bool
	}{
		{"451 on DATA", &backend{dataErr: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}}, false},
		{"554 on DATA", &backend{dataErr: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content rejected"}}, true},
		{"550 on RCPT", &backend{rcptErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := startServer(t, tc.be, serverOpts{})
			s := newSender(t, "smtp://127.0.0.1:"+port)
			err := s.Send(sendCtx(t), PasswordResetCode("ada@example.com", "493817", 15*time.Minute))
			if err == nil {
				t.Fatal("Send succeeded against a refusing server")
			}
			var se *smtp.SMTPError
			if !errors.As(err, &se) {
				t.Errorf("error %v does not carry the SMTP reply", err)
			}
			if got := errors.Is(err, ErrPermanent); got != tc.wantPermanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tc.wantPermanent, err)
			}
			if strings.Contains(err.Error(), "493817") {
				t.Errorf("error leaks the body: %v", err)
			}
		})
	}
}

func TestSMTPRejectsHeaderInjection(t *testing.T) {
	be := &backend{}
	port := startServer(t, be, serverOpts{})
	s := newSender(t, "smtp://127.0.0.1:"+port)
	for _, m := range []Message{
		{To: "ada@example.com\r\nBcc: eve@example.com", Subject: "hi", Text: "x"},
		{To: "ada@example.com\nBcc: eve@example.com", Subject: "hi", Text: "x"},
		{To: "ada@example.com", Subject: "hi\r\nBcc: eve@example.com", Text: "x"},
		{To: "ada@example.com", Subject: "hi\rX-Evil: 1", Text: "x"},
		{To: "ada@example.com, eve@example.com", Subject: "hi", Text: "x"},
		{To: "not an address", Subject: "hi", Text: "x"},
		{To: "ada@example.com", Subject: "hi"},
	} {
		err := s.Send(sendCtx(t), m)
		if !errors.Is(err, ErrInvalidMessage) || !errors.Is(err, ErrPermanent) {
			t.Errorf("Send(%q, %q) = %v, want a permanent ErrInvalidMessage", m.To, m.Subject, err)
		}
	}
	if sessions, _, _ := be.snapshot(); sessions != 0 {
		t.Errorf("invalid messages opened %d SMTP sessions, want 0", sessions)
	}
}

func TestSMTPSendStopsWithContext(t *testing.T) {
	// A server that accepts and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s := newSender(t, "smtp://"+l.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, PasswordChanged("ada@example.com", time.Now()))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send took %v after its deadline", d)
	}
}

func TestNewSMTPSenderRejectsBadConfiguration(t *testing.T) {
	for _, tc := range []struct{ url, from string }{
		{"http://mail.example.com", "a@example.com"},
		{"smtp://", "a@example.com"},
		{"smtp://user:p%zzass@mail.example.com", "a@example.com"},
		{"smtp://mail.example.com", "not an address"},
		{"smtp://mail.example.com", "a@example.com\r\nBcc: eve@example.com"},
	} {
		_, err := NewSMTPSender(tc.url, tc.from)
		if err == nil {
			t.Errorf("NewSMTPSender(%q, %q) succeeded", tc.url, tc.from)
			continue
		}
		if strings.Contains(err.Error(), "ass@") {
			t.Errorf("error leaks the URL's password: %v", err)
		}
	}
	s, err := NewSMTPSender("smtps://u:p@mail.example.com", "a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(*smtpSender).addr; got != "mail.example.com:465" {
		t.Errorf("smtps default addr = %q", got)
	}
}
