package signin

import (
	"context"
	"time"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// ThrottleConfig sets how a Throttle grows and forgets waits. A zero field
// takes the default given in its comment.
type ThrottleConfig struct {
	// FreeAttempts is how many failures a key may have before it must wait
	// (default 5).
	FreeAttempts int
	// BaseDelay is the wait after the FreeAttempts-th failure; each further
	// failure doubles it (default 1s).
	BaseDelay time.Duration
	// MaxDelay caps the wait (default 15m), so no one can lock an account
	// for longer by failing on purpose.
	MaxDelay time.Duration
	// Forget is how long after its last failure a key starts afresh
	// (default 1h). It is raised to MaxDelay when shorter, so a key is never
	// forgotten while it still has to wait.
	Forget time.Duration
	// MaxKeys bounds the keys kept (default 100,000): the clean-up drops
	// the keys with the oldest last failure beyond it.
	MaxKeys int
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.FreeAttempts <= 0 {
		c.FreeAttempts = 5
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 15 * time.Minute
	}
	if c.MaxDelay < c.BaseDelay {
		c.MaxDelay = c.BaseDelay
	}
	if c.Forget <= 0 {
		c.Forget = time.Hour
	}
	if c.Forget < c.MaxDelay {
		c.Forget = c.MaxDelay
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = 100_000
	}
	return c
}

// ThrottleEntry is the state of one throttle key.
type ThrottleEntry struct {
	Failures int
	Last     time.Time // the last failure
	Until    time.Time // no attempt before this
	// Expires is when the key is forgotten: Last + Forget.
	Expires time.Time
	// Seq numbers the last failure, so a refund can tell whether another
	// failure came after the one it takes back.
	Seq int64
}

// ThrottleStore keeps throttle entries where every process counting the
// same keys sees them (EntThrottleStore: the database).
type ThrottleStore interface {
	// Get is key's entry, nil when there is none. An expired entry may be
	// returned; the Throttle treats it as none.
	Get(ctx context.Context, key string) (*ThrottleEntry, error)
	// Change calls fn with the entries of keys (nil for none), in that
	// order, while no other Change of any of them runs in any process, and
	// stores what fn leaves in the slice (nil deletes). fn may be called
	// more than once (after a conflict) and must only compute.
	Change(ctx context.Context, keys []string, fn func(entries []*ThrottleEntry) error) error
	// Prune deletes the entries with prefix that expired by now and, when
	// more than maxKeys remain, those with the oldest last failure.
	Prune(ctx context.Context, prefix string, now time.Time, maxKeys int) (int, error)
}

// Throttle is the rules of one kind of key (an account, an account at a
// client address, a client address): after a few free failures each one
// doubles the wait, up to a cap, and a key is forgotten some time after its
// last failure, so an attacker can slow an account down but never lock it
// for good. Its keys all start with its prefix; the state is in a
// ThrottleStore, so every process counts together.
type Throttle struct {
	cfg    ThrottleConfig
	prefix string
	store  ThrottleStore
	now    func() time.Time
}

// NewThrottle returns the Throttle of the keys starting with prefix, with
// cfg (zero fields take defaults), reading the time from now (time.Now when
// nil).
func NewThrottle(prefix string, cfg ThrottleConfig, store ThrottleStore, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{cfg: cfg.withDefaults(), prefix: prefix, store: store, now: now}
}

// Key is the throttle's key for id.
func (t *Throttle) Key(id string) string { return t.prefix + id }

// Wait is 0 when key may make an attempt now, else how long until it may.
// It changes nothing.
func (t *Throttle) Wait(ctx context.Context, key string) (time.Duration, error) {
	e, err := t.store.Get(ctx, key)
	if err != nil {
		return 0, err
	}
	return t.wait(e, t.now()), nil
}

// Failure records a failed attempt of key.
func (t *Throttle) Failure(ctx context.Context, key string) error {
	now := t.now()
	return t.store.Change(ctx, []string{key}, func(e []*ThrottleEntry) error {
		e[0] = t.fail(e[0], now)
		return nil
	})
}

// Attempt is Wait and, when the wait is 0, Failure, in one step: the
// attempt is counted before the work it guards, so a burst of parallel
// requests cannot all pass before the first is counted. A refused attempt
// (non-zero wait) is not counted, so hammering a waiting key does not
// extend its wait.
func (t *Throttle) Attempt(ctx context.Context, key string) (time.Duration, error) {
	now := t.now()
	var wait time.Duration
	err := t.store.Change(ctx, []string{key}, func(e []*ThrottleEntry) error {
		if wait = t.wait(e[0], now); wait == 0 {
			e[0] = t.fail(e[0], now)
		}
		return nil
	})
	return wait, err
}

// Success forgets key's failures.
func (t *Throttle) Success(ctx context.Context, key string) error {
	return t.store.Change(ctx, []string{key}, func(e []*ThrottleEntry) error {
		e[0] = nil
		return nil
	})
}

// Prune deletes the throttle's forgotten keys and those beyond MaxKeys.
func (t *Throttle) Prune(ctx context.Context) (int, error) {
	return t.store.Prune(ctx, t.prefix, t.now(), t.cfg.MaxKeys)
}

// live is e unless it is missing or forgotten by now.
func (t *Throttle) live(e *ThrottleEntry, now time.Time) *ThrottleEntry {
	if e == nil || !now.Before(e.Expires) {
		return nil
	}
	return e
}

func (t *Throttle) wait(e *ThrottleEntry, now time.Time) time.Duration {
	if e = t.live(e, now); e == nil {
		return 0
	}
	return max(e.Until.Sub(now), 0)
}

// fail is e after one more failure at now.
func (t *Throttle) fail(e *ThrottleEntry, now time.Time) *ThrottleEntry {
	next := ThrottleEntry{Seq: now.UnixNano()}
	if e = t.live(e, now); e != nil {
		next = *e
		// Unique per key even when two failures share a clock reading.
		next.Seq = max(e.Seq+1, now.UnixNano())
	}
	// Past this count the wait is MaxDelay anyway; stopping keeps the
	// arithmetic far from overflow however long someone keeps failing.
	if next.Failures < t.cfg.FreeAttempts+64 {
		next.Failures++
	}
	next.Last = now
	next.Until = now.Add(t.delay(next.Failures))
	next.Expires = now.Add(t.cfg.Forget)
	return &next
}

// refund is e with one failure taken back. The count only ever goes down
// by one: refunds of attempts that were in flight together must not
// restore a count saved before another attempt's refund, or a busy address
// would leak a failure per overlap until every sign-in waits. The wait goes
// back to beforeUntil only when the failure taken back (seq) is still the
// last one; a later failure's wait stands.
func refund(e *ThrottleEntry, seq int64, beforeUntil time.Time) *ThrottleEntry {
	if e == nil {
		return nil // forgotten or pruned since: nothing left to take back
	}
	next := *e
	next.Failures--
	if next.Failures <= 0 {
		return nil
	}
	if next.Seq == seq {
		next.Until = beforeUntil
	}
	return &next
}

// delay is the wait after the n-th failure in a row.
func (t *Throttle) delay(n int) time.Duration {
	if n < t.cfg.FreeAttempts {
		return 0
	}
	d := t.cfg.BaseDelay
	for i := t.cfg.FreeAttempts; i < n && d < t.cfg.MaxDelay; i++ {
		d *= 2
	}
	return min(d, t.cfg.MaxDelay)
}

// RetryAfterError is the TOO_MANY_ATTEMPTS error for a wait of d, with
// extension retryAfterSeconds: whole seconds, rounded up, at least 1.
func RetryAfterError(d time.Duration) *apperr.Error {
	secs := int(d / time.Second)
	if d%time.Second > 0 {
		secs++
	}
	secs = max(secs, 1)
	return apperr.New(apperr.TooManyAttempts, "Too many attempts. Wait a moment before trying again.").
		With("retryAfterSeconds", secs)
}
