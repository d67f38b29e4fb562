// Package loader owns the batched reads under the API's edges: given the
// keys a request collected (the tenants of 100 users, their teams, their
// profiles…), each function reads them all with one or two statements,
// whatever the number of keys. graph/loaders.go wraps them in per-request
// dataloadgen loaders; this package knows nothing of GraphQL.
//
// Every read goes through the store's tenant scope (internal/store), so a
// key of another tenant finds nothing; authorization of what is found is
// the caller's (graph's field middleware asks policy).
package loader

import (
	"context"
	"slices"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/artwork"
	"github.com/agentdesk/agentdesk/ent/dialplan"
	"github.com/agentdesk/agentdesk/ent/emaildomain"
	"github.com/agentdesk/agentdesk/ent/interaction"
	"github.com/agentdesk/agentdesk/ent/skillprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/teammember"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
)

// Reader reads batches from one database.
type Reader struct{ DB *ent.Client }

// byID indexes rows by their id.
func byID[T any](rows []T, id func(T) string) map[string]T {
	out := make(map[string]T, len(rows))
	for _, r := range rows {
		out[id(r)] = r
	}
	return out
}

// Tenants by id.
func (r Reader) Tenants(ctx context.Context, ids []string) (map[string]*ent.Tenant, error) {
	rows, err := r.DB.Tenant.Query().Where(tenant.IDIn(ids...)).All(ctx)
	return byID(rows, func(t *ent.Tenant) string { return t.ID }), err
}

// Users by id.
func (r Reader) Users(ctx context.Context, ids []string) (map[string]*ent.User, error) {
	rows, err := r.DB.User.Query().Where(user.IDIn(ids...)).All(ctx)
	return byID(rows, func(u *ent.User) string { return u.ID }), err
}

// Teams by id.
func (r Reader) Teams(ctx context.Context, ids []string) (map[string]*ent.Team, error) {
	rows, err := r.DB.Team.Query().Where(team.IDIn(ids...)).All(ctx)
	return byID(rows, func(t *ent.Team) string { return t.ID }), err
}

// AgentProfiles by id.
func (r Reader) AgentProfiles(ctx context.Context, ids []string) (map[string]*ent.AgentProfile, error) {
	rows, err := r.DB.AgentProfile.Query().Where(agentprofile.IDIn(ids...)).All(ctx)
	return byID(rows, func(p *ent.AgentProfile) string { return p.ID }), err
}

// SkillProfiles by id.
func (r Reader) SkillProfiles(ctx context.Context, ids []string) (map[string]*ent.SkillProfile, error) {
	rows, err := r.DB.SkillProfile.Query().Where(skillprofile.IDIn(ids...)).All(ctx)
	return byID(rows, func(p *ent.SkillProfile) string { return p.ID }), err
}

// TeamsOfUsers are each user's teams, by name (then id): two statements,
// the memberships by user (index teammember_user_id) and their teams.
func (r Reader) TeamsOfUsers(ctx context.Context, userIDs []string) (map[string][]*ent.Team, error) {
	ms, err := r.DB.TeamMember.Query().Where(teammember.UserIDIn(userIDs...)).All(ctx)
	if err != nil {
		return nil, err
	}
	teamIDs := make([]string, 0, len(ms))
	for _, m := range ms {
		teamIDs = append(teamIDs, m.TeamID)
	}
	slices.Sort(teamIDs)
	teams, err := r.Teams(ctx, slices.Compact(teamIDs))
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*ent.Team, len(userIDs))
	for _, m := range ms {
		// A team the scope hides (another tenant's) is left out.
		if t := teams[m.TeamID]; t != nil {
			out[m.UserID] = append(out[m.UserID], t)
		}
	}
	for _, ts := range out {
		slices.SortFunc(ts, func(a, b *ent.Team) int {
			if a.Name != b.Name {
				return strings.Compare(a.Name, b.Name)
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	return out, nil
}

// MemberIDsOfTeams are each team's member ids, ascending (the order of
// Team.members' pages): one statement on team_members' key, ids only. The
// members themselves come from Users, a page at a time.
func (r Reader) MemberIDsOfTeams(ctx context.Context, teamIDs []string) (map[string][]string, error) {
	ms, err := r.DB.TeamMember.Query().Where(teammember.TeamIDIn(teamIDs...)).
		Order(teammember.ByUserID()).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(teamIDs))
	for _, m := range ms {
		out[m.TeamID] = append(out[m.TeamID], m.UserID)
	}
	return out, nil
}

// DialPlansOfProfiles are each profile's dial plans by id: two statements
// (the profiles' ids, then the plans joined to the profile table).
func (r Reader) DialPlansOfProfiles(ctx context.Context, profileIDs []string) (map[string][]*ent.DialPlan, error) {
	ps, err := r.DB.AgentProfile.Query().Where(agentprofile.IDIn(profileIDs...)).Select(agentprofile.FieldID).
		WithDialPlans(func(q *ent.DialPlanQuery) { q.Order(dialplan.ByID()) }).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*ent.DialPlan, len(ps))
	for _, p := range ps {
		out[p.ID] = p.Edges.DialPlans
	}
	return out, nil
}

// InteractionsOfSessions are each desktop session's interactions, oldest
// first: one statement (index on desktop_session_id).
func (r Reader) InteractionsOfSessions(ctx context.Context, sessionIDs []string) (map[string][]*ent.Interaction, error) {
	rows, err := r.DB.Interaction.Query().Where(interaction.DesktopSessionIDIn(sessionIDs...)).
		Order(ent.Asc(interaction.FieldCreatedAt), ent.Asc(interaction.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*ent.Interaction, len(sessionIDs))
	for _, i := range rows {
		out[i.DesktopSessionID] = append(out[i.DesktopSessionID], i)
	}
	return out, nil
}

// EmailDomainsOfTenants are each tenant's e-mail domains, sorted.
func (r Reader) EmailDomainsOfTenants(ctx context.Context, tenantIDs []string) (map[string][]string, error) {
	rows, err := r.DB.EmailDomain.Query().Where(emaildomain.TenantIDIn(tenantIDs...)).
		Order(emaildomain.ByDomain()).Select(emaildomain.FieldTenantID, emaildomain.FieldDomain).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(tenantIDs))
	for _, d := range rows {
		out[d.TenantID] = append(out[d.TenantID], d.Domain)
	}
	return out, nil
}

// ArtworkOfTenants is each tenant's activity-page artwork, id and etag only
// (never the image).
func (r Reader) ArtworkOfTenants(ctx context.Context, tenantIDs []string) (map[string]*ent.Artwork, error) {
	rows, err := r.DB.Artwork.Query().Where(artwork.TenantIDIn(tenantIDs...)).
		Select(artwork.FieldID, artwork.FieldTenantID, artwork.FieldEtag).All(ctx)
	if err != nil {
		return nil, err
	}
	return byID(rows, func(a *ent.Artwork) string { return a.TenantID }), nil
}
