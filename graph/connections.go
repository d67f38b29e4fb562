package graph

import (
	"context"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/graph/model"
)

// connectionOf says how one kind of node becomes the API's Relay
// connection: its id (the cursor), its edge and its connection type.
type connectionOf[T, E, C any] struct {
	id    func(T) string
	edge  func(cursor string, node T) E
	conn  func(edges []E, info *model.PageInfo, total int) C
	order pageOrder
	// prime, when set, reads the edges the selection asks for on the
	// nodes of a top-level page as soon as it is read (primeUserEdges).
	prime func(ctx context.Context, nodes []T, now bool) error
}

// connection is the body of every list field: q (or queryErr, the error of
// building it) paged after the cursor, as the connection kind describes.
func connection[T any, Q entQuery[T, Q], E, C any](ctx context.Context, q Q, queryErr error, first *int, after *string, kind connectionOf[T, E, C]) (C, error) {
	var zero C
	if queryErr != nil {
		return zero, queryErr
	}
	p, err := paginate(ctx, q, first, after, kind.id, kind.order)
	if err != nil {
		return zero, err
	}
	if kind.prime != nil {
		if err := kind.prime(ctx, p.nodes, true); err != nil {
			return zero, err
		}
	}
	e, info := edges(p, kind.edge)
	return kind.conn(e, info, p.total), nil
}

// The connections of the schema, one per node type.
var (
	tenantConnection = connectionOf[*ent.Tenant, *model.TenantEdge, *model.TenantConnection]{
		id:   func(n *ent.Tenant) string { return n.ID },
		edge: func(c string, n *ent.Tenant) *model.TenantEdge { return &model.TenantEdge{Cursor: c, Node: n} },
		conn: func(e []*model.TenantEdge, info *model.PageInfo, total int) *model.TenantConnection {
			return &model.TenantConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
	}
	userConnection = connectionOf[*ent.User, *model.UserEdge, *model.UserConnection]{
		id:   func(n *ent.User) string { return n.ID },
		edge: func(c string, n *ent.User) *model.UserEdge { return &model.UserEdge{Cursor: c, Node: n} },
		conn: func(e []*model.UserEdge, info *model.PageInfo, total int) *model.UserConnection {
			return &model.UserConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
		prime: primeUserEdges,
	}
	teamConnection = connectionOf[*ent.Team, *model.TeamEdge, *model.TeamConnection]{
		id:   func(n *ent.Team) string { return n.ID },
		edge: func(c string, n *ent.Team) *model.TeamEdge { return &model.TeamEdge{Cursor: c, Node: n} },
		conn: func(e []*model.TeamEdge, info *model.PageInfo, total int) *model.TeamConnection {
			return &model.TeamConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
	}
	agentProfileConnection = connectionOf[*ent.AgentProfile, *model.AgentProfileEdge, *model.AgentProfileConnection]{
		id: func(n *ent.AgentProfile) string { return n.ID },
		edge: func(c string, n *ent.AgentProfile) *model.AgentProfileEdge {
			return &model.AgentProfileEdge{Cursor: c, Node: n}
		},
		conn: func(e []*model.AgentProfileEdge, info *model.PageInfo, total int) *model.AgentProfileConnection {
			return &model.AgentProfileConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
	}
	dialPlanConnection = connectionOf[*ent.DialPlan, *model.DialPlanEdge, *model.DialPlanConnection]{
		id:   func(n *ent.DialPlan) string { return n.ID },
		edge: func(c string, n *ent.DialPlan) *model.DialPlanEdge { return &model.DialPlanEdge{Cursor: c, Node: n} },
		conn: func(e []*model.DialPlanEdge, info *model.PageInfo, total int) *model.DialPlanConnection {
			return &model.DialPlanConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
	}
	skillProfileConnection = connectionOf[*ent.SkillProfile, *model.SkillProfileEdge, *model.SkillProfileConnection]{
		id: func(n *ent.SkillProfile) string { return n.ID },
		edge: func(c string, n *ent.SkillProfile) *model.SkillProfileEdge {
			return &model.SkillProfileEdge{Cursor: c, Node: n}
		},
		conn: func(e []*model.SkillProfileEdge, info *model.PageInfo, total int) *model.SkillProfileConnection {
			return &model.SkillProfileConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
	}
	desktopSessionConnection = connectionOf[*ent.DesktopSession, *model.DesktopSessionEdge, *model.DesktopSessionConnection]{
		id: func(n *ent.DesktopSession) string { return n.ID },
		edge: func(c string, n *ent.DesktopSession) *model.DesktopSessionEdge {
			return &model.DesktopSessionEdge{Cursor: c, Node: n}
		},
		conn: func(e []*model.DesktopSessionEdge, info *model.PageInfo, total int) *model.DesktopSessionConnection {
			return &model.DesktopSessionConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
	}
	bannerConnection = connectionOf[*ent.Banner, *model.BannerEdge, *model.BannerConnection]{
		id:   func(n *ent.Banner) string { return n.ID },
		edge: func(c string, n *ent.Banner) *model.BannerEdge { return &model.BannerEdge{Cursor: c, Node: n} },
		conn: func(e []*model.BannerEdge, info *model.PageInfo, total int) *model.BannerConnection {
			return &model.BannerConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
	}
	apiTokenConnection = connectionOf[*ent.APIToken, *model.APITokenEdge, *model.APITokenConnection]{
		id:   func(n *ent.APIToken) string { return n.ID },
		edge: func(c string, n *ent.APIToken) *model.APITokenEdge { return &model.APITokenEdge{Cursor: c, Node: n} },
		conn: func(e []*model.APITokenEdge, info *model.PageInfo, total int) *model.APITokenConnection {
			return &model.APITokenConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
	}
	// The audit log reads from the latest entry.
	auditEventConnection = connectionOf[*ent.AuditEvent, *model.AuditEventEdge, *model.AuditEventConnection]{
		id: func(n *ent.AuditEvent) string { return n.ID },
		edge: func(c string, n *ent.AuditEvent) *model.AuditEventEdge {
			return &model.AuditEventEdge{Cursor: c, Node: n}
		},
		conn: func(e []*model.AuditEventEdge, info *model.PageInfo, total int) *model.AuditEventConnection {
			return &model.AuditEventConnection{Edges: e, PageInfo: info, TotalCount: total}
		},
		order: newestFirst,
	}
)
