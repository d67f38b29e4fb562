package provision

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/skillprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
)

// The spec view: each stored object (as the settings admin checks and
// writes) seen as the spec item that describes it. Export writes these;
// an apply compares the view of what is stored with the view of what it
// writes, field by field, so the changes it reports name exactly the
// fields a spec would have to say to get there.

// FieldChange is one field an update changes, named as in the spec
// (sso.issuerUrl). Old and New are nil where there is no value; a secret
// has neither, only Secret.
type FieldChange struct {
	Field  string
	Old    *string
	New    *string
	Secret bool
}

// tenantView is a tenant's settings as a spec, without its lists and
// secrets. Sso and TeamsIntegration are always there, so that a field
// compares with a field (exportedTenant drops them when they are empty).
func tenantView(s admin.TenantSettings) TenantSpecInput {
	return TenantSpecInput{
		Slug: s.Slug, Name: s.Name, EmailDomains: sortedStrings(s.EmailDomains),
		SsoMode: ptr(s.SSOMode), Sso: &admin.SsoSettingsInput{IssuerURL: s.SSOIssuerURL, ClientID: s.SSOClientID},
		StationTypes: sortedTypes(s.StationTypes), WebRtcEnabled: ptr(s.WebRTCEnabled),
		ForceDefaultDialNumber: ptr(s.ForceDefaultDialNumber), DefaultCountry: ptr(s.DefaultCountry),
		RememberStationCredentials:      ptr(s.RememberStationCredentials),
		DesktopInactivityTimeoutMinutes: ptr(s.DesktopInactivityTimeoutMinutes),
		TeamsIntegration:                &admin.TeamsIntegrationInput{Enabled: s.TeamsEnabled, IssuerURL: ptr(s.TeamsIssuerURL), ClientID: ptr(s.TeamsClientID)},
		TrustedNetworks:                 sortedStrings(s.TrustedNetworks),
	}
}

func dialPlanView(p dialnumber.Plan) DialPlanSpecInput {
	return DialPlanSpecInput{Name: p.Name, RegularExpression: p.RegularExpression,
		Prefix: ptr(p.Prefix), StrippedChars: ptr(p.StrippedChars), Active: ptr(p.Active)}
}

func profileView(s admin.ProfileSettings) AgentProfileSpecInput {
	plans := make([]string, len(s.DialPlans))
	for i, p := range s.DialPlans {
		plans[i] = p.Name
	}
	slices.Sort(plans)
	return AgentProfileSpecInput{Name: s.Name, Description: ptr(s.Description), LoginVoiceOptions: sortedTypes(s.LoginVoiceOptions),
		DialNumberValidation: ptr(s.DialNumberValidation), DialPlans: plans, AutoAnswer: ptr(s.AutoAnswer)}
}

func skillProfileView(s admin.SkillProfileSettings) SkillProfileSpecInput {
	skills := make([]*admin.SkillInput, len(s.Skills))
	for i, sk := range s.Skills {
		skills[i] = &admin.SkillInput{Name: sk.Name, Proficiency: sk.Proficiency}
	}
	return SkillProfileSpecInput{Name: s.Name, Skills: skills}
}

func teamView(s admin.TeamSettings) TeamSpecInput {
	return TeamSpecInput{Name: s.Name, Type: s.Type, Capacity: s.Capacity}
}

// nameBook names a tenant's profiles, skill profiles and teams by id, for
// the view of its users.
type nameBook struct {
	profiles, skillProfiles, teams map[string]string
}

func loadNameBook(ctx context.Context, db *ent.Client, tenantID string) (nameBook, error) {
	b := nameBook{profiles: map[string]string{}, skillProfiles: map[string]string{}, teams: map[string]string{}}
	profiles, err := db.AgentProfile.Query().Where(agentprofile.TenantID(tenantID)).All(ctx)
	if err != nil {
		return b, err
	}
	for _, p := range profiles {
		b.profiles[p.ID] = p.Name
	}
	skills, err := db.SkillProfile.Query().Where(skillprofile.TenantID(tenantID)).All(ctx)
	if err != nil {
		return b, err
	}
	for _, p := range skills {
		b.skillProfiles[p.ID] = p.Name
	}
	teams, err := db.Team.Query().Where(team.TenantID(tenantID)).All(ctx)
	if err != nil {
		return b, err
	}
	for _, t := range teams {
		b.teams[t.ID] = t.Name
	}
	return b, nil
}

func (b nameBook) userView(s admin.UserSettings) UserSpecInput {
	name := func(m map[string]string, id *string) *string {
		if id == nil {
			return nil
		}
		return ptr(m[*id])
	}
	teams := make([]string, 0, len(s.TeamIDs))
	for _, id := range s.TeamIDs {
		teams = append(teams, b.teams[id])
	}
	slices.Sort(teams)
	return UserSpecInput{Email: s.Email, Name: s.Name, Role: s.Role,
		ContactCenterEnabled: ptr(s.ContactCenterEnabled), Active: ptr(s.Active),
		AgentProfile: name(b.profiles, s.AgentProfileID), Teams: teams,
		DefaultDialNumber: s.DefaultDialNumber, DefaultExtension: s.DefaultExtension,
		SkillProfile: name(b.skillProfiles, s.SkillProfileID)}
}

// userOfEnt is the stored settings of u with its loaded teams.
func userOfEnt(u *ent.User) admin.UserSettings {
	ids := make([]string, len(u.Edges.Teams))
	for i, t := range u.Edges.Teams {
		ids[i] = t.ID
	}
	return admin.SettingsOfUser(u, ids)
}

// diffFields lists the fields in which two views (values of the same spec
// struct type) differ, in field order. Lists compare as sets (every list
// of a spec is one, except skills, which keep their order); nested objects
// (sso) give dotted names; lists of objects (a tenant's dial plans) are
// items of their own and not compared here; clientSecret fields are
// secrets and compared by the caller, which alone knows the stored value.
func diffFields(old, new any) []*FieldChange {
	var out []*FieldChange
	diffStruct("", reflect.ValueOf(old), reflect.ValueOf(new), &out)
	return out
}

func diffStruct(prefix string, old, new reflect.Value, out *[]*FieldChange) {
	t := old.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || name == "clientSecret" {
			continue
		}
		ov, nv := old.Field(i), new.Field(i)
		if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
			diffStruct(prefix+name+".", derefOrZero(ov), derefOrZero(nv), out)
			continue
		}
		if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Pointer &&
			f.Type.Elem().Elem() != reflect.TypeOf(admin.SkillInput{}) {
			continue
		}
		o, n := display(ov), display(nv)
		if !equalPtr(o, n) {
			*out = append(*out, &FieldChange{Field: prefix + name, Old: o, New: n})
		}
	}
}

func derefOrZero(v reflect.Value) reflect.Value {
	if v.IsNil() {
		return reflect.Zero(v.Type().Elem())
	}
	return v.Elem()
}

// display is a field's value as the plan shows it: nil for none, lists as
// [a, b] (sorted, but skills in order as name=proficiency).
func display(v reflect.Value) *string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return display(v.Elem())
	case reflect.Slice:
		items := make([]string, v.Len())
		sorted := true
		for i := range items {
			e := v.Index(i)
			if e.Kind() == reflect.Pointer && !e.IsNil() {
				if sk, ok := e.Interface().(*admin.SkillInput); ok {
					items[i], sorted = fmt.Sprintf("%s=%d", sk.Name, sk.Proficiency), false
					continue
				}
			}
			items[i] = *display(e)
		}
		if sorted {
			slices.Sort(items)
		}
		return ptr("[" + strings.Join(items, ", ") + "]")
	case reflect.String:
		return ptr(v.String())
	case reflect.Bool:
		return ptr(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int64, reflect.Int32:
		return ptr(strconv.FormatInt(v.Int(), 10))
	}
	return ptr(fmt.Sprint(v.Interface()))
}

// secretChange reports a secret a spec sets to a value other than the
// stored one; its values are never shown.
func secretChange(field string, next *string, stored string) []*FieldChange {
	if next == nil || *next == stored {
		return nil
	}
	return []*FieldChange{{Field: field, Secret: true}}
}

func sortedStrings(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func ptr[T any](v T) *T { return &v }
