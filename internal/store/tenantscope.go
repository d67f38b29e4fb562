package store

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/intercept"
	"github.com/agentdesk/agentdesk/policy"
)

// tenantColumn names, per entity type, the column that says which tenant
// owns a row. Every query, update and delete of these types is scoped by
// tenantScope and tenantScopeWrites. A new
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
// Writes get the same scope from tenantScopeWrites.
func tenantScope() ent.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		if where, scoped := tenantPredicate(ctx, q.Type()); scoped {
			q.WhereP(where)
		}
		return nil
	})
}

// tenantScopeWrites scopes UPDATE and DELETE of tenant-owned entities as
// tenantScope scopes reads: a bulk Update()/Delete() (or an UpdateOne or
// DeleteOne, which ent runs as UPDATE/DELETE … WHERE id = ?) changes only
// rows of the viewer's tenant, and nothing at all without a viewer or a
// policy.System context. A write of a row out of scope changes nothing: a
// bulk write counts 0 rows, UpdateOne/DeleteOne are not found. An interceptor
// does not see these statements (ent runs interceptors on queries only),
// so the scope is a hook on the mutation, which ent applies to every
// client, transactions' included, the way it applies interceptors.
//
// Creates are not filtered: a new row's tenant is set by the service that
// authorized it, and a read of it is scoped.
func tenantScopeWrites() ent.Hook {
	const scopedOps = ent.OpUpdate | ent.OpUpdateOne | ent.OpDelete | ent.OpDeleteOne
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !m.Op().Is(scopedOps) {
				return next.Mutate(ctx, m)
			}
			if where, scoped := tenantPredicate(ctx, m.Type()); scoped {
				w, ok := m.(interface{ WhereP(...func(*sql.Selector)) })
				if !ok {
					return nil, fmt.Errorf("store: tenant scope: %s mutation takes no predicate", m.Type())
				}
				w.WhereP(where)
			}
			return next.Mutate(ctx, m)
		})
	}
}

// tenantPredicate is the scope of the caller in ctx on entities of type typ:
// scoped is false when it sees every row (not tenant-owned, platform admin,
// system work).
func tenantPredicate(ctx context.Context, typ string) (where func(*sql.Selector), scoped bool) {
	col, owned := tenantColumn[typ]
	if !owned {
		return nil, false
	}
	if _, ok := policy.SystemWork(ctx); ok {
		return nil, false
	}
	v := policy.ViewerFrom(ctx)
	switch {
	case v != nil && v.TenantID != "":
		return sql.FieldEQ(col, v.TenantID), true
	case v != nil && v.Role == policy.PlatformAdmin && v.UserID != "":
		// Every tenant: the platform admin's reads and writes are
		// authorized per object by policy.
		return nil, false
	default:
		return func(s *sql.Selector) { s.Where(sql.False()) }, true
	}
}
