package desktop

import (
	"context"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/banner"
	"github.com/agentdesk/agentdesk/ent/rememberedstation"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/teammember"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

// Options is what the station-login page offers an agent.
type Options struct {
	TenantID string
	// StationTypes are the tenant's ∩ the profile's, DESKTOP only with
	// WebRTC on, in the order DIAL_NUMBER, EXTENSION, DESKTOP.
	StationTypes         []station.Type
	DefaultStationType   *station.Type
	DefaultDialNumber    *string
	DefaultExtension     *string
	DialNumberLocked     bool
	DialNumberValidation agentprofile.DialNumberValidation
	InternationalFormat  bool
	DefaultCountry       dialnumber.Country
	// RememberedStation is nil when none is saved, the tenant no longer
	// allows saving, or it was not asked for.
	RememberedStation        *ent.RememberedStation
	TeamsPrompt              bool
	TeamsStatus              station.TeamsAuthStatus
	SupportedDesktopBrowsers []string
	Roles                    []policy.Role
	// Banners are the tenant's unresolved banners, oldest first; nil when
	// not asked for.
	Banners                  []*ent.Banner
	InactivityTimeoutMinutes int
}

// OptionsReads are the parts of the options that cost a statement each,
// read only when the page asks for them (the GraphQL selection).
type OptionsReads struct {
	RememberedStation bool
	Banners           bool
}

// StationLoginOptions is what the caller's station-login page shows; the
// remembered station and the banners only when reads asks for them. It
// fails like stationLogin for an agent who cannot log in at all
// (NOT_CONTACT_CENTER_ENABLED, PROFILE_NOT_ASSIGNED), so the page can say
// so before the agent fills it in.
func (s *Service) StationLoginOptions(ctx context.Context, reads OptionsReads) (*Options, error) {
	c, err := s.agentOf(ctx, withProfile)
	if err != nil {
		return nil, err
	}
	u, t := c.user, c.tenant
	o := &Options{
		TenantID:                 t.ID,
		StationTypes:             c.stationTypes(),
		DefaultDialNumber:        u.DefaultDialNumber,
		DefaultExtension:         u.DefaultExtension,
		DialNumberLocked:         c.locked(),
		DialNumberValidation:     c.profile.DialNumberValidation,
		InternationalFormat:      true,
		DefaultCountry:           defaultCountry(t.DefaultCountry),
		TeamsStatus:              u.TeamsAuthStatus,
		TeamsPrompt:              t.TeamsEnabled && t.SSOMode != tenant.SSOModeAZURE_SSO && u.TeamsAuthStatus != station.TeamsSucceeded,
		SupportedDesktopBrowsers: SupportedDesktopBrowsers(),
		Roles:                    roles(u.Role),
		InactivityTimeoutMinutes: t.DesktopInactivityTimeoutMinutes,
	}
	if len(o.StationTypes) > 0 {
		def := o.StationTypes[0] // DIAL_NUMBER when allowed: it sorts first
		o.DefaultStationType = &def
	}
	if reads.RememberedStation && t.RememberStationCredentials {
		o.RememberedStation, err = s.DB.RememberedStation.Query().Where(rememberedstation.UserID(u.ID)).Only(ctx)
		if ent.IsNotFound(err) {
			err = nil
		}
		if err != nil {
			return nil, err
		}
	}
	if reads.Banners {
		o.Banners, err = s.DB.Banner.Query().
			Where(banner.TenantID(t.ID), banner.ResolvedAtIsNil()).
			Order(ent.Asc(banner.FieldCreatedAt), ent.Asc(banner.FieldID)).
			All(ctx)
		if err != nil {
			return nil, err
		}
	}
	return o, nil
}

// stationTypes are the station types the caller may log in with
// (station.Allowed); none without a profile.
func (c *caller) stationTypes() []station.Type {
	if c.profile == nil {
		return nil
	}
	return station.Allowed(c.tenant.StationTypes, c.profile.LoginVoiceOptions, c.tenant.WebrtcEnabled)
}

// roles are the roles a user may take on the desktop: a supervisor may
// also work as an agent.
func roles(r policy.Role) []policy.Role {
	switch r {
	case policy.Supervisor:
		return []policy.Role{policy.Agent, policy.Supervisor}
	case policy.Agent:
		return []policy.Role{policy.Agent}
	}
	return nil
}

func defaultCountry(isoCode string) dialnumber.Country {
	if c, ok := dialnumber.LookupCountry(isoCode); ok {
		return c
	}
	c, _ := dialnumber.LookupCountry("US")
	return c
}

// AgentTeams are the caller's AGENT teams whose name contains filter
// (ignoring case), by name: the team drop-down of station login.
func (s *Service) AgentTeams(ctx context.Context, filter string) ([]*ent.Team, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return nil, err
	}
	q := s.DB.Team.Query().Where(
		team.TenantID(c.tenant.ID),
		team.TypeEQ(team.TypeAGENT),
		// Through team_members alone: its user_id index answers, no join
		// to users.
		team.HasMembershipsWith(teammember.UserID(c.user.ID)),
	)
	if f := strings.TrimSpace(filter); f != "" {
		q = q.Where(team.NameContainsFold(f))
	}
	return q.Order(ent.Asc(team.FieldName), ent.Asc(team.FieldID)).All(ctx)
}

// Countries is the country drop-down of station login: every region the
// phone library knows, filtered by name, ISO code or calling code. Public.
func Countries(filter string) []dialnumber.Country { return dialnumber.Countries(filter) }

// DialNumberInput is a dial number to check before station login.
type DialNumberInput struct {
	DialNumber string
	// InternationalFormat defaults to true: DialNumber is the national
	// number of Country.
	InternationalFormat *bool
	// Country is an ISO code; the tenant's default country when empty.
	Country *string
}

// DialNumberValidationResult says whether a dial number would be accepted
// at station login, and why not.
type DialNumberValidationResult struct {
	Valid bool
	// Normalized is the E.164 form, also given when only the profile's rule
	// refused the number.
	Normalized *string
	Reason     *string
}

// ValidateDialNumber applies stationLogin's dial-number rules to a number:
// it is read (dialnumber.Normalize), then checked with the profile's rule
// and active dial plans and the tenant's lock to the default number.
func (s *Service) ValidateDialNumber(ctx context.Context, in DialNumberInput) (*DialNumberValidationResult, error) {
	c, err := s.agentOf(ctx, withDialPlans)
	if err != nil {
		return nil, err
	}
	e164, err := c.checkDialNumber(in.DialNumber, in.InternationalFormat, deref(in.Country))
	res := &DialNumberValidationResult{Valid: err == nil}
	if e164 != "" {
		res.Normalized = &e164
	}
	if err != nil {
		ae, ok := apperr.As(err)
		if !ok || (ae.Code != apperr.InvalidDialNumber && ae.Code != apperr.DialNumberLocked) {
			return nil, err
		}
		res.Reason = &ae.Message
	}
	return res, nil
}

// checkDialNumber reads an entered dial number and applies the profile's
// rule and the tenant's lock. It returns the E.164 form whenever the number
// could be read, even when a rule then refuses it.
func (c *caller) checkDialNumber(number string, internationalFormat *bool, country string) (string, error) {
	intl := internationalFormat == nil || *internationalFormat
	e164, err := dialnumber.Normalize(dialnumber.Input{
		Number:              number,
		InternationalFormat: intl,
		Country:             country,
		DefaultCountry:      c.tenant.DefaultCountry,
	})
	if err != nil {
		return "", err
	}
	provisioned := deref(c.user.DefaultDialNumber)
	if c.tenant.ForceDefaultDialNumber {
		if err := dialnumber.Check(dialnumber.ProvisionedValue, e164, nil, provisioned); err != nil {
			return e164, err
		}
	}
	return e164, dialnumber.Check(dialnumber.Rule(c.profile.DialNumberValidation), e164, c.plans(), provisioned)
}

// plans are the profile's dial plans in dialnumber's terms.
func (c *caller) plans() []dialnumber.Plan {
	var out []dialnumber.Plan
	for _, p := range c.profile.DialPlans {
		out = append(out, dialnumber.Plan{
			Name: p.Name, RegularExpression: p.RegularExpression, Prefix: p.Prefix,
			StrippedChars: p.StrippedChars, Active: p.Active,
		})
	}
	return out
}
