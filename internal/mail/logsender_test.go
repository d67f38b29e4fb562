package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLogSenderWritesTheMessageAtInfo(t *testing.T) {
	var buf bytes.Buffer
	s := NewLogSender(slog.New(slog.NewJSONHandler(&buf, nil)))

	if err := s.Send(context.Background(), PasswordResetCode("ada@example.com", "493817", 15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log is not one JSON record: %v\n%s", err, buf.String())
	}
	if rec["level"] != "INFO" || rec["to"] != "ada@example.com" || rec["subject"] != "Your agentdesk confirmation code" {
		t.Errorf("record = %v", rec)
	}
	if text, _ := rec["text"].(string); !strings.Contains(text, "493817") {
		t.Errorf("the text body (and its code) is missing: %v", rec)
	}
	if strings.Contains(buf.String(), "<html") {
		t.Error("the HTML body was logged too")
	}
}

func TestLogSenderRejectsInvalidMessages(t *testing.T) {
	var buf bytes.Buffer
	s := NewLogSender(slog.New(slog.NewJSONHandler(&buf, nil)))
	err := s.Send(context.Background(), Message{To: "ada@example.com\r\nBcc: eve@example.com", Subject: "x", Text: "x"})
	if !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("Send = %v, want ErrInvalidMessage", err)
	}
	if buf.Len() != 0 {
		t.Errorf("an invalid message was logged: %s", buf.String())
	}
}
