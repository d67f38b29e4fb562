package oidcflow_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/ent/authflow"
	"github.com/agentdesk/agentdesk/internal/oidcflow"
	"github.com/agentdesk/agentdesk/internal/randtoken"
)

// TestConsumeLongestState: a state of exactly MaxStateLen is looked up and
// found; one byte more is refused before any lookup.
func TestConsumeLongestState(t *testing.T) {
	f := newFixture(t)
	for _, n := range []int{oidcflow.MaxStateLen, oidcflow.MaxStateLen + 1} {
		state := strings.Repeat("s", n)
		f.db.AuthFlow.Create().SetTenantID(f.tenantID).SetKind(authflow.KindTEAMS).SetStateHash(randtoken.Hash(state)).
			SetNonce("n").SetPkceVerifier("v").SetCreatedAt(f.now).SetExpiresAt(f.now.Add(time.Minute)).ExecX(f.ctx)
		_, err := f.flows.Consume(f.ctx, authflow.KindTEAMS, state, false)
		if ok := n <= oidcflow.MaxStateLen; (err == nil) != ok {
			t.Errorf("state of %d bytes: %v", n, err)
		}
		if n > oidcflow.MaxStateLen && !errors.Is(err, oidcflow.ErrInvalidFlow) {
			t.Errorf("state of %d bytes: %v, want ErrInvalidFlow", n, err)
		}
	}
}

// TestProvidersDefaultTTL: a TTL ≤ 0 means an hour, not "never cached".
func TestProvidersDefaultTTL(t *testing.T) {
	f := newFixture(t)
	counter := &discoveryCounter{}
	now := time.Now()
	p := oidcflow.NewProviders(&http.Client{Transport: counter}, 0, func() time.Time { return now })
	for range 2 {
		if _, err := p.Get(f.ctx, f.client.Issuer); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(time.Hour - time.Second)
	if _, err := p.Get(f.ctx, f.client.Issuer); err != nil {
		t.Fatal(err)
	}
	if n := counter.n.Load(); n != 1 {
		t.Errorf("%d discoveries within the default hour, want 1", n)
	}
	now = now.Add(time.Second)
	if _, err := p.Get(f.ctx, f.client.Issuer); err != nil {
		t.Fatal(err)
	}
	if n := counter.n.Load(); n != 2 {
		t.Errorf("%d discoveries after the default hour, want 2", n)
	}
}
