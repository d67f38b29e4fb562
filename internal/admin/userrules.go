package admin

import (
	"context"
	"fmt"
	"net/mail"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/emaildomain"
	"github.com/agentdesk/agentdesk/ent/skillprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/policy"
)

// The rules for a user's settings live in this file, once: createUser,
// updateUser, importUsers and applyTenant all check users with UserRules and
// CheckUnique and write them with WriteUsers.

// Field limits of a user.
const (
	maxEmailLength     = 254
	maxEmailLocalPart  = 64
	maxUserNameLength  = 100
	maxUniqueChunkSize = 500 // values per IN (...) query, far below SQLite's variable limit
)

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

// CheckEmail validates an e-mail address and returns it as it is stored:
// trimmed and lower-case (signin.NormalizeEmail), so the unique index makes
// addresses unique case-insensitively.
func CheckEmail(raw string) (string, error) {
	e := signin.NormalizeEmail(raw)
	if e == "" {
		return "", apperr.Invalid("email", "Enter an e-mail address.")
	}
	if len(e) > maxEmailLength {
		return "", apperr.Invalid("email", fmt.Sprintf("An e-mail address has at most %d characters.", maxEmailLength))
	}
	invalid := apperr.Invalid("email", fmt.Sprintf("%q is not an e-mail address such as jane.doe@example.com.", e))
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 {
		return "", invalid
	}
	local, domain := e[:at], e[at+1:]
	if len(local) > maxEmailLocalPart {
		return "", apperr.Invalid("email", fmt.Sprintf("The part of an e-mail address before the @ has at most %d characters.", maxEmailLocalPart))
	}
	for i := 0; i < len(e); i++ {
		// Plain ASCII without spaces or controls: a quoted local part or an
		// internationalised address is not something a sign-in form should
		// have to match byte for byte.
		if e[i] <= ' ' || e[i] >= 0x7f {
			return "", invalid
		}
	}
	if a, err := mail.ParseAddress(e); err != nil || a.Name != "" || a.Address != e {
		return "", invalid
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", invalid
	}
	for _, l := range labels {
		if !domainLabel.MatchString(l) {
			return "", invalid
		}
	}
	return e, nil
}

// EmailDomain is the domain of a checked e-mail address.
func EmailDomain(email string) string { return email[strings.LastIndexByte(email, '@')+1:] }

// NormalizeDefaultDialNumber reads a default dial number an admin entered
// into E.164, for the tenant whose default country is country.
//
// Admin input has no international-format check box, so the rule is:
//   - a leading "+" means E.164 ("+44 20 7946 0018"), read as station login
//     reads it with the box off;
//   - otherwise the number is a national number of the tenant's default
//     country ("(415) 555-0100" in a US tenant), read as station login reads
//     it with the box on and that country chosen;
//   - and when it is not one, a number dialled with the international (IDD)
//     prefix of that country ("011 44 20 7946 0018" from the US), read as
//     station login reads it with the box off.
//
// National first: no national number starts with its own country's IDD, so
// the order never turns a national number into a foreign one. When neither
// reading works, the national reading's reason is returned (with a hint).
// The same reading is used again by the station-login diagnostics.
func NormalizeDefaultDialNumber(raw, country string) (string, error) {
	n := strings.TrimSpace(raw)
	if strings.HasPrefix(n, "+") {
		return dialnumber.Normalize(dialnumber.Input{Number: n, DefaultCountry: country})
	}
	e164, err := dialnumber.Normalize(dialnumber.Input{Number: n, InternationalFormat: true, Country: country, DefaultCountry: country})
	if err == nil {
		return e164, nil
	}
	if idd, iddErr := dialnumber.Normalize(dialnumber.Input{Number: n, DefaultCountry: country}); iddErr == nil {
		return idd, nil
	}
	return "", err
}

// DialNumberReadings remembers NormalizeDefaultDialNumber's answers for one
// country. Reading a number costs tens of microseconds (the phone library's
// patterns), so a bulk change reads its numbers first, in parallel and
// before it takes the database's write lock, and hands them to
// UserRules.UseReadings: the rule is the same, only computed earlier.
type DialNumberReadings struct {
	country string
	m       map[string]dialNumberReading
}

type dialNumberReading struct {
	e164 string
	err  error
}

// ReadDialNumbers reads raws as default dial numbers of country, using
// every CPU.
func ReadDialNumbers(country string, raws []string) *DialNumberReadings {
	unique := slices.Compact(slices.Sorted(slices.Values(raws)))
	readings := make([]dialNumberReading, len(unique))
	workers := min(runtime.GOMAXPROCS(0), len(unique))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(unique); i += workers {
				readings[i].e164, readings[i].err = NormalizeDefaultDialNumber(unique[i], country)
			}
		})
	}
	wg.Wait()
	out := &DialNumberReadings{country: country, m: make(map[string]dialNumberReading, len(unique))}
	for i, raw := range unique {
		out.m[raw] = readings[i]
	}
	return out
}

// UseReadings makes Check take dial numbers from readings when they were
// read for the tenant's country (else it reads them itself).
func (r *UserRules) UseReadings(readings *DialNumberReadings) {
	if readings != nil && readings.country == r.Tenant.DefaultCountry {
		r.readings = readings
	}
}

func (r *UserRules) normalizeDialNumber(raw string) (string, error) {
	if r.readings != nil {
		if got, ok := r.readings.m[raw]; ok {
			return got.e164, got.err
		}
	}
	return NormalizeDefaultDialNumber(raw, r.Tenant.DefaultCountry)
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

// PlannedUser is a user a change leaves in place: ID is "" for a new one.
type PlannedUser struct {
	ID       string
	Settings UserSettings
}

// CheckUnique finds the planned users whose e-mail or default dial number
// another user would also hold after the change: an e-mail of any user of
// the platform (CONFLICT, field email), a dial number of another user of the
// tenant (CONFLICT, field defaultDialNumber), or a value an earlier planned
// user holds. A stored user that is itself planned is judged by its planned
// settings, so two users may swap numbers. The result is by index in
// planned; the settings must have passed Check.
func CheckUnique(ctx context.Context, db *ent.Client, tenantID string, planned []PlannedUser) (map[int][]*apperr.Error, error) {
	out := map[int][]*apperr.Error{}
	inPlan := make(map[string]bool, len(planned))
	firstEmail := make(map[string]int, len(planned))
	firstNumber := map[string]int{}
	var emails, numbers []string
	for i, p := range planned {
		if p.ID != "" {
			inPlan[p.ID] = true
		}
		if _, dup := firstEmail[p.Settings.Email]; dup {
			out[i] = append(out[i], apperr.New(apperr.Conflict, fmt.Sprintf("The e-mail address %s is given twice in this change.", p.Settings.Email)).With("field", "email"))
		} else {
			firstEmail[p.Settings.Email] = i
			emails = append(emails, p.Settings.Email)
		}
		if dn := p.Settings.DefaultDialNumber; dn != nil {
			if _, dup := firstNumber[*dn]; dup {
				out[i] = append(out[i], apperr.New(apperr.Conflict, fmt.Sprintf("The dial number %s is given to two users in this change.", *dn)).With("field", "defaultDialNumber"))
			} else {
				firstNumber[*dn] = i
				numbers = append(numbers, *dn)
			}
		}
	}
	for chunk := range slices.Chunk(emails, maxUniqueChunkSize) {
		holders, err := db.User.Query().Where(user.EmailIn(chunk...)).Select(user.FieldID, user.FieldEmail).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, h := range holders {
			i := firstEmail[h.Email]
			if h.ID != planned[i].ID {
				out[i] = append(out[i], apperr.New(apperr.Conflict, fmt.Sprintf("A user with the e-mail address %s exists already.", h.Email)).With("field", "email"))
			}
		}
	}
	for chunk := range slices.Chunk(numbers, maxUniqueChunkSize) {
		holders, err := db.User.Query().
			Where(user.TenantID(tenantID), user.DefaultDialNumberIn(chunk...)).
			Select(user.FieldID, user.FieldDefaultDialNumber).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, h := range holders {
			if inPlan[h.ID] {
				continue // its planned settings count, checked above
			}
			i := firstNumber[*h.DefaultDialNumber]
			out[i] = append(out[i], apperr.New(apperr.Conflict, fmt.Sprintf("The dial number %s is the default dial number of another user.", *h.DefaultDialNumber)).With("field", "defaultDialNumber"))
		}
	}
	return out, nil
}
