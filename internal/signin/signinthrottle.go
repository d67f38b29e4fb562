package signin

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/agentdesk/agentdesk/ent"
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
//     address (password spraying). An account counts once, when the
//     attempt that started its pair turns out wrong, until the count is
//     forgotten (an hour after the last); its default threshold is much
//     higher than the others'. It is counted after the check, not
//     before: a burst across many accounts may pass it by the attempts in
//     flight (bounded by the anonymous rate limit), but an office whose
//     agents all sign in at once is not taken for a sprayer.
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
	key     string    // "" when the key is not part of the charge
	charged bool      // this attempt counted a failure on it
	seq     int64     // of that failure
	before  time.Time // the wait before it
}

// SignInCharge is an attempt counted before its slow check (the password
// hash, the reset code), so a burst of parallel requests cannot run more
// guesses than the throttles allow. Settle it once: Right when the attempt
// turns out right, Refund when it was no guess at all, Wrong otherwise.
type SignInCharge struct {
	ts                   *SignInThrottles
	account, pair, spray chargedKey
	pairNew              bool        // this attempt started its pair
	settled              atomic.Bool // Right, Wrong or Refund ran: the next does nothing
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
		for i, k := range ks {
			k.charged = false // fn may run again after a conflict
			switch k {
			case &ch.spray:
				// Counted only when the attempt turns out wrong (Wrong):
				// counted up front, every agent of an office signing in
				// at once would count as a failing account until checked.
				continue
			case &ch.pair:
				ch.pairNew = k.th.live(entries[i], now) == nil
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

// settle runs fn on the charge's entries once: the first of Right, Wrong
// and Refund settles the charge, the others then do nothing.
func (ch *SignInCharge) settle(ctx context.Context, fn func(ks []*chargedKey, entries []*ThrottleEntry)) error {
	return ch.settleWith(ctx, ch.ts.store.Change, fn)
}

// settleWith is settle through change, a ThrottleStore's Change.
func (ch *SignInCharge) settleWith(ctx context.Context, change func(context.Context, []string, func([]*ThrottleEntry) error) error,
	fn func(ks []*chargedKey, entries []*ThrottleEntry)) error {
	ks := ch.keys()
	if len(ks) == 0 || !ch.settled.CompareAndSwap(false, true) {
		return nil
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.key
	}
	return change(ctx, names, func(entries []*ThrottleEntry) error {
		fn(ks, entries)
		return nil
	})
}

// Wrong ends a wrong attempt: its failures stay counted, and an account
// whose pair this attempt started now counts for spraying from the
// address. Callers defer it right after Charge; Right or Refund first
// makes it do nothing.
func (ch *SignInCharge) Wrong(ctx context.Context) error {
	if !ch.pairNew || ch.spray.key == "" {
		ch.settled.Store(true)
		return nil
	}
	now := ch.ts.Account.now()
	return ch.settle(ctx, func(ks []*chargedKey, entries []*ThrottleEntry) {
		for i, k := range ks {
			if k == &ch.spray {
				entries[i] = k.th.fail(entries[i], now)
			}
		}
	})
}

// Refund takes the attempt back: it was no guess (answered SSO_REQUIRED).
// Failures of other attempts stay.
func (ch *SignInCharge) Refund(ctx context.Context) error {
	now := ch.ts.Account.now()
	return ch.settle(ctx, func(ks []*chargedKey, entries []*ThrottleEntry) {
		for i, k := range ks {
			if k.charged {
				entries[i] = refund(k.th.live(entries[i], now), k.seq, k.before)
			}
		}
	})
}

// Right ends a right attempt: the account's and the pair's failures are
// forgotten. The address's count of failing accounts is not lowered: an
// account that failed from the address keeps counting until the count is
// forgotten, so no right password (of an account an attacker holds, say)
// can clear the failures of the accounts guessed at.
func (ch *SignInCharge) Right(ctx context.Context) error {
	return ch.settle(ctx, ch.right)
}

// RightIn is Right as part of the caller's transaction (db is its
// client), so that a right password settles its charge and starts its
// session in one write, not two: on SQLite every write is one fsync and
// they run one at a time, so sign-ins queue on them. A store that is not
// the database's (EntThrottleStore) settles on its own, as Right. The
// charge counts as settled from here: when the transaction rolls back,
// the attempt stays counted, as a wrong one would.
func (ch *SignInCharge) RightIn(ctx context.Context, db *ent.Client) error {
	s, ok := ch.ts.store.(*EntThrottleStore)
	if !ok {
		return ch.Right(ctx)
	}
	return ch.settleWith(ctx, func(ctx context.Context, keys []string, fn func([]*ThrottleEntry) error) error {
		return s.change(throttleWork(ctx), db, keys, fn)
	}, ch.right)
}

// right forgets the account's and the pair's failures (Right).
func (ch *SignInCharge) right(ks []*chargedKey, entries []*ThrottleEntry) {
	for i, k := range ks {
		if k == &ch.account || k == &ch.pair {
			entries[i] = nil
		}
	}
}
