package policy

import "context"

type systemKey struct{}

// System returns a context for work that no signed-in caller stands behind:
// the background workers (mail outbox, desktop inactivity sweep, reset
// requests), sign-in before anyone is signed in (passwords, tokens, SSO,
// reset codes), the command line (migrate, admin, apply, import, export,
// bench, demo) and the server's own start (bootstrap admin, secrets).
//
// The data layer scopes every query of a tenant-owned table to the viewer's
// tenant (internal/store, tenantScope); a context with neither a viewer nor
// this mark reads nothing. System lifts that scope, so every use must be
// deliberate: why names the work, and `grep -rn 'policy.System('` lists
// every place that reads across tenants. It grants nothing in Authorize: a
// system context has no viewer, so resolvers still refuse it.
func System(ctx context.Context, why string) context.Context {
	if why == "" {
		panic("policy.System: say why the work reads across tenants")
	}
	return context.WithValue(ctx, systemKey{}, why)
}

// SystemWork reports why ctx is a system context (see System), or "" and
// false when it is not.
func SystemWork(ctx context.Context) (string, bool) {
	why, ok := ctx.Value(systemKey{}).(string)
	return why, ok
}
