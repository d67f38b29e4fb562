package pgnotify

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// testDB is the PostgreSQL of AGENTDESK_TEST_DATABASE_URL; the test skips
// without it. Channels are named per test, so tests sharing the database do
// not hear each other.
func testDB(t *testing.T) (*pgx.ConnConfig, *sql.DB) {
	t.Helper()
	url := os.Getenv("AGENTDESK_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("LISTEN/NOTIFY needs PostgreSQL: set AGENTDESK_TEST_DATABASE_URL=postgres://… (CI does)")
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	return cfg, db
}

// start starts a listener on a channel of its own, set up by edit, that
// sends what it receives to got; it stops with the test.
func start(t *testing.T, cfg *pgx.ConnConfig, edit func(*Listener)) (l *Listener, channel string, got chan string) {
	t.Helper()
	channel = fmt.Sprintf("pgnotify_test_%d", time.Now().UnixNano())
	got = make(chan string, 10)
	l = &Listener{Config: cfg, Channel: channel, Receive: func(p string) { got <- p }}
	if edit != nil {
		edit(l)
	}
	if err := l.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l, channel, got
}

func receive(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("received %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%q not received within 5 s", want)
	}
}

func TestNotifyReachesListener(t *testing.T) {
	cfg, db := testDB(t)
	ctx := t.Context()
	_, ch, got := start(t, cfg, nil)
	if err := Notify(ctx, db, ch, "one"); err != nil {
		t.Fatal(err)
	}
	receive(t, got, "one")

	// Inside a transaction: delivered on commit, never on rollback.
	for _, commit := range []bool{false, true} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := Notify(ctx, tx, ch, fmt.Sprint("commit=", commit)); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-got:
			t.Fatalf("%q delivered before the transaction ended", p)
		case <-time.After(100 * time.Millisecond):
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	receive(t, got, "commit=true")

	if err := Notify(ctx, db, ch, strings.Repeat("x", MaxPayload+1)); err == nil || !strings.Contains(err.Error(), "over PostgreSQL's") {
		t.Fatalf("oversized payload: %v", err)
	}
	if err := Notify(ctx, db, ch, strings.Repeat("x", MaxPayload)); err != nil {
		t.Fatalf("payload at the limit: %v", err)
	}
	receive(t, got, strings.Repeat("x", MaxPayload))
}

// TestListenerReconnects: the listening backend is terminated; the
// listener reconnects, says since when it may have missed messages, and
// receives what is published afterwards.
func TestListenerReconnects(t *testing.T) {
	cfg, db := testDB(t)
	ctx := t.Context()
	relistened := make(chan time.Time, 10)
	started := time.Now()
	l, ch, got := start(t, cfg, func(l *Listener) {
		l.Relisten = func(_ context.Context, since time.Time) { relistened <- since }
		l.MinBackoff = 20 * time.Millisecond
	})
	for round := range 3 {
		pid := l.PID()
		if pid == 0 {
			t.Fatal("no backend pid")
		}
		before := time.Now()
		// Known good up to the kill: the last notification, at the latest.
		var ok bool
		if err := db.QueryRowContext(ctx, `SELECT pg_terminate_backend($1)`, int64(pid)).Scan(&ok); err != nil || !ok {
			t.Fatalf("terminate %d: %v %v", pid, ok, err)
		}
		select {
		case since := <-relistened:
			if since.After(before) || since.Before(started) {
				t.Fatalf("missed messages since %v: want between the start %v and the kill at %v", since, started, before)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("not listening again within 10 s")
		}
		if l.PID() == pid || l.PID() == 0 {
			t.Fatalf("pid %d after reconnecting (was %d)", l.PID(), pid)
		}
		msg := fmt.Sprint("after kill ", round)
		if err := Notify(ctx, db, ch, msg); err != nil {
			t.Fatal(err)
		}
		receive(t, got, msg)
	}
	if n := l.Reconnects(); n != 3 {
		t.Fatalf("%d reconnects, want 3", n)
	}
}

// TestListenerHealthCheck: a quiet connection is pinged, and a healthy one
// is kept.
func TestListenerHealthCheck(t *testing.T) {
	cfg, db := testDB(t)
	ctx := t.Context()
	l, ch, got := start(t, cfg, func(l *Listener) { l.HealthInterval = 50 * time.Millisecond })
	// Several quiet intervals pass with successful pings: no reconnect.
	time.Sleep(300 * time.Millisecond)
	if n := l.Reconnects(); n != 0 {
		t.Fatalf("%d reconnects on a healthy connection", n)
	}
	if err := Notify(ctx, db, ch, "still here"); err != nil {
		t.Fatal(err)
	}
	receive(t, got, "still here")
}

func TestListenerNeedsConfig(t *testing.T) {
	if err := (&Listener{}).Start(t.Context()); err == nil {
		t.Fatal("a listener without config started")
	}
}
