package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/emaildomain"
	"github.com/agentdesk/agentdesk/ent/skillprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/policy"
)

// The rules for a user's settings live in these files, once: createUser,
// updateUser, importUsers and applyTenant all plan users with PlanUsers
// (userplan.go), which checks them with UserRules (here), CheckEmail
// (useremail.go) and CheckUnique (userunique.go), and write them with
// WriteUsers (userwrite.go).

const maxUserNameLength = 100

// UserSettings is everything about a user that admins set. Check validates
// and normalises it; WriteUsers stores it.
type UserSettings struct {
	Email                string
	Name                 string
	Role                 policy.Role
	Active               bool
	ContactCenterEnabled bool
	AgentProfileID       *string
	SkillProfileID       *string
	// TeamIDs are the user's teams; Check sorts them and drops repeats.
	TeamIDs []string
	// DefaultDialNumber is as entered before Check and E.164 after it.
	DefaultDialNumber *string
	DefaultExtension  *string
}

// SettingsOfUser is what is stored of u; teamIDs are its teams.
func SettingsOfUser(u *ent.User, teamIDs []string) UserSettings {
	ids := slices.Clone(teamIDs)
	slices.Sort(ids)
	return UserSettings{
		Email: u.Email, Name: u.Name, Role: u.Role, Active: u.Active,
		ContactCenterEnabled: u.ContactCenterEnabled,
		AgentProfileID:       u.AgentProfileID, SkillProfileID: u.SkillProfileID,
		TeamIDs:           ids,
		DefaultDialNumber: u.DefaultDialNumber, DefaultExtension: u.DefaultExtension,
	}
}

// UserRules checks the users of one tenant. It holds what the rules need to
// know about the tenant, loaded once, so that an import of thousands of rows
// does not query per row.
type UserRules struct {
	Tenant        *ent.Tenant
	Domains       []string
	Profiles      map[string]*ent.AgentProfile // by id
	SkillProfiles map[string]*ent.SkillProfile // by id
	Teams         map[string]*ent.Team         // by id

	profileNames, skillProfileNames, teamNames map[string]string // name → id
	readings                                   *DialNumberReadings
}

// LoadUserRules loads the rules for t's users from db (a transaction's
// client when the caller writes).
func LoadUserRules(ctx context.Context, db *ent.Client, t *ent.Tenant) (*UserRules, error) {
	r := &UserRules{
		Tenant:        t,
		Profiles:      map[string]*ent.AgentProfile{},
		SkillProfiles: map[string]*ent.SkillProfile{},
		Teams:         map[string]*ent.Team{},
	}
	var err error
	if r.Domains, err = db.EmailDomain.Query().Where(emaildomain.TenantID(t.ID)).Select(emaildomain.FieldDomain).Strings(ctx); err != nil {
		return nil, err
	}
	profiles, err := db.AgentProfile.Query().Where(agentprofile.TenantID(t.ID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		r.AddProfile(p)
	}
	skills, err := db.SkillProfile.Query().Where(skillprofile.TenantID(t.ID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range skills {
		r.AddSkillProfile(p)
	}
	teams, err := db.Team.Query().Where(team.TenantID(t.ID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, tm := range teams {
		r.AddTeam(tm)
	}
	return r, nil
}

// AddProfile makes an agent profile of the tenant known to the rules.
func (r *UserRules) AddProfile(p *ent.AgentProfile) {
	r.Profiles[p.ID] = p
	setName(&r.profileNames, p.Name, p.ID)
}

// AddSkillProfile makes a skill profile of the tenant known to the rules.
func (r *UserRules) AddSkillProfile(p *ent.SkillProfile) {
	r.SkillProfiles[p.ID] = p
	setName(&r.skillProfileNames, p.Name, p.ID)
}

// AddTeam makes a team of the tenant known to the rules.
func (r *UserRules) AddTeam(t *ent.Team) {
	r.Teams[t.ID] = t
	setName(&r.teamNames, t.Name, t.ID)
}

func setName(m *map[string]string, name, id string) {
	if *m == nil {
		*m = map[string]string{}
	}
	(*m)[nameKey(name)] = id
}

// nameKey is how profiles and teams are looked up by name: without case,
// as their names are unique without case.
func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// ProfileNamed is the id of the tenant's agent profile called name
// (without regard to case).
func (r *UserRules) ProfileNamed(name string) (string, bool) {
	id, ok := r.profileNames[nameKey(name)]
	return id, ok
}

// SkillProfileNamed is the id of the tenant's skill profile called name.
func (r *UserRules) SkillProfileNamed(name string) (string, bool) {
	id, ok := r.skillProfileNames[nameKey(name)]
	return id, ok
}

// TeamNamed is the id of the tenant's team called name.
func (r *UserRules) TeamNamed(name string) (string, bool) {
	id, ok := r.teamNames[nameKey(name)]
	return id, ok
}

// Check validates and normalises the settings of a user of the rules'
// tenant. It reports every broken rule, each with its field (the names of
// createUser's input); uniqueness is CheckUnique's job.
func (r *UserRules) Check(s UserSettings) (UserSettings, []*apperr.Error) {
	var errs []*apperr.Error
	fail := func(err error) {
		if e, ok := apperr.As(err); ok {
			errs = append(errs, e)
			return
		}
		errs = append(errs, apperr.New(apperr.Internal, err.Error()))
	}
	if email, err := CheckEmail(s.Email); err != nil {
		fail(err)
	} else {
		s.Email = email
		if !slices.Contains(r.Domains, EmailDomain(email)) {
			fail(apperr.Invalid("email", fmt.Sprintf("The e-mail domain %s is not one of this organisation's domains (%s).",
				EmailDomain(email), strings.Join(r.Domains, ", "))))
		}
	}
	if name, err := requireName("name", s.Name, maxUserNameLength); err != nil {
		fail(err)
	} else {
		s.Name = name
	}
	if err := CheckTenantRole(s.Role); err != nil {
		fail(err)
	}
	if id := s.AgentProfileID; id != nil {
		if _, ok := r.Profiles[*id]; !ok {
			fail(apperr.Invalid("agentProfileId", "There is no such agent profile in this organisation."))
		}
	}
	if id := s.SkillProfileID; id != nil {
		if _, ok := r.SkillProfiles[*id]; !ok {
			fail(apperr.Invalid("skillProfileId", "There is no such skill profile in this organisation."))
		}
	}
	teamIDs := make([]string, 0, len(s.TeamIDs))
	for _, id := range s.TeamIDs {
		t, ok := r.Teams[id]
		switch {
		case !ok:
			// The same answer for another tenant's team and no team at all.
			fail(apperr.Invalid("teamIds", "There is no such team in this organisation."))
		case t.Type != team.TypeAGENT:
			fail(apperr.Invalid("teamIds", fmt.Sprintf("%s is a capacity team, which has no members; only agent teams do.", t.Name)))
		case !slices.Contains(teamIDs, id):
			teamIDs = append(teamIDs, id)
		}
	}
	slices.Sort(teamIDs)
	s.TeamIDs = teamIDs
	if s.DefaultDialNumber != nil {
		if e164, err := r.normalizeDialNumber(*s.DefaultDialNumber); err != nil {
			e, _ := apperr.As(err)
			fail(e.With("field", "defaultDialNumber"))
		} else {
			s.DefaultDialNumber = &e164
		}
	}
	if s.DefaultExtension != nil {
		ext := strings.TrimSpace(*s.DefaultExtension)
		if err := dialnumber.ValidateExtension(ext); err != nil {
			e, _ := apperr.As(err)
			fail(e.With("field", "defaultExtension"))
		} else {
			s.DefaultExtension = &ext
		}
	}
	return s, errs
}

// CheckTenantRole allows the roles a user of a tenant may have. PLATFORM_ADMIN
// belongs to users without a tenant and INTEGRATION to API tokens only.
func CheckTenantRole(r policy.Role) error {
	switch r {
	case policy.Agent, policy.Supervisor, policy.TenantAdmin:
		return nil
	case policy.PlatformAdmin:
		return apperr.Invalid("role", "A user of an organisation cannot be a platform admin; platform admins have no organisation.")
	case policy.Integration:
		return apperr.Invalid("role", "INTEGRATION is the role of API tokens, not of users.")
	}
	return apperr.Invalid("role", "role must be AGENT, SUPERVISOR or TENANT_ADMIN")
}
