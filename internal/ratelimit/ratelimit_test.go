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
