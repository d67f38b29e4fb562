package graph

import (
	"context"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/desktop"
	"github.com/agentdesk/agentdesk/internal/loader"
	"github.com/agentdesk/agentdesk/internal/signin"
)

// DefaultLoaderWait is how long a loader collects keys before it reads
// them. gqlgen resolves a list's fields concurrently, so the keys of a page
// arrive within about a millisecond; dataloadgen's default (16 ms) would
// add that much to each level of nesting.
const DefaultLoaderWait = time.Millisecond

// loaders are one operation's batched readers of the schema's edges (the
// shape of gqlgen's _examples/dataloader): each reads the keys its fields
// asked for together, with one or two statements (internal/loader), and
// keeps what it read for the rest of the operation. They are made per
// operation (perOperationLoaders), never shared: what one caller may see
// is not cached for another. Authorization is not theirs: edgeAuthorization
// asks policy about every object they hand to a field.
type loaders struct {
	tenant        *dataloadgen.Loader[string, *ent.Tenant]
	user          *dataloadgen.Loader[string, *ent.User]
	team          *dataloadgen.Loader[string, *ent.Team]
	agentProfile  *dataloadgen.Loader[string, *ent.AgentProfile]
	skillProfile  *dataloadgen.Loader[string, *ent.SkillProfile]
	teamsOfUser   *dataloadgen.Loader[string, []*ent.Team]
	membersOfTeam *dataloadgen.Loader[string, []string]
	dialPlans     *dataloadgen.Loader[string, []*ent.DialPlan]
	interactions  *dataloadgen.Loader[string, []*ent.Interaction]
	emailDomains  *dataloadgen.Loader[string, []string]
	artwork       *dataloadgen.Loader[string, *ent.Artwork]
	// invitation is a user's pending invitation (User.invitation), nil
	// when it has none.
	invitation *dataloadgen.Loader[string, *signin.Invitation]

	// read and readInvitations are what the loaders read with;
	// primeUserEdges reads through them directly when it knows every key
	// at once.
	read            loader.Reader
	readInvitations func(ctx context.Context, userIDs []string) (map[string]*signin.Invitation, error)
}

// pendingInvitations reads the pending invitations of users by id
// (admin.Service.PendingInvitations).
type pendingInvitations func(ctx context.Context, userIDs []string) (map[string]signin.Invitation, error)

func newLoaders(db *ent.Client, wait time.Duration, invitations pendingInvitations) *loaders {
	if wait <= 0 {
		wait = DefaultLoaderWait
	}
	r := loader.Reader{DB: db}
	readInvitations := func(ctx context.Context, ids []string) (map[string]*signin.Invitation, error) {
		m, err := invitations(ctx, ids)
		out := make(map[string]*signin.Invitation, len(m))
		for id, inv := range m {
			out[id] = &inv
		}
		return out, err
	}
	return &loaders{
		read:            r,
		readInvitations: readInvitations,
		invitation:      batched(wait, readInvitations),
		tenant:          batched(wait, r.Tenants),
		user:            batched(wait, r.Users),
		team:            batched(wait, r.Teams),
		agentProfile:    batched(wait, r.AgentProfiles),
		skillProfile:    batched(wait, r.SkillProfiles),
		teamsOfUser:     batched(wait, r.TeamsOfUsers),
		membersOfTeam:   batched(wait, r.MemberIDsOfTeams),
		dialPlans:       batched(wait, r.DialPlansOfProfiles),
		interactions:    batched(wait, r.InteractionsOfSessions),
		emailDomains:    batched(wait, r.EmailDomainsOfTenants),
		artwork:         batched(wait, r.ArtworkOfTenants),
	}
}

// batched is a loader on a batch read that answers by key; a key it does
// not answer loads V's zero value (nil: no such row, or one the tenant
// scope hides).
func batched[V any](wait time.Duration, read func(context.Context, []string) (map[string]V, error)) *dataloadgen.Loader[string, V] {
	return dataloadgen.NewLoader(func(ctx context.Context, keys []string) ([]V, []error) {
		m, err := read(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		out := make([]V, len(keys))
		for i, k := range keys {
			out[i] = m[k]
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

type loadersKey struct{}

// loadersFrom returns the operation's loaders.
func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	if l == nil {
		// Only an operation run outside NewHandler (which installs them)
		// gets here: a bug, not a caller's error.
		panic("graph: no loaders in the context; run operations through NewHandler")
	}
	return l
}

// perOperationLoaders gives every operation its own loaders.
type perOperationLoaders struct {
	db          *ent.Client
	wait        time.Duration
	invitations pendingInvitations
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = perOperationLoaders{}

func (perOperationLoaders) ExtensionName() string                   { return "PerOperationLoaders" }
func (perOperationLoaders) Validate(graphql.ExecutableSchema) error { return nil }
func (p perOperationLoaders) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	ctx = context.WithValue(ctx, loadersKey{}, newLoaders(p.db, p.wait, p.invitations))
	if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation == ast.Query {
		// A query writes nothing: its desktop fields (stationLoginOptions
		// and its teams) load the caller once.
		ctx = desktop.WithCallerMemo(ctx)
	}
	return next(ctx)
}

// required is an edge that must exist (Team.tenant, DesktopSession.user):
// a row the tenant scope hides reads as NOT_FOUND, like a missing one.
func required[V any](v *V, err error) (*V, error) {
	if err == nil && v == nil {
		return nil, apperr.New(apperr.NotFound, "not found")
	}
	return v, err
}

// optionalID loads id through l, or nil for no id.
func optionalID[V any](ctx context.Context, l *dataloadgen.Loader[string, *V], id *string) (*V, error) {
	if id == nil || *id == "" {
		return nil, nil
	}
	return l.Load(ctx, *id)
}

// primeUserEdges gives the loaders, as soon as a page of users is read,
// every key of the edges the selection asks for on its nodes (edges { node
// { teams agentProfile … } }), one batch per edge for the whole page, so
// that the nodes' field resolvers find their answers in the loaders
// instead of each of the page's hundreds of field goroutines adding its
// key on its own (on a busy machine after the loader's wait has ended,
// splitting the batch).
//
// A top-level page (Query.users) holds every key of its level, so the
// edges are read at once (now); a nested page (Team.members) is one of
// many sibling pages, so its keys join the loaders' batches, which the
// siblings' keys join too.
func primeUserEdges(ctx context.Context, users []*ent.User, now bool) error {
	if len(users) == 0 {
		return nil
	}
	sel := nodeFields(ctx, "UserConnection", "UserEdge", "User")
	l := loadersFrom(ctx)
	ids := func(id func(u *ent.User) *string) []string {
		out := make([]string, 0, len(users))
		for _, u := range users {
			if k := id(u); k != nil && *k != "" {
				out = append(out, *k)
			}
		}
		return out
	}
	var err error
	if sel["teams"] {
		err = prime(ctx, l.teamsOfUser, l.read.TeamsOfUsers, ids(func(u *ent.User) *string { return &u.ID }), now)
	}
	if sel["agentProfile"] && err == nil {
		err = prime(ctx, l.agentProfile, l.read.AgentProfiles, ids(func(u *ent.User) *string { return u.AgentProfileID }), now)
	}
	if sel["skillProfile"] && err == nil {
		err = prime(ctx, l.skillProfile, l.read.SkillProfiles, ids(func(u *ent.User) *string { return u.SkillProfileID }), now)
	}
	if sel["tenant"] && err == nil {
		err = prime(ctx, l.tenant, l.read.Tenants, ids(func(u *ent.User) *string { return u.TenantID }), now)
	}
	if sel["invitation"] && err == nil {
		err = prime(ctx, l.invitation, l.readInvitations, ids(func(u *ent.User) *string { return &u.ID }), now)
	}
	return err
}

// prime gives keys to l. With now, it reads them with read (the loader's
// own batch read) and puts every answer into l: a key the read does not
// answer is primed as nothing (nil), as the loader would have answered it,
// and a key l already holds keeps its answer. Otherwise the keys join l's
// batch, without waiting for it.
func prime[V any](ctx context.Context, l *dataloadgen.Loader[string, V], read func(context.Context, []string) (map[string]V, error), keys []string, now bool) error {
	if len(keys) == 0 {
		return nil
	}
	if !now {
		l.LoadAllThunk(ctx, keys)
		return nil
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	m, err := read(ctx, keys)
	if err != nil {
		return err
	}
	for _, k := range keys {
		l.Prime(k, m[k])
	}
	return nil
}

// nodeFields are the names of the fields selected on the nodes of the
// connection being resolved (conn { edges { node { … } } }), with
// fragments on the three types given.
func nodeFields(ctx context.Context, connType, edgeType, nodeType string) map[string]bool {
	oc := graphql.GetOperationContext(ctx)
	out := map[string]bool{}
	for _, e := range graphql.CollectFieldsCtx(ctx, []string{connType}) {
		if e.Name != "edges" {
			continue
		}
		for _, n := range graphql.CollectFields(oc, e.Selections, []string{edgeType}) {
			if n.Name != "node" {
				continue
			}
			for _, f := range graphql.CollectFields(oc, n.Selections, []string{nodeType}) {
				out[f.Name] = true
			}
		}
	}
	return out
}
