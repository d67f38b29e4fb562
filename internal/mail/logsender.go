package mail

import (
	"context"
	"log/slog"
)

// NewLogSender returns a Sender that delivers nothing: it writes the
// recipient, subject and text body to l at INFO, so the demo runs without an
// SMTP server.
//
// The text body goes to the log on purpose, password reset codes included:
// in this mode the log is the only place an operator can read a code. Never
// use it where the log is readable by anyone who should not hold every
// account's reset code; configure an SMTP URL instead.
func NewLogSender(l *slog.Logger) Sender {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return logSender{log: l}
}

type logSender struct{ log *slog.Logger }

func (s logSender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "mail not sent: log sender",
		slog.String("to", m.To),
		slog.String("subject", m.Subject),
		slog.String("text", m.Text))
	return nil
}
