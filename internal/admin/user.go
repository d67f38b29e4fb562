package admin

import (
	"context"
	"fmt"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// CreateUserInput is a new user. Without a password the user sets one
// through the reset flow, or with the code of an invitation (Invite).
type CreateUserInput struct {
	// TenantID is required except for a PLATFORM_ADMIN, who has none.
	TenantID             *string
	Email                string
	Name                 string
	Role                 policy.Role
	Password             *string
	ContactCenterEnabled *bool
	AgentProfileID       *string
	TeamIDs              []string
	DefaultDialNumber    *string
	DefaultExtension     *string
	SkillProfileID       *string
	// Invite mails the new user a code to set its password (WriteUserPlan);
	// not with a password.
	Invite *bool
}

// Clearable updates an optional setting: Set false keeps the stored value,
// Set with a nil Value clears it.
type Clearable struct {
	Set   bool
	Value *string
}

// UserUpdate changes the settings it sets and keeps the others. (The
// GraphQL input tells "omitted" from "null" for the clearable settings;
// the resolver turns that into Clearable, so this package needs no GraphQL
// types.)
type UserUpdate struct {
	Name                 *string
	Role                 *policy.Role
	Active               *bool
	ContactCenterEnabled *bool
	AgentProfileID       Clearable
	// TeamIDs, when not nil, replaces the user's teams.
	TeamIDs           []string
	DefaultDialNumber Clearable
	DefaultExtension  Clearable
	SkillProfileID    Clearable
}

// apply returns s with the update's settings applied.
func (up UserUpdate) apply(s UserSettings) UserSettings {
	setIf(&s.Name, up.Name)
	setIf(&s.Role, up.Role)
	setIf(&s.Active, up.Active)
	setIf(&s.ContactCenterEnabled, up.ContactCenterEnabled)
	for _, c := range []struct {
		in  Clearable
		dst **string
	}{
		{up.AgentProfileID, &s.AgentProfileID},
		{up.DefaultDialNumber, &s.DefaultDialNumber},
		{up.DefaultExtension, &s.DefaultExtension},
		{up.SkillProfileID, &s.SkillProfileID},
	} {
		if c.in.Set {
			*c.dst = c.in.Value
		}
	}
	if up.TeamIDs != nil {
		s.TeamIDs = up.TeamIDs
	}
	return s
}

// userTenant is the tenant owning u, "" for a platform admin.
func userTenant(u *ent.User) string {
	if u.TenantID == nil {
		return ""
	}
	return *u.TenantID
}

// authorizeUser authorizes act on u. A platform admin (no tenant) asked
// about by someone of a tenant reads as not found, like another tenant's
// user: a tenant admin learns nothing about platform accounts.
func (s *Service) authorizeUser(ctx context.Context, act policy.Action, u *ent.User) error {
	err := s.authorize(ctx, act, userTenant(u))
	if err != nil && u.TenantID == nil && apperr.Is(err, apperr.Forbidden) && policy.ViewerFrom(ctx).GetTenantID() != "" {
		return notFound()
	}
	return err
}

// loadUser loads a user and authorizes act on it (authorizeUser). A
// missing user is answered as another tenant's would be (loadAuthorized),
// so an id's existence does not leak to callers who may not see it.
func (s *Service) loadUser(ctx context.Context, act policy.Action, id string) (*ent.User, error) {
	return loadAuthorized(ctx, s, act, id, s.DB.User.Get, func(u *ent.User) error { return s.authorizeUser(ctx, act, u) })
}

// User returns one user the caller may read.
func (s *Service) User(ctx context.Context, id string) (*ent.User, error) {
	return s.loadUser(ctx, policy.UserRead, id)
}

// UserFilter narrows users(...). The GraphQL filter binds to it.
type UserFilter struct {
	// Search matches the name or the e-mail, case-insensitively.
	Search *string
	Active *bool
	TeamID *string
}

// UsersQuery is a tenant's users, narrowed by filter and role.
func (s *Service) UsersQuery(ctx context.Context, tenantID string, f *UserFilter, role *policy.Role) (*ent.UserQuery, error) {
	if err := s.authorizeList(ctx, policy.UserRead, tenantID); err != nil {
		return nil, err
	}
	q := s.DB.User.Query().Where(user.TenantID(tenantID))
	if role != nil {
		q = q.Where(user.RoleEQ(*role))
	}
	if f != nil {
		if f.Search != nil && strings.TrimSpace(*f.Search) != "" {
			term := strings.TrimSpace(*f.Search)
			q = q.Where(user.Or(user.NameContainsFold(term), user.EmailContainsFold(term)))
		}
		if f.Active != nil {
			q = q.Where(user.Active(*f.Active))
		}
		if f.TeamID != nil {
			q = q.Where(user.HasTeamsWith(team.ID(*f.TeamID), team.TenantID(tenantID)))
		}
	}
	return q, nil
}

// CreateUser creates a user of a tenant, or a platform admin when the input
// has no tenant.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (*ent.User, error) {
	tenantID := ""
	if in.TenantID != nil {
		tenantID = strings.TrimSpace(*in.TenantID)
	}
	if err := s.authorize(ctx, policy.UserWrite, tenantID); err != nil {
		return nil, err
	}
	invite := in.Invite != nil && *in.Invite
	if invite && in.Password != nil {
		return nil, apperr.Invalid("invite", "A user given a password needs no invitation; leave out the password or invite.")
	}
	if tenantID == "" {
		// Refused before the password is hashed; PlanUsers checks again.
		s, _ := in.settings(NewUserDefaults())
		if _, err := checkPlatformAdmin(s); err != nil {
			return nil, err
		}
	}
	// Hash outside the transaction: it is slow on purpose and needs no lock.
	var hash *string
	if in.Password != nil {
		email, err := CheckEmail(in.Email)
		if err != nil {
			return nil, err
		}
		if err := s.CheckPassword(*in.Password, email); err != nil {
			return nil, err
		}
		h, err := s.HashPassword(ctx, *in.Password)
		if err != nil {
			return nil, err
		}
		hash = &h
	}
	var created *ent.User
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		ch := UserChange{TenantID: tenantID, CreateOnly: true}
		if tenantID != "" {
			t, err := db.Tenant.Get(ctx, tenantID)
			if err != nil {
				return Event{}, loadErr(err)
			}
			if ch.Rules, err = LoadUserRules(ctx, db, t); err != nil {
				return Event{}, err
			}
		}
		plan, err := PlanUsers(ctx, db, ch, []UserRequest{{Email: in.Email, Edit: in.settings, PasswordHash: hash}})
		if err != nil {
			return Event{}, err
		}
		if _, problem := plan.FirstProblem(); problem != nil {
			return Event{}, problem
		}
		written, invited, err := s.WriteUserPlan(ctx, db, tenantID, plan, invite)
		if err != nil {
			return Event{}, err
		}
		created = written[0].User
		how := "without a password (set through the reset flow)"
		switch {
		case hash != nil:
			how = "with a password"
		case invited > 0:
			how = "and invited to set a password"
		}
		return Event{TenantID: tenantID, Action: "createUser", TargetType: "User", TargetID: created.ID,
			Summary: fmt.Sprintf("created %s %s %s", created.Role, created.Email, how)}, nil
	})
	if err != nil {
		return nil, err
	}
	s.KickMail()
	// Loaded in the transaction: its edges must be queried outside it.
	return created.Unwrap(), nil
}

// settings are the input's settings; base is a new user's defaults.
func (in CreateUserInput) settings(base UserSettings) (UserSettings, []*apperr.Error) {
	s := UserSettings{
		Email: in.Email, Name: in.Name, Role: in.Role, Active: base.Active, ContactCenterEnabled: base.ContactCenterEnabled,
		AgentProfileID: in.AgentProfileID, SkillProfileID: in.SkillProfileID, TeamIDs: in.TeamIDs,
		DefaultDialNumber: in.DefaultDialNumber, DefaultExtension: in.DefaultExtension,
	}
	setIf(&s.ContactCenterEnabled, in.ContactCenterEnabled)
	return s, nil
}

// checkPlatformAdmin checks the settings of a user without a tenant: a
// platform admin, with nothing that only makes sense in a tenant.
func checkPlatformAdmin(s UserSettings) (UserSettings, error) {
	if s.Role != policy.PlatformAdmin {
		return s, apperr.Invalid("tenantId", "A user other than a platform admin belongs to an organisation: give its tenantId.")
	}
	email, err := CheckEmail(s.Email)
	if err != nil {
		return s, err
	}
	s.Email = email
	if s.Name, err = requireName("name", s.Name, maxUserNameLength); err != nil {
		return s, err
	}
	for field, set := range map[string]bool{
		"agentProfileId": s.AgentProfileID != nil, "skillProfileId": s.SkillProfileID != nil,
		"teamIds": len(s.TeamIDs) > 0, "defaultDialNumber": s.DefaultDialNumber != nil,
		"defaultExtension": s.DefaultExtension != nil,
	} {
		if set {
			return s, apperr.Invalid(field, "A platform admin has no organisation, so no "+field+".")
		}
	}
	s.ContactCenterEnabled = false
	return s, nil
}

// checkUniqueOne is CheckUnique for a change of one user.
func checkUniqueOne(ctx context.Context, db *ent.Client, tenantID string, p PlannedUser) error {
	errs, err := CheckUnique(ctx, db, tenantID, []PlannedUser{p})
	if err != nil {
		return err
	}
	if len(errs[0]) > 0 {
		return errs[0][0]
	}
	return nil
}

// UpdateUser changes a user's settings. Setting active to false has the
// effects of DeactivateUser.
func (s *Service) UpdateUser(ctx context.Context, id string, up UserUpdate) (*ent.User, error) {
	return s.changeUser(ctx, id, "updateUser", up.apply)
}

// DeactivateUser makes a user inactive and ends all of its sessions at once:
// sign-in sessions and the desktop session. Deactivating an inactive user
// ends whatever sessions are left. Nobody deactivates themselves, so an
// organisation cannot lock its last admin out by mistake.
func (s *Service) DeactivateUser(ctx context.Context, id string) (*ent.User, error) {
	return s.changeUser(ctx, id, "deactivateUser", func(cur UserSettings) UserSettings {
		cur.Active = false
		return cur
	})
}

// changeUser runs one user's change: load, authorize, apply edit, check,
// write, audit, in one transaction.
func (s *Service) changeUser(ctx context.Context, id, action string, edit func(UserSettings) UserSettings) (*ent.User, error) {
	if _, err := s.loadUser(ctx, policy.UserWrite, id); err != nil {
		return nil, err
	}
	if v := policy.ViewerFrom(ctx); action == "deactivateUser" && v != nil && v.UserID == id {
		return nil, apperr.Invalid("id", "You cannot deactivate yourself; ask another admin.")
	}
	var updated *ent.User
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		u, err := db.User.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		teamIDs, err := u.QueryTeams().IDs(ctx)
		if err != nil {
			return Event{}, err
		}
		next := edit(SettingsOfUser(u, teamIDs))
		tenantID := userTenant(u)
		if tenantID == "" {
			if next, err = checkPlatformAdmin(next); err != nil {
				return Event{}, err
			}
		} else {
			t, err := db.Tenant.Get(ctx, tenantID)
			if err != nil {
				return Event{}, err
			}
			rules, err := LoadUserRules(ctx, db, t)
			if err != nil {
				return Event{}, err
			}
			var errs []*apperr.Error
			if next, errs = rules.Check(next); len(errs) > 0 {
				return Event{}, errs[0]
			}
		}
		if err := checkUniqueOne(ctx, db, tenantID, PlannedUser{ID: u.ID, Settings: next}); err != nil {
			return Event{}, err
		}
		written, err := WriteUsers(ctx, db, tenantID, s.Now(), []UserWrite{{Existing: u, ExistingTeamIDs: teamIDs, Settings: next}})
		if err != nil {
			return Event{}, err
		}
		updated = written[0].User
		if action == "deactivateUser" {
			// Also when it was inactive already: end whatever is left.
			if err := EndUserSessions(ctx, db, u.ID, s.Now()); err != nil {
				return Event{}, err
			}
		}
		summary := fmt.Sprintf("%s %s: ", action, u.Email)
		if len(written[0].Changed) == 0 {
			summary += "no change"
		} else {
			summary += "changed " + strings.Join(written[0].Changed, ", ")
		}
		return Event{TenantID: tenantID, Action: action, TargetType: "User", TargetID: u.ID, Summary: summary}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated.Unwrap(), nil
}
