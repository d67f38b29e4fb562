package mailtest_test

import (
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/mail/mailtest"
)

func send(t *testing.T, s *mailtest.Server, to, body string) {
	t.Helper()
	msg := "From: a@example.test\r\nTo: " + to + "\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\n" + body + "\r\n"
	if err := smtp.SendMail(s.Addr, nil, "a@example.test", []string{to}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// Next takes mails in the order they came; NextTo takes a recipient's and
// leaves the others queued.
func TestOrderAndRecipients(t *testing.T) {
	s := mailtest.Start(t)
	send(t, s, "One@example.test", "first")
	send(t, s, "two@example.test", "second")
	send(t, s, "one@example.test", "third")

	m, err := s.NextTo("two@example.test", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if text, _, _ := m.Parts(); !strings.Contains(text, "second") || !slices.Equal(m.To, []string{"two@example.test"}) {
		t.Fatalf("NextTo(two) = %v %q", m.To, text)
	}
	for _, want := range []string{"first", "third"} {
		m := s.Next(t)
		if text, html, err := m.Parts(); err != nil || !strings.Contains(text, want) || html != "" || m.From != "a@example.test" {
			t.Fatalf("Next = %+v %q %q %v, want %q", m.To, text, html, err, want)
		}
	}
	if _, err := s.NextTo("one@example.test", 50*time.Millisecond); err == nil {
		t.Fatal("a mail was taken twice")
	}
}
