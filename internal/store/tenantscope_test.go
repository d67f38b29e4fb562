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
func TestTenantScope(t *testing.T) {
	db, err := Open("sqlite:" + filepath.Join(t.TempDir(), "scope.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sys := policy.System(context.Background(), "test fixture")
	if _, err := db.Migrate(sys); err != nil {
		t.Fatal(err)
	}
	c := db.Client
	for _, slug := range []string{"acme", "globex"} {
		tn := c.Tenant.Create().SetID("ten_" + slug).SetName(slug).SetSlug(slug).SetStationTypes([]station.Type{station.DialNumber}).SaveX(sys)
		tm := c.Team.Create().SetTenantID(tn.ID).SetName("Sales " + slug).SaveX(sys)
		c.User.Create().SetTenantID(tn.ID).SetEmail("a@" + slug + ".test").SetName("A").SetRole(policy.Agent).AddTeams(tm).SaveX(sys)
	}
	c.User.Create().SetEmail("root@platform.test").SetName("Root").SetRole(policy.PlatformAdmin).SaveX(sys)

	acme := policy.WithViewer(context.Background(), &policy.Viewer{UserID: "usr_x", TenantID: "ten_acme", Role: policy.TenantAdmin})
	acmeToken := policy.WithViewer(context.Background(), &policy.Viewer{APITokenID: "tok_x", TenantID: "ten_acme", Role: policy.Integration})
	platform := policy.WithViewer(context.Background(), &policy.Viewer{UserID: "usr_root", Role: policy.PlatformAdmin})
	anonymous := policy.WithViewer(context.Background(), &policy.Viewer{})
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
