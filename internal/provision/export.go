package provision

import (
	"context"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/dialplan"
	"github.com/agentdesk/agentdesk/ent/emaildomain"
	"github.com/agentdesk/agentdesk/ent/skillprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// ExportTenant reads the tenant with slug as the spec that describes it:
// applying the result to the same tenant changes nothing (the round trip
// agentdesk export | agentdesk apply relies on). Every stored value is
// written out, except values that equal what a spec left out would give
// (an empty prefix, no agent profile), and secrets (the SSO and Teams
// client secrets), which an apply without them keeps.
//
// It needs tenant.apply on the tenant, like applying: the spec holds every
// user. An unknown slug, and another tenant's, is NOT_FOUND.
func (s *Service) ExportTenant(ctx context.Context, slug string) (*TenantSpecInput, error) {
	if err := policy.RequireSignedIn(ctx); err != nil {
		return nil, err
	}
	t, err := s.Admin.DB.Tenant.Query().Where(tenant.Slug(strings.TrimSpace(slug))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "not found")
	}
	if err != nil {
		return nil, err
	}
	if err := s.Admin.Policy.AuthorizeContext(ctx, policy.TenantApply, t.ID); err != nil {
		return nil, err
	}
	return exportTenant(ctx, s.Admin.DB, t)
}

func exportTenant(ctx context.Context, db *ent.Client, t *ent.Tenant) (*TenantSpecInput, error) {
	domains, err := db.EmailDomain.Query().Where(emaildomain.TenantID(t.ID)).
		Order(emaildomain.ByDomain()).Select(emaildomain.FieldDomain).Strings(ctx)
	if err != nil {
		return nil, err
	}
	spec := tenantView(admin.SettingsOf(t, domains))
	if spec.Sso.IssuerURL == "" && spec.Sso.ClientID == "" {
		spec.Sso = nil
	}
	if ti := spec.TeamsIntegration; !ti.Enabled && *ti.IssuerURL == "" && *ti.ClientID == "" {
		spec.TeamsIntegration = nil
	}
	spec.DialPlans, spec.AgentProfiles, spec.SkillProfiles = []*DialPlanSpecInput{}, []*AgentProfileSpecInput{}, []*SkillProfileSpecInput{}
	spec.Teams, spec.Users = []*TeamSpecInput{}, []*UserSpecInput{}

	plans, err := db.DialPlan.Query().Where(dialplan.TenantID(t.ID)).Order(dialplan.ByName()).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		v := dialPlanView(admin.DialPlanOf(p))
		v.Prefix, v.StrippedChars = nonEmpty(v.Prefix), nonEmpty(v.StrippedChars)
		spec.DialPlans = append(spec.DialPlans, &v)
	}
	skills, err := db.SkillProfile.Query().Where(skillprofile.TenantID(t.ID)).Order(skillprofile.ByName()).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range skills {
		v := skillProfileView(admin.SkillProfileSettings{Name: p.Name, Skills: p.Skills})
		spec.SkillProfiles = append(spec.SkillProfiles, &v)
	}
	profiles, err := db.AgentProfile.Query().Where(agentprofile.TenantID(t.ID)).Order(agentprofile.ByName()).WithDialPlans().All(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		v := profileView(admin.ProfileSettingsOf(p, p.Edges.DialPlans))
		v.Description = nonEmpty(v.Description)
		spec.AgentProfiles = append(spec.AgentProfiles, &v)
	}
	teams, err := db.Team.Query().Where(team.TenantID(t.ID)).Order(team.ByName()).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, tm := range teams {
		v := teamView(admin.TeamSettingsOf(tm))
		spec.Teams = append(spec.Teams, &v)
	}
	book, err := loadNameBook(ctx, db, t.ID)
	if err != nil {
		return nil, err
	}
	users, err := db.User.Query().Where(user.TenantID(t.ID)).Order(user.ByEmail()).
		WithTeams(func(q *ent.TeamQuery) { q.Select(team.FieldID) }).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		v := book.userView(userOfEnt(u))
		spec.Users = append(spec.Users, &v)
	}
	return &spec, nil
}

// nonEmpty is nil for an empty string: a spec leaves it out.
func nonEmpty(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}
