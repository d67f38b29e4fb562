package mail

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
)

func openDB(t *testing.T) *ent.Client {
	t.Helper()
	db := storetest.Open(t)
	return db.Client
}

// A message exists if and only if the transaction that enqueued it commits.
func TestEntStoreEnqueueFollowsTheTransaction(t *testing.T) {
	ctx := context.Background()
	db, clock := openDB(t), newClock()
	s := NewEntStore(db, clock.Now)

	errRollback := errors.New("the change failed")
	err := store.WithTx(ctx, db, func(tx *ent.Tx) error {
		if err := s.Enqueue(ctx, tx.Client(), code(1)); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	err = store.WithTx(ctx, db, func(tx *ent.Tx) error { return s.Enqueue(ctx, tx.Client(), code(2)) })
	if err != nil {
		t.Fatal(err)
	}

	due, err := s.Due(ctx, clock.Now(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].Message != code(2) || due[0].Attempts != 0 {
		t.Fatalf("due = %+v, want only the committed message, unchanged", due)
	}
}

func TestEntStoreRefusesUnsendableMessages(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s := NewEntStore(db, nil)
	long := code(1)
	long.To = "agent@" + strings.Repeat("a", 250) + ".example" // a valid address, too long to store
	for _, m := range []Message{
		{To: "ada@example.com\r\nBcc: eve@example.com", Subject: "x", Text: "x"},
		{To: "ada@example.com", Subject: "no body"},
		long,
	} {
		if err := s.Enqueue(ctx, db, m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("Enqueue(%.30q) = %v, want ErrInvalidMessage", m.To, err)
		}
	}
	if n := db.OutboxMessage.Query().CountX(ctx); n != 0 {
		t.Errorf("%d rows written for unsendable messages", n)
	}
}

// The worker drains the database outbox: oldest first, retried with
// backoff, given up (failed_at set) after MaxAttempts, never sent twice.
func TestWorkerWithEntStore(t *testing.T) {
	ctx := context.Background()
	db, clock := openDB(t), newClock()
	s := NewEntStore(db, clock.Now)
	for i := range 3 {
		if err := s.Enqueue(ctx, db, code(i)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	sender := &fakeSender{fail: func(_ context.Context, m Message) error {
		if m.To == "agent1@example.com" {
			return errors.New("421 try later")
		}
		return nil
	}}
	w := NewWorker(s, sender, WorkerConfig{MaxAttempts: 2, BaseBackoff: time.Minute}, clock.Now, nil)

	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sender.recipients(); len(got) != 2 || got[0] != "agent0@example.com" || got[1] != "agent2@example.com" {
		t.Fatalf("sent %v, want agent0 then agent2", got)
	}
	failed := db.OutboxMessage.Query().AllX(ctx)
	var retry *ent.OutboxMessage
	for _, m := range failed {
		if m.To == "agent1@example.com" {
			retry = m
		} else if m.SentAt == nil || !m.SentAt.Equal(clock.Now()) {
			t.Errorf("%s: sent_at %v, want %v", m.To, m.SentAt, clock.Now())
		}
	}
	if retry.Attempts != 1 || !retry.NextAttemptAt.Equal(clock.Now().Add(time.Minute)) || retry.LastError != "421 try later" || retry.FailedAt != nil {
		t.Fatalf("after one failure: %+v", retry)
	}

	clock.Advance(time.Minute)
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	retry = db.OutboxMessage.GetX(ctx, retry.ID)
	if retry.Attempts != 2 || retry.FailedAt == nil || !retry.NextAttemptAt.Equal(NoRetry()) {
		t.Fatalf("after MaxAttempts: %+v, want given up", retry)
	}
	clock.Advance(24 * time.Hour)
	if due, err := s.Due(ctx, clock.Now(), 10); err != nil || len(due) != 0 {
		t.Fatalf("due after everything was sent or given up: %+v, %v", due, err)
	}
	if n := len(sender.recipients()); n != 2 {
		t.Errorf("%d messages sent in all, want 2", n)
	}
}
