package signin

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/store"
)

// signInRig is SignInThrottles on a rig: account and pair 3 free failures,
// spraying 4 free accounts.
func signInRig(t *testing.T) (*rig, *SignInThrottles) {
	r := newRig(t)
	ts := NewSignInThrottles(Config{
		AccountThrottle: ThrottleConfig{FreeAttempts: 3},
		PairThrottle:    ThrottleConfig{FreeAttempts: 3},
		SprayThrottle:   ThrottleConfig{FreeAttempts: 4},
	}, r.store, r.clock.Now)
	return r, ts
}

func (r *rig) charge(ts *SignInThrottles, email string, c Client) (time.Duration, *SignInCharge) {
	r.t.Helper()
	w, ch, err := ts.Charge(r.ctx, email, c, PasswordAttempt)
	if err != nil {
		r.t.Fatal(err)
	}
	if (w > 0) != (ch == nil) {
		r.t.Fatalf("charge: wait %v with charge %v", w, ch)
	}
	return w, ch
}

// wrong is a charge settled as a wrong attempt; it returns the wait.
func (r *rig) wrong(ts *SignInThrottles, email string, c Client) time.Duration {
	r.t.Helper()
	w, ch := r.charge(ts, email, c)
	if ch != nil {
		mustSettle(r, ch.Wrong)
	}
	return w
}

func (r *rig) failures(key string) int {
	r.t.Helper()
	if e := r.keys()[key]; e != nil {
		return e.Failures
	}
	return 0
}

var office = Client{Addr: "198.51.100.7"}

func TestSignInChargeCountsAccountPairAndSpray(t *testing.T) {
	r, ts := signInRig(t)
	_, ch := r.charge(ts, "a@x.test", office)
	r.wrong(ts, "a@x.test", office) // a second failure of a: no new account for spraying
	if got := [3]int{r.failures("acct:a@x.test"), r.failures("pair:198.51.100.7 a@x.test"), r.failures("ip:198.51.100.7")}; got != [3]int{2, 2, 0} {
		t.Fatalf("account, pair, spray failures %v, want [2 2 0]: the spray count waits for the outcome", got)
	}
	mustSettle(r, ch.Wrong) // the attempt that started the pair was wrong
	if n := r.failures("ip:198.51.100.7"); n != 1 {
		t.Fatalf("spray count %d after the wrong attempt, want 1", n)
	}
	if ch.account.key != "acct:a@x.test" || ch.pair.key != "pair:198.51.100.7 a@x.test" || ch.spray.key != "ip:198.51.100.7" {
		t.Errorf("keys %q %q %q", ch.account.key, ch.pair.key, ch.spray.key)
	}
	// A trusted address charges the account only.
	trusted := Client{Addr: "198.51.100.7", Trusted: true}
	_, ch = r.charge(ts, "b@x.test", trusted)
	if ch.pair.key != "" || ch.spray.key != "" || r.failures("acct:b@x.test") != 1 || r.failures("pair:198.51.100.7 b@x.test") != 0 || r.failures("ip:198.51.100.7") != 1 {
		t.Errorf("trusted charge touched the address keys: %v", r.keys())
	}
	// A reset code: the code pair and the address, not the account.
	if _, ch, err := ts.Charge(r.ctx, "c@x.test", office, CodeAttempt); err != nil || ch.account.key != "" ||
		r.failures("acct:c@x.test") != 0 || r.failures("code:198.51.100.7 c@x.test") != 1 || r.failures("ip:198.51.100.7") != 1 { // unsettled: not yet counted for spraying
		t.Errorf("code charge: %v %+v %v", err, ch, r.keys())
	}
	// An address too long to be an account's: the pair and the address.
	if _, ch, err := ts.Charge(r.ctx, "e@x.test", office, LongAddressAttempt); err != nil || ch.account.key != "" ||
		r.failures("pair:198.51.100.7 e@x.test") != 1 || r.failures("ip:198.51.100.7") != 1 {
		t.Errorf("long-address charge: %v %+v %v", err, ch, r.keys())
	}
	// A trusted code charge changes nothing at all.
	if w, ch, err := ts.Charge(r.ctx, "d@x.test", trusted, CodeAttempt); err != nil || w != 0 || ch == nil || len(r.keys()) != 6 {
		t.Errorf("empty charge: %v %v %v %v", w, ch, err, r.keys())
	}
	// Reset codes never wait on their pair: the code has its own tries.
	for range 10 {
		if w, _, err := ts.Charge(r.ctx, "f@x.test", Client{Addr: "192.0.2.9"}, CodeAttempt); err != nil || w != 0 {
			t.Fatalf("code guess waits %v, %v", w, err)
		}
	}
}

// TestSignInPairAndSpray: one account's typos slow down only that account
// at that address; the address waits only once failures span more
// accounts than the spraying threshold.
func TestSignInPairAndSpray(t *testing.T) {
	r, ts := signInRig(t)
	for range 3 {
		r.wrong(ts, "typo@x.test", office)
	}
	if w := r.wrong(ts, "typo@x.test", office); w != time.Second {
		t.Fatalf("4th attempt of one account: wait %v, want 1s", w)
	}
	// Others at the same address are not slowed by one account's typos.
	for _, email := range []string{"b@x.test", "c@x.test"} {
		if w := r.wrong(ts, email, office); w != 0 {
			t.Fatalf("%s waits %v after another account's typos", email, w)
		}
	}
	// typo, b and c: 3 accounts failing. The 4th account is the last free one.
	if w := r.wrong(ts, "d@x.test", office); w != 0 {
		t.Fatalf("the 4th failing account waits %v", w)
	}
	if w := r.wrong(ts, "e@x.test", office); w != time.Second {
		t.Fatalf("the 5th account from a spraying address: wait %v, want 1s", w)
	}
	// Other addresses are not affected.
	if w := r.wrong(ts, "e@x.test", Client{Addr: "203.0.113.1"}); w != 0 {
		t.Fatalf("another address waits %v", w)
	}
	// The account still waits from any address, trusted or not.
	for range 2 {
		r.wrong(ts, "victim@x.test", Client{Addr: "203.0.113.1"})
		r.wrong(ts, "victim@x.test", Client{Addr: "203.0.113.2"})
	}
	if w := r.wrong(ts, "victim@x.test", Client{Addr: "203.0.113.3", Trusted: true}); w != time.Second {
		t.Fatalf("an account failing from many addresses, from a trusted one: wait %v, want 1s", w)
	}
}

func TestSignInChargeSettle(t *testing.T) {
	const pair, spray, acct = "pair:198.51.100.7 a@x.test", "ip:198.51.100.7", "acct:a@x.test"
	cases := []struct {
		name string
		run  func(r *rig, ts *SignInThrottles)
		want map[string]int // failures afterwards
	}{
		{"a right attempt forgets account and pair; the account's spray count stays", func(r *rig, ts *SignInThrottles) {
			r.wrong(ts, "a@x.test", office) // a typo
			_, ch := r.charge(ts, "a@x.test", office)
			mustSettle(r, ch.Right)
		}, map[string]int{acct: 0, pair: 0, spray: 1}},
		{"a right attempt settled in the caller's transaction (RightIn) forgets account and pair", func(r *rig, ts *SignInThrottles) {
			r.wrong(ts, "a@x.test", office)
			_, ch := r.charge(ts, "a@x.test", office)
			if err := store.WithTx(r.ctx, r.store.DB, func(tx *ent.Tx) error { return ch.RightIn(r.ctx, tx.Client()) }); err != nil {
				r.t.Fatal(err)
			}
			mustSettle(r, ch.Wrong) // settled: does nothing
		}, map[string]int{acct: 0, pair: 0, spray: 1}},
		{"a right attempt whose transaction rolls back stays counted", func(r *rig, ts *SignInThrottles) {
			r.wrong(ts, "a@x.test", office)
			_, ch := r.charge(ts, "a@x.test", office)
			err := store.WithTx(r.ctx, r.store.DB, func(tx *ent.Tx) error {
				if err := ch.RightIn(r.ctx, tx.Client()); err != nil {
					return err
				}
				return errors.New("the session could not be stored")
			})
			if err == nil {
				r.t.Fatal("the transaction did not fail")
			}
			mustSettle(r, ch.Wrong) // settled: does nothing
		}, map[string]int{acct: 2, pair: 2, spray: 1}},
		{"a wrong attempt on an existing pair adds no spray count", func(r *rig, ts *SignInThrottles) {
			r.wrong(ts, "a@x.test", office)
			r.wrong(ts, "a@x.test", office)
			r.wrong(ts, "b@x.test", office)
		}, map[string]int{acct: 2, pair: 2, spray: 2}},
		{"after a right attempt a new failure counts the account again", func(r *rig, ts *SignInThrottles) {
			r.wrong(ts, "a@x.test", office)
			_, ch := r.charge(ts, "a@x.test", office)
			mustSettle(r, ch.Right)
			r.wrong(ts, "a@x.test", office)
		}, map[string]int{acct: 1, pair: 1, spray: 2}},
		{"a right attempt keeps other accounts' spray counts", func(r *rig, ts *SignInThrottles) {
			r.wrong(ts, "b@x.test", office)
			r.wrong(ts, "c@x.test", office)
			_, ch := r.charge(ts, "a@x.test", office)
			mustSettle(r, ch.Right)
		}, map[string]int{spray: 2, pair: 0}},
		{"a refund of the only failure forgets the keys", func(r *rig, ts *SignInThrottles) {
			_, ch := r.charge(ts, "a@x.test", office)
			mustSettle(r, ch.Refund)
		}, map[string]int{acct: 0, pair: 0, spray: 0}},
		{"a refund keeps earlier failures and the spray count of the account", func(r *rig, ts *SignInThrottles) {
			r.wrong(ts, "a@x.test", office)
			_, ch := r.charge(ts, "a@x.test", office)
			mustSettle(r, ch.Refund)
		}, map[string]int{acct: 1, pair: 1, spray: 1}},
		{"settling twice takes back once", func(r *rig, ts *SignInThrottles) {
			r.wrong(ts, "b@x.test", office)
			_, ch := r.charge(ts, "a@x.test", office)
			mustSettle(r, ch.Right)
			mustSettle(r, ch.Right)
			mustSettle(r, ch.Refund)
		}, map[string]int{spray: 1, acct: 0, pair: 0, "pair:198.51.100.7 b@x.test": 1}},
		{"two right attempts in flight together take no other account's count", func(r *rig, ts *SignInThrottles) {
			_, first := r.charge(ts, "a@x.test", office)  // starts the pair
			_, second := r.charge(ts, "a@x.test", office) // the pair exists
			r.wrong(ts, "b@x.test", office)
			mustSettle(r, second.Right)
			mustSettle(r, first.Right)
		}, map[string]int{spray: 1, pair: 0, acct: 0}},
		{"the wrong one of two in flight counts its account once", func(r *rig, ts *SignInThrottles) {
			_, first := r.charge(ts, "a@x.test", office)  // starts the pair
			_, second := r.charge(ts, "a@x.test", office) // the pair exists
			mustSettle(r, second.Wrong)
			mustSettle(r, first.Wrong)
		}, map[string]int{spray: 1, pair: 2, acct: 2}},
		{"refunds take no spray count", func(r *rig, ts *SignInThrottles) {
			r.wrong(ts, "b@x.test", office)
			_, first := r.charge(ts, "a@x.test", office)
			_, second := r.charge(ts, "a@x.test", office)
			mustSettle(r, first.Refund)
			mustSettle(r, second.Refund)
		}, map[string]int{spray: 1, pair: 0, acct: 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, ts := signInRig(t)
			c.run(r, ts)
			for k, want := range c.want {
				if got := r.failures(k); got != want {
					t.Errorf("%s: %d failures, want %d", k, got, want)
				}
			}
		})
	}
}

func mustSettle(r *rig, end func(context.Context) error) {
	r.t.Helper()
	if err := end(r.ctx); err != nil {
		r.t.Fatal(err)
	}
}

// TestSignInRefundRestoresTheWait: a refund puts the wait back when no
// failure came after the one taken back; a later failure's wait stands.
func TestSignInRefundRestoresTheWait(t *testing.T) {
	r, ts := signInRig(t)
	for range 2 {
		r.wrong(ts, "a@x.test", office)
	}
	_, ch := r.charge(ts, "a@x.test", office) // 3rd: 1s wait
	mustSettle(r, ch.Refund)
	if w, _ := ts.Pair.Wait(r.ctx, ts.Pair.Key("198.51.100.7 a@x.test")); w != 0 {
		t.Fatalf("after refunding the 3rd failure: wait %v, want 0", w)
	}
	_, ch = r.charge(ts, "a@x.test", office)                    // 3rd again: 1s
	r.clock.Advance(time.Second)                                // waited
	if err := ts.Pair.Failure(r.ctx, ch.pair.key); err != nil { // 4th, by another attempt: 2s
		t.Fatal(err)
	}
	mustSettle(r, ch.Refund)
	if w, _ := ts.Pair.Wait(r.ctx, ch.pair.key); w != 2*time.Second {
		t.Errorf("a later failure's wait: %v, want 2s", w)
	}
}

// TestSignInChargeRefusedIsNotCounted: a refused attempt counts on no key.
func TestSignInChargeRefusedIsNotCounted(t *testing.T) {
	r, ts := signInRig(t)
	for range 3 {
		r.wrong(ts, "a@x.test", office)
	}
	for range 5 {
		if w, _ := r.charge(ts, "a@x.test", office); w != time.Second {
			t.Fatalf("charge while waiting: %v, want the unchanged 1s", w)
		}
	}
	if got := [3]int{r.failures("acct:a@x.test"), r.failures("pair:198.51.100.7 a@x.test"), r.failures("ip:198.51.100.7")}; got != [3]int{3, 3, 1} {
		t.Errorf("failures %v after refused charges, want [3 3 1]", got)
	}
}

// TestSignInChargeUnderOverlap: many right sign-ins from one address in
// flight together leave no failure behind (an office behind one NAT signs
// in all morning).
func TestSignInChargeUnderOverlap(t *testing.T) {
	r, _ := signInRig(t)
	// Two in flight per account at most (below the 3 free failures), four
	// accounts (below the spraying threshold).
	ts := NewSignInThrottles(Config{
		AccountThrottle: ThrottleConfig{FreeAttempts: 3},
		PairThrottle:    ThrottleConfig{FreeAttempts: 3},
		SprayThrottle:   ThrottleConfig{FreeAttempts: 5},
	}, r.store, r.clock.Now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 10 {
				email := []string{"a@x.test", "b@x.test", "c@x.test", "d@x.test"}[g%4]
				w, ch, err := ts.Charge(r.ctx, email, office, PasswordAttempt)
				if err != nil || w > 0 {
					t.Errorf("a right sign-in: wait %v, %v", w, err)
					return
				}
				runtime.Gosched()
				if err := ch.Right(r.ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if keys := r.keys(); len(keys) != 0 {
		t.Fatalf("%d keys left after only right sign-ins: %v", len(keys), keys)
	}
}
