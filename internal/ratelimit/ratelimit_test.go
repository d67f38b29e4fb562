package ratelimit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestBurstThenRefill(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(2, 3, 10, c.now)
	for i := range 3 {
		if ok, _ := l.Allow("ip:1"); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	ok, wait := l.Allow("ip:1")
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("after the burst: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("ip:2"); !ok {
		t.Fatal("another key shares the bucket")
	}
	c.t = c.t.Add(wait)
	if ok, _ := l.Allow("ip:1"); !ok {
		t.Fatal("still refused after the wait it named")
	}
}

func TestKeysAreBounded(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	l := New(1, 1, 5, c.now)
	for i := range 50 {
		l.Allow(fmt.Sprint("k", i))
	}
	if len(l.keys) != 5 || l.order.Len() != 5 {
		t.Fatalf("keys = %d", len(l.keys))
	}
}

func TestConcurrentUse(t *testing.T) {
	l := New(1000, 10, 100, nil)
	var wg sync.WaitGroup
	allowed := make(chan bool, 800)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				ok, _ := l.Allow(fmt.Sprint("k", (g+i)%4))
				allowed <- ok
			}
		}()
	}
	wg.Wait()
	close(allowed)
	n := 0
	for ok := range allowed {
		if ok {
			n++
		}
	}
	if n == 0 {
		t.Fatal("nothing allowed")
	}
}

// TestRetryAfterIsExact: the wait named is the time until one whole token
// is back, at the refill rate.
func TestRetryAfterIsExact(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(2, 1, 10, c.now) // a token every 500 ms
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("first request refused")
	}
	if ok, wait := l.Allow("k"); ok || wait != 500*time.Millisecond {
		t.Fatalf("at once: ok=%v wait=%v, want 500ms", ok, wait)
	}
	c.t = c.t.Add(200 * time.Millisecond) // 0.4 of a token back
	if ok, wait := l.Allow("k"); ok || wait != 300*time.Millisecond {
		t.Fatalf("200 ms later: ok=%v wait=%v, want 300ms", ok, wait)
	}
	c.t = c.t.Add(300 * time.Millisecond)
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("refused after the wait it named")
	}
}

// TestDefaultMaxKeys: maxKeys ≤ 0 means the default bound, not "keep
// nothing" (which would forget every bucket at once and limit no one).
func TestDefaultMaxKeys(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	for _, n := range []int{0, -1} {
		l := New(1, 1, n, c.now)
		if l.maxKeys != 100_000 {
			t.Errorf("New(maxKeys=%d): bound %d, want 100000", n, l.maxKeys)
		}
		l.Allow("k")
		if ok, _ := l.Allow("k"); ok {
			t.Errorf("New(maxKeys=%d): a second request at once allowed", n)
		}
	}
	if l := New(1, 1, 1, c.now); l.maxKeys != 1 {
		t.Errorf("New(maxKeys=1): bound %d", l.maxKeys)
	}
}
