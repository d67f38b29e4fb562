package provision

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/dialplan"
	"github.com/agentdesk/agentdesk/ent/emaildomain"
	"github.com/agentdesk/agentdesk/ent/schema"
	"github.com/agentdesk/agentdesk/ent/skillprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

// TenantSpecInput is a whole tenant, keyed by slug; its parts are keyed by
// name and its users by e-mail. The GraphQL input of the same name binds to
// it, and so does the output TenantSpec (ExportTenant); the json names are
// the spec file's keys (agentdesk apply/export). A field left out keeps what
// is stored (a new object gets the defaults); what is missing from a spec
// is deleted only by a prune (Options.Prune).
type TenantSpecInput struct {
	Slug                            string                       `json:"slug"`
	Name                            string                       `json:"name"`
	EmailDomains                    []string                     `json:"emailDomains"`
	SsoMode                         *tenant.SSOMode              `json:"ssoMode,omitempty"`
	Sso                             *admin.SsoSettingsInput      `json:"sso,omitempty"`
	StationTypes                    []station.Type               `json:"stationTypes,omitempty"`
	WebRtcEnabled                   *bool                        `json:"webRtcEnabled,omitempty"`
	ForceDefaultDialNumber          *bool                        `json:"forceDefaultDialNumber,omitempty"`
	DefaultCountry                  *string                      `json:"defaultCountry,omitempty"`
	RememberStationCredentials      *bool                        `json:"rememberStationCredentials,omitempty"`
	DesktopInactivityTimeoutMinutes *int                         `json:"desktopInactivityTimeoutMinutes,omitempty"`
	TeamsIntegration                *admin.TeamsIntegrationInput `json:"teamsIntegration,omitempty"`
	TrustedNetworks                 []string                     `json:"trustedNetworks,omitempty"`
	// The lists are written even when empty (export): under a prune an
	// empty list removes all of its kind, and a missing one nothing.
	DialPlans     []*DialPlanSpecInput     `json:"dialPlans"`
	AgentProfiles []*AgentProfileSpecInput `json:"agentProfiles"`
	SkillProfiles []*SkillProfileSpecInput `json:"skillProfiles"`
	Teams         []*TeamSpecInput         `json:"teams"`
	Users         []*UserSpecInput         `json:"users"`
}

// DialPlanSpecInput is a dial plan of a spec, keyed by name.
type DialPlanSpecInput struct {
	Name              string  `json:"name"`
	RegularExpression string  `json:"regularExpression"`
	Prefix            *string `json:"prefix,omitempty"`
	StrippedChars     *string `json:"strippedChars,omitempty"`
	Active            *bool   `json:"active,omitempty"`
}

// AgentProfileSpecInput is an agent profile of a spec, keyed by name; its
// dial plans are named.
type AgentProfileSpecInput struct {
	Name                 string                             `json:"name"`
	Description          *string                            `json:"description,omitempty"`
	LoginVoiceOptions    []station.Type                     `json:"loginVoiceOptions"`
	DialNumberValidation *agentprofile.DialNumberValidation `json:"dialNumberValidation,omitempty"`
	DialPlans            []string                           `json:"dialPlans,omitempty"`
	AutoAnswer           *bool                              `json:"autoAnswer,omitempty"`
}

// SkillProfileSpecInput is a skill profile of a spec, keyed by name.
type SkillProfileSpecInput struct {
	Name   string              `json:"name"`
	Skills []*admin.SkillInput `json:"skills"`
}

// TeamSpecInput is a team of a spec, keyed by name.
type TeamSpecInput struct {
	Name     string    `json:"name"`
	Type     team.Type `json:"type"`
	Capacity *int      `json:"capacity,omitempty"`
}

// UserSpecInput is a user of a spec, keyed by e-mail. Profiles and teams
// are named; an empty string clears agentProfile, skillProfile,
// defaultDialNumber or defaultExtension.
type UserSpecInput struct {
	Email                string      `json:"email"`
	Name                 string      `json:"name"`
	Role                 policy.Role `json:"role"`
	ContactCenterEnabled *bool       `json:"contactCenterEnabled,omitempty"`
	Active               *bool       `json:"active,omitempty"`
	AgentProfile         *string     `json:"agentProfile,omitempty"`
	Teams                []string    `json:"teams,omitempty"`
	DefaultDialNumber    *string     `json:"defaultDialNumber,omitempty"`
	DefaultExtension     *string     `json:"defaultExtension,omitempty"`
	SkillProfile         *string     `json:"skillProfile,omitempty"`
}

// ChangeAction is what an apply does to one object.
type ChangeAction string

// The change actions.
const (
	ActionCreate ChangeAction = "CREATE"
	ActionUpdate ChangeAction = "UPDATE"
	// ActionDelete removes a dial plan, profile, skill profile or team a
	// pruning spec leaves out.
	ActionDelete ChangeAction = "DELETE"
	// ActionDeactivate is the prune of a user: users are never deleted
	// (their sign-ins, desktop sessions and audit trail stay theirs), they
	// are made inactive, which ends their sessions.
	ActionDeactivate ChangeAction = "DEACTIVATE"
)

// The kinds of objects an apply changes.
const (
	KindTenant       = "tenant"
	KindDialPlan     = "dialPlan"
	KindAgentProfile = "agentProfile"
	KindSkillProfile = "skillProfile"
	KindTeam         = "team"
	KindUser         = "user"
)

// Change is one object an apply created, updated, deleted or deactivated.
type Change struct {
	Action ChangeAction
	Kind   string
	Name   string
	// Fields are what an update changes (old → new, secrets hidden); empty
	// for the other actions.
	Fields []*FieldChange
}

// ApplyResult is the outcome of an apply; the GraphQL type of the same
// name binds to it.
type ApplyResult struct {
	// Tenant is nil on a dry run that would create the tenant.
	Tenant  *ent.Tenant
	Changes []*Change
	DryRun  bool
	// Invited counts the users mailed an invitation (invite: true).
	Invited int
}

// ApplyTenant creates or updates a whole tenant from spec in one
// transaction, and with opt.Prune removes what the spec leaves out
// (pruneObjects, pruneUsers): everything is written, or on the first bad item nothing is,
// and the error names the item (field "users[3].email"; indexes count from
// 0). Only what differs from what is stored is written, so applying a spec
// twice changes nothing the second time. A dry run is the same apply rolled
// back, so its change list is exactly what the apply would do.
//
// Creating a tenant needs tenant.create (platform admins); applying to an
// existing one needs tenant.apply on it.
func (s *Service) ApplyTenant(ctx context.Context, spec TenantSpecInput, opt Options) (*ApplyResult, error) {
	dryRun := opt.DryRun
	// Refuse early, before taking the write lock; the transaction asks
	// again, as the tenant may have come or gone in between.
	if _, err := s.authorizeApply(ctx, s.Admin.DB, spec.Slug); err != nil {
		return nil, err
	}
	var out *ApplyResult
	var tenantID string
	err := s.inTx(ctx, func(tx *ent.Tx) (bool, admin.Event, error) {
		a := &applier{ctx: ctx, db: tx.Client(), now: s.Admin.Now(), admin: s.Admin, invite: opt.Invite}
		if opt.Prune {
			a.prune = &pruneList{}
		}
		t, err := s.authorizeApply(ctx, a.db, spec.Slug)
		if err != nil {
			return false, admin.Event{}, err
		}
		if err := a.apply(t, spec); err != nil {
			return false, admin.Event{}, err
		}
		tenantID = a.tenant.ID
		out = &ApplyResult{Changes: a.changes, DryRun: dryRun, Invited: a.invited}
		if out.Changes == nil {
			out.Changes = []*Change{}
		}
		count := map[ChangeAction]int{}
		for _, c := range a.changes {
			count[c.Action]++
		}
		summary := fmt.Sprintf("applied the spec of tenant %s: %d changes (%d created, %d updated)", a.tenant.Slug, len(a.changes), count[ActionCreate], count[ActionUpdate])
		if opt.Prune {
			summary = fmt.Sprintf("applied the spec of tenant %s with prune: %d changes (%d created, %d updated, %d deleted, %d users deactivated)",
				a.tenant.Slug, len(a.changes), count[ActionCreate], count[ActionUpdate], count[ActionDelete], count[ActionDeactivate])
		}
		return !dryRun, admin.Event{TenantID: a.tenant.ID, Action: "applyTenant", TargetType: "Tenant", TargetID: a.tenant.ID,
			Summary: summary}, nil
	})
	if err != nil {
		return nil, err
	}
	if !dryRun {
		s.Admin.KickMail()
	}
	// Read the tenant as committed; after a dry run, as it was (or nil).
	t, err := s.Admin.DB.Tenant.Get(ctx, tenantID)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	out.Tenant = t
	return out, nil
}

// authorizeApply finds the tenant a spec names and authorizes the caller:
// tenant.apply on an existing tenant, tenant.create for a new one. A caller
// of a tenant who may not create tenants is told NOT_FOUND for a new slug,
// as for another tenant's, so slugs do not leak.
func (s *Service) authorizeApply(ctx context.Context, db *ent.Client, slug string) (*ent.Tenant, error) {
	t, err := db.Tenant.Query().Where(tenant.Slug(strings.TrimSpace(slug))).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	if t != nil {
		return t, s.Admin.Policy.AuthorizeContext(ctx, policy.TenantApply, t.ID)
	}
	err = s.Admin.Policy.AuthorizeContext(ctx, policy.TenantCreate, "")
	if apperr.Is(err, apperr.Forbidden) && policy.ViewerFrom(ctx).GetTenantID() != "" {
		return nil, apperr.New(apperr.NotFound, "not found")
	}
	return nil, err
}

// applier writes one spec inside one transaction and records its changes.
type applier struct {
	ctx     context.Context
	db      *ent.Client
	now     time.Time
	admin   *admin.Service
	invite  bool
	invited int
	tenant  *ent.Tenant
	changes []*Change
	plans   map[string]*ent.DialPlan // by lower-case name
	// prune is set when objects missing from the spec go (Options.Prune);
	// the steps fill it with what that is, and pruneObjects deletes it.
	prune *pruneList
}

func (a *applier) changed(action ChangeAction, kind, name string, fields ...*FieldChange) {
	if fields == nil {
		fields = []*FieldChange{}
	}
	a.changes = append(a.changes, &Change{Action: action, Kind: kind, Name: name, Fields: fields})
}

func (a *applier) apply(t *ent.Tenant, spec TenantSpecInput) error {
	steps := []func(TenantSpecInput) error{a.dialPlans, a.skillProfiles, a.agentProfiles, a.teams, a.users, a.pruneObjects}
	if err := a.applyTenant(t, spec); err != nil {
		return err
	}
	for _, step := range steps {
		if err := step(spec); err != nil {
			return err
		}
	}
	return nil
}

// applyTenant creates the tenant or updates its settings, with the rules of
// createTenant and updateTenant.
func (a *applier) applyTenant(t *ent.Tenant, spec TenantSpecInput) error {
	if t == nil {
		settings, err := admin.DefaultTenantSettings().ApplyCreate(admin.CreateTenantInput{
			Name: spec.Name, Slug: spec.Slug, EmailDomains: spec.EmailDomains, SsoMode: spec.SsoMode, Sso: spec.Sso,
			StationTypes: spec.StationTypes, WebRtcEnabled: spec.WebRtcEnabled, ForceDefaultDialNumber: spec.ForceDefaultDialNumber,
			DefaultCountry: spec.DefaultCountry, RememberStationCredentials: spec.RememberStationCredentials,
			DesktopInactivityTimeoutMinutes: spec.DesktopInactivityTimeoutMinutes, TeamsIntegration: spec.TeamsIntegration,
			TrustedNetworks: spec.TrustedNetworks,
		}).Validate()
		if err != nil {
			return err
		}
		if a.tenant, err = admin.CreateTenantTx(a.ctx, a.db, settings); err != nil {
			return err
		}
		a.changed(ActionCreate, KindTenant, settings.Slug)
		return nil
	}
	domains, err := a.db.EmailDomain.Query().Where(emaildomain.TenantID(t.ID)).
		Order(emaildomain.ByDomain()).Select(emaildomain.FieldDomain).Strings(a.ctx)
	if err != nil {
		return err
	}
	cur := admin.SettingsOf(t, domains)
	name := spec.Name
	next, err := cur.ApplyUpdate(admin.UpdateTenantInput{
		Name: &name, EmailDomains: spec.EmailDomains, SsoMode: spec.SsoMode, Sso: spec.Sso,
		StationTypes: spec.StationTypes, WebRtcEnabled: spec.WebRtcEnabled, ForceDefaultDialNumber: spec.ForceDefaultDialNumber,
		DefaultCountry: spec.DefaultCountry, RememberStationCredentials: spec.RememberStationCredentials,
		DesktopInactivityTimeoutMinutes: spec.DesktopInactivityTimeoutMinutes, TeamsIntegration: spec.TeamsIntegration,
		TrustedNetworks: spec.TrustedNetworks,
	}).Validate()
	if err != nil {
		return err
	}
	a.tenant = t
	if !tenantChanged(t, cur, next) {
		return nil
	}
	if a.tenant, err = admin.UpdateTenantTx(a.ctx, a.db, t, next); err != nil {
		return err
	}
	fields := diffFields(tenantView(cur), tenantView(next))
	fields = append(fields, secretChange("sso.clientSecret", next.SSOClientSecret, t.SSOClientSecret)...)
	fields = append(fields, secretChange("teamsIntegration.clientSecret", next.TeamsClientSecret, t.TeamsClientSecret)...)
	a.changed(ActionUpdate, KindTenant, t.Slug, fields...)
	return nil
}

// tenantChanged compares stored settings with the settings a spec asks for.
// Station types compare as a set; a secret counts as changed only when the
// spec gives one that differs from the stored one.
func tenantChanged(t *ent.Tenant, cur, next admin.TenantSettings) bool {
	if next.SSOClientSecret != nil && *next.SSOClientSecret != t.SSOClientSecret ||
		next.TeamsClientSecret != nil && *next.TeamsClientSecret != t.TeamsClientSecret {
		return true
	}
	cur.SSOClientSecret, next.SSOClientSecret, cur.TeamsClientSecret, next.TeamsClientSecret = nil, nil, nil, nil
	cur.StationTypes, next.StationTypes = sortedTypes(cur.StationTypes), sortedTypes(next.StationTypes)
	return !reflect.DeepEqual(cur, next)
}

func sortedTypes(types []station.Type) []station.Type {
	out := slices.Clone(types)
	slices.Sort(out)
	if out == nil {
		out = []station.Type{}
	}
	return out
}

// at puts an item's path in front of an error's field and message:
// users[3] and field email make users[3].email. Errors that are not the
// caller's (storage failures) pass unchanged.
func at(path string, err error) error {
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	full := path
	if field, _ := e.Extensions["field"].(string); field != "" {
		full = path + "." + field
	}
	c := *e.With("field", full)
	c.Message = full + ": " + e.Message
	return &c
}

// names checks that a spec's list has no name twice (without case) and
// returns the lower-case keys.
func names[T any](list []*T, kind string, name func(*T) string) ([]string, error) {
	keys := make([]string, len(list))
	seen := map[string]int{}
	for i, item := range list {
		if item == nil {
			return nil, apperr.Invalid(fmt.Sprintf("%s[%d]", kind, i), "an item is missing")
		}
		key := strings.ToLower(strings.TrimSpace(name(item)))
		if j, dup := seen[key]; dup && key != "" {
			return nil, at(fmt.Sprintf("%s[%d]", kind, i), apperr.Invalid("name", fmt.Sprintf("%q is also %s[%d]; each name may appear once.", name(item), kind, j)))
		}
		seen[key] = i
		keys[i] = key
	}
	return keys, nil
}

func (a *applier) dialPlans(spec TenantSpecInput) error {
	stored, err := a.db.DialPlan.Query().Where(dialplan.TenantID(a.tenant.ID)).All(a.ctx)
	if err != nil {
		return err
	}
	a.plans = map[string]*ent.DialPlan{}
	for _, p := range stored {
		a.plans[strings.ToLower(p.Name)] = p
	}
	keys, err := names(spec.DialPlans, "dialPlans", func(p *DialPlanSpecInput) string { return p.Name })
	if err != nil {
		return err
	}
	if a.prune != nil && spec.DialPlans != nil {
		a.prune.dialPlans = missing(stored, keys, func(p *ent.DialPlan) string { return p.Name })
	}
	for i, ps := range spec.DialPlans {
		path := fmt.Sprintf("dialPlans[%d]", i)
		existing := a.plans[keys[i]]
		p := dialnumber.Plan{Active: true}
		if existing != nil {
			p = admin.DialPlanOf(existing)
		}
		p.Name, p.RegularExpression = ps.Name, ps.RegularExpression
		setIf(&p.Prefix, ps.Prefix)
		setIf(&p.StrippedChars, ps.StrippedChars)
		setIf(&p.Active, ps.Active)
		p, err := admin.ValidateDialPlan(p)
		if err != nil {
			return at(path, err)
		}
		switch {
		case existing == nil:
			created, err := admin.CreateDialPlanTx(a.ctx, a.db, a.tenant.ID, p, a.now)
			if err != nil {
				return at(path, err)
			}
			a.plans[keys[i]] = created
			a.changed(ActionCreate, KindDialPlan, p.Name)
		case p != admin.DialPlanOf(existing):
			updated, err := admin.UpdateDialPlanTx(a.ctx, a.db, existing, p, a.now)
			if err != nil {
				return at(path, err)
			}
			a.plans[keys[i]] = updated
			a.changed(ActionUpdate, KindDialPlan, p.Name, diffFields(dialPlanView(admin.DialPlanOf(existing)), dialPlanView(p))...)
		}
	}
	return nil
}

func (a *applier) skillProfiles(spec TenantSpecInput) error {
	stored, err := a.db.SkillProfile.Query().Where(skillprofile.TenantID(a.tenant.ID)).All(a.ctx)
	if err != nil {
		return err
	}
	byName := map[string]*ent.SkillProfile{}
	for _, p := range stored {
		byName[strings.ToLower(p.Name)] = p
	}
	keys, err := names(spec.SkillProfiles, "skillProfiles", func(p *SkillProfileSpecInput) string { return p.Name })
	if err != nil {
		return err
	}
	if a.prune != nil && spec.SkillProfiles != nil {
		a.prune.skillProfiles = missing(stored, keys, func(p *ent.SkillProfile) string { return p.Name })
	}
	for i, ps := range spec.SkillProfiles {
		path := fmt.Sprintf("skillProfiles[%d]", i)
		s, err := admin.ValidateSkillProfile(admin.SkillProfileSettings{Name: ps.Name, Skills: admin.SkillsOf(ps.Skills)})
		if err != nil {
			return at(path, err)
		}
		existing := byName[keys[i]]
		switch {
		case existing == nil:
			if _, err := admin.CreateSkillProfileTx(a.ctx, a.db, a.tenant.ID, s, a.now); err != nil {
				return at(path, err)
			}
			a.changed(ActionCreate, KindSkillProfile, s.Name)
		case existing.Name != s.Name || !slices.Equal(nonNil(existing.Skills), nonNil(s.Skills)):
			if _, err := admin.UpdateSkillProfileTx(a.ctx, a.db, existing, s, a.now); err != nil {
				return at(path, err)
			}
			a.changed(ActionUpdate, KindSkillProfile, s.Name, diffFields(
				skillProfileView(admin.SkillProfileSettings{Name: existing.Name, Skills: existing.Skills}), skillProfileView(s))...)
		}
	}
	return nil
}

func nonNil(s []schema.Skill) []schema.Skill {
	if s == nil {
		return []schema.Skill{}
	}
	return s
}

func (a *applier) agentProfiles(spec TenantSpecInput) error {
	stored, err := a.db.AgentProfile.Query().Where(agentprofile.TenantID(a.tenant.ID)).WithDialPlans().All(a.ctx)
	if err != nil {
		return err
	}
	byName := map[string]*ent.AgentProfile{}
	for _, p := range stored {
		byName[strings.ToLower(p.Name)] = p
	}
	keys, err := names(spec.AgentProfiles, "agentProfiles", func(p *AgentProfileSpecInput) string { return p.Name })
	if err != nil {
		return err
	}
	if a.prune != nil && spec.AgentProfiles != nil {
		a.prune.agentProfiles = missing(stored, keys, func(p *ent.AgentProfile) string { return p.Name })
	}
	for i, ps := range spec.AgentProfiles {
		path := fmt.Sprintf("agentProfiles[%d]", i)
		existing := byName[keys[i]]
		s := admin.NewProfileSettings()
		if existing != nil {
			s = admin.ProfileSettingsOf(existing, existing.Edges.DialPlans)
		}
		s.Name, s.LoginVoiceOptions = ps.Name, ps.LoginVoiceOptions
		setIf(&s.Description, ps.Description)
		setIf(&s.DialNumberValidation, ps.DialNumberValidation)
		setIf(&s.AutoAnswer, ps.AutoAnswer)
		if ps.DialPlans != nil {
			s.DialPlans = make([]*ent.DialPlan, 0, len(ps.DialPlans))
			for _, name := range ps.DialPlans {
				p := a.plans[strings.ToLower(strings.TrimSpace(name))]
				if p == nil {
					return at(path, apperr.Invalid("dialPlans", fmt.Sprintf("There is no dial plan named %q.", name)))
				}
				if a.prune.has(p.ID) {
					return at(path, apperr.Invalid("dialPlans", fmt.Sprintf("Dial plan %q is not in the spec, and the prune deletes it.", name)))
				}
				s.DialPlans = append(s.DialPlans, p)
			}
		}
		s, err := admin.ValidateProfile(a.tenant, s)
		if err != nil {
			return at(path, renameField(err, "dialPlanIds", "dialPlans"))
		}
		switch {
		case existing == nil:
			if _, err := admin.CreateProfileTx(a.ctx, a.db, a.tenant.ID, s, a.now); err != nil {
				return at(path, err)
			}
			a.changed(ActionCreate, KindAgentProfile, s.Name)
		case profileChanged(admin.ProfileSettingsOf(existing, existing.Edges.DialPlans), s):
			if _, err := admin.UpdateProfileTx(a.ctx, a.db, existing, s, a.now); err != nil {
				return at(path, err)
			}
			a.changed(ActionUpdate, KindAgentProfile, s.Name, diffFields(
				profileView(admin.ProfileSettingsOf(existing, existing.Edges.DialPlans)), profileView(s))...)
		}
	}
	return nil
}

// profileChanged compares profile settings; login voice options and dial
// plans compare as sets.
func profileChanged(cur, next admin.ProfileSettings) bool {
	planIDs := func(plans []*ent.DialPlan) []string {
		ids := make([]string, len(plans))
		for i, p := range plans {
			ids[i] = p.ID
		}
		slices.Sort(ids)
		return ids
	}
	return cur.Name != next.Name || cur.Description != next.Description ||
		cur.DialNumberValidation != next.DialNumberValidation || cur.AutoAnswer != next.AutoAnswer ||
		!slices.Equal(sortedTypes(cur.LoginVoiceOptions), sortedTypes(next.LoginVoiceOptions)) ||
		!slices.Equal(planIDs(cur.DialPlans), planIDs(next.DialPlans))
}

func renameField(err error, from, to string) error {
	if e, ok := apperr.As(err); ok && e.Extensions["field"] == from {
		return e.With("field", to)
	}
	return err
}

func (a *applier) teams(spec TenantSpecInput) error {
	stored, err := a.db.Team.Query().Where(team.TenantID(a.tenant.ID)).All(a.ctx)
	if err != nil {
		return err
	}
	byName := map[string]*ent.Team{}
	for _, t := range stored {
		byName[strings.ToLower(t.Name)] = t
	}
	keys, err := names(spec.Teams, "teams", func(t *TeamSpecInput) string { return t.Name })
	if err != nil {
		return err
	}
	if a.prune != nil && spec.Teams != nil {
		a.prune.teams = missing(stored, keys, func(t *ent.Team) string { return t.Name })
	}
	for i, ts := range spec.Teams {
		path := fmt.Sprintf("teams[%d]", i)
		existing := byName[keys[i]]
		s := admin.TeamSettings{Name: ts.Name, Type: ts.Type, Capacity: ts.Capacity}
		if existing != nil && ts.Capacity == nil && existing.Type == ts.Type {
			s.Capacity = existing.Capacity // left out: kept
		}
		s, err := admin.ValidateTeam(s)
		if err != nil {
			return at(path, err)
		}
		switch {
		case existing == nil:
			if _, err := admin.CreateTeamTx(a.ctx, a.db, a.tenant.ID, s, a.now); err != nil {
				return at(path, err)
			}
			a.changed(ActionCreate, KindTeam, s.Name)
		case existing.Name != s.Name || existing.Type != s.Type || !equalPtr(existing.Capacity, s.Capacity):
			// A changed type is refused here, with the item's path.
			if _, err := admin.UpdateTeamTx(a.ctx, a.db, existing, s, a.now); err != nil {
				return at(path, err)
			}
			a.changed(ActionUpdate, KindTeam, s.Name, diffFields(teamView(admin.TeamSettingsOf(existing)), teamView(s))...)
		}
	}
	return nil
}

// users writes the spec's users through admin.PlanUsers, the pipeline of
// createUser and importUsers, looked up by e-mail. Users not in the spec
// are left alone, or, on a prune, deactivated through the same pipeline
// (pruneUsers). The first problem stops the apply.
func (a *applier) users(spec TenantSpecInput) error {
	rules, err := admin.LoadUserRules(a.ctx, a.db, a.tenant)
	if err != nil {
		return err
	}
	reqs := make([]admin.UserRequest, len(spec.Users))
	for i, us := range spec.Users {
		if us == nil {
			return apperr.Invalid(fmt.Sprintf("users[%d]", i), "an item is missing")
		}
		reqs[i] = admin.UserRequest{Email: us.Email, Edit: func(base admin.UserSettings) (admin.UserSettings, []*apperr.Error) {
			return userSpecEdit(us, base, rules, a.prune)
		}}
	}
	pruned, err := a.pruneUsers(spec)
	if err != nil {
		return err
	}
	reqs = append(reqs, pruned...)
	ref := func(i int) string {
		if i >= len(spec.Users) {
			return "user " + reqs[i].Email + " (not in the spec)"
		}
		return fmt.Sprintf("users[%d]", i)
	}
	plan, err := admin.PlanUsers(a.ctx, a.db, admin.UserChange{TenantID: a.tenant.ID, Rules: rules, Ref: ref}, reqs)
	if err != nil {
		return err
	}
	if i, problem := plan.FirstProblem(); problem != nil {
		if i >= len(spec.Users) {
			return apperr.Invalid("users", fmt.Sprintf("The prune cannot deactivate %s: %s", reqs[i].Email, problem.Message))
		}
		return at(ref(i), renameField(problem, fieldOf(problem), apiField(fieldOf(problem))))
	}
	written, invited, err := a.admin.WriteUserPlan(a.ctx, a.db, a.tenant.ID, plan, a.invite)
	if err != nil {
		return err
	}
	a.invited = invited
	book, err := loadNameBook(a.ctx, a.db, a.tenant.ID)
	if err != nil {
		return err
	}
	for k, w := range written {
		switch {
		case w.Outcome == admin.Created:
			a.changed(ActionCreate, KindUser, w.User.Email)
		case w.Outcome == admin.Updated && plan.Request[k] >= len(spec.Users):
			a.changed(ActionDeactivate, KindUser, w.User.Email, userFields(book, plan.Writes[k])...)
		case w.Outcome == admin.Updated:
			a.changed(ActionUpdate, KindUser, w.User.Email, userFields(book, plan.Writes[k])...)
		}
	}
	return nil
}

// userFields are the fields a user write changes, in the spec's words.
func userFields(book nameBook, w admin.UserWrite) []*FieldChange {
	return diffFields(book.userView(admin.SettingsOfUser(w.Existing, w.ExistingTeamIDs)), book.userView(w.Settings))
}

// userSpecEdit applies a spec user over base, resolving names with rules;
// the first name that resolves to nothing is returned, with the spec's
// field name. The user rules check the result (admin.PlanUsers).
func userSpecEdit(us *UserSpecInput, base admin.UserSettings, rules *admin.UserRules, prune *pruneList) (admin.UserSettings, []*apperr.Error) {
	s := base
	s.Email, s.Name, s.Role = us.Email, us.Name, us.Role
	setIf(&s.ContactCenterEnabled, us.ContactCenterEnabled)
	setIf(&s.Active, us.Active)
	byName := func(field string, v *string, dst **string, lookup func(string) (string, bool), what string) *apperr.Error {
		switch {
		case v == nil:
		case strings.TrimSpace(*v) == "":
			*dst = nil
		default:
			id, ok := lookup(*v)
			if !ok {
				return apperr.Invalid(field, fmt.Sprintf("There is no %s named %q.", what, *v))
			}
			if prune.has(id) {
				return apperr.Invalid(field, fmt.Sprintf("The %s %q is not in the spec, and the prune deletes it.", what, *v))
			}
			*dst = &id
		}
		return nil
	}
	if err := byName("agentProfile", us.AgentProfile, &s.AgentProfileID, rules.ProfileNamed, "agent profile"); err != nil {
		return s, []*apperr.Error{err}
	}
	if err := byName("skillProfile", us.SkillProfile, &s.SkillProfileID, rules.SkillProfileNamed, "skill profile"); err != nil {
		return s, []*apperr.Error{err}
	}
	if us.Teams != nil {
		s.TeamIDs = make([]string, 0, len(us.Teams))
		for _, name := range us.Teams {
			id, ok := rules.TeamNamed(name)
			if !ok {
				return s, []*apperr.Error{apperr.Invalid("teams", fmt.Sprintf("There is no team named %q.", name))}
			}
			if prune.has(id) {
				return s, []*apperr.Error{apperr.Invalid("teams", fmt.Sprintf("The team %q is not in the spec, and the prune deletes it.", name))}
			}
			s.TeamIDs = append(s.TeamIDs, id)
		}
	}
	for _, c := range []struct {
		v   *string
		dst **string
	}{{us.DefaultDialNumber, &s.DefaultDialNumber}, {us.DefaultExtension, &s.DefaultExtension}} {
		switch {
		case c.v == nil:
		case strings.TrimSpace(*c.v) == "":
			*c.dst = nil
		default:
			v := *c.v
			*c.dst = &v
		}
	}
	return s, nil
}

func fieldOf(e *apperr.Error) string {
	f, _ := e.Extensions["field"].(string)
	return f
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
