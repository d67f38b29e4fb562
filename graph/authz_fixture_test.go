package graph_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/agentdesk/agentdesk/ent"
	entagentprofile "github.com/agentdesk/agentdesk/ent/agentprofile"
	entauditevent "github.com/agentdesk/agentdesk/ent/auditevent"
	entbanner "github.com/agentdesk/agentdesk/ent/banner"
	entschema "github.com/agentdesk/agentdesk/ent/schema"
	entsession "github.com/agentdesk/agentdesk/ent/session"
	entteam "github.com/agentdesk/agentdesk/ent/team"
	enttenant "github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/internal/randtoken"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// The fixture of the authorization matrix: one database, migrated and
// filled once through ent (no GraphQL, so it costs milliseconds), that every
// case copies and starts a server on (a file copy on SQLite, CREATE
// DATABASE … TEMPLATE on PostgreSQL; see storetest.Clone). Tenants A and B hold one of every kind
// of object; the callers' tokens are made here and stored hashed, as the
// server would store them.

// matrixTab is the browser tab (clientId) of A's agent's desktop entsession.
const matrixTab = "matrix-tab-1"

// matrixPassword is every fixture user's password.
const matrixPassword = "matrix passphrase for every user"

// matrixTenant is one tenant of the fixture and the ids of its objects.
type matrixTenant struct {
	ID, Name, Slug, Domain string
	// ids by the name the operation builder asks for (idKinds)
	ids map[string]string
	// Users by role, and their e-mail addresses.
	Admin, Supervisor, Agent string
	AgentEmail               string
}

// matrixFixture is the template database and what the matrix knows of it.
type matrixFixture struct {
	template string // the database's URL; nobody uses it after the build
	A, B     matrixTenant
	// tokens of the signed-in callers, by caller
	tokens map[string]string
	// secretsA: every id, name and token of tenant A, which no response to
	// another tenant (or to nobody) may contain.
	secretsA []string
}

// The object kinds an id argument can name, as the operation builder calls
// them (see matrixIDKind).
const (
	mkTenant         = "tenant"
	mkAgentProfile   = "agentProfile"
	mkDialPlan       = "dialPlan"
	mkTeam           = "team"
	mkUser           = "user"
	mkSkillProfile   = "skillProfile"
	mkBanner         = "banner"
	mkAPIToken       = "apiToken"
	mkDesktopSession = "desktopSession"
)

// buildMatrixFixture migrates a new database and fills it.
func buildMatrixFixture(t testing.TB) *matrixFixture {
	t.Helper()
	ctx := testserver.Ctx()
	tmpl, err := storetest.EmptyURL(t)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		t.Fatal(err)
	}
	fx := &matrixFixture{tokens: map[string]string{}, template: tmpl}
	err = store.WithTx(ctx, db.Client, func(tx *ent.Tx) error { return fx.fill(ctx, tx.Client()) })
	if err == nil && db.Dialect == dialect.SQLite {
		// Fold the WAL into the main file, so that the file alone is the
		// whole database.
		_, err = db.SQL.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("matrix fixture: %v", err)
	}
	if path, ok := strings.CutPrefix(tmpl, "sqlite:"); ok {
		if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
			t.Fatalf("matrix fixture: %s-wal still holds %d bytes after the checkpoint", path, fi.Size())
		}
	}
	return fx
}

// fill writes both tenants, the platform admin and the callers' credentials.
func (fx *matrixFixture) fill(ctx context.Context, db *ent.Client) error {
	now := testserver.NewClock().Now() // the time every test server starts at
	hasher := signin.NewHasher(testserver.CheapHash, 1, nil)
	hash, err := hasher.Hash(ctx, matrixPassword)
	if err != nil {
		return err
	}
	if fx.A, err = fillMatrixTenant(ctx, db, now, hash, "Alpha", "alpha-matrix", true); err != nil {
		return err
	}
	if fx.B, err = fillMatrixTenant(ctx, db, now, hash, "Beta", "beta-matrix", false); err != nil {
		return err
	}
	root, err := db.User.Create().SetEmail(testserver.AdminEmail).SetName("Platform admin").
		SetRole(policy.PlatformAdmin).SetContactCenterEnabled(false).
		SetPasswordHash(hash).SetPasswordChangedAt(now).Save(ctx)
	if err != nil {
		return err
	}

	signIn := func(caller, userID string) (string, error) {
		token, err := randtoken.New(nil, signin.SessionTokenPrefix)
		if err != nil {
			return "", err
		}
		s, err := db.Session.Create().SetUserID(userID).SetTokenHash(randtoken.Hash(token)).
			SetMethod(entsession.MethodPASSWORD).SetCreatedAt(now).SetLastSeenAt(now).
			SetExpiresAt(now.Add(8 * time.Hour)).Save(ctx)
		if err != nil {
			return "", err
		}
		fx.tokens[caller] = token
		return s.ID, nil
	}
	agentSession, err := signIn(callerAgent, fx.A.Agent)
	if err != nil {
		return err
	}
	for caller, userID := range map[string]string{
		callerSupervisor: fx.A.Supervisor, callerAdmin: fx.A.Admin,
		callerOtherAdmin: fx.B.Admin, callerPlatform: root.ID,
	} {
		if _, err := signIn(caller, userID); err != nil {
			return err
		}
	}
	integration, err := randtoken.New(nil, signin.APITokenPrefix)
	if err != nil {
		return err
	}
	if err := db.APIToken.Create().SetTenantID(fx.A.ID).SetName("Alpha Media Platform").
		SetRole(policy.Integration).SetTokenHash(randtoken.Hash(integration)).
		SetCreatedBy("user:" + fx.A.Admin).SetCreatedAt(now).Exec(ctx); err != nil {
		return err
	}
	fx.tokens[callerIntegration] = integration

	// A's agent is on the desktop in tab matrixTab, waiting, not in a call.
	ds, err := db.DesktopSession.Create().SetTenantID(fx.A.ID).SetUserID(fx.A.Agent).
		SetAuthSessionID(agentSession).SetClientID(matrixTab).SetRole(policy.Agent).
		SetStationType(station.DialNumber).SetDialNumber("+14155550101").
		SetTeamID(fx.A.ids[mkTeam]).SetState(station.Idle).
		SetStateChangedAt(now).SetStartedAt(now).SetLastActivityAt(now).Save(ctx)
	if err != nil {
		return err
	}
	fx.A.ids[mkDesktopSession] = ds.ID
	// A call it took earlier (ended: it blocks nothing), and the station
	// it asked to be remembered, so that the matrix reaches
	// DesktopSession.interactions and RememberedStation.team.
	if err := db.Interaction.Create().SetDesktopSessionID(ds.ID).SetInteractionID("matrix-call-0").
		SetKind(station.Conversation).SetActive(false).Exec(ctx); err != nil {
		return err
	}
	if err := db.RememberedStation.Create().SetUserID(fx.A.Agent).SetStationType(station.Extension).
		SetExtension("4711").SetTeamID(fx.A.ids[mkTeam]).Exec(ctx); err != nil {
		return err
	}

	// Everything of A that must never reach B, read back from the database
	// so that nothing A owns is forgotten.
	fx.secretsA = []string{fx.A.ID, fx.A.Name, fx.A.Slug, fx.A.Domain, integration,
		fx.tokens[callerAgent], fx.tokens[callerSupervisor], fx.tokens[callerAdmin]}
	for _, q := range []func() ([]string, error){
		func() ([]string, error) { return fx.A.tenant(db).QueryUsers().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryTeams().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryAgentProfiles().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryDialPlans().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QuerySkillProfiles().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryBanners().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryArtworks().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryAPITokens().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryDesktopSessions().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryEmailDomains().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryUsers().QuerySessions().IDs(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryUsers().Select("name").Strings(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryUsers().Select("email").Strings(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryTeams().Select("name").Strings(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryAgentProfiles().Select("name").Strings(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QuerySkillProfiles().Select("name").Strings(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryBanners().Select("message").Strings(ctx) },
		func() ([]string, error) { return fx.A.tenant(db).QueryAPITokens().Select("name").Strings(ctx) },
		func() ([]string, error) { return db.AuditEvent.Query().Where(entauditevent.TenantID(fx.A.ID)).IDs(ctx) },
	} {
		got, err := q()
		if err != nil {
			return err
		}
		fx.secretsA = append(fx.secretsA, got...)
	}
	// The built-in dial plans' names are the same in every tenant; the scan
	// looks only for what is A's own.
	for _, s := range fx.secretsA {
		if strings.Contains(strings.ToLower(s), "beta") || len(s) < 6 {
			return fmt.Errorf("secret %q of A is not distinctive enough to scan for", s)
		}
	}
	return nil
}

func (ft matrixTenant) tenant(db *ent.Client) *ent.TenantQuery {
	return db.Tenant.Query().Where(enttenant.ID(ft.ID))
}

// fillMatrixTenant writes a tenant with one of every kind of object. label names
// everything ("Alpha …"), so a scan for A's names cannot match B's.
func fillMatrixTenant(ctx context.Context, db *ent.Client, now time.Time, hash, label, slug string, withArtwork bool) (matrixTenant, error) {
	ft := matrixTenant{Name: label + " Matrix Org", Slug: slug, Domain: slug + ".test", ids: map[string]string{}}
	tn, err := db.Tenant.Create().SetName(ft.Name).SetSlug(slug).
		SetStationTypes([]station.Type{station.DialNumber, station.Extension, station.Desktop}).
		SetWebrtcEnabled(true).SetCreatedAt(now).SetUpdatedAt(now).Save(ctx)
	if err != nil {
		return ft, err
	}
	ft.ID = tn.ID
	ft.ids[mkTenant] = tn.ID
	if err := db.EmailDomain.Create().SetTenantID(tn.ID).SetDomain(ft.Domain).Exec(ctx); err != nil {
		return ft, err
	}
	for _, p := range dialnumber.DefaultPlans() {
		if err := db.DialPlan.Create().SetTenantID(tn.ID).SetName(p.Name).SetRegularExpression(p.RegularExpression).
			SetPrefix(p.Prefix).SetStrippedChars(p.StrippedChars).SetActive(p.Active).Exec(ctx); err != nil {
			return ft, err
		}
	}
	plan, err := db.DialPlan.Create().SetTenantID(tn.ID).SetName(label + " Plan").
		SetRegularExpression(`[0-9]{4,15}`).SetStrippedChars("+ ").Save(ctx)
	if err != nil {
		return ft, err
	}
	ft.ids[mkDialPlan] = plan.ID
	profile, err := db.AgentProfile.Create().SetTenantID(tn.ID).SetName(label + " Profile").
		SetDescription(label + " agents").
		SetLoginVoiceOptions([]station.Type{station.DialNumber, station.Extension, station.Desktop}).
		SetDialNumberValidation(entagentprofile.DialNumberValidationANY_FORMAT).AddDialPlanIDs(plan.ID).Save(ctx)
	if err != nil {
		return ft, err
	}
	ft.ids[mkAgentProfile] = profile.ID
	skills, err := db.SkillProfile.Create().SetTenantID(tn.ID).SetName(label + " Skills").
		SetSkills([]entschema.Skill{{Name: label + " Billing", Proficiency: 7}}).Save(ctx)
	if err != nil {
		return ft, err
	}
	ft.ids[mkSkillProfile] = skills.ID

	user := func(role policy.Role, local, name string, n int) (*ent.User, error) {
		c := db.User.Create().SetTenantID(tn.ID).SetEmail(local + "@" + ft.Domain).SetName(label + " " + name).
			SetRole(role).SetPasswordHash(hash).SetPasswordChangedAt(now)
		if role == policy.Agent || role == policy.Supervisor {
			c.SetContactCenterEnabled(true).SetAgentProfileID(profile.ID).SetSkillProfileID(skills.ID).
				SetDefaultDialNumber(fmt.Sprintf("+1415555%04d", n)).SetDefaultExtension(fmt.Sprintf("%d", 1000+n))
		} else {
			c.SetContactCenterEnabled(false)
		}
		return c.Save(ctx)
	}
	base := 100
	if label != "Alpha" {
		base = 200
	}
	admin, err := user(policy.TenantAdmin, "admin", "Admin", base)
	if err != nil {
		return ft, err
	}
	supervisor, err := user(policy.Supervisor, "supervisor", "Supervisor", base+2)
	if err != nil {
		return ft, err
	}
	agent, err := user(policy.Agent, "agent", "Agent", base+1)
	if err != nil {
		return ft, err
	}
	ft.Admin, ft.Supervisor, ft.Agent, ft.AgentEmail = admin.ID, supervisor.ID, agent.ID, agent.Email
	ft.ids[mkUser] = agent.ID

	agents, err := db.Team.Create().SetTenantID(tn.ID).SetName(label+" Agents").SetType(entteam.TypeAGENT).
		AddMemberIDs(agent.ID, supervisor.ID).Save(ctx)
	if err != nil {
		return ft, err
	}
	ft.ids[mkTeam] = agents.ID
	if err := db.Team.Create().SetTenantID(tn.ID).SetName(label + " Overflow").SetType(entteam.TypeCAPACITY).
		SetCapacity(10).Exec(ctx); err != nil {
		return ft, err
	}
	b, err := db.Banner.Create().SetTenantID(tn.ID).SetMessage(label + " telephony maintenance tonight").
		SetSeverity(entbanner.SeverityWARNING).SetCreatedAt(now).Save(ctx)
	if err != nil {
		return ft, err
	}
	ft.ids[mkBanner] = b.ID
	// A token for automation that an admin may revoke; the INTEGRATION
	// token the matrix calls with is made by fill.
	provisioning, err := randtoken.New(nil, signin.APITokenPrefix)
	if err != nil {
		return ft, err
	}
	tok, err := db.APIToken.Create().SetTenantID(tn.ID).SetName(label + " Provisioning").
		SetRole(policy.TenantAdmin).SetTokenHash(randtoken.Hash(provisioning)).
		SetCreatedBy("user:" + admin.ID).SetCreatedAt(now).Save(ctx)
	if err != nil {
		return ft, err
	}
	ft.ids[mkAPIToken] = tok.ID
	if err := db.AuditEvent.Create().SetTenantID(tn.ID).SetActor("user:" + admin.ID).SetAction("createTeam").
		SetTargetType("Team").SetTargetID(agents.ID).SetAt(now).
		SetSummary("created team " + agents.Name).Exec(ctx); err != nil {
		return ft, err
	}
	if withArtwork {
		if err := db.Artwork.Create().SetTenantID(tn.ID).SetContentType("image/png").SetData(matrixPNG).
			SetSize(len(matrixPNG)).SetEtag(fmt.Sprintf("%x", len(matrixPNG)) + "0123456789abcdef").
			SetCreatedAt(now).Exec(ctx); err != nil {
			return ft, err
		}
	}
	return ft, nil
}

// matrixPNG is a valid 1×1 PNG: the fixture's artwork and the matrix's upload.
var matrixPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
	0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
	0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
}
