package desktop

import (
	"sync"
	"sync/atomic"
	"time"
)

// EventType is what happened to a desktop tab.
type EventType string

// The events of the desktopEvents subscription.
const (
	// SessionTakenOver: another tab continued this tab's session.
	SessionTakenOver EventType = "SESSION_TAKEN_OVER"
	// ForcedSignOut: the session was ended for the agent (an admin, or
	// inactivity); Message says why.
	ForcedSignOut EventType = "FORCED_SIGN_OUT"
	// BannersChanged: the tenant's banners changed; reload them.
	BannersChanged EventType = "BANNERS_CHANGED"
	// InactivityWarning: the session ends in a minute unless the agent acts.
	InactivityWarning EventType = "INACTIVITY_WARNING"
)

// Event is one message to a desktop tab.
type Event struct {
	Type    EventType
	At      time.Time
	Message string
}

// DefaultEventBuffer is how many undelivered events a subscriber may have.
const DefaultEventBuffer = 16

// EventBroker carries events to the desktop tabs subscribed to them. There
// are two: Broker, within one process (SQLite, where one process owns the
// database), and PostgresBroker, which also carries them to the tabs held
// by the other processes on the same PostgreSQL database. server.go picks
// one by the store's dialect. Publishers call ToClient and ToTenant after
// their change has committed.
type EventBroker interface {
	// Subscribe registers a tab of a user in a tenant. The returned
	// function unsubscribes and closes the channel; call it exactly once.
	Subscribe(tenantID, userID, clientID string) (<-chan Event, func())
	// ToClient sends ev to the subscriptions of one tab of one user.
	ToClient(userID, clientID string, ev Event)
	// ToTenant sends ev to every subscription in a tenant.
	ToTenant(tenantID string, ev Event)
	// Subscribers is how many subscriptions are open in this process.
	Subscribers() int
}

var (
	_ EventBroker = (*Broker)(nil)
	_ EventBroker = (*PostgresBroker)(nil)
)

// Tab is one subscribed desktop tab.
type Tab struct {
	TenantID, UserID, ClientID string
}

// Broker delivers events to the desktop tabs subscribed in this process.
// Each subscriber has a bounded buffer: a tab that does not read cannot make
// a publisher wait or memory grow. When a buffer is full the oldest event is
// dropped, because the newest says most about the tab's state (a
// FORCED_SIGN_OUT matters more than an earlier BANNERS_CHANGED).
//
// Publishing happens after the change is committed; PostgresBroker puts
// LISTEN/NOTIFY in front of one of these for several processes.
type Broker struct {
	buffer   int
	mu       sync.Mutex
	byClient map[clientKey]map[*subscriber]struct{}
	byTenant map[string]map[*subscriber]struct{}
	dropped  atomic.Int64
}

type clientKey struct{ userID, clientID string }

type subscriber struct {
	tenantID string
	client   clientKey
	ch       chan Event
}

// NewBroker returns a broker whose subscribers buffer up to buffer events
// (DefaultEventBuffer when buffer < 1).
func NewBroker(buffer int) *Broker {
	if buffer < 1 {
		buffer = DefaultEventBuffer
	}
	return &Broker{
		buffer:   buffer,
		byClient: make(map[clientKey]map[*subscriber]struct{}),
		byTenant: make(map[string]map[*subscriber]struct{}),
	}
}

// Subscribe registers a tab of a user in a tenant. The returned function
// unsubscribes and closes the channel; call it exactly once.
func (b *Broker) Subscribe(tenantID, userID, clientID string) (<-chan Event, func()) {
	sub := &subscriber{tenantID: tenantID, client: clientKey{userID, clientID}, ch: make(chan Event, b.buffer)}
	b.mu.Lock()
	add(b.byClient, sub.client, sub)
	add(b.byTenant, tenantID, sub)
	b.mu.Unlock()
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			remove(b.byClient, sub.client, sub)
			remove(b.byTenant, sub.tenantID, sub)
			// Sends happen under mu, so none can follow the close.
			close(sub.ch)
			b.mu.Unlock()
		})
	}
}

// ToClient sends ev to the subscriptions of one tab of one user.
func (b *Broker) ToClient(userID, clientID string, ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for sub := range b.byClient[clientKey{userID, clientID}] {
		b.send(sub, ev)
	}
}

// ToTenant sends ev to every subscription in a tenant.
func (b *Broker) ToTenant(tenantID string, ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for sub := range b.byTenant[tenantID] {
		b.send(sub, ev)
	}
}

// Tabs are the tabs with at least one open subscription, each once.
func (b *Broker) Tabs() []Tab {
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := make(map[Tab]bool)
	var tabs []Tab
	for _, subs := range b.byTenant {
		for sub := range subs {
			t := Tab{TenantID: sub.tenantID, UserID: sub.client.userID, ClientID: sub.client.clientID}
			if !seen[t] {
				seen[t] = true
				tabs = append(tabs, t)
			}
		}
	}
	return tabs
}

// Dropped is how many events were dropped from full buffers.
func (b *Broker) Dropped() int64 { return b.dropped.Load() }

// Subscribers is how many subscriptions are open.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, subs := range b.byTenant {
		n += len(subs)
	}
	return n
}

// send delivers without blocking; b.mu is held.
func (b *Broker) send(sub *subscriber, ev Event) {
	for {
		select {
		case sub.ch <- ev:
			return
		default:
		}
		// Full: drop the oldest and try again. The reader may empty the
		// buffer between the two selects, which only makes room.
		select {
		case <-sub.ch:
			b.dropped.Add(1)
		default:
		}
	}
}

func add[K comparable](m map[K]map[*subscriber]struct{}, k K, sub *subscriber) {
	set := m[k]
	if set == nil {
		set = make(map[*subscriber]struct{})
		m[k] = set
	}
	set[sub] = struct{}{}
}

func remove[K comparable](m map[K]map[*subscriber]struct{}, k K, sub *subscriber) {
	delete(m[k], sub)
	if len(m[k]) == 0 {
		delete(m, k)
	}
}
