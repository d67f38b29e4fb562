package mail

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/outboxmessage"
)

// EntStore is the outbox in the database (the OutboxMessage table): Enqueue
// writes a message inside the caller's transaction, and the Worker reads it
// back through the OutboxStore methods once that transaction committed.
type EntStore struct {
	db  *ent.Client
	now func() time.Time
}

// NewEntStore returns the outbox of db; now (time.Now when nil) stamps new
// rows, so a message is due at once by the same clock the Worker reads.
func NewEntStore(db *ent.Client, now func() time.Time) *EntStore {
	if now == nil {
		now = time.Now
	}
	return &EntStore{db: db, now: now}
}

var _ OutboxStore = (*EntStore)(nil)

// maxRecipientBytes is the column's limit (RFC 5321's 254 for a path).
const maxRecipientBytes = 254

// Enqueue adds m to the outbox through tx, the client of the transaction
// that makes the change m reports: the message then exists if and only if
// that change commits. A message no retry could send is refused here, while
// the caller can still roll back, instead of failing later in the worker.
// Kick the Worker after the commit.
func (s *EntStore) Enqueue(ctx context.Context, tx *ent.Client, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if len(m.To) > maxRecipientBytes {
		return invalid("recipient longer than 254 bytes")
	}
	now := s.now()
	err := tx.OutboxMessage.Create().
		SetTo(m.To).
		SetSubject(m.Subject).
		SetTextBody(m.Text).
		SetHTMLBody(m.HTML).
		SetCreatedAt(now).
		SetNextAttemptAt(now).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("mail outbox: enqueue: %w", err)
	}
	return nil
}

// Due returns unsent messages not given up whose next attempt is due,
// oldest first (the index on sent_at, failed_at, next_attempt_at serves it).
func (s *EntStore) Due(ctx context.Context, now time.Time, limit int) ([]Pending, error) {
	rows, err := s.db.OutboxMessage.Query().
		Where(
			outboxmessage.SentAtIsNil(),
			outboxmessage.FailedAtIsNil(),
			outboxmessage.NextAttemptAtLTE(now),
		).
		Order(ent.Asc(outboxmessage.FieldCreatedAt), ent.Asc(outboxmessage.FieldID)).
		Limit(limit).
		All(ctx)
	if err != nil {
		return nil, err
	}
	due := make([]Pending, len(rows))
	for i, r := range rows {
		due[i] = Pending{
			ID:       r.ID,
			Message:  Message{To: r.To, Subject: r.Subject, Text: r.TextBody, HTML: r.HTMLBody},
			Attempts: r.Attempts,
		}
	}
	return due, nil
}

// Claim takes p for one attempt with a conditional UPDATE: on PostgreSQL a
// concurrent claim of the same row waits for the row lock and then finds
// the condition false, so exactly one wins; SQLite runs writers one at a
// time. (SELECT … FOR UPDATE SKIP LOCKED would hold the lock, and a
// connection, through the SMTP conversation; the claim holds nothing.)
func (s *EntStore) Claim(ctx context.Context, p Pending, now, until time.Time) (bool, error) {
	n, err := s.db.OutboxMessage.Update().
		Where(
			outboxmessage.ID(p.ID),
			outboxmessage.SentAtIsNil(),
			outboxmessage.FailedAtIsNil(),
			outboxmessage.NextAttemptAtLTE(now),
			outboxmessage.Attempts(p.Attempts),
		).
		SetNextAttemptAt(until).
		Save(ctx)
	return n == 1, err
}

// Release makes a claimed message due at next again, if it is still
// unsent and claimed until until.
func (s *EntStore) Release(ctx context.Context, id string, until, next time.Time) error {
	_, err := s.db.OutboxMessage.Update().
		Where(
			outboxmessage.ID(id),
			outboxmessage.SentAtIsNil(),
			outboxmessage.FailedAtIsNil(),
			outboxmessage.NextAttemptAt(until),
		).
		SetNextAttemptAt(next).
		Save(ctx)
	return err
}

// MarkSent records the delivery.
func (s *EntStore) MarkSent(ctx context.Context, id string, at time.Time) error {
	return s.db.OutboxMessage.UpdateOneID(id).SetSentAt(at).Exec(ctx)
}

// MarkFailed records a failed attempt. A message given up (next is
// NoRetry) also gets failed_at, which takes it out of Due for good and lets
// an operator find what was never delivered.
func (s *EntStore) MarkFailed(ctx context.Context, id string, attempts int, next time.Time, lastError string) error {
	// The worker already shortens errors (truncateError); this guards the
	// column's limit for any other caller.
	if len(lastError) > 1000 {
		lastError = strings.ToValidUTF8(lastError[:1000], "")
	}
	u := s.db.OutboxMessage.UpdateOneID(id).
		SetAttempts(attempts).
		SetNextAttemptAt(next).
		SetLastError(lastError)
	if next.Equal(NoRetry()) {
		u.SetFailedAt(s.now())
	}
	return u.Exec(ctx)
}

// Outbox is how the rest of the service sends mail: Enqueue inside a
// transaction, Kick once it committed. It joins the store and its Worker so
// a flow needs one dependency, not two.
type Outbox struct {
	Store  *EntStore
	Worker *Worker
}

// Enqueue adds m to the outbox inside the transaction of tx.
func (o Outbox) Enqueue(ctx context.Context, tx *ent.Client, m Message) error {
	return o.Store.Enqueue(ctx, tx, m)
}

// Kick asks the worker to send what is due now; call it after the commit.
func (o Outbox) Kick() { o.Worker.Kick() }
