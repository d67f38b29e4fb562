package store

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/intercept"
	"github.com/agentdesk/agentdesk/policy"
)

// tenantColumn names, per entity type, the column that says which tenant
// owns a row. Every query of these types is scoped by tenantScope. A new
// tenant-owned entity must be listed: TestTenantScopeCoversTenantTables fails
// while a table with a tenant_id column is missing here.
var tenantColumn = map[string]string{
	ent.TypeTenant:         "id",
	ent.TypeUser:           "tenant_id", // NULL for platform admins: only they and system work see them
	ent.TypeAPIToken:       "tenant_id",
	ent.TypeAgentProfile:   "tenant_id",
	ent.TypeArtwork:        "tenant_id",
	ent.TypeAuditEvent:     "tenant_id", // "" for platform-level events
	ent.TypeAuthFlow:       "tenant_id",
	ent.TypeBanner:         "tenant_id",
	ent.TypeDesktopSession: "tenant_id",
	ent.TypeDialPlan:       "tenant_id",
	ent.TypeEmailDomain:    "tenant_id",
	ent.TypeSkillProfile:   "tenant_id",
	ent.TypeTeam:           "tenant_id",
}

// tenantScope is the data layer's defence in depth under policy.Authorize:
// every query of a tenant-owned entity (tenantColumn), including each step
// of an edge traversal, reads only rows of the viewer's tenant. A resolver
// or service that forgets its authorization check therefore reads nothing
// of another tenant, instead of that tenant's rows:
//
//   - a viewer of a tenant (any role, a session or an API token): rows of
//     that tenant only;
//   - a PLATFORM_ADMIN (a viewer without a tenant): every row;
//   - a context marked by policy.System (background work, sign-in before
//     anyone is signed in, the command line): every row;
//   - anything else, including an anonymous caller and a context.Background
//     that nobody marked: no rows at all.
//
// It scopes reads. Writes are scoped by the services, which load (through
// this scope) what they change; an interceptor does not see ent's
// UpdateMany/DeleteMany.
func tenantScope() ent.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		col, owned := tenantColumn[q.Type()]
		if !owned {
			return nil
		}
		if _, ok := policy.SystemWork(ctx); ok {
			return nil
		}
		v := policy.ViewerFrom(ctx)
		switch {
		case v != nil && v.TenantID != "":
			q.WhereP(sql.FieldEQ(col, v.TenantID))
		case v != nil && v.Role == policy.PlatformAdmin && v.UserID != "":
			// Every tenant: the platform admin's reads are authorized per
			// object by policy.
		default:
			q.WhereP(func(s *sql.Selector) { s.Where(sql.False()) })
		}
		return nil
	})
}
