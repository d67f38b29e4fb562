package desktop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/dialplan"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/oidcflow"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

// The end reasons of a desktop session (the product's logout reasons).
const (
	ReasonUserLogout      = "User requested logout"
	ReasonInactivity      = "Inactivity Logout"
	ReasonStationReplaced = "Station login replaced"
)

// maxClientIDLength is the longest client id a tab may make up (the column's
// limit).
const maxClientIDLength = 128

// Service runs station login and the desktop session.
type Service struct {
	DB     *ent.Client
	Policy *policy.Enforcer
	Now    func() time.Time
	// Rand is the source of the Teams flows' state, nonce and PKCE
	// verifier; nil means crypto/rand.
	Rand   io.Reader
	Events EventBroker
	Log    *slog.Logger
	Teams  TeamsConfig
}

// TeamsConfig is how the service talks to the tenants' Teams identity
// providers.
type TeamsConfig struct {
	// Providers discovers the issuers (and caches what it found); the
	// server shares one with single sign-on. Required for Teams.
	Providers *oidcflow.Providers
	// RedirectURL is the desktop page the provider sends the agent back
	// to; it hands the code and state to completeTeamsAuthentication.
	RedirectURL string
}

// now is the service's clock in UTC: times are stored as text in SQLite and
// compared as text, so they must all carry the same offset.
func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// caller is the signed-in user behind a desktop call, with its tenant and
// its agent profile: the columns the desktop calls read, loaded in one
// statement (readCaller), without the password hash or the tenant's client
// secrets. A call that needs more of the tenant reads it (the Teams
// settings: teamsTenant).
type caller struct {
	viewer *policy.Viewer
	user   callerUser
	tenant callerTenant
	// profile is nil when the user has none; its dial plans are loaded
	// when loaded says so.
	profile *callerProfile
	loaded  callerParts
}

// callerUser is what the desktop calls read of the caller's user.
type callerUser struct {
	ID                   string
	Role                 policy.Role
	ContactCenterEnabled bool
	DefaultDialNumber    *string
	DefaultExtension     *string
	TeamsAuthStatus      station.TeamsAuthStatus
}

// callerTenant is what the desktop calls read of the caller's tenant.
type callerTenant struct {
	ID                              string
	SSOMode                         tenant.SSOMode
	StationTypes                    []station.Type
	WebrtcEnabled                   bool
	ForceDefaultDialNumber          bool
	DefaultCountry                  string
	RememberStationCredentials      bool
	DesktopInactivityTimeoutMinutes int
	TeamsEnabled                    bool
}

// callerProfile is what station login reads of the caller's agent
// profile.
type callerProfile struct {
	ID                   string
	DialNumberValidation agentprofile.DialNumberValidation
	LoginVoiceOptions    []station.Type
	// DialPlans are loaded only for a call that checks a dial number.
	DialPlans []*ent.DialPlan
}

// callerParts are how much of a caller a call needs, each level with
// the ones before it.
type callerParts int

const (
	userAndTenant callerParts = iota
	withProfile               // station-login options: the profile's rule and voice options
	withDialPlans             // a dial number to check: the profile's dial plans too
)

// callerOf authorizes a desktop call (desktop.use in the caller's own
// tenant) and loads the user and its tenant. A user without a tenant (a
// platform admin) has no contact center to work in.
func (s *Service) callerOf(ctx context.Context) (*caller, error) {
	return s.loadCaller(ctx, userAndTenant)
}

// agentOf is callerOf for the calls of station login: it also loads the
// profile (with its dial plans when parts says so), and the user must be
// enabled for the contact center and hold an agent (desktop) profile.
func (s *Service) agentOf(ctx context.Context, parts callerParts) (*caller, error) {
	c, err := s.loadCaller(ctx, parts)
	if err != nil {
		return nil, err
	}
	if !c.user.ContactCenterEnabled {
		return nil, notContactCenterEnabled()
	}
	if c.profile == nil {
		return nil, apperr.New(apperr.ProfileNotAssigned, "No desktop profile is assigned to you; ask your administrator.")
	}
	return c, nil
}

// callerMemo keeps the caller one read-only operation loaded, so that
// stationLoginOptions and its teams field (or any two desktop fields of one
// query) read the user, its tenant and its profile once.
type callerMemo struct {
	mu     sync.Mutex
	caller *caller
}

type callerMemoKey struct{}

// WithCallerMemo returns a context in which the desktop calls load their
// caller once. Only for an operation that writes nothing (a query): a
// mutation may change what a later field would read.
func WithCallerMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, callerMemoKey{}, &callerMemo{})
}

// loadCaller is callerOf with the parts asked for; each call is
// authorized, and within a WithCallerMemo context the loading is done
// once (again only when a call needs more parts than were loaded).
func (s *Service) loadCaller(ctx context.Context, parts callerParts) (*caller, error) {
	v := policy.ViewerFrom(ctx)
	if err := s.Policy.AuthorizeContext(ctx, policy.DesktopUse, v.GetTenantID()); err != nil {
		return nil, err
	}
	memo, _ := ctx.Value(callerMemoKey{}).(*callerMemo)
	if memo != nil {
		memo.mu.Lock()
		defer memo.mu.Unlock()
		if c := memo.caller; c != nil && c.viewer == v && c.loaded >= parts {
			return c, nil
		}
	}
	c, err := s.readCaller(ctx, v)
	if err != nil {
		return nil, err
	}
	if parts == withDialPlans && c.profile != nil {
		c.profile.DialPlans, err = s.DB.DialPlan.Query().
			Where(dialplan.HasAgentProfilesWith(agentprofile.ID(c.profile.ID))).
			Order(dialplan.ByID()).
			All(ctx)
		if err != nil {
			return nil, err
		}
		c.loaded = withDialPlans
	}
	if memo != nil {
		memo.caller = c
	}
	return c, nil
}

// callerRow is the row readCaller reads. A column that is NULL (no
// tenant, no profile) leaves its field empty. It is flat, not the three
// caller structs embedded: ent's Scan fills embedded structs only when
// they are exported.
type callerRow struct {
	UserID                          string                            `sql:"user_id"`
	Role                            policy.Role                       `sql:"role"`
	ContactCenterEnabled            bool                              `sql:"contact_center_enabled"`
	DefaultDialNumber               *string                           `sql:"default_dial_number"`
	DefaultExtension                *string                           `sql:"default_extension"`
	TeamsAuthStatus                 station.TeamsAuthStatus           `sql:"teams_auth_status"`
	TenantID                        string                            `sql:"tenant_id"`
	SSOMode                         tenant.SSOMode                    `sql:"sso_mode"`
	StationTypes                    []station.Type                    `sql:"station_types"`
	WebrtcEnabled                   bool                              `sql:"webrtc_enabled"`
	ForceDefaultDialNumber          bool                              `sql:"force_default_dial_number"`
	DefaultCountry                  string                            `sql:"default_country"`
	RememberStationCredentials      bool                              `sql:"remember_station_credentials"`
	DesktopInactivityTimeoutMinutes int                               `sql:"desktop_inactivity_timeout_minutes"`
	TeamsEnabled                    bool                              `sql:"teams_enabled"`
	ProfileID                       string                            `sql:"profile_id"`
	DialNumberValidation            agentprofile.DialNumberValidation `sql:"dial_number_validation"`
	LoginVoiceOptions               []station.Type                    `sql:"login_voice_options"`
}

// readCaller loads the active user v signed in as, its tenant and its
// profile in one statement: the user through the tenant scope, its tenant
// and profile joined by the user's own keys (the profile only when it is
// of the user's tenant).
func (s *Service) readCaller(ctx context.Context, v *policy.Viewer) (*caller, error) {
	var rows []callerRow
	err := s.DB.User.Query().Where(user.ID(v.UserID), user.Active(true)).
		Modify(func(sel *entsql.Selector) {
			t, p := entsql.Table(tenant.Table), entsql.Table(agentprofile.Table)
			sel.LeftJoin(t).On(sel.C(user.FieldTenantID), t.C(tenant.FieldID)).
				LeftJoin(p).OnP(entsql.And(
				entsql.ColumnsEQ(p.C(agentprofile.FieldID), sel.C(user.FieldAgentProfileID)),
				entsql.ColumnsEQ(p.C(agentprofile.FieldTenantID), sel.C(user.FieldTenantID)))).
				Select(
					entsql.As(sel.C(user.FieldID), "user_id"), sel.C(user.FieldRole), sel.C(user.FieldContactCenterEnabled),
					sel.C(user.FieldDefaultDialNumber), sel.C(user.FieldDefaultExtension), sel.C(user.FieldTeamsAuthStatus),
					entsql.As(t.C(tenant.FieldID), "tenant_id"), t.C(tenant.FieldSSOMode), t.C(tenant.FieldStationTypes),
					t.C(tenant.FieldWebrtcEnabled), t.C(tenant.FieldForceDefaultDialNumber), t.C(tenant.FieldDefaultCountry),
					t.C(tenant.FieldRememberStationCredentials), t.C(tenant.FieldDesktopInactivityTimeoutMinutes),
					t.C(tenant.FieldTeamsEnabled),
					entsql.As(p.C(agentprofile.FieldID), "profile_id"), p.C(agentprofile.FieldDialNumberValidation),
					p.C(agentprofile.FieldLoginVoiceOptions))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	r := rows[0] // by primary key: one row or none
	if r.TenantID == "" {
		return nil, notContactCenterEnabled()
	}
	c := &caller{
		viewer: v,
		user: callerUser{
			ID: r.UserID, Role: r.Role, ContactCenterEnabled: r.ContactCenterEnabled,
			DefaultDialNumber: r.DefaultDialNumber, DefaultExtension: r.DefaultExtension, TeamsAuthStatus: r.TeamsAuthStatus,
		},
		tenant: callerTenant{
			ID: r.TenantID, SSOMode: r.SSOMode, StationTypes: r.StationTypes, WebrtcEnabled: r.WebrtcEnabled,
			ForceDefaultDialNumber: r.ForceDefaultDialNumber, DefaultCountry: r.DefaultCountry,
			RememberStationCredentials:      r.RememberStationCredentials,
			DesktopInactivityTimeoutMinutes: r.DesktopInactivityTimeoutMinutes, TeamsEnabled: r.TeamsEnabled,
		},
		loaded: withProfile,
	}
	if r.ProfileID != "" {
		c.profile = &callerProfile{ID: r.ProfileID, DialNumberValidation: r.DialNumberValidation, LoginVoiceOptions: r.LoginVoiceOptions}
	}
	return c, nil
}

func notContactCenterEnabled() error {
	return apperr.New(apperr.NotContactCenterEnabled, "You are not enabled for the contact center; ask your administrator.")
}

// locked reports whether the agent must use the provisioned default dial
// number (and extension): the profile says PROVISIONED_VALUE or the tenant
// forces the default.
func (c *caller) locked() bool {
	return c.tenant.ForceDefaultDialNumber ||
		(c.profile != nil && c.profile.DialNumberValidation == agentprofile.DialNumberValidationPROVISIONED_VALUE)
}

// checkClientID checks the id a tab made up for itself.
func checkClientID(id string) (string, error) {
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return "", apperr.Invalid("clientId", "clientId must not be empty")
	case utf8.RuneCountInString(id) > maxClientIDLength:
		return "", apperr.Invalid("clientId", fmt.Sprintf("clientId must be at most %d characters", maxClientIDLength))
	case strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", apperr.Invalid("clientId", "clientId must not contain control characters")
	}
	return id, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
