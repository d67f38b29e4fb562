package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// --- fakes -------------------------------------------------------------------

type outboxRow struct {
	Pending
	next      time.Time
	sentAt    time.Time
	sent      bool
	lastError string
}

// memStore is an OutboxStore in memory; rows are kept in insertion order,
// which is "oldest first".
type memStore struct {
	mu       sync.Mutex
	rows     []*outboxRow
	dueCalls int
	dueErr   error
}

func (s *memStore) add(id string, m Message, next time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows = append(s.rows, &outboxRow{Pending: Pending{ID: id, Message: m}, next: next})
}

func (s *memStore) Due(_ context.Context, now time.Time, limit int) ([]Pending, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dueCalls++
	if s.dueErr != nil {
		return nil, s.dueErr
	}
	var due []Pending
	for _, r := range s.rows {
		if !r.sent && !r.next.After(now) && len(due) < limit {
			due = append(due, r.Pending)
		}
	}
	return due, nil
}

func (s *memStore) Claim(_ context.Context, p Pending, now, until time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.find(p.ID)
	if r.sent || r.next.After(now) || r.Attempts != p.Attempts {
		return false, nil
	}
	r.next = until
	return true, nil
}

func (s *memStore) Release(_ context.Context, id string, until, next time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.find(id); !r.sent && r.next.Equal(until) {
		r.next = next
	}
	return nil
}

func (s *memStore) MarkSent(_ context.Context, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.find(id)
	r.sent, r.sentAt = true, at
	return nil
}

func (s *memStore) MarkFailed(_ context.Context, id string, attempts int, next time.Time, lastError string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.find(id)
	r.Attempts, r.next, r.lastError = attempts, next, lastError
	return nil
}

func (s *memStore) find(id string) *outboxRow {
	for _, r := range s.rows {
		if r.ID == id {
			return r
		}
	}
	panic("no outbox row " + id)
}

func (s *memStore) row(id string) outboxRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.find(id)
}

func (s *memStore) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dueCalls
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeSender records what it sends; fail, when set, decides a failure.
type fakeSender struct {
	fail func(ctx context.Context, m Message) error
	mu   sync.Mutex
	sent []string // recipients, in order
	sink chan string
}

func (s *fakeSender) Send(ctx context.Context, m Message) error {
	if s.fail != nil {
		if err := s.fail(ctx, m); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.sent = append(s.sent, m.To)
	s.mu.Unlock()
	if s.sink != nil {
		s.sink <- m.To
	}
	return nil
}

func (s *fakeSender) recipients() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// syncBuffer lets the test read a log that Run's goroutine writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newLog() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func code(i int) Message {
	return PasswordResetCode(fmt.Sprintf("agent%d@example.com", i), fmt.Sprintf("90000%d", i), 15*time.Minute)
}

// --- tests -------------------------------------------------------------------

func TestWorkerSendsDueMessagesOldestFirst(t *testing.T) {
	clock, store, sender := newClock(), &memStore{}, &fakeSender{}
	store.add("1", code(1), clock.Now().Add(-time.Minute))
	store.add("2", code(2), clock.Now().Add(time.Minute)) // not due yet
	store.add("3", code(3), clock.Now())
	w := NewWorker(store, sender, WorkerConfig{}, clock.Now, nil)

	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sender.recipients(); !slices.Equal(got, []string{"agent1@example.com", "agent3@example.com"}) {
		t.Fatalf("sent %v, want agent1 then agent3", got)
	}
	if r := store.row("1"); !r.sent || !r.sentAt.Equal(clock.Now()) {
		t.Errorf("row 1 sent=%v at %v, want sent at %v", r.sent, r.sentAt, clock.Now())
	}
	if store.row("2").sent {
		t.Error("row 2 was sent before it was due")
	}

	clock.Advance(time.Minute)
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sender.recipients(); len(got) != 3 || got[2] != "agent2@example.com" {
		t.Errorf("sent %v, want agent2 once due", got)
	}
}

func TestWorkerRetriesWithGrowingBackoffThenGivesUp(t *testing.T) {
	clock, store := newClock(), &memStore{}
	attempts := 0
	sender := &fakeSender{fail: func(context.Context, Message) error {
		attempts++
		return fmt.Errorf("SMTP error 451: try again later (attempt %d)", attempts)
	}}
	log, logBuf := newLog()
	w := NewWorker(store, sender, WorkerConfig{BaseBackoff: 10 * time.Second, MaxBackoff: time.Minute, MaxAttempts: 5}, clock.Now, log)
	msg := code(7)
	store.add("m", msg, clock.Now())

	// Delays after failures 1..4; the 5th failure gives up.
	for i, wait := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute} {
		if err := w.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := store.row("m")
		if r.Attempts != i+1 || !r.next.Equal(clock.Now().Add(wait)) {
			t.Fatalf("after failure %d: attempts=%d next=+%v, want %d and +%v", i+1, r.Attempts, r.next.Sub(clock.Now()), i+1, wait)
		}
		clock.Advance(wait - time.Second)
		if err := w.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if attempts != i+1 {
			t.Fatalf("retried %v early", time.Second)
		}
		clock.Advance(time.Second)
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := store.row("m")
	if r.Attempts != 5 || !r.next.Equal(NoRetry()) || r.sent {
		t.Fatalf("after MaxAttempts: attempts=%d next=%v sent=%v; want 5, NoRetry, unsent", r.Attempts, r.next, r.sent)
	}
	if !strings.Contains(r.lastError, "attempt 5") {
		t.Errorf("lastError = %q, want the last failure", r.lastError)
	}
	if !strings.Contains(logBuf.String(), "level=ERROR msg=\"mail given up\" mail_id=m attempts=5") {
		t.Errorf("giving up was not logged at ERROR:\n%s", logBuf)
	}

	clock.Advance(365 * 24 * time.Hour)
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if attempts != 5 {
		t.Errorf("a given-up message was tried again (%d attempts)", attempts)
	}
	if strings.Contains(logBuf.String(), "900007") {
		t.Errorf("the log holds the message body:\n%s", logBuf)
	}
}

func TestWorkerOneFailureDoesNotHoldBackOthers(t *testing.T) {
	clock, store := newClock(), &memStore{}
	sender := &fakeSender{fail: func(_ context.Context, m Message) error {
		if m.To == "agent2@example.com" {
			return errors.New("connection reset")
		}
		return nil
	}}
	for i := 1; i <= 3; i++ {
		store.add(fmt.Sprint(i), code(i), clock.Now())
	}
	w := NewWorker(store, sender, WorkerConfig{}, clock.Now, nil)
	if err := w.Flush(context.Background()); err != nil {
		t.Fatalf("Flush = %v; a failed send is not a Flush error", err)
	}
	if got := sender.recipients(); !slices.Equal(got, []string{"agent1@example.com", "agent3@example.com"}) {
		t.Errorf("sent %v, want agent1 and agent3", got)
	}
	if r := store.row("2"); r.sent || r.Attempts != 1 || r.lastError != "connection reset" {
		t.Errorf("row 2 = %+v, want one recorded failure", r)
	}
}

func TestWorkerGivesUpAtOnceOnPermanentError(t *testing.T) {
	clock, store := newClock(), &memStore{}
	sender := &fakeSender{fail: func(context.Context, Message) error {
		return Permanent(errors.New("SMTP error 550: no such user"))
	}}
	store.add("m", code(1), clock.Now())
	w := NewWorker(store, sender, WorkerConfig{MaxAttempts: 10}, clock.Now, nil)
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := store.row("m"); r.Attempts != 1 || !r.next.Equal(NoRetry()) {
		t.Errorf("row = attempts %d next %v, want given up after 1", r.Attempts, r.next)
	}
}

func TestWorkerFlushDrainsEveryBatch(t *testing.T) {
	clock, store, sender := newClock(), &memStore{}, &fakeSender{}
	for i := range 7 {
		store.add(fmt.Sprint(i), code(i), clock.Now())
	}
	w := NewWorker(store, sender, WorkerConfig{Batch: 2}, clock.Now, nil)
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(sender.recipients()); n != 7 {
		t.Errorf("Flush sent %d of 7 messages", n)
	}
}

// With a clock that does not move and a failure that is due again at once,
// Flush must still end.
func TestWorkerFlushEndsWhenRetriesAreDueImmediately(t *testing.T) {
	clock, store := newClock(), &memStore{}
	sender := &fakeSender{fail: func(context.Context, Message) error { return errors.New("down") }}
	for i := range 3 {
		store.add(fmt.Sprint(i), code(i), clock.Now())
	}
	w := NewWorker(store, sender, WorkerConfig{Batch: 3}, clock.Now, nil)
	w.cfg.BaseBackoff, w.cfg.MaxBackoff = 0, 0 // due again at once; the config cannot say so
	done := make(chan error)
	go func() { done <- w.Flush(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Flush loops")
	}
	for i := range 3 {
		if r := store.row(fmt.Sprint(i)); r.Attempts != 1 {
			t.Errorf("row %d tried %d times in one Flush, want 1", i, r.Attempts)
		}
	}
}

func TestWorkerFlushReportsStoreErrors(t *testing.T) {
	store := &memStore{dueErr: errors.New("database is locked")}
	w := NewWorker(store, &fakeSender{}, WorkerConfig{}, newClock().Now, nil)
	if err := w.Flush(context.Background()); err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("Flush = %v, want the store's error", err)
	}
}

// A send interrupted by Flush's own ctx is not a failed attempt.
func TestWorkerFlushCancelledDoesNotCountAnAttempt(t *testing.T) {
	clock, store := newClock(), &memStore{}
	ctx, cancel := context.WithCancel(context.Background())
	sender := &fakeSender{fail: func(sendCtx context.Context, _ Message) error {
		cancel()
		<-sendCtx.Done()
		return sendCtx.Err()
	}}
	store.add("m", code(1), clock.Now())
	w := NewWorker(store, sender, WorkerConfig{}, clock.Now, nil)
	if err := w.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Flush = %v, want Canceled", err)
	}
	if r := store.row("m"); r.Attempts != 0 || !r.next.Equal(clock.Now()) {
		t.Errorf("row = attempts %d next %v; want untouched", r.Attempts, r.next)
	}
}

func TestWorkerRunKickAndStop(t *testing.T) {
	clock, store := newClock(), &memStore{}
	sender := &fakeSender{sink: make(chan string, 10)}
	// An hour between polls: within this test only Kick can cause a send.
	w := NewWorker(store, sender, WorkerConfig{Interval: time.Hour}, clock.Now, nil)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); w.Run(ctx) }()

	waitFor(t, "Run's first drain", func() bool { return store.calls() >= 1 })
	store.add("m", code(1), clock.Now())
	select {
	case to := <-sender.sink:
		t.Fatalf("sent %s without a Kick", to)
	case <-time.After(50 * time.Millisecond):
	}
	w.Kick()
	select {
	case <-sender.sink:
	case <-time.After(5 * time.Second):
		t.Fatal("Kick did not wake Run")
	}
	w.Kick()
	w.Kick() // never blocks, even with nobody receiving

	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its ctx was cancelled")
	}
	if !store.row("m").sent {
		t.Error("the sent message is not marked sent")
	}
}

// Stopping Run lets the message in flight finish and be marked sent, so a
// shutdown does not send it twice.
func TestWorkerRunFinishesTheSendInFlight(t *testing.T) {
	clock, store := newClock(), &memStore{}
	started, release := make(chan struct{}), make(chan struct{})
	sender := &fakeSender{fail: func(ctx context.Context, _ Message) error {
		close(started)
		<-release
		return ctx.Err()
	}}
	store.add("1", code(1), clock.Now())
	store.add("2", code(2), clock.Now())
	w := NewWorker(store, sender, WorkerConfig{Interval: time.Hour}, clock.Now, nil)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); w.Run(ctx) }()

	<-started
	cancel()
	close(release)
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	if !store.row("1").sent {
		t.Error("the send in flight was abandoned")
	}
	if store.row("2").sent {
		t.Error("Run started another send after its ctx was cancelled")
	}
}

func TestWorkerBackoff(t *testing.T) {
	w := NewWorker(&memStore{}, &fakeSender{}, WorkerConfig{BaseBackoff: time.Second, MaxBackoff: 100 * 365 * 24 * time.Hour}, nil, nil)
	for _, tc := range []struct {
		attempts int
		want     time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {11, 1024 * time.Second}, {200, 100 * 365 * 24 * time.Hour}} {
		if got := w.backoff(tc.attempts); got != tc.want {
			t.Errorf("backoff(%d) = %v, want %v", tc.attempts, got, tc.want)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
