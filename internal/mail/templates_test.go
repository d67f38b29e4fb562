package mail

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordResetCode(t *testing.T) {
	m := PasswordResetCode("ada@example.com", "493817", 15*time.Minute)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.To != "ada@example.com" {
		t.Errorf("To = %q", m.To)
	}
	if strings.Contains(m.Subject, "493817") {
		t.Error("the code is in the subject")
	}
	if !strings.HasPrefix(m.Text, "Your agentdesk confirmation code is 493817\n") {
		t.Errorf("Text starts %q", firstLine(m.Text))
	}
	for _, body := range []string{m.Text, m.HTML} {
		if !strings.Contains(body, "493817") || !strings.Contains(body, "valid for 15 minutes") {
			t.Errorf("body lacks the code or its validity:\n%s", body)
		}
	}
}

func TestTemplatesEscapeHTML(t *testing.T) {
	m := PasswordResetCode("ada@example.com", `<script>alert(1)</script>`, time.Hour)
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;") {
		t.Errorf("HTML is not escaped:\n%s", m.HTML)
	}
}

func TestPasswordChangedShowsUTC(t *testing.T) {
	at := time.Date(2025, 3, 4, 10, 30, 0, 0, time.FixedZone("CET", 3600))
	m := PasswordChanged("ada@example.com", at)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{m.Text, m.HTML} {
		if !strings.Contains(body, "Tuesday 4 March 2025 at 09:30 UTC") {
			t.Errorf("body lacks the UTC time:\n%s", body)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		15 * time.Minute:        "15 minutes",
		time.Minute:             "1 minute",
		90 * time.Second:        "2 minutes",
		time.Hour:               "1 hour",
		2 * time.Hour:           "2 hours",
		time.Hour + time.Minute: "61 minutes",
		30 * time.Second:        "30 seconds",
		7 * 24 * time.Hour:      "7 days",
		25 * time.Hour:          "25 hours",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
