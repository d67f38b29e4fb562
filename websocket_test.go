package agentdesk_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/agentdesk/agentdesk/internal/testserver"
)

// TestSubscriptionOutlivesServerTimeouts: a graphql-ws connection keeps
// working past the http.Server's read and write timeouts, which the upgrade
// must clear.
func TestSubscriptionOutlivesServerTimeouts(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.App.Handler, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws://" + ln.Addr().String() + "/graphql"
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := wsjson.Write(ctx, c, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + root}}); err != nil {
		t.Fatal(err)
	}
	var msg map[string]any
	if err := wsjson.Read(ctx, c, &msg); err != nil || msg["type"] != "connection_ack" {
		t.Fatalf("ack: %v %v", msg, err)
	}
	time.Sleep(700 * time.Millisecond) // past both server timeouts
	if err := wsjson.Write(ctx, c, map[string]any{"type": "ping"}); err != nil {
		t.Fatalf("write after the timeouts: %v", err)
	}
	for {
		if err := wsjson.Read(ctx, c, &msg); err != nil {
			t.Fatalf("read after the timeouts: %v", err)
		}
		if t, _ := msg["type"].(string); strings.EqualFold(t, "pong") {
			return
		}
	}
}
