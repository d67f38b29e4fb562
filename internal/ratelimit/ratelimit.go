// Package ratelimit bounds how fast one caller (a client address, a token)
// may send requests: a token bucket per key, with memory bounded by
// forgetting the least recently seen keys.
package ratelimit

import (
	"container/list"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a set of token buckets, one per key. Safe for concurrent use.
type Limiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	maxKeys int
	now     func() time.Time
	keys    map[string]*list.Element
	order   *list.List // front = most recently seen
}

type entry struct {
	key string
	lim *rate.Limiter
}

// New allows perSecond requests a second per key with bursts of burst,
// remembering at most maxKeys keys.
func New(perSecond float64, burst, maxKeys int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = 100_000
	}
	return &Limiter{rate: rate.Limit(perSecond), burst: burst, maxKeys: maxKeys, now: now,
		keys: map[string]*list.Element{}, order: list.New()}
}

// Allow takes one request for key. When refused it says how long until the
// next request would be allowed.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var lim *rate.Limiter
	if el, found := l.keys[key]; found {
		l.order.MoveToFront(el)
		lim = el.Value.(*entry).lim
	} else {
		lim = rate.NewLimiter(l.rate, l.burst)
		l.keys[key] = l.order.PushFront(&entry{key: key, lim: lim})
		if l.order.Len() > l.maxKeys {
			oldest := l.order.Back()
			l.order.Remove(oldest)
			delete(l.keys, oldest.Value.(*entry).key)
		}
	}
	if lim.AllowN(now, 1) {
		return true, 0
	}
	// Tokens needed for one request, at the refill rate.
	missing := 1 - lim.TokensAt(now)
	wait := time.Duration(math.Ceil(missing / float64(l.rate) * float64(time.Second)))
	return false, max(wait, time.Millisecond)
}
