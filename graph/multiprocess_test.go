package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/desktop"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// Two agentdesk servers on one PostgreSQL database act as one service. Each
// server has what a separate process has: its own connection pool, event
// broker and listener, throttles, workers and clock.

// pair is the desk's server (A) and a second server (B) on its database.
type pair struct {
	*desk
	b *testserver.Server
}

func newPair(t *testing.T, opts ...testserver.Option) *pair {
	t.Helper()
	storetest.RequirePostgres(t)
	d := newDesk(t, opts...)
	b := testserver.New(t, append(opts, testserver.OnDatabase(d.s.Config.DatabaseURL))...)
	return &pair{desk: d, b: b}
}

// loginOn runs stationLogin through server s (desk.login is through A).
func (d *desk) loginOn(s *testserver.Server, u deskUser, in map[string]any) *testserver.Response {
	d.t.Helper()
	full := map[string]any{"clientId": "tab-1", "stationType": "DIAL_NUMBER", "teamId": d.team.ID}
	for k, v := range in {
		full[k] = v
	}
	return s.DoWith(u.Token, loginMutation, map[string]any{"in": full}, chrome())
}

// subscribeOnA opens tab clientID's desktopEvents on server A and waits
// until A has registered it.
func (p *pair) subscribeOnA(token, clientID string) *websocket.Conn {
	p.t.Helper()
	before := p.s.App.Events.Subscribers()
	conn, ack := dialEvents(p.t, p.desk, token)
	if ack.Type != "connection_ack" {
		p.t.Fatalf("init: %+v", ack)
	}
	subscribeEvents(p.t, conn, clientID)
	deadline := time.Now().Add(10 * time.Second)
	for p.s.App.Events.Subscribers() == before {
		if time.Now().After(deadline) {
			p.t.Fatal("the subscription never registered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return conn
}

// expectEvent reads the next event of the subscription.
func expectEvent(t *testing.T, conn *websocket.Conn, typ string) eventPayload {
	t.Helper()
	m := readWS(t, conn)
	var ev eventPayload
	if err := json.Unmarshal(m.Payload, &ev); m.Type != "next" || err != nil || ev.Data.DesktopEvents.Type != typ {
		t.Fatalf("want %s, got %+v (%s)", typ, m, m.Payload)
	}
	return ev
}

// TestTwoServersDesktopEvents: a takeover, a banner and a forced sign-out
// made through B reach the subscriptions held on A.
func TestTwoServersDesktopEvents(t *testing.T) {
	p := newPair(t)
	a := p.agent()
	p.mustLogin(a, map[string]any{"clientId": "tab-A", "dialNumber": "4155550900"})
	conn := p.subscribeOnA(a.Token, "tab-A")

	// A banner created through B.
	p.b.MustDo(p.root, `mutation($t:ID!){ createBanner(input:{tenantId:$t, message:"Voicemail is down"}){ id } }`,
		map[string]any{"t": p.tenant.ID}, nil)
	expectEvent(t, conn, "BANNERS_CHANGED")

	// The agent opens the desktop in another window served by B.
	other := p.b.SignIn(a.Email, agentPassword)
	p.b.MustDo(other, continueMutation, map[string]any{"c": "tab-B"}, nil)
	ev := expectEvent(t, conn, "SESSION_TAKEN_OVER")
	if ev.Data.DesktopEvents.Message == "" {
		t.Error("SESSION_TAKEN_OVER without its message")
	}
	// The first tab's next call on A answers the same.
	if _, code := desktopSession(p.desk, a.Token, "tab-A"); code != "SESSION_TAKEN_OVER" {
		t.Fatalf("tab A on A after the takeover through B: %q", code)
	}

	// An admin signs another agent out through B.
	admin := p.userIn(p.tenant, "admin@acme.test", policy.TenantAdmin, nil)
	c := p.agent()
	ses := p.mustLogin(c, map[string]any{"clientId": "tab-C", "dialNumber": "4155550901"})
	connC := p.subscribeOnA(c.Token, "tab-C")
	p.b.MustDo(admin.Token, forceMutation, map[string]any{"id": ses.ID, "r": "Shift over"}, nil)
	if ev := expectEvent(t, connC, "FORCED_SIGN_OUT"); ev.Data.DesktopEvents.Message != "Shift over" {
		t.Errorf("forced sign-out message %q", ev.Data.DesktopEvents.Message)
	}
}

// TestListenerReconnectsAfterKill: the listening connection of A is
// terminated; a takeover made through B right then, while A reconnects,
// still reaches A's subscription (by LISTEN again, or by A re-reading what
// its tabs missed), and so does one made after A listens again.
func TestListenerReconnectsAfterKill(t *testing.T) {
	p := newPair(t)
	broker, ok := p.s.App.Events.(*desktop.PostgresBroker)
	if !ok {
		t.Fatalf("server A's events broker is %T, want the PostgreSQL one", p.s.App.Events)
	}
	a, c := p.agent(), p.agent()
	p.mustLogin(a, map[string]any{"clientId": "tab-A", "dialNumber": "4155550910"})
	p.mustLogin(c, map[string]any{"clientId": "tab-C", "dialNumber": "4155550911"})
	connA := p.subscribeOnA(a.Token, "tab-A")
	connC := p.subscribeOnA(c.Token, "tab-C")
	otherA, otherC := p.b.SignIn(a.Email, agentPassword), p.b.SignIn(c.Email, agentPassword)

	kill := func() uint32 {
		t.Helper()
		pid := broker.ListenerPID()
		var ok bool
		if err := p.s.App.DB.SQL.QueryRowContext(t.Context(), `SELECT pg_terminate_backend($1)`, int64(pid)).Scan(&ok); err != nil || !ok {
			t.Fatalf("terminate the listener's backend %d: %v %v", pid, ok, err)
		}
		return pid
	}
	// Killed, and the takeover follows at once: it may be published
	// before A listens again.
	kill()
	p.b.MustDo(otherA, continueMutation, map[string]any{"c": "tab-B"}, nil)
	expectEventAfterRelisten(t, connA, "SESSION_TAKEN_OVER")

	// Killed, and the takeover waits until A listens again.
	old := kill()
	deadline := time.Now().Add(10 * time.Second)
	for pid := broker.ListenerPID(); pid == 0 || pid == old; pid = broker.ListenerPID() {
		if time.Now().After(deadline) {
			t.Fatal("A's listener did not reconnect")
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.b.MustDo(otherC, continueMutation, map[string]any{"c": "tab-D"}, nil)
	expectEventAfterRelisten(t, connC, "SESSION_TAKEN_OVER")
}

// expectEventAfterRelisten is expectEvent for a tab on a server whose
// listener reconnected: it may first hear what the re-read after the
// reconnection found (banners to reload), or typ twice (published, and
// found missed by the re-read); typ must come.
func expectEventAfterRelisten(t *testing.T, conn *websocket.Conn, typ string) {
	t.Helper()
	for {
		m := readWS(t, conn)
		var ev eventPayload
		if err := json.Unmarshal(m.Payload, &ev); err != nil || m.Type != "next" {
			t.Fatalf("message %+v (%s)", m, m.Payload)
		}
		switch ev.Data.DesktopEvents.Type {
		case typ:
			return
		case "BANNERS_CHANGED":
		default:
			t.Fatalf("unexpected event %+v", ev.Data.DesktopEvents)
		}
	}
}

// TestTwoServersStationLoginRace: 64 station logins at once, half through
// each server, for 16 numbers: exactly one winner per number.
func TestTwoServersStationLoginRace(t *testing.T) {
	p := newPair(t)
	const numbers, perNumber = 16, 4
	type attempt struct {
		agent  deskUser
		server *testserver.Server
		number string
	}
	var attempts []attempt
	for i := range numbers * perNumber {
		s := p.s
		if i%2 == 1 {
			s = p.b
		}
		attempts = append(attempts, attempt{agent: p.agent(), server: s, number: fmt.Sprintf("41555510%02d", i%numbers)})
	}
	codes := make([]string, len(attempts))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, at := range attempts {
		wg.Go(func() {
			<-start
			codes[i] = p.loginOn(at.server, at.agent, map[string]any{"dialNumber": at.number}).Code()
		})
	}
	close(start)
	wg.Wait()
	won := map[string]int{}
	for i, c := range codes {
		switch c {
		case "":
			won[attempts[i].number]++
		case "DIAL_NUMBER_IN_USE":
		default:
			t.Errorf("login %d (%s): unexpected code %s", i, attempts[i].number, c)
		}
	}
	for n := range numbers {
		number := fmt.Sprintf("41555510%02d", n)
		if won[number] != 1 {
			t.Errorf("%s: %d winners, want 1 (codes %v)", number, won[number], codes)
		}
	}
}

// TestTwoServersPasswordReset: a code requested through A (and mailed by
// whichever server's worker claims the message, once) resets the password
// through B.
func TestTwoServersPasswordReset(t *testing.T) {
	box := make(mailbox, 10)
	p := newPair(t, func(c *agentdesk.Config) { c.MailSender = box })
	addUser(t, p.s, p.tenant.ID, "ada@acme.test", adaPassword)
	requestReset(t, p.s, "ada@acme.test")
	code := box.resetCode(t, "ada@acme.test")
	var out struct{ ResetPassword bool }
	resetPassword(p.b, "ada@acme.test", code, newAgentPassword).Decode(t, &out)
	if !out.ResetPassword {
		t.Fatal("resetPassword through B = false")
	}
	if meEmail(t, p.s, mustSignIn(t, p.s, "ada@acme.test", newAgentPassword)) != "ada@acme.test" {
		t.Fatal("the new password does not sign in through A")
	}
	// The code request's mail and the password-changed notice, each once.
	if msg := box.next(t); !strings.Contains(msg.Subject, "password was changed") {
		t.Errorf("second mail %q", msg.Subject)
	}
	select {
	case msg := <-box:
		t.Errorf("a mail sent twice or unexpected: %q to %s", msg.Subject, msg.To)
	case <-time.After(500 * time.Millisecond):
	}
}

// TestTwoServersSignInThrottle: wrong passwords for one account, alternating
// between the servers, count together: both refuse the account after the
// limit (the throttle's state is in the database).
func TestTwoServersSignInThrottle(t *testing.T) {
	p := newPair(t)
	addUser(t, p.s, p.tenant.ID, "ada@acme.test", adaPassword)
	servers := []*testserver.Server{p.s, p.b}
	throttled := map[*testserver.Server]bool{}
	for i := range 8 {
		s := servers[i%2]
		switch code := signIn(s, "ada@acme.test", "wrong password").Code(); code {
		case "INVALID_CREDENTIALS":
			if i >= 6 {
				t.Errorf("attempt %d: still INVALID_CREDENTIALS after %d failures on the two servers", i+1, i)
			}
		case "TOO_MANY_ATTEMPTS":
			throttled[s] = true
		default:
			t.Fatalf("attempt %d: %s", i+1, code)
		}
	}
	for i, s := range servers {
		if !throttled[s] {
			t.Errorf("server %c never throttled the account", 'A'+i)
		}
		if code := signIn(s, "ada@acme.test", adaPassword).Code(); code != "TOO_MANY_ATTEMPTS" {
			t.Errorf("server %c: the right password after 8 failures: %q, want TOO_MANY_ATTEMPTS", 'A'+i, code)
		}
	}
}

// TestTwoServersSweepRace: both servers sweep the same idle sessions at the
// same moment: each session is warned once and ended once, and each tab
// hears each event once.
func TestTwoServersSweepRace(t *testing.T) {
	p := newPair(t, withoutSweeper)
	p.updateTenant(map[string]any{"desktopInactivityTimeoutMinutes": inactivityMinutes})
	const n = 40
	var subs []<-chan desktop.Event
	for i := range n {
		a := p.agent()
		p.mustLogin(a, map[string]any{"dialNumber": fmt.Sprintf("41555520%02d", i)})
		events, stop := p.s.App.Events.Subscribe(p.tenant.ID, a.ID, "tab-1")
		t.Cleanup(stop)
		subs = append(subs, events)
	}
	sweepBoth := func() desktop.SweepResult {
		t.Helper()
		var wg sync.WaitGroup
		results := make([]desktop.SweepResult, 2)
		for i, s := range []*testserver.Server{p.s, p.b} {
			wg.Go(func() {
				res, err := s.App.Sweeper.SweepOnce(context.Background())
				if err != nil {
					t.Error(err)
				}
				results[i] = res
			})
		}
		wg.Wait()
		return desktop.SweepResult{Warned: results[0].Warned + results[1].Warned, Ended: results[0].Ended + results[1].Ended}
	}
	advance := func(d time.Duration) { p.s.Clock.Advance(d); p.b.Clock.Advance(d) }
	// Each tab's events, after the tab has had time to hear a duplicate.
	heard := func() [][]desktop.EventType {
		time.Sleep(500 * time.Millisecond)
		out := make([][]desktop.EventType, n)
		for i, ch := range subs {
			for len(ch) > 0 {
				out[i] = append(out[i], (<-ch).Type)
			}
		}
		return out
	}

	advance(inactivityMinutes*time.Minute - 50*time.Second)
	if res := sweepBoth(); res.Warned != n || res.Ended != 0 {
		t.Fatalf("warning sweeps together %+v, want %d warned", res, n)
	}
	for i, evs := range heard() {
		if len(evs) != 1 || evs[0] != desktop.InactivityWarning {
			t.Errorf("tab %d heard %v, want one INACTIVITY_WARNING", i, evs)
		}
	}
	advance(time.Minute)
	if res := sweepBoth(); res.Ended != n {
		t.Fatalf("expiry sweeps together %+v, want %d ended", res, n)
	}
	for i, evs := range heard() {
		if len(evs) != 1 || evs[0] != desktop.ForcedSignOut {
			t.Errorf("tab %d heard %v, want one FORCED_SIGN_OUT", i, evs)
		}
	}
}
