package desktop

import (
	"context"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/banner"
	"github.com/agentdesk/agentdesk/ent/hook"
)

// BannerHook is an ent hook that sends BANNERS_CHANGED to a tenant's
// desktops whenever one of its banners is created, changed (resolved) or
// deleted, whoever changes it: the banner code does not need to know about
// desktops. Inside a transaction the event goes out after the commit, so a
// desktop that reloads its banners on the event sees the change; a
// rolled-back change sends nothing.
//
// Register it once on the client: client.Banner.Use(desktop.BannerHook(…)).
func BannerHook(b EventBroker, now func() time.Time) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return hook.BannerFunc(func(ctx context.Context, m *ent.BannerMutation) (ent.Value, error) {
			tenants, err := bannerTenants(ctx, m)
			if err != nil {
				return nil, err
			}
			v, err := next.Mutate(ctx, m)
			if err != nil || len(tenants) == 0 {
				return v, err
			}
			publish := func() {
				for _, t := range tenants {
					b.ToTenant(t, Event{Type: BannersChanged, At: now().UTC()})
				}
			}
			if tx, txErr := m.Tx(); txErr == nil {
				tx.OnCommit(func(next ent.Committer) ent.Committer {
					return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
						if err := next.Commit(ctx, tx); err != nil {
							return err
						}
						publish()
						return nil
					})
				})
			} else {
				publish()
			}
			return v, nil
		})
	}
}

// bannerTenants are the tenants whose banners m changes, read before the
// change (a deleted banner cannot be asked afterwards).
func bannerTenants(ctx context.Context, m *ent.BannerMutation) ([]string, error) {
	if m.Op().Is(ent.OpCreate) {
		if t, ok := m.TenantID(); ok {
			return []string{t}, nil
		}
		return nil, nil
	}
	ids, err := m.IDs(ctx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return m.Client().Banner.Query().Where(banner.IDIn(ids...)).Unique(true).
		Select(banner.FieldTenantID).Strings(ctx)
}
