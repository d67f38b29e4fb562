package graph_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/outboxmessage"
	"github.com/agentdesk/agentdesk/ent/passwordresetcode"
	"github.com/agentdesk/agentdesk/internal/mail/mailtest"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

func TestPasswordReset(t *testing.T) {
	s, box := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)
	oldToken := mustSignIn(t, s, "ada@acme.test", adaPassword)

	requestReset(t, s, "ADA@acme.test")
	code := box.resetCode(t, "ada@acme.test")

	// A weak new password is refused before the code is looked at: no try spent.
	for _, weak := range []string{"short", "password123", "ada@acme.test", "ADA", strings.Repeat("x", 129)} {
		if r := resetPassword(s, "ada@acme.test", code, weak); r.Code() != "WEAK_PASSWORD" {
			t.Fatalf("new password %.20q: %+v, want WEAK_PASSWORD", weak, r.Errors)
		}
	}
	var out struct{ ResetPassword bool }
	resetPassword(s, "ada@acme.test", code, newAgentPassword).Decode(t, &out)
	if !out.ResetPassword {
		t.Fatal("resetPassword = false")
	}
	if msg := box.next(t); msg.To != "ada@acme.test" || !strings.Contains(msg.Subject, "password was changed") {
		t.Errorf("after the reset, mail %q to %s, want the password-changed notice", msg.Subject, msg.To)
	}
	// The reset ended the old session and did not sign in.
	if meEmail(t, s, oldToken) != "" {
		t.Error("the session from before the reset still works")
	}
	if r := signIn(s, "ada@acme.test", adaPassword); r.Code() != "INVALID_CREDENTIALS" {
		t.Errorf("old password: %+v", r.Errors)
	}
	if token := mustSignIn(t, s, "ada@acme.test", newAgentPassword); meEmail(t, s, token) != "ada@acme.test" {
		t.Error("the new password does not sign in")
	}
	// The code is used up.
	if r := resetPassword(s, "ada@acme.test", code, otherGoodPassword); r.Code() != "INVALID_CODE" {
		t.Errorf("code used twice: %+v", r.Errors)
	}
}

func TestResetCodeRules(t *testing.T) {
	s, box := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)
	addUser(t, s, tn.ID, "bob@acme.test", adaPassword)
	const ada, bob = "ada@acme.test", "bob@acme.test"
	wrong := func(code string) string { // a valid-looking code that is not code
		if code == "000000" {
			return "000001"
		}
		return "000000"
	}

	t.Run("wrong codes count down the tries", func(t *testing.T) {
		requestReset(t, s, ada)
		code := box.resetCode(t, ada)
		for i := range 4 {
			if r := resetPassword(s, ada, wrong(code), newAgentPassword); r.Code() != "INVALID_CODE" {
				t.Fatalf("wrong code %d: %+v", i+1, r.Errors)
			}
		}
		if r := resetPassword(s, ada, wrong(code), newAgentPassword); r.Code() != "TOO_MANY_ATTEMPTS" {
			t.Fatalf("5th wrong code: %+v", r.Errors)
		}
		// No try left: even the right code is refused now.
		if r := resetPassword(s, ada, code, newAgentPassword); r.Code() != "TOO_MANY_ATTEMPTS" {
			t.Fatalf("right code after 5 wrong ones: %+v", r.Errors)
		}
	})

	t.Run("malformed codes", func(t *testing.T) {
		for _, c := range []string{"", "12345", "1234567", "12a456", "١٢٣٤٥٦"} {
			if r := resetPassword(s, ada, c, newAgentPassword); r.Code() != "INVALID_CODE" {
				t.Errorf("code %q: %+v", c, r.Errors)
			}
		}
	})

	t.Run("expired", func(t *testing.T) {
		s.Clock.Advance(16 * time.Minute) // out of the request rate window
		requestReset(t, s, ada)
		code := box.resetCode(t, ada)
		s.Clock.Advance(10 * time.Minute)
		if r := resetPassword(s, ada, code, newAgentPassword); r.Code() != "INVALID_CODE" {
			t.Fatalf("expired code: %+v", r.Errors)
		}
	})

	t.Run("a new request voids older codes", func(t *testing.T) {
		s.Clock.Advance(16 * time.Minute)
		requestReset(t, s, ada)
		first := box.resetCode(t, ada)
		requestReset(t, s, ada)
		second := box.resetCode(t, ada)
		if r := resetPassword(s, ada, first, newAgentPassword); r.Code() != "INVALID_CODE" && first != second {
			t.Fatalf("voided code: %+v", r.Errors)
		}
		if r := resetPassword(s, ada, second, newAgentPassword); len(r.Errors) > 0 {
			t.Fatalf("latest code: %+v", r.Errors)
		}
		box.next(t) // the password-changed notice
	})

	t.Run("requests per address are limited", func(t *testing.T) {
		s.Clock.Advance(16 * time.Minute)
		for range 3 {
			requestReset(t, s, ada)
			box.resetCode(t, ada)
		}
		requestReset(t, s, ada) // the 4th in 15 minutes: answered, nothing sent
		// Requests are carried out in order, in the background: once bob's
		// code arrives, the 4th was done (before the clock moves on).
		requestReset(t, s, bob)
		if msg := box.next(t); msg.To != bob {
			t.Fatalf("the limited request sent a mail to %s", msg.To)
		}
		s.Clock.Advance(16 * time.Minute)
		requestReset(t, s, ada)
		code := box.resetCode(t, ada)
		if r := resetPassword(s, ada, code, otherGoodPassword); len(r.Errors) > 0 {
			t.Fatalf("the code after the limit: %+v", r.Errors)
		}
		box.next(t)
		sent := s.App.DB.Client.OutboxMessage.Query().Where(outboxmessage.SubjectContains("confirmation code")).CountX(testserver.Ctx())
		if sent != 9 {
			t.Errorf("%d reset codes mailed in this test, want 9 (the limited request sends none)", sent)
		}
	})
}

// Two submits of one right code at once: exactly one wins (run with -race).
func TestResetCodeConcurrentSubmitsOneWins(t *testing.T) {
	s, box := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)
	requestReset(t, s, "ada@acme.test")
	code := box.resetCode(t, "ada@acme.test")

	const n = 6
	var wg sync.WaitGroup
	bodies := make([]string, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, bodies[i] = rawDoNoFatal(s, resetPasswordOp, map[string]any{"e": "ada@acme.test", "c": code, "p": newAgentPassword})
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, b := range bodies {
		switch {
		case strings.Contains(b, `"resetPassword":true`):
			wins++
		case !strings.Contains(b, `"INVALID_CODE"`):
			t.Errorf("unexpected answer %s", b)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent submits of one code won, want exactly 1", wins)
	}
}

// requestPasswordReset answers alike for every address, and resetPassword
// then answers alike too: rows of unknown addresses behave like real ones.
func TestPasswordResetDoesNotRevealAccounts(t *testing.T) {
	s, box := newSignInServer(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	corp := s.CreateTenant(root, "corp")
	startIdP(t, s).configure(t, s, root, corp.ID)
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)
	addUser(t, s, tn.ID, "off@acme.test", adaPassword, func(c *ent.UserCreate) { c.SetActive(false) })
	addUser(t, s, corp.ID, "sso@corp.test", "")
	addUser(t, s, tn.ID, "last@acme.test", adaPassword)

	addresses := []string{"ada@acme.test", "nobody@acme.test", "off@acme.test", "sso@corp.test", "x@elsewhere.example"}
	const want = `{"data":{"requestPasswordReset":true}}`
	for _, email := range append(addresses, "not an address") {
		if status, body := rawDo(t, s, "", requestResetOp, map[string]any{"e": email}); status != 200 || body != want {
			t.Errorf("requestPasswordReset(%s) = %d %s", email, status, body)
		}
	}
	// Requests are carried out in order: once last's code arrives, all
	// the earlier ones are done.
	requestReset(t, s, "last@acme.test")
	if code := box.resetCode(t, "ada@acme.test"); code == "" {
		t.Fatal("no code for ada")
	}
	box.resetCode(t, "last@acme.test")
	if n := s.App.DB.Client.PasswordResetCode.Query().Where(passwordresetcode.ConsumedAtIsNil()).CountX(testserver.Ctx()); n != 6 {
		t.Fatalf("%d live reset requests, want one per address (6)", n)
	}

	// The same wrong codes get the same answers, account or not.
	var first []string
	for _, email := range addresses {
		var got []string
		for range 6 {
			status, body := rawDo(t, s, "", resetPasswordOp, map[string]any{"e": email, "c": "999999", "p": newAgentPassword})
			got = append(got, strings.ReplaceAll(body, email, "EMAIL")+" "+string(rune('0'+status/100)))
		}
		if first == nil {
			first = got
			if !strings.Contains(got[0], "INVALID_CODE") || !strings.Contains(got[5], "TOO_MANY_ATTEMPTS") {
				t.Fatalf("answers %v", got)
			}
			continue
		}
		for i := range got {
			if got[i] != first[i] {
				t.Errorf("%s, wrong code %d: %s\nwhile %s got %s", email, i+1, got[i], addresses[0], first[i])
			}
		}
	}
}

// The reset mail goes through a real SMTP server; the code read from what
// it received completes the reset through GraphQL.
func TestPasswordResetThroughSMTP(t *testing.T) {
	smtpd := mailtest.Start(t)
	s := testserver.New(t, func(c *agentdesk.Config) {
		c.SMTPURL = smtpd.URL()
		c.MailFrom = "agentdesk <no-reply@agentdesk.test>"
	})
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "ada@acme.test", adaPassword)
	token := mustSignIn(t, s, "ada@acme.test", adaPassword)

	requestReset(t, s, "ada@acme.test")
	m := smtpd.Next(t)
	if m.From != "no-reply@agentdesk.test" || !slices.Equal(m.To, []string{"ada@acme.test"}) {
		t.Errorf("envelope %s → %v", m.From, m.To)
	}
	text, html := bodies(t, m)
	c := codeInText.FindStringSubmatch(text)
	if c == nil || !strings.Contains(html, c[1]) {
		t.Fatalf("no code in the text part, or not the same in the HTML part:\n%s", text)
	}
	var out struct{ ResetPassword bool }
	s.MustDo("", resetPasswordOp, map[string]any{"e": "ada@acme.test", "c": c[1], "p": newAgentPassword}, &out)
	if !out.ResetPassword || meEmail(t, s, token) != "" {
		t.Fatalf("reset = %v, old session still works: %v", out.ResetPassword, meEmail(t, s, token) != "")
	}
	if text, _ := bodies(t, smtpd.Next(t)); !strings.Contains(text, "password of your agentdesk account was changed") {
		t.Errorf("second mail is not the change notice:\n%s", text)
	}
	mustSignIn(t, s, "ada@acme.test", newAgentPassword)
}

// bodies decodes the text and HTML parts of a multipart/alternative message.
func bodies(t *testing.T, m mailtest.Message) (text, html string) {
	t.Helper()
	text, html, err := m.Parts()
	if err != nil {
		t.Fatal(err)
	}
	return text, html
}

// A user created without a password sets its first one through the reset
// flow.
func TestFirstPasswordThroughReset(t *testing.T) {
	s, box := newSignInServer(t)
	tn := s.CreateTenant(s.RootToken(), "acme")
	addUser(t, s, tn.ID, "new@acme.test", "")
	if r := signIn(s, "new@acme.test", ""); r.Code() != "INVALID_CREDENTIALS" {
		t.Fatalf("sign-in without a password: %+v", r.Errors)
	}
	requestReset(t, s, "new@acme.test")
	code := box.resetCode(t, "new@acme.test")
	var out struct{ ResetPassword bool }
	resetPassword(s, "new@acme.test", code, newAgentPassword).Decode(t, &out)
	box.next(t) // the password-changed notice
	if token := mustSignIn(t, s, "new@acme.test", newAgentPassword); meEmail(t, s, token) != "new@acme.test" {
		t.Fatal("the first password does not sign in")
	}
}
