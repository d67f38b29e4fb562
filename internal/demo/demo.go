// Package demo loads a demo organisation into a running agentdesk (`serve
// --demo`): a tenant with profiles, dial plans, teams, skills and agents
// around the world, and known passwords to sign in with. It goes through
// applyTenant like any provisioning script, so loading it again after a
// restart changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/provision"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

// Slug and Domain identify the demo tenant.
const (
	Slug   = "demo"
	Domain = "demo.agentdesk.test"
)

// Password is the password of every demo user. It is printed at start: the
// demo is for trying agentdesk out, never for real data.
const Password = "agentdesk-demo-2026"

// Credential is one demo sign-in.
type Credential struct {
	Email, Password, Name string
	Role                  policy.Role
	DefaultDialNumber     string
}

// Credentials are the demo's sign-ins.
type Credentials struct {
	Tenant string
	Users  []Credential
}

// String is the printable list: one user per line.
func (c Credentials) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Demo tenant %q: sign in with\n", c.Tenant)
	w := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "  ROLE\tE-MAIL\tPASSWORD\tDEFAULT DIAL NUMBER")
	for _, u := range c.Users {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", u.Role, u.Email, u.Password, u.DefaultDialNumber)
	}
	_ = w.Flush()
	return b.String()
}

// agent is one demo agent: a number of its country, in E.164 so that the
// spec reads the same in a tenant of any default country.
type agent struct {
	name, email, number, extension, profile, team, skills string
}

var agents = []agent{
	{"Ava Thompson", "ava.thompson", "+1 212 555 0101", "1001", "North America", "Sales", "Generalist"},
	{"Liam Carter", "liam.carter", "+1 415 555 0102", "1002", "North America", "Support", "Generalist"},
	{"Chloe Tremblay", "chloe.tremblay", "+1 416 555 0103", "1003", "North America", "Support", "Billing"},
	{"Oliver Hughes", "oliver.hughes", "+44 20 7946 0018", "1004", "Global", "Sales", "Generalist"},
	{"Amelia Clarke", "amelia.clarke", "+44 161 496 0123", "1005", "Global", "Support", "Billing"},
	{"Lukas Schmidt", "lukas.schmidt", "+49 30 1234567", "1006", "Global", "Sales", "Generalist"},
	{"Mia Becker", "mia.becker", "+49 89 1234567", "1007", "Global", "Support", "Billing"},
	{"Aarav Sharma", "aarav.sharma", "+91 98765 43210", "1008", "Global", "Support", "Generalist"},
	{"Priya Nair", "priya.nair", "+91 80 4123 4567", "1009", "Global", "Sales", "Billing"},
	{"Jack Wilson", "jack.wilson", "+61 2 9374 4000", "1010", "Global", "Sales", "Generalist"},
	{"Isla Brown", "isla.brown", "+61 3 9123 4567", "1011", "Global", "Support", "Billing"},
	{"Camille Dubois", "camille.dubois", "+33 1 23 45 67 89", "1012", "Global", "Support", "Generalist"},
}

// Spec is the demo tenant.
func Spec() provision.TenantSpecInput {
	yes, no := true, false
	country, timeout := "US", 60
	anyFormat, dialPlan := agentprofile.DialNumberValidationANY_FORMAT, agentprofile.DialNumberValidationDIAL_PLAN
	capacity := 50
	spec := provision.TenantSpecInput{
		Slug: Slug, Name: "Demo Contact Center", EmailDomains: []string{Domain},
		StationTypes:  []station.Type{station.DialNumber, station.Extension, station.Desktop},
		WebRtcEnabled: &yes, ForceDefaultDialNumber: &no, DefaultCountry: &country,
		RememberStationCredentials: &yes, DesktopInactivityTimeoutMinutes: &timeout,
		DialPlans: []*provision.DialPlanSpecInput{
			// The built-in US plan, named so the profile below can use it.
			{Name: "US", RegularExpression: `1[2-9][0-9]{2}[2-9][0-9]{6}`, StrippedChars: ptr("()-. +"), Active: &yes},
			{Name: "Canada Toronto", RegularExpression: `1(416|647|437)[2-9][0-9]{6}`, Active: &yes},
		},
		AgentProfiles: []*provision.AgentProfileSpecInput{
			{Name: "Global", Description: ptr("Agents anywhere: any valid number, an extension or the browser."),
				LoginVoiceOptions:    []station.Type{station.DialNumber, station.Extension, station.Desktop},
				DialNumberValidation: &anyFormat, DialPlans: []string{}, AutoAnswer: &no},
			{Name: "North America", Description: ptr("North American numbers only, checked against dial plans."),
				LoginVoiceOptions:    []station.Type{station.DialNumber, station.Extension},
				DialNumberValidation: &dialPlan, DialPlans: []string{"US", "Canada Toronto"}, AutoAnswer: &yes},
		},
		SkillProfiles: []*provision.SkillProfileSpecInput{
			{Name: "Generalist", Skills: []*admin.SkillInput{{Name: "English", Proficiency: 8}, {Name: "Sales", Proficiency: 6}}},
			{Name: "Billing", Skills: []*admin.SkillInput{{Name: "English", Proficiency: 7}, {Name: "Billing", Proficiency: 9}}},
		},
		Teams: []*provision.TeamSpecInput{
			{Name: "Sales", Type: team.TypeAGENT},
			{Name: "Support", Type: team.TypeAGENT},
			{Name: "Overflow", Type: team.TypeCAPACITY, Capacity: &capacity},
		},
	}
	for _, a := range agents {
		spec.Users = append(spec.Users, &provision.UserSpecInput{
			Email: a.email + "@" + Domain, Name: a.name, Role: policy.Agent,
			ContactCenterEnabled: &yes, Active: &yes,
			AgentProfile: ptr(a.profile), Teams: []string{a.team}, SkillProfile: ptr(a.skills),
			DefaultDialNumber: ptr(a.number), DefaultExtension: ptr(a.extension),
		})
	}
	spec.Users = append(spec.Users,
		&provision.UserSpecInput{Email: "sam.supervisor@" + Domain, Name: "Sam Supervisor", Role: policy.Supervisor,
			ContactCenterEnabled: &yes, Active: &yes, AgentProfile: ptr("Global"), Teams: []string{"Sales", "Support"},
			SkillProfile: ptr("Generalist"), DefaultDialNumber: ptr("+1 212 555 0199"), DefaultExtension: ptr("1099")},
		&provision.UserSpecInput{Email: "tia.admin@" + Domain, Name: "Tia Admin", Role: policy.TenantAdmin,
			ContactCenterEnabled: &no, Active: &yes},
	)
	return spec
}

func ptr[T any](v T) *T { return &v }

// Load applies the demo tenant as the platform admin and sets Password on
// every demo user whose password is not Password already; it returns the
// sign-ins. The bootstrap platform admin must exist (server.go creates it
// from BootstrapAdminEmail). Loading again changes nothing.
func Load(ctx context.Context, srv *agentdesk.Server) (Credentials, error) {
	ctx = policy.System(ctx, "demo data: loaded from the command line")
	db := srv.DB.Client
	root, err := db.User.Query().Where(user.RoleEQ(policy.PlatformAdmin), user.Active(true)).Order(ent.Asc(user.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return Credentials{}, errors.New("demo: no platform admin to load the demo as; set the bootstrap admin e-mail and password")
	}
	if err != nil {
		return Credentials{}, err
	}
	ctx = policy.WithViewer(ctx, &policy.Viewer{UserID: root.ID, Role: policy.PlatformAdmin})
	spec := Spec()
	applied, err := srv.Provision.ApplyTenant(ctx, spec, provision.Options{})
	if err != nil {
		return Credentials{}, fmt.Errorf("demo: apply the demo tenant: %w", err)
	}
	if err := signin.CheckNewPassword(Password); err != nil {
		return Credentials{}, fmt.Errorf("demo: the demo password: %w", err)
	}
	emails := make([]string, len(spec.Users))
	for i, u := range spec.Users {
		emails[i] = u.Email
	}
	users, err := db.User.Query().Where(user.EmailIn(emails...), user.TenantID(applied.Tenant.ID)).All(ctx)
	if err != nil {
		return Credentials{}, err
	}
	byEmail := map[string]*ent.User{}
	var stale []*ent.User
	for _, u := range users {
		byEmail[u.Email] = u
		if u.PasswordHash == nil {
			stale = append(stale, u)
			continue
		}
		ok, _, err := srv.SignIn.Hasher.Verify(ctx, Password, *u.PasswordHash)
		if err != nil || !ok {
			stale = append(stale, u)
		}
	}
	if err := setPasswords(ctx, srv, applied.Tenant.ID, stale); err != nil {
		return Credentials{}, err
	}
	out := Credentials{Tenant: applied.Tenant.Slug}
	for _, su := range spec.Users {
		u := byEmail[su.Email]
		if u == nil {
			return Credentials{}, fmt.Errorf("demo: user %s is missing after the apply", su.Email)
		}
		c := Credential{Email: u.Email, Password: Password, Name: u.Name, Role: u.Role}
		if u.DefaultDialNumber != nil {
			c.DefaultDialNumber = *u.DefaultDialNumber
		}
		out.Users = append(out.Users, c)
	}
	return out, nil
}

// setPasswords gives users the demo password, in one transaction with its
// audit event (which never carries the password).
func setPasswords(ctx context.Context, srv *agentdesk.Server, tenantID string, users []*ent.User) error {
	if len(users) == 0 {
		return nil
	}
	hashes := make([]string, len(users))
	for i := range users {
		h, err := srv.SignIn.Hasher.Hash(ctx, Password)
		if err != nil {
			return err
		}
		hashes[i] = h
	}
	now := srv.Admin.Now()
	return admin.Audited(ctx, srv.DB.Client, func() time.Time { return now }, func(tx *ent.Tx) (bool, admin.Event, error) {
		for i, u := range users {
			if err := tx.User.UpdateOneID(u.ID).SetPasswordHash(hashes[i]).SetPasswordChangedAt(now).Exec(ctx); err != nil {
				return false, admin.Event{}, err
			}
		}
		return true, admin.Event{TenantID: tenantID, Action: "loadDemo",
			TargetType: "Tenant", TargetID: tenantID, Summary: fmt.Sprintf("set the demo password of %d demo users", len(users))}, nil
	})
}
