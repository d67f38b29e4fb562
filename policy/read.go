package policy

import (
	"fmt"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// Kind is a type of object the API returns.
type Kind string

// The kinds of object, by their API names.
const (
	KindTenant         Kind = "Tenant"
	KindUser           Kind = "User"
	KindTeam           Kind = "Team"
	KindAgentProfile   Kind = "AgentProfile"
	KindDialPlan       Kind = "DialPlan"
	KindSkillProfile   Kind = "SkillProfile"
	KindBanner         Kind = "Banner"
	KindAPIToken       Kind = "ApiToken"
	KindAuditEvent     Kind = "AuditEvent"
	KindDesktopSession Kind = "DesktopSession"
	KindInteraction    Kind = "Interaction"
)

// readRule is how an object of a kind may be read at the top level: with
// the kind's read action in its tenant, or, for one's own object (one's
// user, tenant, teams, desktop session and its interactions, the banners
// of one's tenant), with the action of the call that hands it out (`me`,
// the desktop's calls).
type readRule struct{ read, own Action }

var readRules = map[Kind]readRule{
	// An own tenant is the narrow view (id, name, slug, activity page): see
	// TenantDetail.
	KindTenant:         {TenantRead, SelfRead},
	KindUser:           {UserRead, SelfRead},
	KindTeam:           {TeamRead, DesktopUse},
	KindAgentProfile:   {ProfileRead, ""},
	KindDialPlan:       {DialPlanRead, ""},
	KindSkillProfile:   {SkillProfileRead, ""},
	KindBanner:         {BannerRead, DesktopUse},
	KindAPIToken:       {APITokenRead, ""},
	KindAuditEvent:     {AuditRead, ""},
	KindDesktopSession: {SessionRead, DesktopUse},
	KindInteraction:    {SessionRead, DesktopUse},
}

// AuthorizeRead is the rule for an object reached through another object
// (User.tenant, Team.members, DesktopSession.user…): v may read it exactly
// when v may read it at the top level. That is the kind's read action in
// tenantID, or, when own says the object is v's own, the action of the
// call that hands v its own objects. Answers as Authorize: another
// tenant's object is NOT_FOUND, else FORBIDDEN.
//
// A kind without a rule is refused (INTERNAL): a new object type needs its
// line in readRules before any edge may return it.
func (e *Enforcer) AuthorizeRead(v *Viewer, k Kind, tenantID string, own bool) error {
	r, ok := readRules[k]
	if !ok {
		return apperr.New(apperr.Internal, "internal error").Wrap(fmt.Errorf("policy: no read rule for %q", k))
	}
	err := e.Authorize(v, r.read, tenantID)
	if err == nil || !own || r.own == "" {
		return err
	}
	if e.Authorize(v, r.own, tenantID) == nil {
		return nil
	}
	return err
}

// TenantDetail is the rule for a tenant's settings beyond the narrow view
// (id, name, slug, activity page) that its own users get through `me` and
// the desktop: SSO and Teams settings, e-mail domains, station options…
// need tenant.read, as for `tenant(id)`.
func (e *Enforcer) TenantDetail(v *Viewer, tenantID string) error {
	return e.Authorize(v, TenantRead, tenantID)
}

// Kinds returns every kind with a read rule, for tests.
func Kinds() []Kind {
	out := make([]Kind, 0, len(readRules))
	for k := range readRules {
		out = append(out, k)
	}
	return out
}
