package signin

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

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

// rig is a throttle store on a fresh database (SQLite, or PostgreSQL with
// AGENTDESK_TEST_DATABASE_URL) and a clock.
type rig struct {
	t     *testing.T
	ctx   context.Context
	clock *fakeClock
	store *EntThrottleStore
}

func newRig(t *testing.T) *rig {
	t.Helper()
	db := storetest.Open(t)
	return &rig{t: t, ctx: context.Background(), clock: newFakeClock(), store: NewEntThrottleStore(db.Client)}
}

func (r *rig) throttle(cfg ThrottleConfig) *Throttle {
	return NewThrottle("k:", cfg, r.store, r.clock.Now)
}

func (r *rig) wait(th *Throttle, key string) time.Duration {
	r.t.Helper()
	w, err := th.Wait(r.ctx, key)
	if err != nil {
		r.t.Fatal(err)
	}
	return w
}

func (r *rig) fail(th *Throttle, key string) {
	r.t.Helper()
	if err := th.Failure(r.ctx, key); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) attempt(th *Throttle, key string) time.Duration {
	r.t.Helper()
	w, err := th.Attempt(r.ctx, key)
	if err != nil {
		r.t.Fatal(err)
	}
	return w
}

func (r *rig) keys() map[string]*ThrottleEntry {
	r.t.Helper()
	rows, err := r.store.DB.ThrottleCounter.Query().All(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	m := map[string]*ThrottleEntry{}
	for _, c := range rows {
		m[c.ID] = entryOf(c)
	}
	return m
}

func TestThrottleDefaults(t *testing.T) {
	got := NewThrottle("k:", ThrottleConfig{}, nil, nil).cfg
	want := ThrottleConfig{FreeAttempts: 5, BaseDelay: time.Second, MaxDelay: 15 * time.Minute, Forget: time.Hour, MaxKeys: 100_000}
	if got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	// Forget never ends before the longest wait does.
	got = NewThrottle("k:", ThrottleConfig{MaxDelay: time.Hour, Forget: time.Minute}, nil, nil).cfg
	if got.Forget != time.Hour {
		t.Errorf("Forget %v with MaxDelay 1h, want 1h", got.Forget)
	}
	// A cap below the base wait is raised to it; a Forget equal to the cap stays.
	got = NewThrottle("k:", ThrottleConfig{BaseDelay: time.Minute, MaxDelay: time.Second, Forget: time.Minute}, nil, nil).cfg
	if got.MaxDelay != time.Minute || got.Forget != time.Minute {
		t.Errorf("MaxDelay %v Forget %v, want 1m and 1m", got.MaxDelay, got.Forget)
	}
	c := DefaultConfig()
	if c.AccountThrottle.FreeAttempts != 0 || c.PairThrottle.FreeAttempts != 0 || c.SprayThrottle.FreeAttempts != 50 || c.ResetRequestThrottle.FreeAttempts != 20 {
		t.Errorf("sign-in throttle defaults %+v", c)
	}
}

// TestThrottleFifthAndSixthFailure: with 5 free failures, the 4th leaves
// no wait, the 5th a wait of exactly BaseDelay, the 6th twice that.
func TestThrottleFifthAndSixthFailure(t *testing.T) {
	r := newRig(t)
	th := r.throttle(ThrottleConfig{})
	const key = "k:jane@example.com"
	for i := 1; i <= 4; i++ {
		r.fail(th, key)
		if w := r.wait(th, key); w != 0 {
			t.Fatalf("wait after failure %d: %v, want 0", i, w)
		}
	}
	r.fail(th, key) // the 5th
	if w := r.wait(th, key); w != time.Second {
		t.Fatalf("wait after the 5th failure %v, want 1s", w)
	}
	r.clock.Advance(400 * time.Millisecond)
	if w := r.wait(th, key); w != 600*time.Millisecond {
		t.Fatalf("wait 400ms later %v, want 600ms", w)
	}
	r.clock.Advance(600 * time.Millisecond)
	if w := r.wait(th, key); w != 0 {
		t.Fatalf("wait once the delay passed %v, want 0", w)
	}
	r.fail(th, key) // the 6th
	if w := r.wait(th, key); w != 2*time.Second {
		t.Fatalf("wait after the 6th failure %v, want 2s", w)
	}
	if e := r.keys()[key]; e.Failures != 6 || !e.Last.Equal(r.clock.Now()) {
		t.Errorf("stored %+v, want 6 failures, the last now", e)
	}
	if w := r.wait(th, "k:other@example.com"); w != 0 {
		t.Errorf("another key waits %v", w)
	}
}

// TestThrottleWaitAtItsCap: the wait doubles to exactly MaxDelay and stays
// there however long failures go on.
func TestThrottleWaitAtItsCap(t *testing.T) {
	r := newRig(t)
	th := r.throttle(ThrottleConfig{FreeAttempts: 3, BaseDelay: time.Second, MaxDelay: time.Minute, Forget: time.Hour})
	const key = "k:192.0.2.7"
	want := []time.Duration{0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i, w := range want {
		r.fail(th, key)
		if got := r.wait(th, key); got != w*time.Second {
			t.Fatalf("after failure %d: wait %v, want %v", i+1, got, w*time.Second)
		}
		r.clock.Advance(r.wait(th, key)) // the client waits as told, then fails again
	}
	for range 80 {
		r.fail(th, key)
	}
	if got := r.wait(th, key); got != time.Minute {
		t.Errorf("after 80 more failures: wait %v, want the 1m cap", got)
	}
	if n := r.keys()[key].Failures; n != 3+64 {
		t.Errorf("%d failures stored, want the count to stop at FreeAttempts+64", n)
	}
	// A cap that the doubling meets exactly.
	th = r.throttle(ThrottleConfig{FreeAttempts: 1, BaseDelay: time.Second, MaxDelay: 4 * time.Second})
	for i, w := range []time.Duration{1, 2, 4, 4} {
		r.fail(th, "k:exact")
		if got := r.wait(th, "k:exact"); got != w*time.Second {
			t.Fatalf("exact cap, failure %d: wait %v, want %v", i+1, got, w*time.Second)
		}
	}
}

func TestThrottleSuccessResets(t *testing.T) {
	r := newRig(t)
	th := r.throttle(ThrottleConfig{FreeAttempts: 2})
	r.fail(th, "k:a")
	r.fail(th, "k:a")
	if r.wait(th, "k:a") == 0 {
		t.Fatal("no wait after 2 failures with 2 free")
	}
	if err := th.Success(r.ctx, "k:a"); err != nil {
		t.Fatal(err)
	}
	if w := r.wait(th, "k:a"); w != 0 {
		t.Fatalf("wait after success %v", w)
	}
	r.fail(th, "k:a")
	if w := r.wait(th, "k:a"); w != 0 {
		t.Errorf("one failure after a success waits %v: the count was not reset", w)
	}
	if err := th.Success(r.ctx, "k:never-seen"); err != nil {
		t.Error(err)
	}
}

// TestThrottleForgetsExactly: a key is kept until one second before Forget
// after its last failure and forgotten from Forget on.
func TestThrottleForgetsExactly(t *testing.T) {
	r := newRig(t)
	th := r.throttle(ThrottleConfig{FreeAttempts: 2, Forget: time.Hour})
	for range 6 {
		r.clock.Advance(r.wait(th, "k:a"))
		r.fail(th, "k:a")
	}
	if got := r.wait(th, "k:a"); got != 16*time.Second {
		t.Fatalf("after 6 failures: wait %v, want 16s", got)
	}
	r.clock.Advance(time.Hour - time.Second) // one second before: kept
	r.fail(th, "k:a")
	if got := r.wait(th, "k:a"); got != 32*time.Second {
		t.Fatalf("7th failure a second before the hour: wait %v, want 32s", got)
	}
	r.clock.Advance(time.Hour - time.Second)
	if e := r.keys()["k:a"]; e == nil || th.live(e, r.clock.Now()) == nil {
		t.Fatal("forgotten a second before the hour")
	}
	r.clock.Advance(time.Second) // exactly the hour: forgotten
	if e := r.keys()["k:a"]; th.live(e, r.clock.Now()) != nil {
		t.Fatal("kept at the hour")
	}
	r.clock.Advance(time.Second) // and a second after
	r.fail(th, "k:a")
	if got := r.wait(th, "k:a"); got != 0 {
		t.Errorf("first failure after the hour waits %v: the count was kept", got)
	}
	if n := r.keys()["k:a"].Failures; n != 1 {
		t.Errorf("%d failures after forgetting, want 1", n)
	}
}

// TestThrottleKeyLimit: Prune drops forgotten keys, then the keys with the
// oldest failure beyond MaxKeys, and only the throttle's own keys.
func TestThrottleKeyLimit(t *testing.T) {
	r := newRig(t)
	th := r.throttle(ThrottleConfig{FreeAttempts: 1, MaxKeys: 3, Forget: time.Hour})
	other := NewThrottle("o:", ThrottleConfig{MaxKeys: 1}, r.store, r.clock.Now)
	r.fail(other, "o:1")
	r.fail(other, "o:2")
	for _, k := range []string{"k:a", "k:b", "k:c"} {
		r.fail(th, k)
		r.clock.Advance(time.Minute)
	}
	prune := func(th *Throttle, want int) {
		t.Helper()
		if n, err := th.Prune(r.ctx); err != nil || n != want {
			t.Fatalf("Prune: %d, %v; want %d", n, err, want)
		}
	}
	prune(th, 0)      // exactly MaxKeys: nothing dropped
	r.fail(th, "k:a") // a is now the newest
	r.clock.Advance(time.Minute)
	r.fail(th, "k:d") // one over: b, whose last failure is the oldest, goes
	prune(th, 1)
	for k, held := range map[string]bool{"k:a": true, "k:b": false, "k:c": true, "k:d": true, "o:1": true, "o:2": true} {
		if _, ok := r.keys()[k]; ok != held {
			t.Errorf("key %s held=%v, want %v", k, ok, held)
		}
	}
	// Forgotten keys go first: c is forgotten, the others not yet.
	r.clock.Advance(time.Hour - 3*time.Minute)
	r.fail(th, "k:e")
	prune(th, 1)
	for k, held := range map[string]bool{"k:a": true, "k:c": false, "k:d": true, "k:e": true} {
		if _, ok := r.keys()[k]; ok != held {
			t.Errorf("after forgetting: key %s held=%v, want %v", k, ok, held)
		}
	}
	for i := range 20 {
		r.fail(th, fmt.Sprintf("k:flood-%d", i))
	}
	prune(th, 20)
	prune(other, 2) // both forgotten by now: the other throttle prunes its own keys only
	n := 0
	for k := range r.keys() {
		if k[0] == 'k' {
			n++
		}
	}
	if n != 3 {
		t.Errorf("after a flood and a prune: %d keys, want the cap of 3", n)
	}
}

func TestThrottleAttemptCountsUpFront(t *testing.T) {
	r := newRig(t)
	th := r.throttle(ThrottleConfig{FreeAttempts: 3})
	for i := range 3 {
		if w := r.attempt(th, "k:a"); w != 0 {
			t.Fatalf("attempt %d refused with %v", i+1, w)
		}
	}
	if w := r.attempt(th, "k:a"); w != time.Second {
		t.Fatalf("4th attempt: wait %v, want 1s", w)
	}
	// A refused attempt is not counted: hammering does not extend the wait.
	for range 10 {
		r.attempt(th, "k:a")
	}
	if w := r.wait(th, "k:a"); w != time.Second {
		t.Fatalf("after refused attempts: wait %v, want still 1s", w)
	}
	r.clock.Advance(time.Second)
	if w := r.attempt(th, "k:a"); w != 0 {
		t.Fatalf("attempt after the wait refused: %v", w)
	}
}

func TestThrottleBurstGetsOnlyFreeAttempts(t *testing.T) {
	r := newRig(t)
	th := r.throttle(ThrottleConfig{FreeAttempts: 5})
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 40 {
		wg.Go(func() {
			w, err := th.Attempt(r.ctx, "k:target@example.com")
			if err != nil {
				t.Error(err)
				return
			}
			if w == 0 {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 5 {
		t.Errorf("%d of 40 parallel attempts allowed, want 5", allowed)
	}
}

// TestThrottleSharedByStores: two Throttles on one database (two
// processes) count together, and a new one (a restart) remembers.
func TestThrottleSharedByStores(t *testing.T) {
	r := newRig(t)
	a := r.throttle(ThrottleConfig{FreeAttempts: 4})
	b := NewThrottle("k:", ThrottleConfig{FreeAttempts: 4}, NewEntThrottleStore(r.store.DB), r.clock.Now)
	for i := range 4 {
		th := []*Throttle{a, b}[i%2]
		if w := r.attempt(th, "k:x"); w != 0 {
			t.Fatalf("attempt %d waits %v", i+1, w)
		}
	}
	restarted := NewThrottle("k:", ThrottleConfig{FreeAttempts: 4}, NewEntThrottleStore(r.store.DB), r.clock.Now)
	if w := r.wait(restarted, "k:x"); w != time.Second {
		t.Errorf("after 4 attempts through two throttles, a restarted one waits %v, want 1s", w)
	}
}

func TestRetryAfterError(t *testing.T) {
	cases := map[time.Duration]int{
		0:                       1,
		-time.Second:            1,
		time.Nanosecond:         1,
		time.Second:             1,
		time.Second + 1:         2,
		1500 * time.Millisecond: 2,
		15 * time.Minute:        900,
	}
	for d, want := range cases {
		e := RetryAfterError(d)
		if e.Code != apperr.TooManyAttempts || e.Message == "" {
			t.Errorf("RetryAfterError(%v) = %v", d, e)
		}
		if got, ok := e.Extensions["retryAfterSeconds"].(int); !ok || got != want {
			t.Errorf("RetryAfterError(%v) retryAfterSeconds = %#v, want %d", d, e.Extensions["retryAfterSeconds"], want)
		}
	}
}
