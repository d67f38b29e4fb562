package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent/auditevent"
	"github.com/agentdesk/agentdesk/ent/desktopsession"
	"github.com/agentdesk/agentdesk/internal/desktop"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

const (
	desktopSessionQuery = `query($c:String!){ desktopSession(clientId:$c){
		id clientId state idleCode endReason endedAt interactions{ interactionId kind active } } }`
	continueMutation = `mutation($c:String!){ continueSession(clientId:$c){
		id clientId state idleCode interactions{ interactionId kind active } } }`
	setStateMutation  = `mutation($c:String!,$s:AgentState!,$i:String){ setAgentState(clientId:$c, state:$s, idleCode:$i){ id state idleCode } }`
	signOutMutation   = `mutation($c:String!){ signOut(clientId:$c) }`
	recordMutation    = `mutation($in: RecordInteractionInput!){ recordInteraction(input:$in){ interactionId kind active } }`
	forceMutation     = `mutation($id:ID!,$r:String!){ forceSignOut(sessionId:$id, reason:$r){ id endedAt endReason } }`
	desktopSessionsQ  = `query($t:ID!,$a:Boolean){ desktopSessions(tenantId:$t, activeOnly:$a){ totalCount edges{ node{ id endReason user{ email } } } } }`
	noSweep           = -1
	inactivityMinutes = 5
)

func withoutSweeper(cfg *agentdesk.Config) { cfg.DesktopSweepInterval = noSweep }

func desktopSession(d *desk, token, clientID string) (*deskSession, string) {
	d.t.Helper()
	r := d.s.Do(token, desktopSessionQuery, map[string]any{"c": clientID})
	if r.Code() != "" {
		return nil, r.Code()
	}
	var out struct{ DesktopSession *deskSession }
	r.Decode(d.t, &out)
	return out.DesktopSession, ""
}

func recordInteraction(t *testing.T, d *desk, token, sessionID, id, kind string, active bool) {
	t.Helper()
	d.s.MustDo(token, recordMutation, map[string]any{"in": map[string]any{
		"sessionId": sessionID, "interactionId": id, "kind": kind, "active": active}}, nil)
}

func setState(d *desk, token, clientID, state string, idleCode any) string {
	d.t.Helper()
	return d.s.Do(token, setStateMutation, map[string]any{"c": clientID, "s": state, "i": idleCode}).Code()
}

// TestTakeover: tab A logs in; tab B (another browser) is told the deskSession
// is active elsewhere, continues it with its state and interactions, and A's
// next calls hear SESSION_TAKEN_OVER; A may take it back.
func TestTakeover(t *testing.T) {
	d := newDesk(t)
	a := d.agent()
	ses := d.mustLogin(a, map[string]any{"clientId": "tab-A", "dialNumber": "4155550200"})
	if c := setState(d, a.Token, "tab-A", "AVAILABLE", nil); c != "" {
		t.Fatal(c)
	}
	integration := d.integrationToken(d.tenant)
	recordInteraction(t, d, integration, ses.ID, "call-1", "CONVERSATION", true)
	recordInteraction(t, d, integration, ses.ID, "call-0", "CONVERSATION", false)

	// Another browser: a second sign-in of the same agent.
	other := deskUser{ID: a.ID, Email: a.Email, Token: d.s.SignIn(a.Email, agentPassword)}
	r := d.s.Do(other.Token, desktopSessionQuery, map[string]any{"c": "tab-B"})
	expectCode(t, r, "SESSION_ACTIVE_ELSEWHERE")
	if ext := r.Errors[0].Extensions; ext["sessionId"] != ses.ID || ext["activeInteractions"] != float64(1) {
		t.Fatalf("extensions %+v", ext)
	}
	expectCode(t, d.login(other, map[string]any{"clientId": "tab-B", "dialNumber": "4155550201"}), "SESSION_ACTIVE_ELSEWHERE")

	var cont struct{ ContinueSession deskSession }
	d.s.MustDo(other.Token, continueMutation, map[string]any{"c": "tab-B"}, &cont)
	got := cont.ContinueSession
	if got.ID != ses.ID || got.ClientID != "tab-B" || got.State != "AVAILABLE" || len(got.Interactions) != 2 {
		t.Fatalf("continued %+v", got)
	}
	if got.Interactions[0].InteractionID != "call-1" && got.Interactions[1].InteractionID != "call-1" {
		t.Fatalf("interactions not carried over: %+v", got.Interactions)
	}

	for name, code := range map[string]string{
		"desktopSession": func() string { _, c := desktopSession(d, a.Token, "tab-A"); return c }(),
		"setAgentState":  setState(d, a.Token, "tab-A", "IDLE", nil),
		"signOut":        d.s.Do(a.Token, signOutMutation, map[string]any{"c": "tab-A"}).Code(),
	} {
		if code != "SESSION_TAKEN_OVER" {
			t.Errorf("tab A %s: %s, want SESSION_TAKEN_OVER", name, code)
		}
	}
	// B holds it and sees the same session after a reload.
	if s, code := desktopSession(d, other.Token, "tab-B"); code != "" || s == nil || s.ID != ses.ID || s.State != "AVAILABLE" {
		t.Fatalf("tab B reload: %+v %s", s, code)
	}
	// A takes it back; now B is the one taken over.
	d.s.MustDo(a.Token, continueMutation, map[string]any{"c": "tab-A"}, &cont)
	if cont.ContinueSession.ClientID != "tab-A" {
		t.Fatalf("taken back: %+v", cont.ContinueSession)
	}
	if _, code := desktopSession(d, other.Token, "tab-B"); code != "SESSION_TAKEN_OVER" {
		t.Fatalf("tab B after A took it back: %s", code)
	}
	// A brand-new tab without a session to continue.
	fresh := d.agent()
	expectCode(t, d.s.Do(fresh.Token, continueMutation, map[string]any{"c": "tab-X"}), "NO_DESKTOP_SESSION")
}

// TestInactivityOnAccess: with the background sweep off, a call after the
// timeout finds the session ended ("Inactivity Logout"); calls before it
// refresh the timer.
func TestInactivityOnAccess(t *testing.T) {
	d := newDesk(t, withoutSweeper)
	d.updateTenant(map[string]any{"desktopInactivityTimeoutMinutes": inactivityMinutes})
	a := d.agent()
	ses := d.mustLogin(a, map[string]any{"dialNumber": "4155550300"})

	d.s.Clock.Advance(3 * time.Minute)
	if c := setState(d, a.Token, "tab-1", "IDLE", "Coffee"); c != "" {
		t.Fatal(c)
	}
	d.s.Clock.Advance(3 * time.Minute) // 6 minutes since login, 3 since the last call
	if s, code := desktopSession(d, a.Token, "tab-1"); code != "" || s == nil || s.IdleCode != "Coffee" {
		t.Fatalf("still active: %+v %s", s, code)
	}
	d.s.Clock.Advance(inactivityMinutes*time.Minute + time.Second)
	if _, code := desktopSession(d, a.Token, "tab-1"); code != "SESSION_EXPIRED" {
		t.Fatalf("after the timeout: %s, want SESSION_EXPIRED", code)
	}
	if c := setState(d, a.Token, "tab-1", "AVAILABLE", nil); c != "SESSION_EXPIRED" {
		t.Fatalf("setAgentState after the timeout: %s", c)
	}
	ended, err := d.db().DesktopSession.Get(testserver.Ctx(), ses.ID)
	if err != nil || ended.EndedAt == nil || ended.EndReason != desktop.ReasonInactivity {
		t.Fatalf("ended session %+v %v", ended, err)
	}
	// Another tab of the agent learns nothing about it; a new login works.
	if s, code := desktopSession(d, a.Token, "tab-2"); code != "" || s != nil {
		t.Fatalf("other tab: %+v %s", s, code)
	}
	d.mustLogin(a, map[string]any{"dialNumber": "4155550300"})

	// An idle session of another agent does not keep a number from a login.
	b, c := d.agent(), d.agent()
	d.mustLogin(b, map[string]any{"dialNumber": "4155550301"})
	d.s.Clock.Advance(inactivityMinutes*time.Minute + time.Second)
	d.mustLogin(c, map[string]any{"dialNumber": "4155550301"})
}

// TestInactivitySweep: the sweeper warns a minute before and then ends idle
// sessions, and leaves alone a session with an active interaction.
func TestInactivitySweep(t *testing.T) {
	d := newDesk(t, withoutSweeper)
	ctx := testserver.Ctx()
	d.updateTenant(map[string]any{"desktopInactivityTimeoutMinutes": inactivityMinutes})
	a, busy := d.agent(), d.agent()
	d.mustLogin(a, map[string]any{"dialNumber": "4155550400"})
	busySession := d.mustLogin(busy, map[string]any{"dialNumber": "4155550401"})
	recordInteraction(t, d, d.integrationToken(d.tenant), busySession.ID, "call-9", "CONVERSATION", true)
	events, stop := d.s.App.Desktop.Events.Subscribe(d.tenant.ID, a.ID, "tab-1")
	defer stop()

	sweep := func() desktop.SweepResult {
		t.Helper()
		res, err := d.s.App.Sweeper.SweepOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := sweep(); res != (desktop.SweepResult{}) {
		t.Fatalf("fresh sessions swept: %+v", res)
	}
	d.s.Clock.Advance(inactivityMinutes*time.Minute - 50*time.Second)
	if res := sweep(); res.Warned != 1 || res.Ended != 0 {
		t.Fatalf("warning sweep %+v", res)
	}
	if ev := nextEvent(t, events); ev.Type != desktop.InactivityWarning || !strings.Contains(ev.Message, "50 seconds") {
		t.Fatalf("event %+v", ev)
	}
	if res := sweep(); res.Warned != 0 {
		t.Fatalf("warned twice: %+v", res)
	}
	d.s.Clock.Advance(time.Minute)
	if res := sweep(); res.Ended != 1 {
		t.Fatalf("expiry sweep %+v", res)
	}
	if ev := nextEvent(t, events); ev.Type != desktop.ForcedSignOut || ev.Message != desktop.ReasonInactivity {
		t.Fatalf("event %+v", ev)
	}
	if _, code := desktopSession(d, a.Token, "tab-1"); code != "SESSION_EXPIRED" {
		t.Fatalf("after the sweep: %s", code)
	}
	if s, code := desktopSession(d, busy.Token, "tab-1"); code != "" || s == nil {
		t.Fatalf("a session with an active call was ended: %s", code)
	}
}

func nextEvent(t *testing.T, events <-chan desktop.Event) desktop.Event {
	t.Helper()
	select {
	case ev := <-events:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
		return desktop.Event{}
	}
}

func TestAgentStateAndSignOut(t *testing.T) {
	d := newDesk(t)
	a := d.agent()
	if s, code := desktopSession(d, a.Token, "tab-1"); s != nil || code != "" {
		t.Fatalf("before login: %+v %s", s, code)
	}
	if c := setState(d, a.Token, "tab-1", "AVAILABLE", nil); c != "NO_DESKTOP_SESSION" {
		t.Fatalf("setAgentState without a session: %s", c)
	}
	expectCode(t, d.s.Do(a.Token, signOutMutation, map[string]any{"c": "tab-1"}), "NO_DESKTOP_SESSION")

	ses := d.mustLogin(a, map[string]any{"dialNumber": "4155550500"})
	for _, tc := range []struct {
		state string
		code  any
		want  string
	}{
		{"AVAILABLE", "Lunch", "VALIDATION_ERROR"},
		{"IDLE", strings.Repeat("x", 81), "VALIDATION_ERROR"},
		{"IDLE", strings.Repeat("x", 80), ""},
		{"IDLE", nil, ""},
		{"AVAILABLE", nil, ""},
	} {
		if c := setState(d, a.Token, "tab-1", tc.state, tc.code); c != tc.want {
			t.Errorf("setAgentState(%s, %v) = %q, want %q", tc.state, tc.code, c, tc.want)
		}
	}
	expectCode(t, d.s.Do(a.Token, signOutMutation, map[string]any{"c": "tab-1"}), "AGENT_NOT_IDLE")
	if c := setState(d, a.Token, "tab-1", "IDLE", "Wrap-up"); c != "" {
		t.Fatal(c)
	}
	integration := d.integrationToken(d.tenant)
	recordInteraction(t, d, integration, ses.ID, "call-1", "CONVERSATION", true)
	expectCode(t, d.s.Do(a.Token, signOutMutation, map[string]any{"c": "tab-1"}), "ACTIVE_INTERACTION")
	recordInteraction(t, d, integration, ses.ID, "call-1", "CONVERSATION", false)
	recordInteraction(t, d, integration, ses.ID, "mon-1", "MONITORING", true)
	expectCode(t, d.s.Do(a.Token, signOutMutation, map[string]any{"c": "tab-1"}), "MONITORING_IN_PROGRESS")
	recordInteraction(t, d, integration, ses.ID, "mon-1", "MONITORING", false)

	var out struct{ SignOut bool }
	d.s.MustDo(a.Token, signOutMutation, map[string]any{"c": "tab-1"}, &out)
	if !out.SignOut {
		t.Fatal("signOut returned false")
	}
	// The token is revoked with the session.
	if _, code := desktopSession(d, a.Token, "tab-1"); code != "UNAUTHENTICATED" {
		t.Fatalf("token after sign-out: %s", code)
	}
	ended, err := d.db().DesktopSession.Get(testserver.Ctx(), ses.ID)
	if err != nil || ended.EndedAt == nil || ended.EndReason != desktop.ReasonUserLogout {
		t.Fatalf("session after sign-out %+v %v", ended, err)
	}
	again := d.s.SignIn(a.Email, agentPassword)
	if s, code := desktopSession(d, again, "tab-1"); s != nil || code != "" {
		t.Fatalf("after sign-out: %+v %s", s, code)
	}
	// The number is free for someone else.
	d.mustLogin(d.agent(), map[string]any{"dialNumber": "4155550500"})
}

func TestRecordInteraction(t *testing.T) {
	d := newDesk(t)
	globex := d.s.CreateTenant(d.root, "globex")
	a := d.agent()
	ses := d.mustLogin(a, map[string]any{"dialNumber": "4155550600"})
	integration := d.integrationToken(d.tenant)
	in := func(sessionID, id, kind string, active bool) map[string]any {
		return map[string]any{"in": map[string]any{"sessionId": sessionID, "interactionId": id, "kind": kind, "active": active}}
	}

	expectCode(t, d.s.Do(a.Token, recordMutation, in(ses.ID, "c1", "CONVERSATION", true)), "FORBIDDEN")
	expectCode(t, d.s.Do("", recordMutation, in(ses.ID, "c1", "CONVERSATION", true)), "VALIDATION_ERROR") // anonymous: not public
	expectCode(t, d.s.Do(d.integrationToken(globex), recordMutation, in(ses.ID, "c1", "CONVERSATION", true)), "NOT_FOUND")
	expectCode(t, d.s.Do(integration, recordMutation, in("dsk_nope", "c1", "CONVERSATION", true)), "NOT_FOUND")
	expectCode(t, d.s.Do(integration, recordMutation, in(ses.ID, "", "CONVERSATION", true)), "VALIDATION_ERROR")
	expectCode(t, d.s.Do(integration, recordMutation, in(ses.ID, strings.Repeat("i", 129), "CONVERSATION", true)), "VALIDATION_ERROR")

	recordInteraction(t, d, integration, ses.ID, "c1", "CONVERSATION", true)
	recordInteraction(t, d, integration, ses.ID, "c1", "CONVERSATION", false) // the same interaction, updated
	expectCode(t, d.s.Do(integration, recordMutation, in(ses.ID, "c1", "MONITORING", true)), "VALIDATION_ERROR")
	s, _ := desktopSession(d, a.Token, "tab-1")
	if s == nil || len(s.Interactions) != 1 || s.Interactions[0].Active || s.Interactions[0].Kind != "CONVERSATION" {
		t.Fatalf("interactions %+v", s)
	}

	d.s.MustDo(a.Token, signOutMutation, map[string]any{"c": "tab-1"}, nil)
	r := d.s.Do(integration, recordMutation, in(ses.ID, "c2", "CONVERSATION", true))
	expectCode(t, r, "NO_DESKTOP_SESSION")
}

func TestForceSignOutAndDesktopSessions(t *testing.T) {
	d := newDesk(t)
	ctx := testserver.Ctx()
	globex := d.s.CreateTenant(d.root, "globex")
	admin := d.userIn(d.tenant, "admin@acme.test", policy.TenantAdmin, nil)
	sup := d.userIn(d.tenant, "sup@acme.test", policy.Supervisor, nil)
	stranger := d.userIn(globex, "admin@globex.test", policy.TenantAdmin, nil)
	a := d.agent()
	ses := d.mustLogin(a, map[string]any{"dialNumber": "4155550700"})
	events, stop := d.s.App.Desktop.Events.Subscribe(d.tenant.ID, a.ID, "tab-1")
	defer stop()

	var list struct {
		DesktopSessions struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, EndReason string
					User          struct{ Email string }
				}
			}
		}
	}
	d.s.MustDo(sup.Token, desktopSessionsQ, map[string]any{"t": d.tenant.ID}, &list)
	if list.DesktopSessions.TotalCount != 1 || list.DesktopSessions.Edges[0].Node.User.Email != a.Email {
		t.Fatalf("sessions %+v", list)
	}
	expectCode(t, d.s.Do(a.Token, desktopSessionsQ, map[string]any{"t": d.tenant.ID}), "FORBIDDEN")
	expectCode(t, d.s.Do(stranger.Token, desktopSessionsQ, map[string]any{"t": d.tenant.ID}), "NOT_FOUND")

	expectCode(t, d.s.Do(sup.Token, forceMutation, map[string]any{"id": ses.ID, "r": "Shift over"}), "FORBIDDEN")
	expectCode(t, d.s.Do(stranger.Token, forceMutation, map[string]any{"id": ses.ID, "r": "Shift over"}), "NOT_FOUND")
	expectCode(t, d.s.Do(admin.Token, forceMutation, map[string]any{"id": "dsk_nope", "r": "Shift over"}), "NOT_FOUND")
	expectCode(t, d.s.Do(admin.Token, forceMutation, map[string]any{"id": ses.ID, "r": " "}), "VALIDATION_ERROR")
	expectCode(t, d.s.Do(admin.Token, forceMutation, map[string]any{"id": ses.ID, "r": strings.Repeat("r", 129)}), "VALIDATION_ERROR")

	var forced struct {
		ForceSignOut struct {
			ID, EndReason string
			EndedAt       *string
		}
	}
	d.s.MustDo(admin.Token, forceMutation, map[string]any{"id": ses.ID, "r": "Shift over"}, &forced)
	if forced.ForceSignOut.EndedAt == nil || forced.ForceSignOut.EndReason != "Shift over" {
		t.Fatalf("forced %+v", forced)
	}
	if ev := nextEvent(t, events); ev.Type != desktop.ForcedSignOut || ev.Message != "Shift over" {
		t.Fatalf("event %+v", ev)
	}
	if _, code := desktopSession(d, a.Token, "tab-1"); code != "UNAUTHENTICATED" {
		t.Fatalf("the agent's token after a forced sign-out: %s", code)
	}
	n, err := d.db().AuditEvent.Query().Where(auditevent.Action("forceSignOut"), auditevent.TargetID(ses.ID)).Count(ctx)
	if err != nil || n != 1 {
		t.Fatalf("audit events %d %v", n, err)
	}
	// Again: the ended session, unchanged, and no second audit event.
	d.s.MustDo(admin.Token, forceMutation, map[string]any{"id": ses.ID, "r": "Again"}, &forced)
	if forced.ForceSignOut.EndReason != "Shift over" {
		t.Fatalf("second force changed the session: %+v", forced)
	}
	if n, _ := d.db().AuditEvent.Query().Where(auditevent.Action("forceSignOut")).Count(ctx); n != 1 {
		t.Fatalf("audit events after a second force: %d", n)
	}

	d.s.MustDo(sup.Token, desktopSessionsQ, map[string]any{"t": d.tenant.ID}, &list)
	if list.DesktopSessions.TotalCount != 0 {
		t.Fatalf("active sessions after the force: %+v", list)
	}
	d.s.MustDo(sup.Token, desktopSessionsQ, map[string]any{"t": d.tenant.ID, "a": false}, &list)
	if list.DesktopSessions.TotalCount != 1 || list.DesktopSessions.Edges[0].Node.EndReason != "Shift over" {
		t.Fatalf("all sessions %+v", list)
	}
	if n, _ := d.db().DesktopSession.Query().Where(desktopsession.EndedAtIsNil()).Count(ctx); n != 0 {
		t.Fatalf("active sessions in the database: %d", n)
	}
}
