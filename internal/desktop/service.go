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

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/oidcflow"
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

// caller is the signed-in user behind a desktop call, with its tenant.
type caller struct {
	viewer *policy.Viewer
	user   *ent.User
	tenant *ent.Tenant
	// profile, with its dial plans when loaded says so: loaded by agentOf
	// only.
	profile *ent.AgentProfile
	loaded  callerParts
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
	q := s.DB.User.Query().Where(user.ID(v.UserID), user.Active(true)).WithTenant()
	switch parts {
	case withProfile:
		q.WithAgentProfile()
	case withDialPlans:
		q.WithAgentProfile(func(q *ent.AgentProfileQuery) { q.WithDialPlans() })
	}
	u, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	if err != nil {
		return nil, err
	}
	if u.Edges.Tenant == nil {
		return nil, notContactCenterEnabled()
	}
	c := &caller{viewer: v, user: u, tenant: u.Edges.Tenant, profile: u.Edges.AgentProfile, loaded: parts}
	if memo != nil {
		memo.caller = c
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
