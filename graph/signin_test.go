package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

func TestSignInMeAndEndSession(t *testing.T) {
	s, _ := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)

	var out struct {
		SignIn struct {
			Token     string
			ExpiresAt time.Time
			User      struct{ Email string }
		}
	}
	// Addresses are matched case-insensitively and trimmed.
	signIn(s, "  Ada@ACME.test ", adaPassword).Decode(t, &out)
	if !strings.HasPrefix(out.SignIn.Token, signin.SessionTokenPrefix) || out.SignIn.User.Email != "ada@acme.test" {
		t.Fatalf("signIn = %+v", out.SignIn)
	}
	if want := s.Clock.Now().Add(8 * time.Hour); !out.SignIn.ExpiresAt.Equal(want) {
		t.Errorf("expiresAt = %v, want the default 8 h: %v", out.SignIn.ExpiresAt, want)
	}
	if other := mustSignIn(t, s, "ada@acme.test", adaPassword); other == out.SignIn.Token {
		t.Error("two sign-ins got the same token")
	}
	token := out.SignIn.Token
	if got := meEmail(t, s, token); got != "ada@acme.test" {
		t.Fatalf("me = %q", got)
	}
	s.MustDo(token, endSessionOp, nil, nil)
	if got := meEmail(t, s, token); got != "" {
		t.Errorf("me after endSession = %q, want the token refused", got)
	}
}

// Known and unknown addresses must get the very same answer from
// signInOptions, byte for byte, whether the domain is a tenant's or not.
func TestSignInOptionsDoNotRevealAccounts(t *testing.T) {
	s, _ := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)
	addUser(t, s, tn.ID, "off@acme.test", adaPassword, func(c *ent.UserCreate) { c.SetActive(false) })

	const want = `{"data":{"signInOptions":{"method":"PASSWORD","ssoAuthorizationUrl":null,"state":null}}}`
	for _, email := range []string{
		"ada@acme.test", "off@acme.test", "nobody@acme.test", "nobody@elsewhere.example",
		testserver.AdminEmail, "not an address", strings.Repeat("a", 300) + "@acme.test",
	} {
		status, body := rawDo(t, s, "", signInOptionsOp, map[string]any{"e": email})
		if status != 200 || body != want {
			t.Errorf("signInOptions(%.40q) = %d %s\nwant 200 %s", email, status, body, want)
		}
	}
}

// Every failed sign-in gives the same body, whatever the reason.
func TestSignInFailuresAreIndistinguishable(t *testing.T) {
	s, _ := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)
	addUser(t, s, tn.ID, "off@acme.test", adaPassword, func(c *ent.UserCreate) { c.SetActive(false) })
	addUser(t, s, tn.ID, "new@acme.test", "") // no password yet

	const want = `{"errors":[{"message":"The e-mail address or the password is not right.","path":["signIn"],"locations":[{"line":1,"column":34}],"extensions":{"code":"INVALID_CREDENTIALS"}}],"data":null}`
	for _, c := range []struct{ name, email, password string }{
		{"wrong password", "ada@acme.test", "not the password"},
		{"unknown address", "nobody@acme.test", "not the password"},
		{"unknown domain", "nobody@elsewhere.example", "not the password"},
		{"deactivated, right password", "off@acme.test", adaPassword},
		{"deactivated, wrong password", "off@acme.test", "not the password"},
		{"no password set", "new@acme.test", "not the password"},
		{"empty password", "ada@acme.test", ""},
		{"password over the limit", "ada@acme.test", strings.Repeat("p", 600)},
		{"address over the limit", strings.Repeat("a", 300) + "@acme.test", "not the password"},
	} {
		status, body := rawDo(t, s, "", signInOp, map[string]any{"e": c.email, "p": c.password})
		if status != 200 || body != want {
			t.Errorf("%s: %d %s\nwant 200 %s", c.name, status, body, want)
		}
	}
}

func TestSignInThrottleThenAllowedAfterTheWait(t *testing.T) {
	s, _ := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)

	// The same steps for a known and an unknown address give the same codes.
	for _, email := range []string{"ada@acme.test", "nobody@acme.test"} {
		t.Run(email, func(t *testing.T) {
			for i := range 5 {
				if r := signIn(s, email, "wrong password"); r.Code() != "INVALID_CREDENTIALS" {
					t.Fatalf("failure %d: %s", i+1, r.Code())
				}
			}
			// Even the right password waits now: otherwise the throttle
			// would tell when a guess was right.
			r := signIn(s, email, adaPassword)
			if r.Code() != "TOO_MANY_ATTEMPTS" || r.Errors[0].Extensions["retryAfterSeconds"] != float64(1) {
				t.Fatalf("after 5 failures: %+v, want TOO_MANY_ATTEMPTS with retryAfterSeconds 1", r.Errors)
			}
			s.Clock.Advance(time.Second)
			r = signIn(s, email, adaPassword)
			switch {
			case email == "ada@acme.test" && len(r.Errors) > 0:
				t.Fatalf("after the wait: %+v", r.Errors)
			case email != "ada@acme.test" && r.Code() != "INVALID_CREDENTIALS":
				t.Fatalf("after the wait: %+v", r.Errors)
			}
		})
	}
	// A success cleared ada's failures: five more are free again.
	for i := range 5 {
		if r := signIn(s, "ada@acme.test", "wrong password"); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("failure %d after a success: %s", i+1, r.Code())
		}
	}
}

// Many agents of one office sign in from one address: their successes must
// not count against the address.
func TestSignInSuccessesDoNotThrottleASharedAddress(t *testing.T) {
	s, _ := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)
	for i := range 120 { // the address has 50 free failures
		if r := signIn(s, "ada@acme.test", adaPassword); len(r.Errors) > 0 {
			t.Fatalf("sign-in %d: %+v", i+1, r.Errors)
		}
	}
}

// A user of an SSO tenant gets SSO_REQUIRED whatever the password, and so
// does an unknown address of the same domain: the answer depends on the
// domain only and reveals no account, nor the user's old password.
func TestSignInSSORequired(t *testing.T) {
	s, _ := newSignInServer(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "corp")
	idp := startIdP(t, s)
	idp.configure(t, s, root, tn.ID)
	addUser(t, s, tn.ID, "ada@corp.test", adaPassword)

	const want = `{"errors":[{"message":"Your organisation signs in with single sign-on: continue with SSO.","path":["signIn"],"locations":[{"line":1,"column":34}],"extensions":{"code":"SSO_REQUIRED"}}],"data":null}`
	for _, c := range []struct{ email, password string }{
		{"ada@corp.test", adaPassword},
		{"ada@corp.test", "wrong password"},
		{"nobody@corp.test", "wrong password"},
	} {
		if _, body := rawDo(t, s, "", signInOp, map[string]any{"e": c.email, "p": c.password}); body != want {
			t.Errorf("signIn(%s, %s) = %s\nwant %s", c.email, c.password, body, want)
		}
	}
	// A user of the SSO tenant with an address outside its domains (one
	// the tenant gave up): only a right password learns SSO_REQUIRED.
	addUser(t, s, tn.ID, "ada@legacy.example", adaPassword)
	if r := signIn(s, "ada@legacy.example", "wrong password"); r.Code() != "INVALID_CREDENTIALS" {
		t.Errorf("outside the domains, wrong password: %+v", r.Errors)
	}
	if r := signIn(s, "ada@legacy.example", adaPassword); r.Code() != "SSO_REQUIRED" {
		t.Errorf("outside the domains, right password: %+v", r.Errors)
	}
	// A platform admin cannot use a tenant's SSO: its password still works
	// even when its address is in an SSO tenant's domain.
	if _, err := agentdesk.CreatePlatformAdmin(testserver.Ctx(), s.App.DB.Client, s.App.SignIn.Hasher,
		s.Clock.Now(), "ops@corp.test", "Ops", otherGoodPassword); err != nil {
		t.Fatal(err)
	}
	mustSignIn(t, s, "ops@corp.test", otherGoodPassword)

	// SSO_REQUIRED is no guess: it never throttles.
	for range 10 {
		if r := signIn(s, "ada@corp.test", "wrong password"); r.Code() != "SSO_REQUIRED" {
			t.Fatalf("got %s", r.Code())
		}
	}
}

func TestSignInRehashesOldParameters(t *testing.T) {
	s, _ := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	older := testserver.CheapHash
	older.Memory *= 2
	oldHash, err := signin.NewHasher(older, 1, nil).Hash(testserver.Ctx(), adaPassword)
	if err != nil {
		t.Fatal(err)
	}
	u := addUser(t, s, tn.ID, "ada@acme.test", "", func(c *ent.UserCreate) { c.SetPasswordHash(oldHash) })

	mustSignIn(t, s, "ada@acme.test", adaPassword)
	got := s.App.DB.Client.User.Query().Where(user.ID(u.ID)).OnlyX(testserver.Ctx())
	if *got.PasswordHash == oldHash || !strings.Contains(*got.PasswordHash, "$m=64,") {
		t.Fatalf("hash after sign-in = %s, want rehashed with m=64", *got.PasswordHash)
	}
	mustSignIn(t, s, "ada@acme.test", adaPassword) // the new hash works
}

func TestSessionLifetimes(t *testing.T) {
	s, _ := newSignInServer(t, func(c *agentdesk.Config) {
		c.SignIn.SessionLifetime = time.Hour
		c.SignIn.SessionIdleTimeout = 20 * time.Minute
	})
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)

	t.Run("idle", func(t *testing.T) {
		token := mustSignIn(t, s, "ada@acme.test", adaPassword)
		s.Clock.Advance(19 * time.Minute)
		if meEmail(t, s, token) == "" {
			t.Fatal("refused before the idle timeout")
		}
		s.Clock.Advance(21 * time.Minute)
		if meEmail(t, s, token) != "" {
			t.Fatal("accepted after 21 idle minutes")
		}
	})
	t.Run("absolute", func(t *testing.T) {
		token := mustSignIn(t, s, "ada@acme.test", adaPassword)
		for range 3 { // used every 15 minutes: never idle
			s.Clock.Advance(15 * time.Minute)
			if meEmail(t, s, token) == "" {
				t.Fatal("refused while in use within its lifetime")
			}
		}
		s.Clock.Advance(15 * time.Minute)
		if meEmail(t, s, token) != "" {
			t.Fatal("accepted after its absolute lifetime")
		}
	})
}
