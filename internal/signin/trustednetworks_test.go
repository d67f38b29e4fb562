package signin

import (
	"context"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/policy"
)

// TestTrustedNetworksCache: the networks are read once per TTL; a change
// through the hook is seen at once, one made elsewhere (another process)
// after the TTL.
func TestTrustedNetworksCache(t *testing.T) {
	path, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A system context: the test writes tenants as another process would,
	// outside any request (the tenant scope lets nothing else write them).
	ctx := policy.System(context.Background(), "test: writes tenants as another process")
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	n := NewTrustedNetworks(db.Client, 30*time.Second, clock.Now)
	db.Client.Tenant.Use(TrustedNetworksHook(n))
	// Another process writes through its own client, without the hook.
	other, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	contains := func(addr string) bool {
		t.Helper()
		ok, err := n.Contains(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if contains("203.0.113.9") {
		t.Fatal("trusted with no networks")
	}
	ten := db.Client.Tenant.Create().SetName("Acme").SetSlug("acme").SetStationTypes(nil).
		SetTrustedNetworks([]string{"203.0.113.0/24", "2001:db8::/48"}).SaveX(ctx)
	for addr, want := range map[string]bool{
		"203.0.113.9": true, "203.0.113.255": true, "203.0.114.1": false,
		"::ffff:203.0.113.9": true, "2001:db8::7": true, "2001:db9::7": false,
		"not an address": false, "": false,
	} {
		if got := contains(addr); got != want {
			t.Errorf("%q: trusted=%v, want %v", addr, got, want)
		}
	}

	// Another process clears them: seen only after the TTL.
	other.Client.Tenant.UpdateOneID(ten.ID).ClearTrustedNetworks().ExecX(ctx)
	clock.Advance(30*time.Second - time.Nanosecond)
	if !contains("203.0.113.9") {
		t.Error("a change elsewhere was seen before the TTL")
	}
	clock.Advance(time.Nanosecond)
	if contains("203.0.113.9") {
		t.Error("a change elsewhere was not seen after the TTL")
	}
	// A change through this process's client is seen at once.
	db.Client.Tenant.UpdateOneID(ten.ID).SetTrustedNetworks([]string{"198.51.100.0/24"}).ExecX(ctx)
	if !contains("198.51.100.1") {
		t.Error("a change through the hook was not seen at once")
	}
	// Also when made in a transaction: seen once committed.
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx.Tenant.UpdateOneID(ten.ID).SetTrustedNetworks([]string{"192.0.2.0/24"}).ExecX(ctx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if !contains("192.0.2.1") || contains("198.51.100.1") {
		t.Error("a committed change through the hook was not seen at once")
	}
	// A database that cannot be read: the last networks stay, with the error.
	db.Close()
	n.Invalidate()
	if ok, err := n.Contains(ctx, "192.0.2.1"); !ok || err == nil {
		t.Errorf("with the database closed: %v, %v; want the last networks and an error", ok, err)
	}
}
