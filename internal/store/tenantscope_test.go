package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"entgo.io/ent/dialect/sql/schema"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/apitoken"
	"github.com/agentdesk/agentdesk/ent/artwork"
	"github.com/agentdesk/agentdesk/ent/auditevent"
	"github.com/agentdesk/agentdesk/ent/authflow"
	"github.com/agentdesk/agentdesk/ent/banner"
	"github.com/agentdesk/agentdesk/ent/desktopsession"
	"github.com/agentdesk/agentdesk/ent/dialplan"
	"github.com/agentdesk/agentdesk/ent/emaildomain"
	"github.com/agentdesk/agentdesk/ent/interaction"
	entmigrate "github.com/agentdesk/agentdesk/ent/migrate"
	"github.com/agentdesk/agentdesk/ent/outboxmessage"
	"github.com/agentdesk/agentdesk/ent/passwordresetcode"
	"github.com/agentdesk/agentdesk/ent/rememberedstation"
	"github.com/agentdesk/agentdesk/ent/serversecret"
	"github.com/agentdesk/agentdesk/ent/session"
	"github.com/agentdesk/agentdesk/ent/skillprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/teammember"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

// TestTenantScopeCoversTenantTables fails when a table that has a tenant_id
// column is not scoped by tenantScope: a new tenant-owned entity must be
// listed in tenantColumn.
func TestTenantScopeCoversTenantTables(t *testing.T) {
	typeOf := map[string]string{
		agentprofile.Table: ent.TypeAgentProfile, apitoken.Table: ent.TypeAPIToken, artwork.Table: ent.TypeArtwork,
		auditevent.Table: ent.TypeAuditEvent, authflow.Table: ent.TypeAuthFlow, banner.Table: ent.TypeBanner,
		desktopsession.Table: ent.TypeDesktopSession, dialplan.Table: ent.TypeDialPlan, emaildomain.Table: ent.TypeEmailDomain,
		interaction.Table: ent.TypeInteraction, outboxmessage.Table: ent.TypeOutboxMessage,
		passwordresetcode.Table: ent.TypePasswordResetCode, rememberedstation.Table: ent.TypeRememberedStation,
		serversecret.Table: ent.TypeServerSecret, session.Table: ent.TypeSession, skillprofile.Table: ent.TypeSkillProfile,
		team.Table: ent.TypeTeam, teammember.Table: ent.TypeTeamMember, tenant.Table: ent.TypeTenant, user.Table: ent.TypeUser,
	}
	for _, tbl := range entmigrate.Tables {
		typ, known := typeOf[tbl.Name]
		hasTenant := slices.ContainsFunc(tbl.Columns, func(c *schema.Column) bool { return c.Name == "tenant_id" })
		if !known {
			if hasTenant {
				t.Errorf("table %s has a tenant_id column: add its entity type to this test's list and to tenantColumn", tbl.Name)
			}
			continue // a join table of ids, read only through scoped entities
		}
		if hasTenant && tenantColumn[typ] != "tenant_id" {
			t.Errorf("%s has a tenant_id column but tenantScope does not scope it: add it to tenantColumn", typ)
		}
	}
}

// TestTenantScope: a forgotten authorization check reads nothing of another
// tenant, and a context with neither a viewer nor policy.System reads nothing.
// scopeFixture is two tenants, acme and globex, each with a team ("Sales
// acme") and an agent on it, and a platform admin.
func scopeFixture(t *testing.T) (c *ent.Client, sys context.Context) {
	db, err := Open("sqlite:" + filepath.Join(t.TempDir(), "scope.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sys = policy.System(context.Background(), "test fixture")
	if _, err := db.Migrate(sys); err != nil {
		t.Fatal(err)
	}
	c = db.Client
	for _, slug := range []string{"acme", "globex"} {
		tn := c.Tenant.Create().SetID("ten_" + slug).SetName(slug).SetSlug(slug).SetStationTypes([]station.Type{station.DialNumber}).SaveX(sys)
		tm := c.Team.Create().SetID("tm_" + slug).SetTenantID(tn.ID).SetName("Sales " + slug).SaveX(sys)
		c.User.Create().SetTenantID(tn.ID).SetEmail("a@" + slug + ".test").SetName("A").SetRole(policy.Agent).AddTeams(tm).SaveX(sys)
	}
	c.User.Create().SetEmail("root@platform.test").SetName("Root").SetRole(policy.PlatformAdmin).SaveX(sys)
	return c, sys
}

// The callers of the scope tests.
var (
	scopeAcme      = policy.WithViewer(context.Background(), &policy.Viewer{UserID: "usr_x", TenantID: "ten_acme", Role: policy.TenantAdmin})
	scopeGlobex    = policy.WithViewer(context.Background(), &policy.Viewer{UserID: "usr_y", TenantID: "ten_globex", Role: policy.TenantAdmin})
	scopePlatform  = policy.WithViewer(context.Background(), &policy.Viewer{UserID: "usr_root", Role: policy.PlatformAdmin})
	scopeAnonymous = policy.WithViewer(context.Background(), &policy.Viewer{})
)

func TestTenantScope(t *testing.T) {
	c, sys := scopeFixture(t)
	acme, platform, anonymous := scopeAcme, scopePlatform, scopeAnonymous
	acmeToken := policy.WithViewer(context.Background(), &policy.Viewer{APITokenID: "tok_x", TenantID: "ten_acme", Role: policy.Integration})
	cases := []struct {
		name                string
		ctx                 context.Context
		tenants, users, tms int
	}{
		{"no viewer, no system context", context.Background(), 0, 0, 0},
		{"anonymous viewer", anonymous, 0, 0, 0},
		{"tenant admin of acme", acme, 1, 1, 1},
		{"API token of acme", acmeToken, 1, 1, 1},
		{"platform admin", platform, 2, 3, 2},
		{"system work", sys, 2, 3, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if n := c.Tenant.Query().CountX(tc.ctx); n != tc.tenants {
				t.Errorf("tenants: %d, want %d", n, tc.tenants)
			}
			if n := c.User.Query().CountX(tc.ctx); n != tc.users {
				t.Errorf("users: %d, want %d", n, tc.users)
			}
			if n := c.Team.Query().CountX(tc.ctx); n != tc.tms {
				t.Errorf("teams: %d, want %d", n, tc.tms)
			}
		})
	}
	// Each step of a traversal is scoped: from acme's viewer, globex's
	// user by id is not found, nor are its teams through an edge.
	if _, err := c.User.Query().Where(user.Email("a@globex.test")).Only(acme); !ent.IsNotFound(err) {
		t.Errorf("globex's user as acme's admin: %v, want not found", err)
	}
	if n := c.Tenant.Query().Where(tenant.Slug("globex")).QueryTeams().CountX(acme); n != 0 {
		t.Errorf("globex's teams through its tenant as acme's admin: %d, want 0", n)
	}
	if n := c.Team.Query().QueryMembers().CountX(acme); n != 1 {
		t.Errorf("acme's team members as acme's admin: %d, want 1", n)
	}
}

// TestTenantScopeWrites: a bulk update or delete (and an update or delete of
// one row by id) from another tenant's viewer, or from a context with
// neither a viewer nor policy.System, touches none of acme's rows; acme's
// own viewer, the platform admin and system work write as asked.
func TestTenantScopeWrites(t *testing.T) {
	ofAcme := team.TenantID("ten_acme")
	writes := []struct {
		name string
		// write changes acme's team (all: and globex's too); it returns
		// how many rows it changed.
		write func(ctx context.Context, c *ent.Client) (int, error)
		all   bool
	}{
		{"bulk update of acme's teams", func(ctx context.Context, c *ent.Client) (int, error) {
			return c.Team.Update().Where(ofAcme).SetName("Renamed").Save(ctx)
		}, false},
		{"bulk update of every team", func(ctx context.Context, c *ent.Client) (int, error) {
			return c.Team.Update().SetName("Renamed").Save(ctx)
		}, true},
		{"bulk delete of acme's teams", func(ctx context.Context, c *ent.Client) (int, error) {
			return c.Team.Delete().Where(ofAcme).Exec(ctx)
		}, false},
		{"bulk delete of every team", func(ctx context.Context, c *ent.Client) (int, error) {
			return c.Team.Delete().Exec(ctx)
		}, true},
		{"bulk update in a transaction", func(ctx context.Context, c *ent.Client) (n int, err error) {
			err = WithTx(ctx, c, func(tx *ent.Tx) error {
				n, err = tx.Team.Update().Where(ofAcme).SetName("Renamed").Save(ctx)
				return err
			})
			return n, err
		}, false},
		{"bulk update of the tenant row", func(ctx context.Context, c *ent.Client) (int, error) {
			return c.Tenant.Update().Where(tenant.ID("ten_acme")).SetName("Renamed").Save(ctx)
		}, false},
		{"update of acme's team by id", func(ctx context.Context, c *ent.Client) (int, error) {
			return oneRow(c.Team.UpdateOneID("tm_acme").SetName("Renamed").Exec(ctx))
		}, false},
		{"delete of acme's team by id", func(ctx context.Context, c *ent.Client) (int, error) {
			return oneRow(c.Team.DeleteOneID("tm_acme").Exec(ctx))
		}, false},
	}
	callers := []struct {
		name string
		ctx  context.Context
		// scope: the tenant whose rows the caller may write, "*" every
		// tenant's, "" none.
		scope string
	}{
		{"no viewer, no system context", context.Background(), ""},
		{"anonymous viewer", scopeAnonymous, ""},
		{"tenant admin of globex", scopeGlobex, "globex"},
		{"tenant admin of acme", scopeAcme, "acme"},
		{"platform admin", scopePlatform, "*"},
		{"system work", nil, "*"},
	}
	for _, w := range writes {
		for _, caller := range callers {
			t.Run(w.name+"/"+caller.name, func(t *testing.T) {
				c, sys := scopeFixture(t)
				ctx := caller.ctx
				if ctx == nil {
					ctx = sys
				}
				n, err := w.write(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				// What the write touched, read as system work.
				acmeTouched := c.Team.Query().Where(team.ID("tm_acme"), team.Name("Sales acme")).CountX(sys) == 0 ||
					c.Tenant.Query().Where(tenant.ID("ten_acme"), tenant.Name("acme")).CountX(sys) == 0
				globexTouched := c.Team.Query().Where(team.ID("tm_globex"), team.Name("Sales globex")).CountX(sys) == 0
				if want := caller.scope == "acme" || caller.scope == "*"; acmeTouched != want {
					t.Errorf("acme's row changed: %v, want %v (%d rows reported)", acmeTouched, want, n)
				}
				if want := w.all && (caller.scope == "globex" || caller.scope == "*"); globexTouched != want {
					t.Errorf("globex's team changed: %v, want %v (%d rows reported)", globexTouched, want, n)
				}
				if !acmeTouched && !globexTouched && n != 0 {
					t.Errorf("%d rows reported, none changed", n)
				}
			})
		}
	}
}

// oneRow turns the error of an UpdateOne or DeleteOne into rows changed: 1,
// or 0 when the row was not found (out of scope).
func oneRow(err error) (int, error) {
	switch {
	case err == nil:
		return 1, nil
	case ent.IsNotFound(err):
		return 0, nil
	}
	return 0, err
}
