// Package graph is agentdesk's GraphQL face, schema first.
//
// Where a request goes: handler.go builds the gqlgen server (transports,
// limits, the error presenter in errors.go) behind the gateway of
// transport.go (method, media type, body caps by caller, coded refusals);
// public.go validates anonymous documents against the public schema and
// literals.go checks the values written in documents; each area has its schema in
// <area>.graphqls, its generated executor in <area>.generated.go and its
// resolvers, a few lines each, in <area>.resolvers.go. Resolvers call the
// domain services held by Resolver (resolver.go): internal/admin,
// internal/signin, internal/desktop and internal/provision, which ask
// policy.Authorize and run ent inside one transaction. Helpers shared by
// resolvers (pagination, GraphQL-only mapping) live beside them in plain
// .go files, never in *.resolvers.go.
//
// The areas: schema (roots, connections, scalars), signin, tenant, profile
// (agent profiles and dial plans), team, user, skillprofile, desktop (the
// agent's station and session), session (desktop sessions seen by admins),
// banner (banners and artwork), apitoken, audit, diagnostics and
// provisioning (applyTenant).
package graph
