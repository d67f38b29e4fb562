package admin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/desktopsession"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// Limits of a team.
const (
	maxTeamNameLength = 80
	minTeamCapacity   = 1
	maxTeamCapacity   = 100000
	// MaxTeamMembersPerCall bounds addTeamMembers and removeTeamMembers, so
	// one call holds the write lock briefly.
	MaxTeamMembersPerCall = 500
)

// CreateTeamInput is a new team; its type is fixed from then on.
type CreateTeamInput struct {
	TenantID string
	Name     string
	Type     team.Type
	Capacity *int
}

// TeamFilter narrows teams(): a case-insensitive substring of the name,
// and the type.
type TeamFilter struct {
	Search *string
	Type   *team.Type
}

// TeamUpdate is updateTeam's input. The GraphQL input tells an omitted
// capacity (keep it) from null (clear it), which a plain pointer cannot:
// SetCapacity says capacity was given, Capacity is its value (nil clears).
type TeamUpdate struct {
	Name        *string
	SetCapacity bool
	Capacity    *int
}

// TeamSettings is the complete configuration of a team: what createTeam,
// updateTeam and provisioning write.
type TeamSettings struct {
	Name     string
	Type     team.Type
	Capacity *int
}

// TeamSettingsOf is the current configuration of t.
func TeamSettingsOf(t *ent.Team) TeamSettings {
	return TeamSettings{Name: t.Name, Type: t.Type, Capacity: t.Capacity}
}

// ValidateTeam checks and normalises a team's settings, and is the one
// statement of a team's rules (provisioning uses it too):
//   - name: 1..80 characters after trimming, one line (field "name");
//   - type: AGENT or CAPACITY (field "type");
//   - capacity: only for CAPACITY teams, and then 1..100000 when given
//     (field "capacity").
//
// That the type never changes and that the name is unique in the tenant
// are UpdateTeamTx's and CreateTeamTx's to check.
func ValidateTeam(s TeamSettings) (TeamSettings, error) {
	var err error
	if s.Name, err = requireName("name", s.Name, maxTeamNameLength); err != nil {
		return s, err
	}
	if team.TypeValidator(s.Type) != nil {
		return s, apperr.Invalid("type", "type must be AGENT or CAPACITY")
	}
	if s.Capacity != nil {
		if s.Type != team.TypeCAPACITY {
			return s, apperr.Invalid("capacity", "only CAPACITY teams have a capacity")
		}
		if c := *s.Capacity; c < minTeamCapacity || c > maxTeamCapacity {
			return s, apperr.Invalid("capacity", fmt.Sprintf("capacity must be between %d and %d", minTeamCapacity, maxTeamCapacity))
		}
	}
	return s, nil
}

// CreateTeamTx writes a new team with validated settings into tenantID; a
// name another team of the tenant has (without case) is a CONFLICT on name.
func CreateTeamTx(ctx context.Context, db *ent.Client, tenantID string, s TeamSettings, now time.Time) (*ent.Team, error) {
	if err := teamNameFree(ctx, db, tenantID, "", s.Name); err != nil {
		return nil, err
	}
	created, err := db.Team.Create().SetTenantID(tenantID).SetCreatedAt(now).SetUpdatedAt(now).
		SetName(s.Name).SetType(s.Type).SetNillableCapacity(s.Capacity).
		Save(ctx)
	return created, uniqueNameErr(err, "team", s.Name)
}

// UpdateTeamTx writes validated settings over t. The type is fixed at
// creation: settings with another type are a VALIDATION_ERROR on type.
func UpdateTeamTx(ctx context.Context, db *ent.Client, t *ent.Team, s TeamSettings, now time.Time) (*ent.Team, error) {
	if s.Type != t.Type {
		return nil, apperr.Invalid("type", fmt.Sprintf("team %q is an %s team; a team's type is fixed at creation", t.Name, t.Type))
	}
	if err := teamNameFree(ctx, db, t.TenantID, t.ID, s.Name); err != nil {
		return nil, err
	}
	u := db.Team.UpdateOne(t).SetUpdatedAt(now).SetName(s.Name)
	if s.Capacity != nil {
		u.SetCapacity(*s.Capacity)
	} else {
		u.ClearCapacity()
	}
	updated, err := u.Save(ctx)
	return updated, uniqueNameErr(err, "team", s.Name)
}

func teamNameFree(ctx context.Context, db *ent.Client, tenantID, self, name string) error {
	return requireNameFree(ctx, db.Team.Query().
		Where(team.TenantID(tenantID), team.NameEqualFold(name), team.IDNEQ(self)), "team", name)
}

// resolveTenantUsers checks that every id is a user of tenantID and returns
// the ids without repeats. An id that is not is a VALIDATION_ERROR on
// userIds that reads the same for a missing user and another tenant's.
func resolveTenantUsers(ctx context.Context, db *ent.Client, tenantID string, ids []string) ([]string, error) {
	ids, err := uniqueIDs("userIds", ids, MaxTeamMembersPerCall)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, apperr.Invalid("userIds", "userIds must name at least one user")
	}
	found, err := db.User.Query().Where(user.IDIn(ids...), user.TenantID(tenantID)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(found))
	for _, id := range found {
		have[id] = true
	}
	if id := missingID(ids, have); id != "" {
		return nil, apperr.Invalid("userIds", fmt.Sprintf("user %s does not exist in this tenant", id))
	}
	return ids, nil
}

// AddTeamMembersTx makes the users ids name members of t and returns how
// many were not members yet (adding a member again changes nothing). The
// users must be of t's tenant, at most MaxTeamMembersPerCall per call; a
// CAPACITY team has no members, so adding to one is a VALIDATION_ERROR.
func AddTeamMembersTx(ctx context.Context, db *ent.Client, t *ent.Team, userIDs []string, now time.Time) (int, error) {
	if t.Type == team.TypeCAPACITY {
		return 0, apperr.Invalid("teamId", fmt.Sprintf("team %q is a CAPACITY team, which has no members", t.Name))
	}
	ids, err := resolveTenantUsers(ctx, db, t.TenantID, userIDs)
	if err != nil {
		return 0, err
	}
	already, err := db.User.Query().Where(user.IDIn(ids...), user.HasTeamsWith(team.ID(t.ID))).IDs(ctx)
	if err != nil {
		return 0, err
	}
	member := make(map[string]bool, len(already))
	for _, id := range already {
		member[id] = true
	}
	var add []string
	for _, id := range ids {
		if !member[id] {
			add = append(add, id)
		}
	}
	if len(add) == 0 {
		return 0, nil
	}
	return len(add), db.Team.UpdateOne(t).SetUpdatedAt(now).AddMemberIDs(add...).Exec(ctx)
}

// RemoveTeamMembersTx removes the users ids name from t and returns how
// many were members (removing a non-member changes nothing). The ids must
// be users of t's tenant, at most MaxTeamMembersPerCall.
func RemoveTeamMembersTx(ctx context.Context, db *ent.Client, t *ent.Team, userIDs []string, now time.Time) (int, error) {
	ids, err := resolveTenantUsers(ctx, db, t.TenantID, userIDs)
	if err != nil {
		return 0, err
	}
	members, err := db.User.Query().Where(user.IDIn(ids...), user.HasTeamsWith(team.ID(t.ID))).IDs(ctx)
	if err != nil || len(members) == 0 {
		return 0, err
	}
	return len(members), db.Team.UpdateOne(t).SetUpdatedAt(now).RemoveMemberIDs(members...).Exec(ctx)
}

// ResolveAgentTeams loads the teams ids name for assigning them to a user
// (createUser, updateUser, imports, provisioning): each must be an AGENT
// team of tenantID, or it is a VALIDATION_ERROR on field that does not tell
// a missing team from another tenant's. Repeats are dropped.
func ResolveAgentTeams(ctx context.Context, db *ent.Client, tenantID, field string, ids []string) ([]*ent.Team, error) {
	ids, err := uniqueIDs(field, ids, MaxTeamMembersPerCall)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	found, err := db.Team.Query().Where(team.IDIn(ids...), team.TenantID(tenantID)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*ent.Team, len(found))
	have := make(map[string]bool, len(found))
	for _, t := range found {
		byID[t.ID], have[t.ID] = t, true
	}
	if id := missingID(ids, have); id != "" {
		return nil, apperr.Invalid(field, fmt.Sprintf("team %s does not exist in this tenant", id))
	}
	out := make([]*ent.Team, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
		if out[i].Type == team.TypeCAPACITY {
			return nil, apperr.Invalid(field, fmt.Sprintf("team %q is a CAPACITY team, which has no members", out[i].Name))
		}
	}
	return out, nil
}

// CreateTeam creates a team in the input's tenant.
func (s *Service) CreateTeam(ctx context.Context, in CreateTeamInput) (*ent.Team, error) {
	if err := s.authorize(ctx, policy.TeamWrite, in.TenantID); err != nil {
		return nil, err
	}
	settings, err := ValidateTeam(TeamSettings{Name: in.Name, Type: in.Type, Capacity: in.Capacity})
	if err != nil {
		return nil, err
	}
	var created *ent.Team
	err = s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		t, err := requireTenantTx(ctx, db, in.TenantID)
		if err != nil {
			return Event{}, err
		}
		if created, err = CreateTeamTx(ctx, db, t.ID, settings, s.Now()); err != nil {
			return Event{}, err
		}
		return Event{TenantID: t.ID, Action: "createTeam", TargetType: "Team", TargetID: created.ID,
			Summary: fmt.Sprintf("created %s team %q", created.Type, created.Name)}, nil
	})
	if err != nil {
		return nil, err
	}
	return created.Unwrap(), nil
}

// UpdateTeam renames a team or changes its capacity.
func (s *Service) UpdateTeam(ctx context.Context, id string, in TeamUpdate) (*ent.Team, error) {
	if _, err := s.loadTeam(ctx, policy.TeamWrite, id); err != nil {
		return nil, err
	}
	var updated *ent.Team
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		t, err := db.Team.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		settings := TeamSettingsOf(t)
		setIf(&settings.Name, in.Name)
		if in.SetCapacity {
			settings.Capacity = in.Capacity
		}
		if settings, err = ValidateTeam(settings); err != nil {
			return Event{}, err
		}
		if updated, err = UpdateTeamTx(ctx, db, t, settings, s.Now()); err != nil {
			return Event{}, err
		}
		return Event{TenantID: t.TenantID, Action: "updateTeam", TargetType: "Team", TargetID: t.ID,
			Summary: fmt.Sprintf("updated team %q", updated.Name)}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated.Unwrap(), nil
}

// DeleteTeam deletes a team and its memberships. While agents are logged
// in to the desktop with the team it is IN_USE: their sessions name it.
func (s *Service) DeleteTeam(ctx context.Context, id string) error {
	if _, err := s.loadTeam(ctx, policy.TeamWrite, id); err != nil {
		return err
	}
	return s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		t, err := tx.Team.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		if err := DeleteTeamTx(ctx, tx.Client(), t); err != nil {
			return Event{}, err
		}
		return Event{TenantID: t.TenantID, Action: "deleteTeam", TargetType: "Team", TargetID: t.ID,
			Summary: fmt.Sprintf("deleted team %q", t.Name)}, nil
	})
}

// DeleteTeamTx deletes t and its memberships inside the caller's
// transaction; while agents are logged in to the desktop with it the
// answer is IN_USE.
func DeleteTeamTx(ctx context.Context, db *ent.Client, t *ent.Team) error {
	active, err := db.DesktopSession.Query().
		Where(desktopsession.TenantID(t.TenantID), desktopsession.TeamID(t.ID), desktopsession.EndedAtIsNil()).
		Count(ctx)
	if err != nil {
		return err
	}
	if active > 0 {
		return apperr.New(apperr.InUse, fmt.Sprintf(
			"team %q has %s logged in to the desktop; delete it once they have signed out", t.Name, plural(active, "agent"))).
			With("sessions", active)
	}
	return db.Team.DeleteOne(t).Exec(ctx)
}

// AddTeamMembers adds users of the team's tenant to an AGENT team.
func (s *Service) AddTeamMembers(ctx context.Context, teamID string, userIDs []string) (*ent.Team, error) {
	return s.changeMembers(ctx, teamID, userIDs, "addTeamMembers", "added %s to team %q", AddTeamMembersTx)
}

// RemoveTeamMembers removes users from a team.
func (s *Service) RemoveTeamMembers(ctx context.Context, teamID string, userIDs []string) (*ent.Team, error) {
	return s.changeMembers(ctx, teamID, userIDs, "removeTeamMembers", "removed %s from team %q", RemoveTeamMembersTx)
}

func (s *Service) changeMembers(ctx context.Context, teamID string, userIDs []string, action, summary string,
	change func(context.Context, *ent.Client, *ent.Team, []string, time.Time) (int, error)) (*ent.Team, error) {
	if _, err := s.loadTeam(ctx, policy.TeamWrite, teamID); err != nil {
		return nil, err
	}
	var changed *ent.Team
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		t, err := db.Team.Get(ctx, teamID)
		if err != nil {
			return Event{}, loadErr(err)
		}
		n, err := change(ctx, db, t, userIDs, s.Now())
		if err != nil {
			return Event{}, err
		}
		if changed, err = db.Team.Get(ctx, teamID); err != nil {
			return Event{}, err
		}
		return Event{TenantID: t.TenantID, Action: action, TargetType: "Team", TargetID: t.ID,
			Summary: fmt.Sprintf(summary, plural(n, "member"), t.Name)}, nil
	})
	if err != nil {
		return nil, err
	}
	return changed.Unwrap(), nil
}

// loadTeam loads team id and authorizes act on it (loadOwned).
func (s *Service) loadTeam(ctx context.Context, act policy.Action, id string) (*ent.Team, error) {
	return loadOwned(ctx, s, act, id, s.DB.Team.Get, func(t *ent.Team) string { return t.TenantID })
}

// Team returns one team the caller may read.
func (s *Service) Team(ctx context.Context, id string) (*ent.Team, error) {
	return s.loadTeam(ctx, policy.TeamRead, id)
}

// TeamsQuery is a tenant's teams that pass the filter, for the caller to
// page through.
func (s *Service) TeamsQuery(ctx context.Context, tenantID string, f *TeamFilter) (*ent.TeamQuery, error) {
	if err := s.authorizeList(ctx, policy.TeamRead, tenantID); err != nil {
		return nil, err
	}
	q := s.DB.Team.Query().Where(team.TenantID(tenantID))
	if f != nil {
		if f.Search != nil {
			if search := strings.TrimSpace(*f.Search); search != "" {
				q = q.Where(team.NameContainsFold(search))
			}
		}
		if f.Type != nil {
			q = q.Where(team.TypeEQ(*f.Type))
		}
	}
	return q, nil
}
