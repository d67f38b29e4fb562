package signin

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/apperr"
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

func TestThrottleDefaults(t *testing.T) {
	got := NewThrottle(ThrottleConfig{}, nil).cfg
	want := ThrottleConfig{FreeAttempts: 5, BaseDelay: time.Second, MaxDelay: 15 * time.Minute, Forget: time.Hour, MaxKeys: 100_000}
	if got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	// Forget never ends before the longest wait does.
	got = NewThrottle(ThrottleConfig{MaxDelay: time.Hour, Forget: time.Minute}, nil).cfg
	if got.Forget != time.Hour {
		t.Errorf("Forget %v with MaxDelay 1h, want 1h", got.Forget)
	}
}

func TestThrottleFreeAttemptsThenWait(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{}, clock.Now)
	const key = "acct:jane@example.com"
	for i := range 5 {
		if w := th.Wait(key); w != 0 {
			t.Fatalf("wait %v before failure %d, want 0", w, i+1)
		}
		th.Failure(key)
	}
	if w := th.Wait(key); w != time.Second {
		t.Fatalf("wait after 5 failures %v, want 1s", w)
	}
	clock.Advance(400 * time.Millisecond)
	if w := th.Wait(key); w != 600*time.Millisecond {
		t.Fatalf("wait 400ms later %v, want 600ms", w)
	}
	clock.Advance(600 * time.Millisecond)
	if w := th.Wait(key); w != 0 {
		t.Fatalf("wait once the delay passed %v, want 0", w)
	}
	// Other keys are not affected.
	if w := th.Wait("acct:other@example.com"); w != 0 {
		t.Errorf("other key waits %v", w)
	}
}

func TestThrottleDoublesUpToCap(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{FreeAttempts: 3, BaseDelay: time.Second, MaxDelay: time.Minute, Forget: time.Hour}, clock.Now)
	const key = "ip:192.0.2.7"
	want := []time.Duration{0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i, w := range want {
		th.Failure(key)
		if got := th.Wait(key); got != w*time.Second {
			t.Fatalf("after failure %d: wait %v, want %v", i+1, got, w*time.Second)
		}
		clock.Advance(th.Wait(key)) // the client waits as told, then fails again
	}
	// However long it goes on, the wait stays capped (and nothing overflows).
	for range 1000 {
		clock.Advance(th.Wait(key))
		th.Failure(key)
	}
	if got := th.Wait(key); got != time.Minute {
		t.Errorf("after 1000 more failures: wait %v, want the 1m cap", got)
	}
}

func TestThrottleSuccessResets(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{FreeAttempts: 2}, clock.Now)
	th.Failure("k")
	th.Failure("k")
	if th.Wait("k") == 0 {
		t.Fatal("no wait after 2 failures with 2 free")
	}
	th.Success("k")
	if w := th.Wait("k"); w != 0 {
		t.Fatalf("wait after success %v", w)
	}
	th.Failure("k")
	if w := th.Wait("k"); w != 0 {
		t.Errorf("one failure after a success waits %v: the count was not reset", w)
	}
	th.Success("never-seen") // harmless
}

func TestThrottleDecays(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{FreeAttempts: 2, Forget: time.Hour}, clock.Now)
	for range 6 {
		clock.Advance(th.Wait("k"))
		th.Failure("k")
	}
	if th.Wait("k") == 0 {
		t.Fatal("no wait after 6 failures")
	}
	clock.Advance(time.Hour - time.Second)
	th.Failure("k") // a failure within the hour keeps the count
	if got := th.Wait("k"); got != 32*time.Second {
		t.Fatalf("7th failure: wait %v, want 32s", got)
	}
	clock.Advance(time.Hour) // an hour of quiet: start afresh
	if got := th.Wait("k"); got != 0 {
		t.Fatalf("wait after an hour of quiet %v", got)
	}
	th.Failure("k")
	if got := th.Wait("k"); got != 0 {
		t.Errorf("first failure after the decay waits %v: the count was kept", got)
	}
	if n := len(th.keys); n != 1 {
		t.Errorf("%d keys held, want 1", n)
	}
}

func TestThrottleAttemptCountsUpFront(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{FreeAttempts: 3}, clock.Now)
	for i := range 3 {
		if w := th.Attempt("k"); w != 0 {
			t.Fatalf("attempt %d refused with %v", i+1, w)
		}
	}
	// The three are counted although no outcome was reported yet: a burst
	// of parallel requests gets the free attempts and no more.
	if w := th.Attempt("k"); w != time.Second {
		t.Fatalf("4th attempt: wait %v, want 1s", w)
	}
	// A refused attempt is not counted: hammering does not extend the wait.
	for range 50 {
		th.Attempt("k")
	}
	if w := th.Wait("k"); w != time.Second {
		t.Fatalf("after refused attempts: wait %v, want still 1s", w)
	}
	clock.Advance(time.Second)
	if w := th.Attempt("k"); w != 0 {
		t.Fatalf("attempt after the wait refused: %v", w)
	}
	th.Success("k") // that one was right
	if w := th.Attempt("k"); w != 0 {
		t.Errorf("attempt after success refused: %v", w)
	}
}

func TestThrottleBurstGetsOnlyFreeAttempts(t *testing.T) {
	th := NewThrottle(ThrottleConfig{FreeAttempts: 5}, newFakeClock().Now)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 200 {
		wg.Go(func() {
			if th.Attempt("acct:target@example.com") == 0 {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 5 {
		t.Errorf("%d of 200 parallel attempts allowed, want 5", allowed)
	}
}

func TestThrottleMaxKeys(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{FreeAttempts: 1, MaxKeys: 3, Forget: time.Hour}, clock.Now)
	for _, k := range []string{"a", "b", "c"} {
		th.Failure(k)
		clock.Advance(time.Minute)
	}
	th.Failure("a") // a is now the newest
	clock.Advance(time.Minute)
	th.Failure("d") // full: drops b, whose last failure is the oldest
	if len(th.keys) != 3 || th.order.Len() != 3 {
		t.Fatalf("%d keys (%d in order), want 3", len(th.keys), th.order.Len())
	}
	for k, held := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok := th.keys[k]; ok != held {
			t.Errorf("key %s held=%v, want %v", k, ok, held)
		}
	}
	// Forgotten keys go first, and Wait never adds a key.
	clock.Advance(time.Hour - 2*time.Minute) // c (and a, d not yet) forgotten
	th.Wait("e")
	th.Failure("e")
	for k, held := range map[string]bool{"a": true, "c": false, "d": true, "e": true} {
		if _, ok := th.keys[k]; ok != held {
			t.Errorf("after decay: key %s held=%v, want %v", k, ok, held)
		}
	}
	for i := range 1000 {
		th.Failure(fmt.Sprintf("flood-%d", i))
	}
	if len(th.keys) != 3 || th.order.Len() != 3 {
		t.Errorf("after a flood: %d keys, want the cap of 3", len(th.keys))
	}
}

func TestThrottleConcurrentUse(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{MaxKeys: 50}, clock.Now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				key := fmt.Sprintf("acct:%d@example.com", (g*7+i)%80)
				switch i % 5 {
				case 0:
					th.Success(key)
				case 1:
					th.Wait(key)
				case 2:
					th.Attempt(key)
				default:
					th.Failure(key)
				}
				if i%50 == 0 {
					clock.Advance(time.Second)
				}
			}
		})
	}
	wg.Wait()
	if len(th.keys) > 50 || len(th.keys) != th.order.Len() {
		t.Errorf("%d keys, %d in order; want equal and ≤ 50", len(th.keys), th.order.Len())
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

func TestThrottleChargeRefund(t *testing.T) {
	const key = "ip:192.0.2.7"
	cases := []struct {
		name string
		run  func(th *Throttle, clock *fakeClock)
		want time.Duration // Wait(key) afterwards
	}{
		{"refund of the only failure forgets the key", func(th *Throttle, _ *fakeClock) {
			_, refund := th.Charge(key)
			refund()
		}, 0},
		{"successes never add up", func(th *Throttle, _ *fakeClock) {
			for range 100 {
				_, refund := th.Charge(key)
				refund()
			}
			for range 4 {
				th.Charge(key) // four failures: still free
			}
		}, 0},
		{"a refund keeps earlier failures", func(th *Throttle, _ *fakeClock) {
			for range 4 {
				th.Charge(key)
			}
			_, refund := th.Charge(key)
			refund()
			th.Charge(key) // the fifth failure
		}, time.Second},
		{"a refund after the wait elapsed imposes no new wait", func(th *Throttle, clock *fakeClock) {
			for range 6 {
				th.Charge(key)
				clock.Advance(time.Hour - time.Minute) // waits pass, failures stay
			}
			_, refund := th.Charge(key)
			refund()
		}, 0},
		{"a refund leaves a later failure's wait", func(th *Throttle, _ *fakeClock) {
			for range 4 {
				th.Charge(key)
			}
			_, refund := th.Charge(key) // 5th: 1s wait
			refund()                    // back to 4
			_, refund = th.Charge(key)  // 5th again
			th.Failure(key)             // 6th, by someone else: 2s wait
			refund()                    // 5 failures stay counted, the wait stands
		}, 2 * time.Second},
		{"refunding twice takes back one failure", func(th *Throttle, _ *fakeClock) {
			for range 4 {
				th.Charge(key)
			}
			_, refund := th.Charge(key)
			th.Failure(key) // someone else's: the exact restore no longer applies
			refund()        // back to 5 failures; the 2s wait of the 6th stands
			refund()        // a second decrement would leave 4
			th.Failure(key) // 6 failures: 2s (5 would be 1s)
		}, 2 * time.Second},
		{"refunding a refused charge does nothing", func(th *Throttle, _ *fakeClock) {
			for range 5 {
				th.Charge(key)
			}
			_, refund := th.Charge(key) // refused: wait 1s
			refund()
		}, time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock()
			th := NewThrottle(ThrottleConfig{}, clock.Now)
			c.run(th, clock)
			if got := th.Wait(key); got != c.want {
				t.Errorf("wait %v, want %v", got, c.want)
			}
		})
	}
}

func TestThrottleChargeRefusedIsNotCounted(t *testing.T) {
	clock := newFakeClock()
	th := NewThrottle(ThrottleConfig{FreeAttempts: 1}, clock.Now)
	if w, _ := th.Charge("k"); w != 0 {
		t.Fatalf("first charge waits %v", w)
	}
	for range 10 {
		if w, _ := th.Charge("k"); w != time.Second {
			t.Fatalf("charge while waiting: %v, want the unchanged 1s", w)
		}
	}
}

// TestChargeRefundUnderOverlap: many sign-ins from one address in flight
// together, all succeeding, must leave no failure behind (an office behind
// one NAT signs in all morning).
func TestChargeRefundUnderOverlap(t *testing.T) {
	th := NewThrottle(ThrottleConfig{FreeAttempts: 50}, nil)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				wait, refund := th.Charge("ip:10.0.0.1")
				if wait > 0 {
					t.Errorf("a successful sign-in waited %s", wait)
					return
				}
				runtime.Gosched()
				refund()
			}
		}()
	}
	wg.Wait()
	if w := th.Wait("ip:10.0.0.1"); w != 0 {
		t.Fatalf("wait after only successes: %s", w)
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	if len(th.keys) != 0 {
		t.Fatalf("%d keys left after only successes", len(th.keys))
	}
}
