// Package mail owns the e-mail agentdesk sends: the two messages of the
// product (password reset code, password changed), the senders that deliver a
// message (SMTP, or the log for the demo), and the outbox worker that delivers
// rows enqueued inside a database transaction once that transaction has
// committed, retrying with backoff so a message is never lost to a mail
// server that is briefly down.
//
// Bodies may hold one-time codes: nothing in this package logs or returns a
// body in an error, except the LogSender, whose whole point is to show it.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Message is one e-mail to one recipient. To is an RFC 5322 address, with or
// without a display name ("Ada <ada@example.com>"). HTML is optional; when it
// is set the message goes out as multipart/alternative with both bodies.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers one message. A returned error must never contain the
// message body: the outbox stores it as the row's last error.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage is returned (wrapped, and marked permanent) for a message
// that no retry can deliver: a bad recipient address, CR or LF in a header, no
// body.
var ErrInvalidMessage = errors.New("mail: invalid message")

// ErrPermanent matches, with errors.Is, any error after which retrying the
// same message is pointless (an invalid message, a recipient or content
// rejected with a 5xx reply). The worker gives such a message up at once
// instead of spending its remaining attempts.
var ErrPermanent = errors.New("mail: permanent failure")

// Permanent marks err as permanent (see ErrPermanent) while keeping it
// inspectable with errors.Is and errors.As. Senders other than this package's
// may use it too.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

type permanentError struct{ err error }

func (e permanentError) Error() string      { return e.err.Error() }
func (e permanentError) Unwrap() error      { return e.err }
func (permanentError) Is(target error) bool { return target == ErrPermanent }

const maxSubjectBytes = 250

// Validate reports whether m can be sent at all, so a caller can reject it
// before enqueueing it. The errors name the field, never echo its value.
func (m Message) Validate() error {
	_, err := m.recipient()
	if err != nil {
		return err
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return invalid("subject contains CR or LF")
	}
	// Headers are not folded: keep the encoded line well under RFC 5322's 998.
	if len(m.Subject) > maxSubjectBytes {
		return invalid("subject too long")
	}
	if m.Text == "" && m.HTML == "" {
		return invalid("no body")
	}
	return nil
}

// recipient parses To into exactly one address. CR/LF is checked first and
// explicitly: it is the header-injection case and must not depend on how
// lenient the address parser happens to be.
func (m Message) recipient() (*mail.Address, error) {
	if strings.ContainsAny(m.To, "\r\n") {
		return nil, invalid("recipient contains CR or LF")
	}
	if strings.TrimSpace(m.To) == "" {
		return nil, invalid("no recipient")
	}
	addr, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, invalid("recipient is not one valid address")
	}
	return addr, nil
}

func invalid(reason string) error {
	return Permanent(fmt.Errorf("%w: %s", ErrInvalidMessage, reason))
}
