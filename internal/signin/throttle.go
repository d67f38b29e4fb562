package signin

import (
	"container/list"
	"sync"
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
	// MaxKeys bounds memory (default 100,000 keys, a few MB). When full, the
	// key whose last failure is oldest is dropped.
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

// Throttle makes a key (an account, "acct:"+email, or a client address,
// "ip:"+addr) wait longer after each failure beyond a few free ones. Waits
// are capped and a key is forgotten some time after its last failure, so an
// attacker can slow an account down but never lock it for good.
//
// State lives in memory, per process, bounded by MaxKeys. A Throttle is safe
// for concurrent use.
type Throttle struct {
	cfg ThrottleConfig
	now func() time.Time

	mu    sync.Mutex
	keys  map[string]*list.Element // of *throttleEntry
	order *list.List               // entries by last failure, oldest first (roughly, after a refund)
	seq   uint64                   // numbers failures, so a refund can tell whether another followed
}

type throttleEntry struct {
	key      string
	failures int
	last     time.Time // last failure
	until    time.Time // no attempt before this
	seq      uint64    // of the last failure
}

// NewThrottle returns a Throttle with cfg (zero fields take defaults) that
// reads the time from now (time.Now when nil).
func NewThrottle(cfg ThrottleConfig, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{
		cfg:   cfg.withDefaults(),
		now:   now,
		keys:  make(map[string]*list.Element),
		order: list.New(),
	}
}

// Wait is 0 when key may make an attempt now, else how long until it may.
// It changes nothing.
func (t *Throttle) Wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.waitLocked(key, t.now())
}

// Failure records a failed attempt of key. After FreeAttempts failures each
// further one doubles the wait, up to MaxDelay.
func (t *Throttle) Failure(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failLocked(key, t.now())
}

// Attempt is Wait and, when the wait is 0, Failure, in one step. Sign-in
// should use it rather than Wait: the attempt is counted before the slow
// password check, so a burst of parallel requests cannot all pass Wait
// before the first failure is recorded. Call Success when the attempt
// turns out right. A refused attempt (non-zero wait) is not counted, so
// hammering a waiting key does not extend its wait.
func (t *Throttle) Attempt(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if w := t.waitLocked(key, now); w > 0 {
		return w
	}
	t.failLocked(key, now)
	return 0
}

// Charge is Attempt for a key whose right attempts must not count, such as
// a client address: many agents of one office sign in from one address,
// and counting their successes would soon make the whole office wait.
// Like Attempt, it counts the attempt before the slow check, so a burst
// cannot slip through; call refund when the attempt turns out right (or
// was not a guess at all) to take that count back. refund does nothing when
// the attempt was refused (non-zero wait), and nothing the second time.
//
// A refund takes back only this attempt: failures of other attempts stay
// counted, so a valid account cannot be used to clear an address's count
// between guesses at other accounts (which is why addresses never get
// Success).
func (t *Throttle) Charge(key string) (wait time.Duration, refund func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if w := t.waitLocked(key, now); w > 0 {
		return w, func() {}
	}
	var beforeUntil time.Time
	if el, ok := t.keys[key]; ok {
		beforeUntil = el.Value.(*throttleEntry).until
	}
	t.failLocked(key, now)
	seq := t.seq
	var once sync.Once
	return 0, func() { once.Do(func() { t.refund(key, seq, beforeUntil) }) }
}

// refund takes back the failure numbered seq. The count only ever goes down
// by one: refunds of attempts that were in flight together must not restore
// a count saved before another attempt's refund, or a busy address (an
// office behind one NAT) would leak a failure per overlap until every
// sign-in waits. The wait goes back to what it was before the charge when
// nothing failed since (beforeUntil); a later failure's wait stands.
func (t *Throttle) refund(key string, seq uint64, beforeUntil time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.keys[key]
	if !ok {
		return // forgotten or dropped since: nothing left to take back
	}
	e := el.Value.(*throttleEntry)
	if e.failures > 0 {
		e.failures--
	}
	if e.failures == 0 {
		t.removeLocked(el)
		return
	}
	if e.seq == seq {
		e.until = beforeUntil
	}
}

// Success forgets key's failures.
//
// Reset only account keys on success: resetting a client address would let
// someone with one valid account clear the address's count between guesses
// at other accounts.
func (t *Throttle) Success(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.keys[key]; ok {
		t.removeLocked(el)
	}
}

func (t *Throttle) waitLocked(key string, now time.Time) time.Duration {
	el, ok := t.keys[key]
	if !ok {
		return 0
	}
	e := el.Value.(*throttleEntry)
	if t.expired(e, now) {
		t.removeLocked(el)
		return 0
	}
	if w := e.until.Sub(now); w > 0 {
		return w
	}
	return 0
}

func (t *Throttle) failLocked(key string, now time.Time) {
	el, ok := t.keys[key]
	if ok && t.expired(el.Value.(*throttleEntry), now) {
		t.removeLocked(el)
		ok = false
	}
	if !ok {
		t.makeRoomLocked(now)
		el = t.order.PushBack(&throttleEntry{key: key})
		t.keys[key] = el
	}
	e := el.Value.(*throttleEntry)
	// Past this count the wait is MaxDelay anyway; stopping keeps the
	// arithmetic far from overflow however long someone keeps failing.
	if e.failures < t.cfg.FreeAttempts+64 {
		e.failures++
	}
	t.seq++
	e.seq = t.seq
	e.last = now
	e.until = now.Add(t.delay(e.failures))
	t.order.MoveToBack(el)
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

// expired reports whether e is forgotten. Forget ≥ MaxDelay, so an
// expired entry has no wait left either.
func (t *Throttle) expired(e *throttleEntry, now time.Time) bool {
	return !now.Before(e.last.Add(t.cfg.Forget))
}

// makeRoomLocked drops forgotten entries and, when still full, the entry
// with the oldest failure. The list is ordered by last failure and every
// entry lives Forget after it, so forgotten entries are all at the front.
func (t *Throttle) makeRoomLocked(now time.Time) {
	for el := t.order.Front(); el != nil && t.expired(el.Value.(*throttleEntry), now); el = t.order.Front() {
		t.removeLocked(el)
	}
	for t.order.Len() >= t.cfg.MaxKeys {
		t.removeLocked(t.order.Front())
	}
}

func (t *Throttle) removeLocked(el *list.Element) {
	delete(t.keys, el.Value.(*throttleEntry).key)
	t.order.Remove(el)
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
