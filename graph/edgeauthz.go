package graph

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/graph/model"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// entityTypes are the schema's object types that are stored objects. A
// field of one of them that returns another (an edge: User.tenant,
// Team.members, DesktopSession.user…) is authorized by edgeAuthorization.
// Fields of the API's own wrappers (connections, payloads such as
// AuthPayload.user or StationLoginResult.session, StationLoginOptions) are
// part of their root field's answer, which its resolver authorized.
var entityTypes = map[string]policy.Kind{
	"Tenant": policy.KindTenant, "User": policy.KindUser, "Team": policy.KindTeam,
	"AgentProfile": policy.KindAgentProfile, "DialPlan": policy.KindDialPlan, "SkillProfile": policy.KindSkillProfile,
	"Banner": policy.KindBanner, "ApiToken": policy.KindAPIToken, "AuditEvent": policy.KindAuditEvent,
	"DesktopSession": policy.KindDesktopSession, "Interaction": policy.KindInteraction,
	// A remembered station is part of its user's desktop options; its team
	// edge is authorized like every other.
	"RememberedStation": "",
}

// tenantNarrowView are the fields of a tenant its own users read through
// `me { tenant }` and the desktop (the name and slug in the desktop's
// header, the activity page). Every other field of Tenant (SSO and Teams
// settings, e-mail domains, station options) needs tenant.read, as
// `tenant(id)` does.
var tenantNarrowView = map[string]bool{"id": true, "name": true, "slug": true, "activityPage": true, "__typename": true}

// edgeAuthorization is the one place where nested objects are authorized:
// every object an edge returns must be readable by the caller exactly as
// the same object read at the top level (policy.AuthorizeRead). A new edge
// gets the check without a line of code; an edge that returns an object
// this file does not know is refused (INTERNAL), and the authorization
// matrix says so.
type edgeAuthorization struct{ policy *policy.Enforcer }

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = edgeAuthorization{}

func (edgeAuthorization) ExtensionName() string                   { return "EdgeAuthorization" }
func (edgeAuthorization) Validate(graphql.ExecutableSchema) error { return nil }

func (a edgeAuthorization) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return next(ctx)
	}
	if _, entity := entityTypes[fc.Object]; !entity {
		return next(ctx)
	}
	if fc.Object == "Tenant" && !tenantNarrowView[fc.Field.Name] {
		t, ok := parentObject[ent.Tenant](fc)
		if !ok {
			return nil, unknownEdge(fc, fc.Parent.Result)
		}
		if err := a.policy.TenantDetail(policy.ViewerFrom(ctx), t.ID); err != nil {
			return nil, err
		}
	}
	if !returnsEntity(fc.Field.Definition.Type) {
		return next(ctx)
	}
	res, err := next(ctx)
	if err != nil || isNil(res) {
		return res, err
	}
	if err := a.readable(ctx, fc, res); err != nil {
		return nil, err
	}
	return res, nil
}

// returnsEntity reports whether a field's type is a stored object, a list
// of them, or a connection of them.
func returnsEntity(t *ast.Type) bool {
	for t.Elem != nil {
		t = t.Elem
	}
	name := strings.TrimSuffix(t.NamedType, "Connection")
	_, ok := entityTypes[name]
	return ok
}

// readable authorizes every object in res, an edge's answer.
func (a edgeAuthorization) readable(ctx context.Context, fc *graphql.FieldContext, res any) error {
	v := policy.ViewerFrom(ctx)
	one := func(k policy.Kind, tenantID string, own bool) error {
		return a.policy.AuthorizeRead(v, k, tenantID, own)
	}
	switch r := res.(type) {
	case *ent.Tenant:
		return one(policy.KindTenant, r.ID, r.ID == v.GetTenantID())
	case *ent.User:
		return a.user(v, r)
	case *model.UserConnection:
		if len(r.Edges) == 0 {
			// An empty page answers like a full one: users of the
			// parent's tenant are readable or they are not.
			t, ok := parentObject[ent.Team](fc)
			if !ok {
				return unknownEdge(fc, res)
			}
			return one(policy.KindUser, t.TenantID, false)
		}
		for _, e := range r.Edges {
			if err := a.user(v, e.Node); err != nil {
				return err
			}
		}
		return nil
	case *ent.Team:
		return a.teams(ctx, v, []*ent.Team{r})
	case []*ent.Team:
		return a.teams(ctx, v, r)
	case *ent.AgentProfile:
		return one(policy.KindAgentProfile, r.TenantID, false)
	case *ent.SkillProfile:
		return one(policy.KindSkillProfile, r.TenantID, false)
	case []*ent.DialPlan:
		for _, p := range r {
			if err := one(policy.KindDialPlan, p.TenantID, false); err != nil {
				return err
			}
		}
		return nil
	case []*ent.Interaction:
		// Interactions belong to their desktop session: readable as it is.
		s, ok := parentObject[ent.DesktopSession](fc)
		if !ok {
			return unknownEdge(fc, res)
		}
		return one(policy.KindInteraction, s.TenantID, v != nil && v.UserID != "" && s.UserID == v.UserID)
	}
	return unknownEdge(fc, res)
}

func (a edgeAuthorization) user(v *policy.Viewer, u *ent.User) error {
	tenantID := ""
	if u.TenantID != nil {
		tenantID = *u.TenantID
	}
	return a.policy.AuthorizeRead(v, policy.KindUser, tenantID, v != nil && v.UserID != "" && u.ID == v.UserID)
}

// teams authorizes teams; a team is the viewer's own when the viewer is a
// member (the desktop's team drop-down), which is looked up only for roles
// that may not read teams anyway.
func (a edgeAuthorization) teams(ctx context.Context, v *policy.Viewer, ts []*ent.Team) error {
	var mine map[string]bool
	for _, t := range ts {
		own := false
		if v != nil && v.UserID != "" && !a.policy.RoleMay(v.Role, policy.TeamRead) {
			if mine == nil {
				teams, err := loadersFrom(ctx).teamsOfUser.Load(ctx, v.UserID)
				if err != nil {
					return err
				}
				mine = make(map[string]bool, len(teams))
				for _, m := range teams {
					mine[m.ID] = true
				}
			}
			own = mine[t.ID]
		}
		if err := a.policy.AuthorizeRead(v, policy.KindTeam, t.TenantID, own); err != nil {
			return err
		}
	}
	return nil
}

// isNil reports whether res is nil or a nil pointer (an optional edge with
// nothing at its end, such as a user without a profile).
func isNil(res any) bool {
	if res == nil {
		return true
	}
	v := reflect.ValueOf(res)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// parentObject is the object whose field fc is (a list element's context
// holds a pointer to the element).
func parentObject[T any](fc *graphql.FieldContext) (*T, bool) {
	if fc.Parent == nil {
		return nil, false
	}
	switch p := fc.Parent.Result.(type) {
	case *T:
		return p, p != nil
	case **T:
		if p != nil && *p != nil {
			return *p, true
		}
	}
	return nil, false
}

func unknownEdge(fc *graphql.FieldContext, res any) error {
	return apperr.New(apperr.Internal, "internal error").Wrap(
		fmt.Errorf("graph: edge %s.%s returned %T, which edgeAuthorization does not know", fc.Object, fc.Field.Name, res))
}
