package admin

import (
	"context"
	"fmt"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
)

// nobodysTenant is a tenant id no tenant has (real ids are "ten_…").
const nobodysTenant = "-"

// loadOwned loads object id with get and authorizes act on the tenant that
// owns it: the one way an object is read by id before it is shown or
// changed. A missing object is answered exactly as an object of another
// tenant would be (NOT_FOUND, or UNAUTHENTICATED to nobody signed in), and
// the caller is authorized before anything about the id is said, so no
// caller can tell from the answer whether an id exists outside its own
// tenant.
func loadOwned[T any](ctx context.Context, s *Service, act policy.Action, id string,
	get func(context.Context, string) (T, error), tenantOf func(T) string) (T, error) {
	return loadAuthorized(ctx, s, act, id, get, func(obj T) error { return s.authorize(ctx, act, tenantOf(obj)) })
}

// loadAuthorized is loadOwned for objects whose rule is more than their
// tenant (users without one: authorizeUser).
func loadAuthorized[T any](ctx context.Context, s *Service, act policy.Action, id string,
	get func(context.Context, string) (T, error), authorize func(T) error) (T, error) {
	var zero T
	obj, err := get(ctx, id)
	if ent.IsNotFound(err) {
		if err := s.authorize(ctx, act, nobodysTenant); err != nil {
			return zero, err
		}
		return zero, notFound()
	}
	if err != nil {
		return zero, err
	}
	if err := authorize(obj); err != nil {
		return zero, err
	}
	return obj, nil
}

// requireTenantTx loads the tenant a new object goes into; the caller has
// already been authorized for it, so a missing tenant is plain NOT_FOUND.
func requireTenantTx(ctx context.Context, db *ent.Client, id string) (*ent.Tenant, error) {
	t, err := db.Tenant.Get(ctx, id)
	return t, loadErr(err)
}

// ensureTenantExists is NOT_FOUND when the tenant does not exist, rather
// than the foreign-key failure a write would otherwise end in, for writes
// and list queries that need only to know the tenant is there (a platform
// admin may name any id).
// AuthorizeTenantList authorizes reading one of a tenant's lists (act on
// tenantID) and answers NOT_FOUND for a tenant that does not exist, as a
// read by id does. Only a platform admin passes the policy for a tenant not
// its own, so only then is the tenant looked up; a tenant's own callers read
// their own, existing tenant.
func AuthorizeTenantList(ctx context.Context, p *policy.Enforcer, db *ent.Client, act policy.Action, tenantID string) error {
	if err := p.AuthorizeContext(ctx, act, tenantID); err != nil {
		return err
	}
	if v := policy.ViewerFrom(ctx); v != nil && v.GetTenantID() == tenantID {
		return nil
	}
	return ensureTenantExists(ctx, db, tenantID)
}

func (s *Service) authorizeList(ctx context.Context, act policy.Action, tenantID string) error {
	return AuthorizeTenantList(ctx, s.Policy, s.DB, act, tenantID)
}

func ensureTenantExists(ctx context.Context, db *ent.Client, tenantID string) error {
	ok, err := db.Tenant.Query().Where(tenant.ID(tenantID)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return notFound()
	}
	return nil
}

// nameTaken is the CONFLICT of a name another object of the same kind in
// the tenant already has.
func nameTaken(kind, name string) error {
	return apperr.New(apperr.Conflict, fmt.Sprintf("a %s named %q already exists in this tenant", kind, name)).With("field", "name")
}

// requireNameFree is CONFLICT (nameTaken) when q, the query for another
// object of the kind with the same name in the tenant, finds one.
func requireNameFree(ctx context.Context, q interface {
	Exist(context.Context) (bool, error)
}, kind, name string) error {
	taken, err := q.Exist(ctx)
	if err != nil {
		return err
	}
	if taken {
		return nameTaken(kind, name)
	}
	return nil
}

// uniqueNameErr maps the unique (tenant_id, name) index refusing a write to
// the same CONFLICT the check before the write gives. The check runs in the
// same transaction, so this is a second line of defence (another writer on
// a database without SQLite's IMMEDIATE transactions).
func uniqueNameErr(err error, kind, name string) error {
	if store.IsUnique(err) {
		return nameTaken(kind, name)
	}
	return err
}

// uniqueIDs returns ids without repeats, in their first order, and refuses
// more than max of them.
func uniqueIDs(field string, ids []string, max int) ([]string, error) {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > max {
		return nil, apperr.Invalid(field, fmt.Sprintf("%s lists at most %d ids", field, max))
	}
	return out, nil
}

// missingID is the first of want that have lacks.
func missingID(want []string, have map[string]bool) string {
	for _, id := range want {
		if !have[id] {
			return id
		}
	}
	return ""
}

// plural is "1 user", "2 users".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
