package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/agentdesk/agentdesk/internal/testserver"
)

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dialEvents opens a graphql-ws connection and sends connection_init with
// the token, as a browser does (it cannot set headers on a websocket).
func dialEvents(t *testing.T, d *desk, token string) (*websocket.Conn, wsMessage) {
	t.Helper()
	ctx, cancel := context.WithTimeout(testserver.Ctx(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(d.s.HTTP.URL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	payload := map[string]any{}
	if token != "" {
		payload["Authorization"] = "Bearer " + token
	}
	if err := wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": payload}); err != nil {
		t.Fatal(err)
	}
	var ack wsMessage
	if err := wsjson.Read(ctx, conn, &ack); err != nil {
		return conn, wsMessage{Type: "closed: " + err.Error()}
	}
	return conn, ack
}

func subscribeEvents(t *testing.T, conn *websocket.Conn, clientID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(testserver.Ctx(), 10*time.Second)
	defer cancel()
	err := wsjson.Write(ctx, conn, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($c:String!){ desktopEvents(clientId:$c){ type at message } }`,
		"variables": map[string]any{"c": clientID},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

// read returns the next message that is not a keep-alive.
func readWS(t *testing.T, conn *websocket.Conn) wsMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(testserver.Ctx(), 10*time.Second)
	defer cancel()
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			t.Fatal(err)
		}
		if m.Type != "ping" && m.Type != "pong" {
			return m
		}
	}
}

type eventPayload struct {
	Data struct {
		DesktopEvents struct {
			Type, Message string
			At            time.Time
		}
	}
}

func TestDesktopEventsSubscription(t *testing.T) {
	d := newDesk(t)
	a := d.agent()
	d.mustLogin(a, map[string]any{"clientId": "tab-A", "dialNumber": "4155550800"})

	conn, ack := dialEvents(t, d, a.Token)
	if ack.Type != "connection_ack" {
		t.Fatalf("init: %+v", ack)
	}
	subscribeEvents(t, conn, "tab-A")
	// The subscription is registered asynchronously; wait for it.
	deadline := time.Now().Add(10 * time.Second)
	for d.s.App.Desktop.Events.Subscribers() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the subscription never registered")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// Another tab continues the session: tab A is told at once.
	d.s.MustDo(a.Token, continueMutation, map[string]any{"c": "tab-B"}, nil)
	m := readWS(t, conn)
	var ev eventPayload
	if err := json.Unmarshal(m.Payload, &ev); m.Type != "next" || err != nil || ev.Data.DesktopEvents.Type != "SESSION_TAKEN_OVER" {
		t.Fatalf("message %+v (%s)", m, m.Payload)
	}
	if !ev.Data.DesktopEvents.At.Equal(d.s.Clock.Now()) {
		t.Errorf("event time %v, want the server's clock %v", ev.Data.DesktopEvents.At, d.s.Clock.Now())
	}

	// A banner of the tenant, whoever writes it, reaches every desktop.
	_, err := d.db().Banner.Create().SetTenantID(d.tenant.ID).SetMessage("Voicemail is down").Save(testserver.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	m = readWS(t, conn)
	if err := json.Unmarshal(m.Payload, &ev); m.Type != "next" || err != nil || ev.Data.DesktopEvents.Type != "BANNERS_CHANGED" {
		t.Fatalf("message %+v (%s)", m, m.Payload)
	}
	// An admin's createBanner runs in a transaction: the event follows the commit.
	d.s.MustDo(d.root, `mutation($t:ID!){ createBanner(input:{tenantId:$t, message:"Chat is back"}){ id } }`,
		map[string]any{"t": d.tenant.ID}, nil)
	m = readWS(t, conn)
	if err := json.Unmarshal(m.Payload, &ev); m.Type != "next" || err != nil || ev.Data.DesktopEvents.Type != "BANNERS_CHANGED" {
		t.Fatalf("message %+v (%s)", m, m.Payload)
	}
}

func TestDesktopEventsNeedASignedInUser(t *testing.T) {
	d := newDesk(t)
	// A token that is not valid closes the connection.
	_, ack := dialEvents(t, d, "ads_not-a-token")
	if ack.Type == "connection_ack" {
		t.Fatalf("a bad token was acknowledged")
	}
	// Without a token the subscription itself is refused: anonymous
	// documents are validated against the public schema, which has no
	// subscriptions (graph/public.go).
	conn, ack := dialEvents(t, d, "")
	if ack.Type != "connection_ack" {
		t.Fatalf("init: %+v", ack)
	}
	subscribeEvents(t, conn, "tab-A")
	// gqlgen answers a subscription resolver's error with a "next" whose
	// payload carries the errors.
	m := readWS(t, conn)
	if (m.Type != "error" && m.Type != "next") || !strings.Contains(string(m.Payload), `"code":"VALIDATION_ERROR"`) {
		t.Fatalf("anonymous subscription: %+v (%s)", m, m.Payload)
	}
}

// TestAWarningReachesATabThatListensLate: a tab that subscribes after its
// session was warned of inactivity (it connected late, or reconnected
// after a blip) hears the warning first, with the seconds left then; once
// the agent has been active since, a new subscription hears no stale
// warning. The desktop's browser test lost the warning this way when it
// moved the clock before the tab's subscription was registered.
func TestAWarningReachesATabThatListensLate(t *testing.T) {
	d := newDesk(t, withoutSweeper)
	d.updateTenant(map[string]any{"desktopInactivityTimeoutMinutes": inactivityMinutes})
	a := d.agent()
	d.mustLogin(a, map[string]any{"clientId": "tab-A", "dialNumber": "4155550810"})
	d.s.Clock.Advance(inactivityMinutes*time.Minute - 50*time.Second)
	if res, err := d.s.App.Sweeper.SweepOnce(testserver.Ctx()); err != nil || res.Warned != 1 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	d.s.Clock.Advance(20 * time.Second) // the tab connects 20 s later

	next := func(conn *websocket.Conn) eventPayload {
		t.Helper()
		m := readWS(t, conn)
		var ev eventPayload
		if err := json.Unmarshal(m.Payload, &ev); m.Type != "next" || err != nil {
			t.Fatalf("message %+v (%s)", m, m.Payload)
		}
		return ev
	}
	late, _ := dialEvents(t, d, a.Token)
	subscribeEvents(t, late, "tab-A")
	if ev := next(late).Data.DesktopEvents; ev.Type != "INACTIVITY_WARNING" || !strings.Contains(ev.Message, "30 seconds") {
		t.Fatalf("the late tab heard %+v, want the warning with 30 seconds left", ev)
	}

	// "Stay signed in": a desktop call, after which the warning is stale.
	if code := setState(d, a.Token, "tab-A", "AVAILABLE", nil); code != "" {
		t.Fatalf("setAgentState: %s", code)
	}
	again, _ := dialEvents(t, d, a.Token)
	subscribeEvents(t, again, "tab-A")
	deadline := time.Now().Add(10 * time.Second)
	for d.s.App.Desktop.Events.Subscribers() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the second subscription never registered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := d.db().Banner.Create().SetTenantID(d.tenant.ID).SetMessage("Voicemail is down").Save(testserver.Ctx()); err != nil {
		t.Fatal(err)
	}
	if ev := next(again).Data.DesktopEvents; ev.Type != "BANNERS_CHANGED" {
		t.Fatalf("after activity a new tab heard %+v first, want the banner (no stale warning)", ev)
	}
}
