package graph_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent/auditevent"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

const setTrustedNetworks = `mutation($id:ID!, $n:[String!]){ updateTenant(id:$id, input:{trustedNetworks:$n}){ trustedNetworks } }`

// TestTrustedNetworksSetting: a tenant admin sets the networks; they come
// back canonical, bad ones are a VALIDATION_ERROR, each change is audited,
// and an agent may not set them.
func TestTrustedNetworksSetting(t *testing.T) {
	s, _ := newSignInServer(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	s.CreateUser(root, tn.ID, "boss@acme.test", "TENANT_ADMIN", adaPassword, nil)
	admin := s.SignIn("boss@acme.test", adaPassword)

	var out struct {
		UpdateTenant struct{ TrustedNetworks []string }
	}
	s.MustDo(admin, setTrustedNetworks, map[string]any{"id": tn.ID, "n": []string{"203.0.113.9/24", "2001:db8::/48"}}, &out)
	if want := []string{"2001:db8::/48", "203.0.113.0/24"}; !slices.Equal(out.UpdateTenant.TrustedNetworks, want) {
		t.Fatalf("networks %v, want %v", out.UpdateTenant.TrustedNetworks, want)
	}
	for _, bad := range [][]string{{"203.0.113.0"}, {"0.0.0.0/0"}, {"office"}, {"10.0.0.0/8", "10.0.0.1/8"}} {
		r := s.Do(admin, setTrustedNetworks, map[string]any{"id": tn.ID, "n": bad})
		if r.Code() != "VALIDATION_ERROR" || r.Errors[0].Extensions["field"] != "trustedNetworks" {
			t.Errorf("%v: %+v, want VALIDATION_ERROR on trustedNetworks", bad, r.Errors)
		}
	}
	// Omitted: kept. Empty: cleared.
	var kept struct {
		UpdateTenant struct{ TrustedNetworks []string }
	}
	s.MustDo(admin, `mutation($id:ID!){ updateTenant(id:$id, input:{name:"Acme"}){ trustedNetworks } }`, map[string]any{"id": tn.ID}, &kept)
	if len(kept.UpdateTenant.TrustedNetworks) != 2 {
		t.Errorf("an update without the field changed the networks to %v", kept.UpdateTenant.TrustedNetworks)
	}
	s.MustDo(admin, setTrustedNetworks, map[string]any{"id": tn.ID, "n": []string{}}, &out)
	if out.UpdateTenant.TrustedNetworks == nil || len(out.UpdateTenant.TrustedNetworks) != 0 {
		t.Errorf("cleared networks read %#v, want []", out.UpdateTenant.TrustedNetworks)
	}
	events := s.App.DB.Client.AuditEvent.Query().Where(auditevent.Action("updateTenant")).
		Order(auditevent.ByAt(), auditevent.ByID()).AllX(testserver.Ctx())
	var summaries []string
	for _, e := range events {
		summaries = append(summaries, e.Summary)
	}
	if len(events) != 3 || !strings.Contains(summaries[0], "trusted networks 2001:db8::/48, 203.0.113.0/24 (were none)") ||
		strings.Contains(summaries[1], "trusted networks") || !strings.Contains(summaries[2], "trusted networks none (were 2001:db8::/48, 203.0.113.0/24)") {
		t.Errorf("audit summaries %q", summaries)
	}
	s.CreateUser(root, tn.ID, "agent@acme.test", "AGENT", adaPassword, nil)
	agent := s.SignIn("agent@acme.test", adaPassword)
	expectCode(t, s.Do(agent, setTrustedNetworks, map[string]any{"id": tn.ID, "n": []string{"127.0.0.1/32"}}), "FORBIDDEN")
}

// TestTrustedNetworksOfficeSignsIn: 60 agents of a tenant whose trusted
// networks hold the test's address sign in at once after 20 of them
// mistyped once: none is refused. From the same address untrusted, the
// typos of 20 do not trip the spraying threshold either; failures of 50
// accounts do (the 20 and 30 more), for everyone at the address — until
// it is trusted again.
func TestTrustedNetworksOfficeSignsIn(t *testing.T) {
	s, _ := newSignInServer(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	agents := make([]string, 60)
	for i := range agents {
		agents[i] = fmt.Sprintf("agent%02d@acme.test", i)
		addUser(t, s, tn.ID, agents[i], adaPassword)
	}
	// The test's requests come from 127.0.0.1.
	s.MustDo(root, setTrustedNetworks, map[string]any{"id": tn.ID, "n": []string{"127.0.0.0/8"}}, nil)

	shift := func(phase string) {
		t.Helper()
		var wg sync.WaitGroup
		for _, a := range agents[:20] {
			wg.Go(func() {
				if r := signIn(s, a, "a typo"); r.Code() != "INVALID_CREDENTIALS" {
					t.Errorf("%s: typo of %s: %+v", phase, a, r.Errors)
				}
			})
		}
		wg.Wait()
		for _, a := range agents {
			wg.Go(func() {
				if r := signIn(s, a, adaPassword); len(r.Errors) > 0 {
					t.Errorf("%s: %s refused: %+v", phase, a, r.Errors)
				}
			})
		}
		wg.Wait()
	}
	shift("trusted")
	// Every right sign-in forgot its account's failures.
	if n := s.App.DB.Client.ThrottleCounter.Query().CountX(context.Background()); n != 0 {
		t.Errorf("%d throttle counters left after the trusted shift", n)
	}

	s.MustDo(root, setTrustedNetworks, map[string]any{"id": tn.ID, "n": []string{}}, nil)
	shift("untrusted")

	// Failures spanning many accounts (made-up ones here) trip the
	// spraying threshold: 50 accounts are free — the 20 that mistyped
	// count until forgotten, so 30 more — then the address waits.
	for i := range 30 {
		if r := signIn(s, fmt.Sprintf("guess%02d@acme.test", i), "Summer2026!"); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("guess %d: %+v", i+1, r.Errors)
		}
	}
	r := signIn(s, agents[0], adaPassword)
	if r.Code() != "TOO_MANY_ATTEMPTS" {
		t.Fatalf("after 50 failing accounts from one address: %+v, want TOO_MANY_ATTEMPTS", r.Errors)
	}
	if r.Errors[0].Extensions["retryAfterSeconds"] != float64(1) {
		t.Errorf("spraying wait %v, want 1 s", r.Errors[0].Extensions["retryAfterSeconds"])
	}
	// One account failing many times is no spraying: counted once.
	s2, _ := newSignInServer(t)
	tn2 := s2.CreateTenant(s2.RootToken(), "beta")
	addUser(t, s2, tn2.ID, "ada@beta.test", adaPassword)
	for range 5 {
		signIn(s2, "ada@beta.test", "wrong")
	}
	addUser(t, s2, tn2.ID, "bob@beta.test", adaPassword)
	if r := signIn(s2, "bob@beta.test", adaPassword); len(r.Errors) > 0 {
		t.Fatalf("another account after one account's failures: %+v", r.Errors)
	}

	// Trusted again: the address's count no longer applies.
	s.MustDo(root, setTrustedNetworks, map[string]any{"id": tn.ID, "n": []string{"127.0.0.1/32"}}, nil)
	if r := signIn(s, agents[0], adaPassword); len(r.Errors) > 0 {
		t.Fatalf("trusted again: %+v", r.Errors)
	}
}

// TestTrustedNetworksSkipTheAnonymousRateLimit: anonymous requests from a
// trusted network are not limited per address; others are.
func TestTrustedNetworksSkipTheAnonymousRateLimit(t *testing.T) {
	s := testserver.New(t, func(c *agentdesk.Config) {
		c.RateLimit = agentdesk.RateLimit{AnonymousPerSecond: 1, AnonymousBurst: 3, TokenPerSecond: 1, TokenBurst: 1 << 20}
	})
	root := s.RootToken() // one anonymous request
	tn := s.CreateTenant(root, "acme")
	const anon = `{ countries { __typename } }`
	for i := range 2 {
		if r := s.Do("", anon, nil); len(r.Errors) > 0 {
			t.Fatalf("request %d: %+v", i+2, r.Errors)
		}
	}
	expectCode(t, s.Do("", anon, nil), "TOO_MANY_ATTEMPTS")
	s.MustDo(root, setTrustedNetworks, map[string]any{"id": tn.ID, "n": []string{"127.0.0.1/32"}}, nil)
	for i := range 50 {
		if r := s.Do("", anon, nil); len(r.Errors) > 0 {
			t.Fatalf("trusted request %d: %+v", i+1, r.Errors)
		}
	}
	// A network that does not hold the address changes nothing.
	s.MustDo(root, setTrustedNetworks, map[string]any{"id": tn.ID, "n": []string{"192.0.2.0/24"}}, nil)
	expectCode(t, s.Do("", anon, nil), "TOO_MANY_ATTEMPTS")
}
