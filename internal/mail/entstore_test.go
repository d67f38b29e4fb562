package mail

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/outboxmessage"
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

// Workers of several processes drain one outbox table at once (each with
// its own connection pool, as separate instances have): every message is
// sent exactly once. On PostgreSQL (AGENTDESK_TEST_DATABASE_URL) this is
// the multi-instance case; on SQLite the same claims hold.
func TestWorkersOfSeveralProcessesSendEachMessageOnce(t *testing.T) {
	ctx := context.Background()
	u, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	const workers, messages = 4, 60
	var dbs []*ent.Client
	for range workers {
		db, err := store.Open(u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db.Client)
	}
	clock := newClock()
	for i := range messages {
		if err := NewEntStore(dbs[0], clock.Now).Enqueue(ctx, dbs[0], code(i)); err != nil {
			t.Fatal(err)
		}
	}
	// One sender counts for all workers; a slow send widens the window in
	// which two workers could take the same message.
	var mu sync.Mutex
	sent := map[string]int{}
	sender := &fakeSender{fail: func(_ context.Context, m Message) error {
		time.Sleep(time.Millisecond)
		mu.Lock()
		sent[m.To]++
		mu.Unlock()
		return nil
	}}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, db := range dbs {
		w := NewWorker(NewEntStore(db, clock.Now), sender, WorkerConfig{Batch: 7}, clock.Now, nil)
		wg.Go(func() {
			<-start
			if err := w.Flush(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if len(sent) != messages {
		t.Errorf("%d distinct messages sent, want %d", len(sent), messages)
	}
	for to, n := range sent {
		if n != 1 {
			t.Errorf("%s sent %d times", to, n)
		}
	}
	if n := dbs[0].OutboxMessage.Query().Where(outboxmessage.SentAtIsNil()).CountX(ctx); n != 0 {
		t.Errorf("%d messages left unsent", n)
	}
}

// A claim keeps other workers off a message until it runs out; a released
// claim makes the message due again at once.
func TestEntStoreClaim(t *testing.T) {
	ctx := context.Background()
	db, clock := openDB(t), newClock()
	s := NewEntStore(db, clock.Now)
	if err := s.Enqueue(ctx, db, code(1)); err != nil {
		t.Fatal(err)
	}
	due, err := s.Due(ctx, clock.Now(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %+v %v", due, err)
	}
	p, now := due[0], clock.Now()
	until := now.Add(time.Minute)
	if ok, err := s.Claim(ctx, p, now, until); !ok || err != nil {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, err := s.Claim(ctx, p, now, until); ok || err != nil {
		t.Fatalf("second claim of a claimed message: %v %v", ok, err)
	}
	if due, _ := s.Due(ctx, now, 10); len(due) != 0 {
		t.Fatalf("a claimed message is due: %+v", due)
	}
	// A claim with a stale attempt count loses too.
	stale := p
	stale.Attempts = 3
	if ok, _ := s.Claim(ctx, stale, until, until.Add(time.Minute)); ok {
		t.Fatal("a claim with a stale attempt count won")
	}
	if err := s.Release(ctx, p.ID, until, now); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.Due(ctx, now, 10); len(due) != 1 {
		t.Fatalf("released message not due: %+v", due)
	}
	// The claim ran out: another worker may take it.
	if ok, err := s.Claim(ctx, p, until, until.Add(time.Minute)); !ok || err != nil {
		t.Fatalf("claim after release: %v %v", ok, err)
	}
}
