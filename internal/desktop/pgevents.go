package desktop

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/agentdesk/agentdesk/internal/pgnotify"
)

// EventsChannel is the PostgreSQL LISTEN/NOTIFY channel of desktop events.
const EventsChannel = "agentdesk_desktop_events"

// PostgresBroker carries desktop events between the processes that share
// one PostgreSQL database, so a tab subscribed on process A hears of a
// takeover, a forced sign-out or a banner change made through process B.
//
// An event is delivered at once to the tabs subscribed in the publishing
// process (as Broker does) and published with pg_notify; every other
// process listens on one dedicated connection and hands what it hears to
// its own tabs. The payload names the event and its addressee (ids, the
// type, the time, the short message), well under PostgreSQL's 8000 bytes.
//
// Publishing runs after the change committed, like Broker's, rather than
// inside its transaction. NOTIFY in the transaction would make "sent if and
// only if committed" hold even across a crash between the two, but every
// publisher would then need the transaction, and a process's own tabs would
// still be told after the commit. A crash in that instant, or a database
// that cannot be reached just after a commit, loses the event for the other
// processes' tabs; the tab still learns the outcome at its next call
// (SESSION_TAKEN_OVER, SESSION_EXPIRED…), as the contract asks of clients.
//
// No tab is left silently deaf when the listening connection drops: it is
// reconnected with backoff, and once it listens again the broker asks
// MissedEvents (the database) what its tabs may have missed since the
// connection last worked, and tells them (see Service.MissedEvents).
type PostgresBroker struct {
	local    *Broker
	db       *sql.DB
	origin   string
	listener *pgnotify.Listener
	log      *slog.Logger
	missed   MissedEventsFunc
}

// MissedEventsFunc says which events tabs may have missed since a moment.
type MissedEventsFunc func(ctx context.Context, tabs []Tab, since time.Time) ([]TabEvent, error)

// TabEvent is an event for one tab, or for every tab of a tenant when Tab
// has only its TenantID.
type TabEvent struct {
	Tab   Tab
	Event Event
}

// PostgresBrokerConfig is what a PostgresBroker needs.
type PostgresBrokerConfig struct {
	// Conn configures the dedicated listening connection.
	Conn *pgx.ConnConfig
	// DB publishes (any pooled connection).
	DB *sql.DB
	// Buffer is each subscriber's buffer (DefaultEventBuffer when < 1).
	Buffer int
	// Missed re-reads what tabs missed while the listener reconnected.
	Missed MissedEventsFunc
	Log    *slog.Logger
	Now    func() time.Time
	Rand   io.Reader
	// MinBackoff and HealthInterval tune the listener (pgnotify's
	// defaults when zero).
	MinBackoff, HealthInterval time.Duration
}

// wireEvent is the NOTIFY payload: an event for one tab (UserID and
// ClientID) or for a tenant's tabs (TenantID).
type wireEvent struct {
	Origin   string    `json:"o"`
	TenantID string    `json:"t,omitempty"`
	UserID   string    `json:"u,omitempty"`
	ClientID string    `json:"c,omitempty"`
	Type     EventType `json:"e"`
	At       time.Time `json:"at"`
	Message  string    `json:"m,omitempty"`
}

// StartPostgresBroker connects the listener and returns the broker; Close
// stops it.
func StartPostgresBroker(ctx context.Context, cfg PostgresBrokerConfig) (*PostgresBroker, error) {
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	var id [8]byte
	if _, err := io.ReadFull(cfg.Rand, id[:]); err != nil {
		return nil, fmt.Errorf("desktop events: process id: %w", err)
	}
	b := &PostgresBroker{local: NewBroker(cfg.Buffer), db: cfg.DB, origin: hex.EncodeToString(id[:]), log: cfg.Log, missed: cfg.Missed}
	b.listener = &pgnotify.Listener{
		Config: cfg.Conn, Channel: EventsChannel, Receive: b.receive, Relisten: b.relisten,
		MinBackoff: cfg.MinBackoff, HealthInterval: cfg.HealthInterval, Now: cfg.Now, Log: cfg.Log,
	}
	if err := b.listener.Start(ctx); err != nil {
		return nil, fmt.Errorf("desktop events: %w", err)
	}
	return b, nil
}

// Close stops listening.
func (b *PostgresBroker) Close() { b.listener.Close() }

// Local is the broker of this process's tabs (its Dropped and Subscribers
// count them).
func (b *PostgresBroker) Local() *Broker { return b.local }

// ListenerPID is the server process id of the listening connection, 0
// while it reconnects.
func (b *PostgresBroker) ListenerPID() uint32 { return b.listener.PID() }

// Subscribe registers a tab of this process.
func (b *PostgresBroker) Subscribe(tenantID, userID, clientID string) (<-chan Event, func()) {
	return b.local.Subscribe(tenantID, userID, clientID)
}

// Subscribers is how many subscriptions are open in this process.
func (b *PostgresBroker) Subscribers() int { return b.local.Subscribers() }

// ToClient delivers ev to the tab here and publishes it to the others.
func (b *PostgresBroker) ToClient(userID, clientID string, ev Event) {
	b.local.ToClient(userID, clientID, ev)
	b.publish(wireEvent{UserID: userID, ClientID: clientID, Type: ev.Type, At: ev.At, Message: ev.Message})
}

// ToTenant delivers ev to the tenant's tabs here and publishes it to the
// others.
func (b *PostgresBroker) ToTenant(tenantID string, ev Event) {
	b.local.ToTenant(tenantID, ev)
	b.publish(wireEvent{TenantID: tenantID, Type: ev.Type, At: ev.At, Message: ev.Message})
}

func (b *PostgresBroker) publish(w wireEvent) {
	w.Origin = b.origin
	payload, err := encodeWire(w)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = pgnotify.Notify(ctx, b.db, EventsChannel, payload)
		cancel()
	}
	if err != nil {
		b.log.Error("desktop events: not published to the other processes; their tabs learn at their next call",
			"type", w.Type, "err", err)
	}
}

// encodeWire is w as JSON, its message shortened when the whole would not
// fit a NOTIFY payload (messages are short; ids are bounded; this guards
// the limit, it does not expect to cut).
func encodeWire(w wireEvent) (string, error) {
	for {
		raw, err := json.Marshal(w)
		if err != nil {
			return "", err
		}
		if len(raw) <= pgnotify.MaxPayload {
			return string(raw), nil
		}
		if w.Message == "" {
			return "", fmt.Errorf("desktop events: payload of %d bytes without a message", len(raw))
		}
		cut := len(w.Message) - (len(raw) - pgnotify.MaxPayload) - 3
		for cut > 0 && !utf8.RuneStart(w.Message[cut]) {
			cut--
		}
		w.Message = w.Message[:max(cut, 0)] + "…"
	}
}

// receive hands another process's event to the tabs here.
func (b *PostgresBroker) receive(payload string) {
	var w wireEvent
	if err := json.Unmarshal([]byte(payload), &w); err != nil {
		b.log.Error("desktop events: unreadable notification", "err", err)
		return
	}
	if w.Origin == b.origin {
		return // delivered here when published
	}
	ev := Event{Type: w.Type, At: w.At, Message: w.Message}
	switch {
	case w.TenantID != "":
		b.local.ToTenant(w.TenantID, ev)
	case w.UserID != "" && w.ClientID != "":
		b.local.ToClient(w.UserID, w.ClientID, ev)
	}
}

// relisten tells the tabs here what they may have missed while the
// listener was away. The database may be coming back itself, so a failed
// read is retried for a while before it is given up (and logged).
func (b *PostgresBroker) relisten(ctx context.Context, since time.Time) {
	if b.missed == nil {
		return
	}
	wait := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		tabs := b.local.Tabs()
		if len(tabs) == 0 {
			return
		}
		read, cancel := context.WithTimeout(ctx, 30*time.Second)
		events, err := b.missed(read, tabs, since)
		cancel()
		if err == nil {
			for _, te := range events {
				if te.Tab.UserID == "" {
					b.local.ToTenant(te.Tab.TenantID, te.Event)
				} else {
					b.local.ToClient(te.Tab.UserID, te.Tab.ClientID, te.Event)
				}
			}
			b.log.Info("desktop events: told the tabs here what they may have missed", "tabs", len(tabs), "events", len(events))
			return
		}
		if attempt == 8 || ctx.Err() != nil {
			b.log.Error("desktop events: could not re-read what the tabs here missed", "tabs", len(tabs), "err", err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}
