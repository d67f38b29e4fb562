package signin_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/mail"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/policy"
)

func openDB(tb testing.TB) *ent.Client {
	tb.Helper()
	db := storetest.Open(tb)
	return db.Client
}

// outbox keeps what the flows enqueue.
type outbox struct {
	mu   sync.Mutex
	msgs []mail.Message
}

func (o *outbox) Enqueue(_ context.Context, _ *ent.Client, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	return nil
}

func (o *outbox) Kick() {}

var testKey = bytes.Repeat([]byte{7}, 32)

func newService(tb testing.TB, p signin.Params, cfg signin.Config) *signin.Service {
	tb.Helper()
	s, err := signin.NewService(signin.Deps{
		DB: openDB(tb), Hasher: signin.NewHasher(p, 0, nil), Mail: &outbox{}, CodeKey: testKey,
	}, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func addAgent(tb testing.TB, s *signin.Service, email, password string) *ent.User {
	tb.Helper()
	ctx := context.Background()
	t := s.DB.Tenant.Create().SetName("Acme").SetSlug("acme").SetStationTypes(nil).SaveX(ctx)
	h, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		tb.Fatal(err)
	}
	return s.DB.User.Create().SetTenantID(t.ID).SetEmail(email).SetName("Ada").
		SetRole(policy.Agent).SetPasswordHash(h).SaveX(ctx)
}

func TestNewServiceRefusesAShortCodeKey(t *testing.T) {
	_, err := signin.NewService(signin.Deps{
		DB: openDB(t), Hasher: signin.NewHasher(signin.DefaultParams(), 0, nil), Mail: &outbox{}, CodeKey: make([]byte, 31),
	}, signin.Config{})
	if err == nil {
		t.Fatal("a 31-byte code key was accepted")
	}
}

func TestDefaultConfig(t *testing.T) {
	c := signin.DefaultConfig()
	if c.SessionLifetime != 8*time.Hour || c.SessionIdleTimeout != 2*time.Hour || c.SprayThrottle.FreeAttempts != 50 {
		t.Errorf("defaults %+v", c)
	}
}

func TestResolveCodeKey(t *testing.T) {
	ctx, now := context.Background(), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db := openDB(t)

	if _, err := signin.ResolveCodeKey(ctx, db, "too short", nil, now); err == nil {
		t.Error("a short configured key was accepted")
	}
	configured := "0123456789abcdef0123456789abcdef0123456789abcdef"
	if k, err := signin.ResolveCodeKey(ctx, db, configured, nil, now); err != nil || string(k) != configured {
		t.Errorf("configured key: %q, %v", k, err)
	}
	if n := db.ServerSecret.Query().CountX(ctx); n != 0 {
		t.Errorf("a configured key stored %d secrets", n)
	}

	first, err := signin.ResolveCodeKey(ctx, db, "", nil, now)
	if err != nil || len(first) != 32 {
		t.Fatalf("generated key: %d bytes, %v", len(first), err)
	}
	// A restart (or a second instance) reads the same key back.
	again, err := signin.ResolveCodeKey(ctx, db, "", nil, now)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("second start got another key (%v)", err)
	}
}

// BenchmarkSignIn is a right password through the whole service with
// DefaultParams: throttles, lookups, argon2id and the session insert.
// Compare with BenchmarkArgon2idBare:
//
//	go test ./internal/signin -run '^$' -bench 'SignIn|Argon2idBare' -benchtime 100x
func BenchmarkSignIn(b *testing.B) {
	s := newService(b, signin.DefaultParams(), signin.Config{})
	addAgent(b, s, "ada@acme.test", "correct horse battery staple")
	ctx, c := context.Background(), signin.Client{Addr: "192.0.2.1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SignIn(ctx, "ada@acme.test", "correct horse battery staple", c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignInFailure times a wrong password for a known account and any
// password for an unknown one: both should cost one argon2id run. (The
// throttles are opened wide so every attempt is checked.)
func BenchmarkSignInFailure(b *testing.B) {
	open := signin.ThrottleConfig{FreeAttempts: 1 << 30}
	s := newService(b, signin.DefaultParams(), signin.Config{AccountThrottle: open, PairThrottle: open, SprayThrottle: open})
	addAgent(b, s, "ada@acme.test", "correct horse battery staple")
	ctx, c := context.Background(), signin.Client{Addr: "192.0.2.1"}
	for _, email := range []string{"ada@acme.test", "nobody@acme.test"} {
		b.Run(email, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.SignIn(ctx, email, "wrong password", c); apperr.CodeOf(err) != apperr.InvalidCredentials {
					b.Fatal(err)
				}
			}
		})
	}
}
