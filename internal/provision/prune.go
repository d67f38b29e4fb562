package provision

import (
	"cmp"
	"slices"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// pruneList is what a pruning apply removes: the tenant's dial plans,
// profiles, skill profiles and teams whose names the spec does not give.
// Users are not deleted but deactivated (pruneUsers). A list the spec
// leaves out altogether prunes nothing of its kind, as a field left out
// keeps what is stored; an empty list prunes all of it.
type pruneList struct {
	dialPlans     []*ent.DialPlan
	agentProfiles []*ent.AgentProfile
	skillProfiles []*ent.SkillProfile
	teams         []*ent.Team
}

// has reports whether the object with id goes; a nil list prunes nothing.
func (p *pruneList) has(id string) bool {
	if p == nil {
		return false
	}
	return slices.ContainsFunc(p.dialPlans, func(x *ent.DialPlan) bool { return x.ID == id }) ||
		slices.ContainsFunc(p.agentProfiles, func(x *ent.AgentProfile) bool { return x.ID == id }) ||
		slices.ContainsFunc(p.skillProfiles, func(x *ent.SkillProfile) bool { return x.ID == id }) ||
		slices.ContainsFunc(p.teams, func(x *ent.Team) bool { return x.ID == id })
}

// missing are the stored objects whose names (without case) are not among
// a spec list's keys, by name.
func missing[T any](stored []*T, keys []string, name func(*T) string) []*T {
	var out []*T
	for _, x := range stored {
		if !slices.Contains(keys, strings.ToLower(strings.TrimSpace(name(x)))) {
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b *T) int { return cmp.Compare(name(a), name(b)) })
	return out
}

// pruneUsers are the requests that deactivate the tenant's users missing
// from the spec, for the same pipeline as the spec's users. A user is
// never deleted: its sign-in sessions, desktop sessions and audit trail
// keep naming it, and an operator expects a leaver to be switched off, as
// in the console, not erased. Deactivating ends its sessions. It also
// loses the profiles, skill profile and teams the same prune deletes, so
// that they can go. A user already inactive and holding nothing pruned is
// unchanged; the caller's own account is never pruned.
func (a *applier) pruneUsers(spec TenantSpecInput) ([]admin.UserRequest, error) {
	if a.prune == nil || spec.Users == nil {
		return nil, nil
	}
	inSpec := map[string]bool{}
	for _, us := range spec.Users {
		email, err := admin.CheckEmail(us.Email)
		if err != nil {
			email = strings.ToLower(strings.TrimSpace(us.Email))
		}
		inSpec[email] = true
	}
	stored, err := a.db.User.Query().Where(user.TenantID(a.tenant.ID)).Order(user.ByEmail()).All(a.ctx)
	if err != nil {
		return nil, err
	}
	me := policy.ViewerFrom(a.ctx)
	var reqs []admin.UserRequest
	for _, u := range stored {
		if inSpec[u.Email] {
			continue
		}
		if me != nil && me.UserID == u.ID && u.Active {
			return nil, apperr.Invalid("users", "The prune would deactivate "+u.Email+
				", who applies this spec: add that user to the spec's users.")
		}
		reqs = append(reqs, admin.UserRequest{Email: u.Email, Edit: func(base admin.UserSettings) (admin.UserSettings, []*apperr.Error) {
			base.Active = false
			if base.AgentProfileID != nil && a.prune.has(*base.AgentProfileID) {
				base.AgentProfileID = nil
			}
			if base.SkillProfileID != nil && a.prune.has(*base.SkillProfileID) {
				base.SkillProfileID = nil
			}
			base.TeamIDs = slices.DeleteFunc(slices.Clone(base.TeamIDs), a.prune.has)
			return base, nil
		}})
	}
	return reqs, nil
}

// pruneObjects deletes what the prune list holds, after the users are
// written (so that none holds it any more), with the rules of the delete
// operations: a team with agents logged in, a profile a user of the spec
// still holds, or the only active dial plan of a DIAL_PLAN profile is
// IN_USE, and nothing applies.
func (a *applier) pruneObjects(TenantSpecInput) error {
	if a.prune == nil {
		return nil
	}
	for _, t := range a.prune.teams {
		if err := admin.DeleteTeamTx(a.ctx, a.db, t); err != nil {
			return at("teams", err)
		}
		a.changed(ActionDelete, KindTeam, t.Name)
	}
	for _, p := range a.prune.agentProfiles {
		if err := admin.DeleteProfileTx(a.ctx, a.db, p); err != nil {
			return at("agentProfiles", err)
		}
		a.changed(ActionDelete, KindAgentProfile, p.Name)
	}
	for _, p := range a.prune.skillProfiles {
		if err := admin.DeleteSkillProfileTx(a.ctx, a.db, p); err != nil {
			return at("skillProfiles", err)
		}
		a.changed(ActionDelete, KindSkillProfile, p.Name)
	}
	for _, p := range a.prune.dialPlans {
		if err := admin.DeleteDialPlanTx(a.ctx, a.db, p); err != nil {
			return at("dialPlans", err)
		}
		a.changed(ActionDelete, KindDialPlan, p.Name)
	}
	return nil
}
