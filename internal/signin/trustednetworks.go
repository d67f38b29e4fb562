package signin

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/policy"
)

// DefaultTrustedNetworksTTL is how long the trusted networks read from the
// database are used before they are read again. A change made through this
// process is seen at once (Invalidate); other processes see it within the
// TTL.
const DefaultTrustedNetworksTTL = 30 * time.Second

// TrustedNetworks answers whether a client address is inside any tenant's
// trusted networks (an office's egress addresses). It is asked on every
// anonymous request, so it keeps the networks of all tenants in memory and
// reads them again after a TTL or Invalidate. Safe for concurrent use.
type TrustedNetworks struct {
	db  *ent.Client
	ttl time.Duration
	now func() time.Time

	mu       sync.Mutex // held while reading, so a refresh runs once
	networks []netip.Prefix
	read     time.Time // zero: read again
}

// NewTrustedNetworks reads the networks from db, again after ttl
// (DefaultTrustedNetworksTTL when ≤ 0).
func NewTrustedNetworks(db *ent.Client, ttl time.Duration, now func() time.Time) *TrustedNetworks {
	if ttl <= 0 {
		ttl = DefaultTrustedNetworksTTL
	}
	if now == nil {
		now = time.Now
	}
	return &TrustedNetworks{db: db, ttl: ttl, now: now}
}

// Invalidate makes the next question read the networks again; a tenant
// change calls it (see TrustedNetworksHook).
func (n *TrustedNetworks) Invalidate() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.read = time.Time{}
}

// Contains reports whether addr is inside a trusted network. When the
// networks cannot be read, the last ones read are used and the error is
// returned too, for the log; before any read succeeded nothing is trusted.
func (n *TrustedNetworks) Contains(ctx context.Context, addr string) (bool, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false, nil // not an IP address (a test's "pipe"): never trusted
	}
	a = a.Unmap()
	networks, err := n.current(ctx)
	for _, p := range networks {
		if p.Contains(a) {
			return true, err
		}
	}
	return false, err
}

func (n *TrustedNetworks) current(ctx context.Context) ([]netip.Prefix, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.now()
	if !n.read.IsZero() && now.Sub(n.read) < n.ttl {
		return n.networks, nil
	}
	ctx = policy.System(ctx, "trusted networks: every tenant's, for the per-address limits")
	tenants, err := n.db.Tenant.Query().Where(tenant.TrustedNetworksNotNil()).
		Select(tenant.FieldTrustedNetworks).All(ctx)
	if err != nil {
		return n.networks, err
	}
	var networks []netip.Prefix
	for _, t := range tenants {
		for _, s := range t.TrustedNetworks {
			// Stored validated (internal/admin); skip anything else.
			if p, err := netip.ParsePrefix(s); err == nil {
				networks = append(networks, p.Masked())
			}
		}
	}
	n.networks, n.read = networks, now
	return networks, nil
}

// TrustedNetworksHook invalidates n after every change of a tenant (use it
// on the Tenant client), so an
// admin's change takes effect in this process at once.
func TrustedNetworksHook(n *TrustedNetworks) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			n.Invalidate()
			// Again after the commit: a read between the mutation and the
			// commit would still see the old networks.
			if tm, ok := m.(interface{ Tx() (*ent.Tx, error) }); ok {
				if tx, txErr := tm.Tx(); txErr == nil {
					tx.OnCommit(func(next ent.Committer) ent.Committer {
						return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
							err := next.Commit(ctx, tx)
							n.Invalidate()
							return err
						})
					})
				}
			}
			return v, err
		})
	}
}
