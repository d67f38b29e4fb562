package desktop

import (
	"sync"
	"testing"
	"time"
)

func TestBrokerRoutesEvents(t *testing.T) {
	b := NewBroker(4)
	a1, stopA1 := b.Subscribe("ten_1", "usr_a", "tab-1")
	defer stopA1()
	a2, stopA2 := b.Subscribe("ten_1", "usr_a", "tab-2")
	defer stopA2()
	other, stopOther := b.Subscribe("ten_2", "usr_b", "tab-1")
	defer stopOther()

	b.ToClient("usr_a", "tab-1", Event{Type: SessionTakenOver})
	b.ToTenant("ten_1", Event{Type: BannersChanged})

	want := map[<-chan Event][]EventType{
		a1:    {SessionTakenOver, BannersChanged},
		a2:    {BannersChanged},
		other: nil,
	}
	for ch, types := range want {
		for _, typ := range types {
			if ev := <-ch; ev.Type != typ {
				t.Errorf("got %s, want %s", ev.Type, typ)
			}
		}
		select {
		case ev := <-ch:
			t.Errorf("unexpected %+v", ev)
		default:
		}
	}
}

// A subscriber that does not read keeps the newest events, and publishers
// never wait for it.
func TestBrokerBoundsBuffersDroppingTheOldest(t *testing.T) {
	b := NewBroker(2)
	ch, stop := b.Subscribe("ten_1", "usr_a", "tab-1")
	defer stop()
	for i := range 5 {
		b.ToClient("usr_a", "tab-1", Event{Type: BannersChanged, Message: string(rune('a' + i))})
	}
	if got := (<-ch).Message + (<-ch).Message; got != "de" {
		t.Errorf("kept %q, want the newest two", got)
	}
	if b.Dropped() != 3 {
		t.Errorf("dropped %d, want 3", b.Dropped())
	}
}

func TestBrokerUnsubscribe(t *testing.T) {
	b := NewBroker(1)
	ch, stop := b.Subscribe("ten_1", "usr_a", "tab-1")
	stop()
	stop() // twice is harmless
	if _, open := <-ch; open {
		t.Error("channel still open")
	}
	if b.Subscribers() != 0 {
		t.Errorf("%d subscribers left", b.Subscribers())
	}
	b.ToTenant("ten_1", Event{Type: BannersChanged}) // no one listens; must not panic
}

// Publishing while subscribers come and go is safe (run with -race).
func TestBrokerConcurrentUse(t *testing.T) {
	b := NewBroker(1)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				ch, stop := b.Subscribe("ten_1", "usr_a", "tab-1")
				b.ToTenant("ten_1", Event{Type: BannersChanged, At: time.Now()})
				select {
				case <-ch:
				default:
				}
				stop()
			}
		})
		wg.Go(func() {
			for range 100 {
				b.ToClient("usr_a", "tab-1", Event{Type: SessionTakenOver})
			}
		})
	}
	wg.Wait()
	if b.Subscribers() != 0 {
		t.Errorf("%d subscribers left", b.Subscribers())
	}
}
