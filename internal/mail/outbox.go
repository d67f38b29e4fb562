package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// The outbox: a caller that must send mail inserts the message in the outbox
// table inside its own transaction, so the mail exists if and only if the
// change it reports committed. The Worker drains the table afterwards and
// retries failures with exponential backoff. Delivery is at least once: a
// crash between the SMTP server accepting a message and MarkSent sends it
// again on the next run, which for these messages is harmless.
//
// Several processes may drain one table (instances on one PostgreSQL
// database). Each message is claimed before it is sent: Claim moves its
// next attempt past the send's time limit in one conditional UPDATE, which
// only one worker can win, so no message is sent by two. A worker that
// dies holding a claim only delays the message until the claim runs out.

// Pending is one unsent outbox row. Attempts counts the sends tried so far.
type Pending struct {
	ID       string
	Message  Message
	Attempts int
}

// OutboxStore is what the worker needs from the outbox table.
type OutboxStore interface {
	// Due returns at most limit unsent messages whose next attempt is at or
	// before now, oldest first.
	Due(ctx context.Context, now time.Time, limit int) ([]Pending, error)
	// Claim takes p for one send attempt: it succeeds only while p is
	// still unsent, due at now and at p.Attempts, and then makes p due
	// again only at until, so no other worker takes it meanwhile. false
	// means another worker got it first.
	Claim(ctx context.Context, p Pending, now, until time.Time) (bool, error)
	// Release gives back a claim that ends without an attempt (the
	// worker was stopped mid-send): the message is due at next again,
	// unless something else changed it since it was claimed until until.
	Release(ctx context.Context, id string, until, next time.Time) error
	// MarkSent records that the message was accepted by the mail server.
	MarkSent(ctx context.Context, id string, at time.Time) error
	// MarkFailed records a failed attempt: attempts is the new count, next
	// when to try again. When the worker gives a message up, next is
	// NoRetry(), which Due's "next <= now" never reaches. lastError never
	// contains the message body.
	MarkFailed(ctx context.Context, id string, attempts int, next time.Time, lastError string) error
}

// NoRetry is the next-attempt time of a message the worker has given up: a
// fixed date so far ahead that a store needs no special case to stop
// returning it, and can still recognise such rows.
func NoRetry() time.Time { return time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) }

// WorkerConfig tunes the worker; a zero field takes the default shown.
type WorkerConfig struct {
	Interval    time.Duration // between polls when not kicked; 2s
	Batch       int           // messages read per Due call; 20
	MaxAttempts int           // attempts after which a message is given up; 10
	BaseBackoff time.Duration // wait after the first failure, doubled after each further one; 10s
	MaxBackoff  time.Duration // cap on that wait; 30m
	SendTimeout time.Duration // bound on one Send; 30s
}

func (c WorkerConfig) withDefaults() WorkerConfig {
	if c.Interval <= 0 {
		c.Interval = 2 * time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 20
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.BaseBackoff <= 0 {
		c.BaseBackoff = 10 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Minute
	}
	if c.MaxBackoff < c.BaseBackoff {
		c.MaxBackoff = c.BaseBackoff
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 30 * time.Second
	}
	return c
}

// Worker delivers the outbox. Run polls it; Kick and Flush are safe to call
// from any goroutine at any time, and two drains never overlap. Workers of
// other processes may drain the same table: each message is claimed before
// it is sent (see OutboxStore.Claim).
type Worker struct {
	store  OutboxStore
	sender Sender
	cfg    WorkerConfig
	now    func() time.Time
	log    *slog.Logger

	kick     chan struct{}
	draining sync.Mutex // held by a drain, so two never overlap
}

// NewWorker returns a worker that sends store's due messages with sender.
// now defaults to time.Now and log to a logger that discards.
func NewWorker(store OutboxStore, sender Sender, cfg WorkerConfig, now func() time.Time, log *slog.Logger) *Worker {
	if store == nil || sender == nil {
		panic("mail: NewWorker needs a store and a sender")
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{
		store:  store,
		sender: sender,
		cfg:    cfg.withDefaults(),
		now:    now,
		log:    log,
		kick:   make(chan struct{}, 1),
	}
}

// Kick wakes Run for an immediate drain; call it after committing a
// transaction that enqueued mail. It never blocks, and kicks that arrive
// while a drain is pending collapse into one.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run drains the outbox at once, then on every Interval and every Kick, until
// ctx is done. Cancelling ctx lets the message being sent finish (within
// SendTimeout) and stops before the next one; call Flush afterwards to send
// what is still due.
func (w *Worker) Run(ctx context.Context) {
	work := context.WithoutCancel(ctx)
	timer := time.NewTimer(w.cfg.Interval)
	defer timer.Stop()
	for {
		if err := w.drainDue(ctx, work); err != nil && ctx.Err() == nil {
			w.log.WarnContext(work, "mail outbox: drain failed", slog.Any("error", err))
		}
		timer.Reset(w.cfg.Interval)
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-timer.C:
		}
	}
}

// Flush sends every message due now and returns when none is left, or when
// ctx is done. A message that fails is scheduled for retry as usual and is
// not an error of Flush; errors are the store's, or ctx's.
func (w *Worker) Flush(ctx context.Context) error {
	return w.drainDue(ctx, ctx)
}

// drainDue sends due messages batch by batch. stop is checked between
// messages; work carries the sends and store calls, so that Run can let the
// message in flight finish after its ctx is cancelled.
func (w *Worker) drainDue(stop, work context.Context) error {
	w.draining.Lock()
	defer w.draining.Unlock()

	// A message retried within this drain (a clock that does not move, a
	// zero backoff) must not keep the loop going forever.
	tried := make(map[string]bool)
	for {
		if err := stop.Err(); err != nil {
			return err
		}
		due, err := w.store.Due(work, w.now(), w.cfg.Batch)
		if err != nil {
			return fmt.Errorf("mail outbox: reading due messages: %w", err)
		}
		fresh := 0
		var errs []error
		for _, p := range due {
			if tried[p.ID] {
				continue
			}
			if err := stop.Err(); err != nil {
				return errors.Join(append(errs, err)...)
			}
			tried[p.ID] = true
			fresh++
			// One message's failure must not hold back the others: go on
			// with the batch and report store errors at the end.
			if err := w.deliver(work, p); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		if len(due) < w.cfg.Batch || fresh == 0 {
			return nil
		}
	}
}

// claimMargin is how long a claim outlives the send's time limit: the
// store calls before and after the send take time too.
const claimMargin = time.Minute

// deliver claims one message, sends it and records the outcome. It returns
// only errors of the store or of ctx; a failed send is recorded, not
// returned, and a message another worker claimed first is left to it.
func (w *Worker) deliver(ctx context.Context, p Pending) error {
	now := w.now()
	// Microseconds: PostgreSQL keeps no finer time, and Release finds the
	// claim by this value.
	until := now.Add(w.cfg.SendTimeout + claimMargin).UTC().Truncate(time.Microsecond)
	claimed, err := w.store.Claim(ctx, p, now, until)
	if err != nil {
		return fmt.Errorf("mail outbox: claiming %s: %w", p.ID, err)
	}
	if !claimed {
		return nil
	}
	sendCtx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	sendErr := w.sender.Send(sendCtx, p.Message)
	cancel()

	if sendErr == nil {
		if err := w.store.MarkSent(ctx, p.ID, w.now()); err != nil {
			w.log.ErrorContext(ctx, "mail outbox: sent but not marked sent; it will be sent again",
				slog.String("mail_id", p.ID), slog.Any("error", err))
			return fmt.Errorf("mail outbox: marking %s sent: %w", p.ID, err)
		}
		w.log.InfoContext(ctx, "mail sent", slog.String("mail_id", p.ID), slog.Int("attempts", p.Attempts+1))
		return nil
	}
	if err := ctx.Err(); err != nil {
		// Interrupted by our caller, not failed: give the message back as
		// it was, due now, for the next drain here or elsewhere.
		release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if rerr := w.store.Release(release, p.ID, until, now); rerr != nil {
			w.log.WarnContext(release, "mail outbox: claim not released; the message waits until it runs out",
				slog.String("mail_id", p.ID), slog.Any("error", rerr))
		}
		return err
	}

	attempts := p.Attempts + 1
	lastError := truncateError(sendErr.Error())
	if errors.Is(sendErr, ErrPermanent) || attempts >= w.cfg.MaxAttempts {
		if err := w.store.MarkFailed(ctx, p.ID, attempts, NoRetry(), lastError); err != nil {
			return fmt.Errorf("mail outbox: marking %s failed: %w", p.ID, err)
		}
		w.log.ErrorContext(ctx, "mail given up",
			slog.String("mail_id", p.ID), slog.Int("attempts", attempts),
			slog.Bool("permanent", errors.Is(sendErr, ErrPermanent)), slog.String("error", lastError))
		return nil
	}
	next := w.now().Add(w.backoff(attempts))
	if err := w.store.MarkFailed(ctx, p.ID, attempts, next, lastError); err != nil {
		return fmt.Errorf("mail outbox: marking %s failed: %w", p.ID, err)
	}
	w.log.WarnContext(ctx, "mail send failed; will retry",
		slog.String("mail_id", p.ID), slog.Int("attempts", attempts),
		slog.Time("next_attempt", next), slog.String("error", lastError))
	return nil
}

// backoff is the wait after the given number of failed attempts:
// BaseBackoff·2^(attempts-1), capped at MaxBackoff. No jitter: one worker per
// table has no herd to spread, and fixed delays can be tested exactly.
func (w *Worker) backoff(attempts int) time.Duration {
	d := w.cfg.BaseBackoff
	for i := 1; i < attempts; i++ {
		if d >= w.cfg.MaxBackoff/2 { // also keeps d*2 from overflowing
			return w.cfg.MaxBackoff
		}
		d *= 2
	}
	return min(d, w.cfg.MaxBackoff)
}

const maxLastError = 500

func truncateError(s string) string {
	if len(s) <= maxLastError {
		return s
	}
	return strings.ToValidUTF8(s[:maxLastError], "") + "…"
}
