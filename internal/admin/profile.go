package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/dialplan"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

// Limits of an agent profile, from the contract.
const (
	maxProfileNameLength        = 80
	maxProfileDescriptionLength = 255
	// maxProfileDialPlans bounds one profile's plan list; a station login
	// checks the number against each of them.
	maxProfileDialPlans = 100
)

// CreateAgentProfileInput is a new agent (desktop) profile.
type CreateAgentProfileInput struct {
	TenantID             string
	Name                 string
	Description          *string
	LoginVoiceOptions    []station.Type
	DialNumberValidation *agentprofile.DialNumberValidation
	DialPlanIds          []string
	AutoAnswer           *bool
}

// UpdateAgentProfileInput changes the fields it sets and keeps the others.
// DialPlanIds, when set, replaces the profile's plans ([] removes them all).
type UpdateAgentProfileInput struct {
	Name                 *string
	Description          *string
	LoginVoiceOptions    []station.Type
	DialNumberValidation *agentprofile.DialNumberValidation
	DialPlanIds          []string
	AutoAnswer           *bool
}

// ProfileSettings is the complete configuration of an agent profile: what
// createAgentProfile, updateAgentProfile and provisioning write.
type ProfileSettings struct {
	Name                 string
	Description          string
	LoginVoiceOptions    []station.Type
	DialNumberValidation agentprofile.DialNumberValidation
	AutoAnswer           bool
	// DialPlans are the profile's plans, loaded from the database (see
	// ResolveDialPlans), so that their tenant and state are known.
	DialPlans []*ent.DialPlan
}

// NewProfileSettings are the settings of a new profile before its input:
// any valid number, no auto answer.
func NewProfileSettings() ProfileSettings {
	return ProfileSettings{DialNumberValidation: agentprofile.DialNumberValidationANY_FORMAT}
}

// ProfileSettingsOf is the current configuration of p with its plans.
func ProfileSettingsOf(p *ent.AgentProfile, plans []*ent.DialPlan) ProfileSettings {
	return ProfileSettings{
		Name: p.Name, Description: p.Description, LoginVoiceOptions: p.LoginVoiceOptions,
		DialNumberValidation: p.DialNumberValidation, AutoAnswer: p.AutoAnswer, DialPlans: plans,
	}
}

// ApplyCreate returns s with the fields of a create input applied; the
// plans are resolved separately (ResolveDialPlans).
func (s ProfileSettings) ApplyCreate(in CreateAgentProfileInput) ProfileSettings {
	s.Name, s.LoginVoiceOptions = in.Name, in.LoginVoiceOptions
	setIf(&s.Description, in.Description)
	setIf(&s.DialNumberValidation, in.DialNumberValidation)
	setIf(&s.AutoAnswer, in.AutoAnswer)
	return s
}

// ApplyUpdate returns s with the fields an update input sets applied,
// except the plans (ResolveDialPlans, when in.DialPlanIds is set).
func (s ProfileSettings) ApplyUpdate(in UpdateAgentProfileInput) ProfileSettings {
	setIf(&s.Name, in.Name)
	setIf(&s.Description, in.Description)
	if in.LoginVoiceOptions != nil {
		s.LoginVoiceOptions = in.LoginVoiceOptions
	}
	setIf(&s.DialNumberValidation, in.DialNumberValidation)
	setIf(&s.AutoAnswer, in.AutoAnswer)
	return s
}

// ValidateProfile checks and normalises the settings of a profile of
// tenant t, and is the one statement of a profile's rules (provisioning
// uses it too):
//   - name: 1..80 characters after trimming, one line (field "name");
//   - description: at most 255 characters (field "description");
//   - loginVoiceOptions: at least one, none twice, each one of t's station
//     types (field "loginVoiceOptions");
//   - dialNumberValidation: one of the three rules;
//   - dialPlans: plans of t, none twice, at most 100; a DIAL_PLAN profile
//     needs at least one active plan, or every station login would fail
//     (field "dialPlanIds").
//
// Uniqueness of the name is the database's to decide: CreateProfileTx and
// UpdateProfileTx check it.
func ValidateProfile(t *ent.Tenant, s ProfileSettings) (ProfileSettings, error) {
	var err error
	if s.Name, err = requireName("name", s.Name, maxProfileNameLength); err != nil {
		return s, err
	}
	if s.Description, err = optionalText("description", &s.Description, maxProfileDescriptionLength); err != nil {
		return s, err
	}
	if len(s.LoginVoiceOptions) == 0 {
		return s, apperr.Invalid("loginVoiceOptions", "choose at least one login voice option")
	}
	for i, o := range s.LoginVoiceOptions {
		if slices.Contains(s.LoginVoiceOptions[:i], o) {
			return s, apperr.Invalid("loginVoiceOptions", fmt.Sprintf("login voice option %s is listed twice", o))
		}
		if !slices.Contains(t.StationTypes, o) {
			return s, apperr.Invalid("loginVoiceOptions", fmt.Sprintf(
				"login voice option %s is not one of the tenant's station types (%s)", o, stationTypeList(t.StationTypes)))
		}
	}
	if err := agentprofile.DialNumberValidationValidator(s.DialNumberValidation); err != nil {
		return s, apperr.Invalid("dialNumberValidation", "unknown dialNumberValidation")
	}
	if len(s.DialPlans) > maxProfileDialPlans {
		return s, apperr.Invalid("dialPlanIds", fmt.Sprintf("a profile has at most %d dial plans", maxProfileDialPlans))
	}
	active := 0
	for i, p := range s.DialPlans {
		if p.TenantID != t.ID {
			// Only provisioning code can get here; ResolveDialPlans never
			// returns another tenant's plan.
			return s, apperr.Invalid("dialPlanIds", fmt.Sprintf("dial plan %s does not exist in this tenant", p.ID))
		}
		if slices.ContainsFunc(s.DialPlans[:i], func(q *ent.DialPlan) bool { return q.ID == p.ID }) {
			return s, apperr.Invalid("dialPlanIds", fmt.Sprintf("dial plan %s is listed twice", p.Name))
		}
		if p.Active {
			active++
		}
	}
	if s.DialNumberValidation == agentprofile.DialNumberValidationDIAL_PLAN && active == 0 {
		return s, apperr.Invalid("dialPlanIds", "a profile that validates dial numbers with DIAL_PLAN needs at least one active dial plan")
	}
	return s, nil
}

func stationTypeList(types []station.Type) string {
	if len(types) == 0 {
		return "none"
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// ResolveDialPlans loads the dial plans ids name, in their order and
// without repeats. An id that is not a plan of tenantID is a
// VALIDATION_ERROR on dialPlanIds that reads the same whether the plan is
// missing or another tenant's, so ids do not reveal other tenants' plans.
func ResolveDialPlans(ctx context.Context, db *ent.Client, tenantID string, ids []string) ([]*ent.DialPlan, error) {
	ids, err := uniqueIDs("dialPlanIds", ids, maxProfileDialPlans)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	found, err := db.DialPlan.Query().Where(dialplan.IDIn(ids...), dialplan.TenantID(tenantID)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*ent.DialPlan, len(found))
	have := make(map[string]bool, len(found))
	for _, p := range found {
		byID[p.ID], have[p.ID] = p, true
	}
	if id := missingID(ids, have); id != "" {
		return nil, apperr.Invalid("dialPlanIds", fmt.Sprintf("dial plan %s does not exist in this tenant", id))
	}
	out := make([]*ent.DialPlan, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// CreateProfileTx writes a new profile with validated settings into
// tenantID. A name another profile of the tenant has (compared without
// case) is a CONFLICT on name.
func CreateProfileTx(ctx context.Context, db *ent.Client, tenantID string, s ProfileSettings, now time.Time) (*ent.AgentProfile, error) {
	if err := profileNameFree(ctx, db, tenantID, "", s.Name); err != nil {
		return nil, err
	}
	p, err := db.AgentProfile.Create().
		SetTenantID(tenantID).SetCreatedAt(now).SetUpdatedAt(now).
		SetName(s.Name).SetDescription(s.Description).SetLoginVoiceOptions(s.LoginVoiceOptions).
		SetDialNumberValidation(s.DialNumberValidation).SetAutoAnswer(s.AutoAnswer).
		AddDialPlans(s.DialPlans...).
		Save(ctx)
	return p, uniqueNameErr(err, "profile", s.Name)
}

// UpdateProfileTx writes validated settings to an existing profile; its
// plans become exactly s.DialPlans.
func UpdateProfileTx(ctx context.Context, db *ent.Client, p *ent.AgentProfile, s ProfileSettings, now time.Time) (*ent.AgentProfile, error) {
	if err := profileNameFree(ctx, db, p.TenantID, p.ID, s.Name); err != nil {
		return nil, err
	}
	updated, err := db.AgentProfile.UpdateOne(p).SetUpdatedAt(now).
		SetName(s.Name).SetDescription(s.Description).SetLoginVoiceOptions(s.LoginVoiceOptions).
		SetDialNumberValidation(s.DialNumberValidation).SetAutoAnswer(s.AutoAnswer).
		ClearDialPlans().AddDialPlans(s.DialPlans...).
		Save(ctx)
	return updated, uniqueNameErr(err, "profile", s.Name)
}

func profileNameFree(ctx context.Context, db *ent.Client, tenantID, self, name string) error {
	return requireNameFree(ctx, db.AgentProfile.Query().
		Where(agentprofile.TenantID(tenantID), agentprofile.NameEqualFold(name), agentprofile.IDNEQ(self)), "profile", name)
}

// CreateAgentProfile creates a profile in the input's tenant.
func (s *Service) CreateAgentProfile(ctx context.Context, in CreateAgentProfileInput) (*ent.AgentProfile, error) {
	if err := s.authorize(ctx, policy.ProfileWrite, in.TenantID); err != nil {
		return nil, err
	}
	var created *ent.AgentProfile
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		t, err := requireTenantTx(ctx, db, in.TenantID)
		if err != nil {
			return Event{}, err
		}
		settings := NewProfileSettings().ApplyCreate(in)
		if settings.DialPlans, err = ResolveDialPlans(ctx, db, t.ID, in.DialPlanIds); err != nil {
			return Event{}, err
		}
		if settings, err = ValidateProfile(t, settings); err != nil {
			return Event{}, err
		}
		if created, err = CreateProfileTx(ctx, db, t.ID, settings, s.Now()); err != nil {
			return Event{}, err
		}
		return Event{TenantID: t.ID, Action: "createAgentProfile", TargetType: "AgentProfile", TargetID: created.ID,
			Summary: fmt.Sprintf("created agent profile %q", created.Name)}, nil
	})
	if err != nil {
		return nil, err
	}
	return created.Unwrap(), nil
}

// UpdateAgentProfile changes a profile.
func (s *Service) UpdateAgentProfile(ctx context.Context, id string, in UpdateAgentProfileInput) (*ent.AgentProfile, error) {
	if _, err := s.loadProfile(ctx, policy.ProfileWrite, id); err != nil {
		return nil, err
	}
	var updated *ent.AgentProfile
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		p, err := db.AgentProfile.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		t, err := requireTenantTx(ctx, db, p.TenantID)
		if err != nil {
			return Event{}, err
		}
		var plans []*ent.DialPlan
		if in.DialPlanIds != nil {
			plans, err = ResolveDialPlans(ctx, db, t.ID, in.DialPlanIds)
		} else {
			plans, err = db.AgentProfile.QueryDialPlans(p).Order(dialplan.ByID()).All(ctx)
		}
		if err != nil {
			return Event{}, err
		}
		settings, err := ValidateProfile(t, ProfileSettingsOf(p, plans).ApplyUpdate(in))
		if err != nil {
			return Event{}, err
		}
		if updated, err = UpdateProfileTx(ctx, db, p, settings, s.Now()); err != nil {
			return Event{}, err
		}
		return Event{TenantID: t.ID, Action: "updateAgentProfile", TargetType: "AgentProfile", TargetID: p.ID,
			Summary: fmt.Sprintf("updated agent profile %q", updated.Name)}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated.Unwrap(), nil
}

// DeleteAgentProfile deletes a profile no user holds; while users hold it
// the answer is IN_USE, with their number in extensions.users.
func (s *Service) DeleteAgentProfile(ctx context.Context, id string) error {
	if _, err := s.loadProfile(ctx, policy.ProfileWrite, id); err != nil {
		return err
	}
	return s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		p, err := tx.AgentProfile.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		if err := DeleteProfileTx(ctx, tx.Client(), p); err != nil {
			return Event{}, err
		}
		return Event{TenantID: p.TenantID, Action: "deleteAgentProfile", TargetType: "AgentProfile", TargetID: p.ID,
			Summary: fmt.Sprintf("deleted agent profile %q", p.Name)}, nil
	})
}

// DeleteProfileTx deletes p inside the caller's transaction; while users
// hold it the answer is IN_USE, with their number in extensions.users.
func DeleteProfileTx(ctx context.Context, db *ent.Client, p *ent.AgentProfile) error {
	holders, err := db.User.Query().Where(user.AgentProfileID(p.ID)).Count(ctx)
	if err != nil {
		return err
	}
	if holders > 0 {
		return apperr.New(apperr.InUse, fmt.Sprintf(
			"agent profile %q is assigned to %s; assign them another profile first", p.Name, plural(holders, "user"))).
			With("users", holders)
	}
	return db.AgentProfile.DeleteOne(p).Exec(ctx)
}

// loadProfile loads agent profile id and authorizes act on it (loadOwned).
func (s *Service) loadProfile(ctx context.Context, act policy.Action, id string) (*ent.AgentProfile, error) {
	return loadOwned(ctx, s, act, id, s.DB.AgentProfile.Get, func(p *ent.AgentProfile) string { return p.TenantID })
}

// AgentProfile returns one profile the caller may read.
func (s *Service) AgentProfile(ctx context.Context, id string) (*ent.AgentProfile, error) {
	return s.loadProfile(ctx, policy.ProfileRead, id)
}

// AgentProfilesQuery is a tenant's profiles whose name contains search
// (case-insensitively), for the caller to page through.
func (s *Service) AgentProfilesQuery(ctx context.Context, tenantID, search string) (*ent.AgentProfileQuery, error) {
	if err := s.authorizeList(ctx, policy.ProfileRead, tenantID); err != nil {
		return nil, err
	}
	q := s.DB.AgentProfile.Query().Where(agentprofile.TenantID(tenantID))
	if search = strings.TrimSpace(search); search != "" {
		q = q.Where(agentprofile.NameContainsFold(search))
	}
	return q, nil
}
