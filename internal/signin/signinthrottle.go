package signin

import (
	"context"
	"math"
	"sync/atomic"
	"time"
)

// SignInThrottles are the throttles a sign-in and a reset-code guess pass,
// and the rules of how they combine:
//
//   - Account ("acct:"+email): failures of an account from anywhere. A
//     right password forgets them. Applies to every address, trusted or not.
//   - Pair ("pair:"+address+" "+email): failures of one account from one
//     client address, so one agent's typos never slow down the rest of an
//     office behind the same address.
//   - Spray ("ip:"+address): how many accounts are failing from one
//     address (password spraying). An account counts once, when its pair
//     starts failing, and stops counting when the pair is forgotten by a
//     right password; its default threshold is much higher than the
//     others'.
//   - ResetRequest ("reset:"+address): password-reset requests.
//   - CodePair ("code:"+address+" "+email): a reset-code guess's pair. It
//     never waits (a code has its own five tries); it marks the account as
//     failing from the address, so code guesses across many accounts count
//     for spraying like sign-ins do.
//
// Addresses inside a tenant's trusted networks (Client.Trusted) skip the
// Pair, Spray and ResetRequest throttles; the Account throttle still holds.
type SignInThrottles struct {
	Account, Pair, Spray, ResetRequest, CodePair *Throttle
	store                                        ThrottleStore
}

// NewSignInThrottles builds the sign-in throttles of cfg on store.
func NewSignInThrottles(cfg Config, store ThrottleStore, now func() time.Time) *SignInThrottles {
	return &SignInThrottles{
		Account:      NewThrottle("acct:", cfg.AccountThrottle, store, now),
		Pair:         NewThrottle("pair:", cfg.PairThrottle, store, now),
		Spray:        NewThrottle("ip:", cfg.SprayThrottle, store, now),
		ResetRequest: NewThrottle("reset:", cfg.ResetRequestThrottle, store, now),
		CodePair:     NewThrottle("code:", ThrottleConfig{FreeAttempts: math.MaxInt32}, store, now),
		store:        store,
	}
}

// Prune prunes every throttle (Throttle.Prune).
func (ts *SignInThrottles) Prune(ctx context.Context) (int, error) {
	total := 0
	for _, t := range []*Throttle{ts.Account, ts.Pair, ts.Spray, ts.ResetRequest, ts.CodePair} {
		n, err := t.Prune(ctx)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// chargedKey is one key of a SignInCharge.
type chargedKey struct {
	th      *Throttle
	key     string // "" when the key is not part of the charge
	charged bool   // this attempt counted a failure on it
	seq     int64  // of that failure
	before  time.Time
}

// SignInCharge is an attempt counted before its slow check (the password
// hash, the reset code), so a burst of parallel requests cannot run more
// guesses than the throttles allow. Call Right when the attempt turns out
// right, Refund when it was no guess at all; a wrong attempt stays counted.
type SignInCharge struct {
	ts                   *SignInThrottles
	account, pair, spray chargedKey
	settled              atomic.Bool // Right or Refund ran: the next does nothing
}

// AttemptKind is what is charged.
type AttemptKind int

// The attempts SignInThrottles charge.
const (
	// PasswordAttempt: the account (unless the address is too long to
	// name one), the pair and the address.
	PasswordAttempt AttemptKind = iota
	// LongAddressAttempt: a password for an e-mail address too long to
	// name an account: the pair and the address.
	LongAddressAttempt
	// CodeAttempt: a reset code: the code pair and the address.
	CodeAttempt
)

// Charge counts an attempt of kind for email from c, on the keys its kind
// names, all in one change. When any of them must wait, nothing is counted
// and the longest wait is returned. A trusted address counts only on the
// account.
func (ts *SignInThrottles) Charge(ctx context.Context, email string, c Client, kind AttemptKind) (time.Duration, *SignInCharge, error) {
	ch := &SignInCharge{ts: ts}
	var keys []string
	if kind == PasswordAttempt {
		ch.account = chargedKey{th: ts.Account, key: ts.Account.Key(email)}
		keys = append(keys, ch.account.key)
	}
	if !c.Trusted {
		pair := ts.Pair
		if kind == CodeAttempt {
			pair = ts.CodePair
		}
		ch.pair = chargedKey{th: pair, key: pair.Key(c.Addr + " " + truncate(email, maxEmailLen))}
		ch.spray = chargedKey{th: ts.Spray, key: ts.Spray.Key(c.Addr)}
		keys = append(keys, ch.pair.key, ch.spray.key)
	}
	if len(keys) == 0 {
		return 0, ch, nil
	}
	now := ts.Account.now()
	var wait time.Duration
	err := ts.store.Change(ctx, keys, func(entries []*ThrottleEntry) error {
		ks := ch.keys()
		wait = 0
		for i, k := range ks {
			wait = max(wait, k.th.wait(entries[i], now))
		}
		if wait > 0 {
			return nil
		}
		pairExisted := false
		for i, k := range ks {
			k.charged = false // fn may run again after a conflict
			if k == &ch.pair {
				pairExisted = k.th.live(entries[i], now) != nil
			}
		}
		for i, k := range ks {
			// An account counts for spraying once, when its pair starts.
			if k == &ch.spray && pairExisted {
				continue
			}
			e := k.th.live(entries[i], now)
			k.before = time.Time{}
			if e != nil {
				k.before = e.Until
			}
			entries[i] = k.th.fail(e, now)
			k.charged, k.seq = true, entries[i].Seq
		}
		return nil
	})
	if err != nil || wait > 0 {
		return wait, nil, err
	}
	return 0, ch, nil
}

// keys are the charge's keys in the order Charge passes them to the store.
func (ch *SignInCharge) keys() []*chargedKey {
	var ks []*chargedKey
	for _, k := range []*chargedKey{&ch.account, &ch.pair, &ch.spray} {
		if k.key != "" {
			ks = append(ks, k)
		}
	}
	return ks
}

func (ch *SignInCharge) change(ctx context.Context, fn func(ks []*chargedKey, entries []*ThrottleEntry)) error {
	ks := ch.keys()
	if len(ks) == 0 || !ch.settled.CompareAndSwap(false, true) {
		return nil
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.key
	}
	return ch.ts.store.Change(ctx, names, func(entries []*ThrottleEntry) error {
		fn(ks, entries)
		return nil
	})
}

// Refund takes the attempt back: it was no guess (refused before any
// check, or answered SSO_REQUIRED). Failures of other attempts stay.
func (ch *SignInCharge) Refund(ctx context.Context) error {
	now := ch.ts.Account.now()
	return ch.change(ctx, func(ks []*chargedKey, entries []*ThrottleEntry) {
		pairGone := false
		for i, k := range ks {
			switch {
			case k == &ch.spray:
				if pairGone {
					entries[i] = ch.spray.refund(entries[i], now)
				}
			case k.charged:
				hadPair := k == &ch.pair && k.th.live(entries[i], now) != nil
				entries[i] = k.refund(entries[i], now)
				pairGone = hadPair && entries[i] == nil
			}
		}
	})
}

// Right ends a right attempt: the account's and the pair's failures are
// forgotten, and the account no longer counts for spraying from this
// address. Other accounts' failures from the address stay counted, so a
// valid account cannot be used to clear them between guesses.
func (ch *SignInCharge) Right(ctx context.Context) error {
	now := ch.ts.Account.now()
	return ch.change(ctx, func(ks []*chargedKey, entries []*ThrottleEntry) {
		pairGone := false
		for i, k := range ks {
			switch k {
			case &ch.account:
				entries[i] = nil
			case &ch.pair:
				pairGone = k.th.live(entries[i], now) != nil
				entries[i] = nil
			case &ch.spray:
				if pairGone {
					entries[i] = ch.spray.refund(entries[i], now)
				}
			}
		}
	})
}

// refund takes one failure back from e: this attempt's (the wait goes back
// when nothing failed since) or, for the spray key of an account whose
// pair began earlier, the one that pair added.
func (k *chargedKey) refund(e *ThrottleEntry, now time.Time) *ThrottleEntry {
	seq := int64(-1) // never a failure's number
	if k.charged {
		seq = k.seq
	}
	return refund(k.th.live(e, now), seq, k.before)
}
