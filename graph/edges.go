package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/graph/model"
	"github.com/agentdesk/agentdesk/internal/apperr"
)

// ownerTenant is the tenant an object belongs to (Team.tenant,
// Banner.tenant…), through the operation's tenant loader.
func ownerTenant(ctx context.Context, tenantID string) (*ent.Tenant, error) {
	return required(loadersFrom(ctx).tenant.Load(ctx, tenantID))
}

// teamMembers is a page of Team.members: the member ids of every team on
// the page come in one statement, the members of the page in another,
// whatever the number of teams.
func teamMembers(ctx context.Context, t *ent.Team, first *int, after *string) (*model.UserConnection, error) {
	l := loadersFrom(ctx)
	ids, err := l.membersOfTeam.Load(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	p, err := pageOfIDs[*ent.User](ids, first, after)
	if err != nil {
		return nil, err
	}
	users, err := l.user.LoadAll(ctx, p.ids)
	if err != nil {
		return nil, err
	}
	for i, u := range users {
		if u == nil { // a member the tenant scope hides: never shown
			return nil, apperr.New(apperr.NotFound, "not found")
		}
		p.nodes[i] = u
	}
	// One of the sibling teams' pages: its keys join the loaders' batches.
	if err := userConnection.prime(ctx, p.nodes, false); err != nil {
		return nil, err
	}
	e, info := edges(p, userConnection.edge)
	return userConnection.conn(e, info, p.total), nil
}

// activityPage is a tenant's activity page, through the operation's
// artwork loader (id and etag only).
func (r *Resolver) activityPage(ctx context.Context, tenantID string) (*model.ActivityPage, error) {
	a, err := loadersFrom(ctx).artwork.Load(ctx, tenantID)
	if err != nil || a == nil {
		return &model.ActivityPage{}, err
	}
	url := r.PublicURL + "/artwork/" + a.ID + "?v=" + a.Etag[:12]
	return &model.ActivityPage{ArtworkURL: &url}, nil
}

// selected reports whether the field being resolved selects child (for an
// answer built in one piece, such as stationLoginOptions, whose costly
// parts are read only when asked for).
func selected(ctx context.Context, child string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == child {
			return true
		}
	}
	return false
}
