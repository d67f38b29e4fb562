package admin

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/emaildomain"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

// CreateTenantInput is a new tenant.
type CreateTenantInput struct {
	Name                            string
	Slug                            string
	EmailDomains                    []string
	SsoMode                         *tenant.SSOMode
	Sso                             *SsoSettingsInput
	StationTypes                    []station.Type
	WebRtcEnabled                   *bool
	ForceDefaultDialNumber          *bool
	DefaultCountry                  *string
	RememberStationCredentials      *bool
	DesktopInactivityTimeoutMinutes *int
	TeamsIntegration                *TeamsIntegrationInput
	// TrustedNetworks are CIDRs; nil keeps (update) or sets none (create).
	TrustedNetworks []string
}

// UpdateTenantInput changes the fields it sets and keeps the others.
type UpdateTenantInput struct {
	Name                            *string
	EmailDomains                    []string
	SsoMode                         *tenant.SSOMode
	Sso                             *SsoSettingsInput
	StationTypes                    []station.Type
	WebRtcEnabled                   *bool
	ForceDefaultDialNumber          *bool
	DefaultCountry                  *string
	RememberStationCredentials      *bool
	DesktopInactivityTimeoutMinutes *int
	TeamsIntegration                *TeamsIntegrationInput
	// TrustedNetworks are CIDRs; nil keeps (update) or sets none (create).
	TrustedNetworks []string
}

// SsoSettingsInput configures Azure SSO (OpenID Connect).
type SsoSettingsInput struct {
	IssuerURL    string  `json:"issuerUrl,omitempty"`
	ClientID     string  `json:"clientId,omitempty"`
	ClientSecret *string `json:"clientSecret,omitempty"`
}

// TeamsIntegrationInput configures Microsoft Teams authentication.
type TeamsIntegrationInput struct {
	Enabled      bool    `json:"enabled"`
	IssuerURL    *string `json:"issuerUrl,omitempty"`
	ClientID     *string `json:"clientId,omitempty"`
	ClientSecret *string `json:"clientSecret,omitempty"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9-]{2,40}$`)

// reservedSlugs are paths of the desktop client next to /desktop/{slug}:
// /desktop/teams-callback is where Microsoft Teams sends agents back
// (web/desktop), so no tenant's desktop URL may be it.
var reservedSlugs = []string{"teams-callback"}

// TenantSettings is the validated, complete configuration of a tenant: what
// create, update and provisioning all write.
type TenantSettings struct {
	Name                            string
	Slug                            string
	EmailDomains                    []string
	SSOMode                         tenant.SSOMode
	SSOIssuerURL, SSOClientID       string
	SSOClientSecret                 *string // nil keeps the stored secret
	StationTypes                    []station.Type
	WebRTCEnabled                   bool
	ForceDefaultDialNumber          bool
	DefaultCountry                  string
	RememberStationCredentials      bool
	DesktopInactivityTimeoutMinutes int
	TeamsEnabled                    bool
	TeamsIssuerURL, TeamsClientID   string
	TeamsClientSecret               *string
	TrustedNetworks                 []string // canonical CIDRs
}

// SettingsOf is the current configuration of t.
func SettingsOf(t *ent.Tenant, domains []string) TenantSettings {
	return TenantSettings{
		Name: t.Name, Slug: t.Slug, EmailDomains: domains,
		SSOMode: t.SSOMode, SSOIssuerURL: t.SSOIssuerURL, SSOClientID: t.SSOClientID,
		StationTypes: t.StationTypes, WebRTCEnabled: t.WebrtcEnabled,
		ForceDefaultDialNumber: t.ForceDefaultDialNumber, DefaultCountry: t.DefaultCountry,
		RememberStationCredentials:      t.RememberStationCredentials,
		DesktopInactivityTimeoutMinutes: t.DesktopInactivityTimeoutMinutes,
		TeamsEnabled:                    t.TeamsEnabled, TeamsIssuerURL: t.TeamsIssuerURL, TeamsClientID: t.TeamsClientID,
		TrustedNetworks: t.TrustedNetworks,
	}
}

// DefaultTenantSettings are the settings of a new tenant before its input.
func DefaultTenantSettings() TenantSettings {
	return TenantSettings{
		SSOMode:                         tenant.SSOModeNONE,
		StationTypes:                    []station.Type{station.DialNumber, station.Extension},
		DefaultCountry:                  "US",
		RememberStationCredentials:      true,
		DesktopInactivityTimeoutMinutes: 60,
	}
}

// Apply returns s with the fields of a create input applied.
func (s TenantSettings) ApplyCreate(in CreateTenantInput) TenantSettings {
	s.Name, s.Slug, s.EmailDomains = in.Name, in.Slug, in.EmailDomains
	if in.TrustedNetworks != nil {
		s.TrustedNetworks = in.TrustedNetworks
	}
	return s.applyCommon(in.SsoMode, in.Sso, in.StationTypes, in.WebRtcEnabled, in.ForceDefaultDialNumber,
		in.DefaultCountry, in.RememberStationCredentials, in.DesktopInactivityTimeoutMinutes, in.TeamsIntegration)
}

// ApplyUpdate returns s with the fields an update input sets applied.
func (s TenantSettings) ApplyUpdate(in UpdateTenantInput) TenantSettings {
	if in.Name != nil {
		s.Name = *in.Name
	}
	if in.EmailDomains != nil {
		s.EmailDomains = in.EmailDomains
	}
	if in.TrustedNetworks != nil {
		s.TrustedNetworks = in.TrustedNetworks
	}
	return s.applyCommon(in.SsoMode, in.Sso, in.StationTypes, in.WebRtcEnabled, in.ForceDefaultDialNumber,
		in.DefaultCountry, in.RememberStationCredentials, in.DesktopInactivityTimeoutMinutes, in.TeamsIntegration)
}

func (s TenantSettings) applyCommon(mode *tenant.SSOMode, sso *SsoSettingsInput, types []station.Type,
	webrtc, force *bool, country *string, remember *bool, timeout *int, teams *TeamsIntegrationInput) TenantSettings {
	if mode != nil {
		s.SSOMode = *mode
	}
	if sso != nil {
		s.SSOIssuerURL, s.SSOClientID, s.SSOClientSecret = sso.IssuerURL, sso.ClientID, sso.ClientSecret
	}
	if types != nil {
		s.StationTypes = types
	}
	setIf(&s.WebRTCEnabled, webrtc)
	setIf(&s.ForceDefaultDialNumber, force)
	setIf(&s.DefaultCountry, country)
	setIf(&s.RememberStationCredentials, remember)
	setIf(&s.DesktopInactivityTimeoutMinutes, timeout)
	if teams != nil {
		s.TeamsEnabled = teams.Enabled
		setIf(&s.TeamsIssuerURL, teams.IssuerURL)
		setIf(&s.TeamsClientID, teams.ClientID)
		s.TeamsClientSecret = teams.ClientSecret
	}
	return s
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Validate checks and normalises the settings.
func (s TenantSettings) Validate() (TenantSettings, error) {
	var err error
	if s.Name, err = requireName("name", s.Name, 100); err != nil {
		return s, err
	}
	s.Slug = strings.TrimSpace(s.Slug)
	if !slugPattern.MatchString(s.Slug) {
		return s, apperr.Invalid("slug", "slug must be 2 to 40 characters of a-z, 0-9 and -")
	}
	if slices.Contains(reservedSlugs, s.Slug) {
		return s, apperr.Invalid("slug", fmt.Sprintf("slug %q is reserved for the desktop client; choose another", s.Slug))
	}
	if s.EmailDomains, err = normaliseDomains(s.EmailDomains); err != nil {
		return s, err
	}
	types := map[station.Type]bool{}
	for _, t := range s.StationTypes {
		if types[t] {
			return s, apperr.Invalid("stationTypes", fmt.Sprintf("station type %s is listed twice", t))
		}
		types[t] = true
	}
	if types[station.Desktop] && !s.WebRTCEnabled {
		return s, apperr.Invalid("stationTypes", "DESKTOP requires webRtcEnabled")
	}
	c, ok := dialnumber.LookupCountry(strings.TrimSpace(s.DefaultCountry))
	if !ok {
		return s, apperr.Invalid("defaultCountry", fmt.Sprintf("unknown country %q: use an ISO 3166 code such as US or GB", s.DefaultCountry))
	}
	s.DefaultCountry = c.ISOCode
	if m := s.DesktopInactivityTimeoutMinutes; m < 3 || m > 10000 {
		return s, apperr.Invalid("desktopInactivityTimeoutMinutes", "desktopInactivityTimeoutMinutes must be between 3 and 10000")
	}
	if s.SSOMode != tenant.SSOModeNONE && s.SSOMode != tenant.SSOModeAZURE_SSO {
		return s, apperr.Invalid("ssoMode", "unknown ssoMode")
	}
	if s.SSOMode == tenant.SSOModeAZURE_SSO || s.SSOIssuerURL != "" {
		if s.SSOIssuerURL, err = issuerURL("sso.issuerUrl", s.SSOIssuerURL); err != nil {
			return s, err
		}
		if s.SSOClientID, err = requireName("sso.clientId", s.SSOClientID, 255); err != nil {
			return s, err
		}
	}
	if s.TeamsEnabled || s.TeamsIssuerURL != "" {
		if s.TeamsIssuerURL, err = issuerURL("teamsIntegration.issuerUrl", s.TeamsIssuerURL); err != nil {
			return s, err
		}
		if s.TeamsClientID, err = requireName("teamsIntegration.clientId", s.TeamsClientID, 255); err != nil {
			return s, err
		}
	}
	if s.TrustedNetworks, err = normaliseNetworks(s.TrustedNetworks); err != nil {
		return s, err
	}
	for field, secret := range map[string]*string{"sso.clientSecret": s.SSOClientSecret, "teamsIntegration.clientSecret": s.TeamsClientSecret} {
		if secret != nil && len(*secret) > 1024 {
			return s, apperr.Invalid(field, field+" must be at most 1024 characters")
		}
	}
	return s, nil
}

// maxTrustedNetworks bounds the list: every anonymous request checks its
// address against the networks of all tenants.
const maxTrustedNetworks = 50

// normaliseNetworks checks trusted networks: CIDRs in canonical form (the
// address masked to its prefix), none listed twice, sorted. A network wider
// than /8 (IPv4) or /32 (IPv6) is refused: it would exempt a large part of
// the internet from the per-address limits.
func normaliseNetworks(in []string) ([]string, error) {
	if len(in) > maxTrustedNetworks {
		return nil, apperr.Invalid("trustedNetworks", fmt.Sprintf("at most %d trusted networks", maxTrustedNetworks))
	}
	out := make([]string, 0, len(in))
	for _, raw := range in {
		p, err := netip.ParsePrefix(strings.TrimSpace(raw))
		if err != nil {
			return nil, apperr.Invalid("trustedNetworks", fmt.Sprintf("%q is not a network in CIDR notation such as 203.0.113.0/24", truncateRunes(raw, 64)))
		}
		p = p.Masked()
		if minBits := map[bool]int{true: 8, false: 32}[p.Addr().Is4()]; p.Bits() < minBits {
			return nil, apperr.Invalid("trustedNetworks", fmt.Sprintf("%s is too wide: at most /%d", p, minBits))
		}
		c := p.String()
		if slices.Contains(out, c) {
			return nil, apperr.Invalid("trustedNetworks", fmt.Sprintf("%s is listed twice", c))
		}
		out = append(out, c)
	}
	slices.Sort(out)
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func networkList(n []string) string {
	if len(n) == 0 {
		return "none"
	}
	return strings.Join(n, ", ")
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

var domainLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func normaliseDomains(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, apperr.Invalid("emailDomains", "at least one e-mail domain is required")
	}
	if len(in) > 50 {
		return nil, apperr.Invalid("emailDomains", "at most 50 e-mail domains")
	}
	out := make([]string, 0, len(in))
	for _, d := range in {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		labels := strings.Split(d, ".")
		ok := len(d) <= 253 && len(labels) >= 2
		for _, l := range labels {
			ok = ok && domainLabel.MatchString(l)
		}
		if !ok {
			return nil, apperr.Invalid("emailDomains", fmt.Sprintf("%q is not a domain name such as example.com", d))
		}
		if slices.Contains(out, d) {
			return nil, apperr.Invalid("emailDomains", fmt.Sprintf("%s is listed twice", d))
		}
		out = append(out, d)
	}
	slices.Sort(out)
	return out, nil
}

func issuerURL(field, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return "", apperr.Invalid(field, field+" must be an https URL (http only for localhost)")
	}
	if len(raw) > 2048 {
		return "", apperr.Invalid(field, field+" must be at most 2048 characters")
	}
	return raw, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// Tenant returns one tenant the caller may read.
func (s *Service) Tenant(ctx context.Context, id string) (*ent.Tenant, error) {
	if err := s.authorize(ctx, policy.TenantRead, id); err != nil {
		return nil, err
	}
	t, err := s.DB.Tenant.Get(ctx, id)
	return t, loadErr(err)
}

// TenantsQuery is the tenants the caller may list.
func (s *Service) TenantsQuery(ctx context.Context, search string) (*ent.TenantQuery, error) {
	q := s.DB.Tenant.Query()
	if err := s.authorize(ctx, policy.TenantList, ""); err != nil {
		// Everyone else lists only their own tenant.
		v := policy.ViewerFrom(ctx)
		if v == nil || v.TenantID == "" {
			return nil, err
		}
		if err := s.authorize(ctx, policy.TenantRead, v.TenantID); err != nil {
			return nil, err
		}
		q = q.Where(tenant.ID(v.TenantID))
	}
	if search = strings.TrimSpace(search); search != "" {
		q = q.Where(tenant.Or(tenant.NameContainsFold(search), tenant.SlugContainsFold(search)))
	}
	return q, nil
}

// EmailDomains lists a tenant's domains.
func (s *Service) EmailDomains(ctx context.Context, t *ent.Tenant) ([]string, error) {
	return t.QueryEmailDomains().Order(emaildomain.ByDomain()).Select(emaildomain.FieldDomain).Strings(ctx)
}

// CreateTenant creates a tenant with the built-in dial plans.
func (s *Service) CreateTenant(ctx context.Context, in CreateTenantInput) (*ent.Tenant, error) {
	if err := s.authorize(ctx, policy.TenantCreate, ""); err != nil {
		return nil, err
	}
	settings, err := DefaultTenantSettings().ApplyCreate(in).Validate()
	if err != nil {
		return nil, err
	}
	var created *ent.Tenant
	err = s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		created, err = CreateTenantTx(ctx, tx.Client(), settings)
		if err != nil {
			return Event{}, err
		}
		return Event{TenantID: created.ID, Action: "createTenant", TargetType: "Tenant", TargetID: created.ID,
			Summary: fmt.Sprintf("created tenant %s (%s); trusted networks %s", created.Name, created.Slug, networkList(created.TrustedNetworks))}, nil
	})
	if err != nil {
		return nil, err
	}
	// Detach from the committed transaction: field resolvers query through it.
	return created.Unwrap(), nil
}

// CreateTenantTx writes a new tenant with validated settings, its domains
// and the built-in dial plans.
func CreateTenantTx(ctx context.Context, db *ent.Client, s TenantSettings) (*ent.Tenant, error) {
	if exists, err := db.Tenant.Query().Where(tenant.Slug(s.Slug)).Exist(ctx); err != nil {
		return nil, err
	} else if exists {
		return nil, apperr.New(apperr.Conflict, fmt.Sprintf("slug %q is taken", s.Slug)).With("field", "slug")
	}
	c := db.Tenant.Create().SetSlug(s.Slug)
	t, err := setTenant(c.Mutation(), s, c).Save(ctx)
	if err != nil {
		return nil, err
	}
	if err := replaceDomains(ctx, db, t.ID, s.EmailDomains); err != nil {
		return nil, err
	}
	for _, p := range dialnumber.DefaultPlans() {
		if err := db.DialPlan.Create().SetTenantID(t.ID).SetName(p.Name).SetRegularExpression(p.RegularExpression).
			SetPrefix(p.Prefix).SetStrippedChars(p.StrippedChars).SetActive(p.Active).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// UpdateTenant changes a tenant's settings.
func (s *Service) UpdateTenant(ctx context.Context, id string, in UpdateTenantInput) (*ent.Tenant, error) {
	if err := s.authorize(ctx, policy.TenantUpdate, id); err != nil {
		return nil, err
	}
	var updated *ent.Tenant
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		t, err := db.Tenant.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		domains, err := s.EmailDomains(ctx, t)
		if err != nil {
			return Event{}, err
		}
		settings, err := SettingsOf(t, domains).ApplyUpdate(in).Validate()
		if err != nil {
			return Event{}, err
		}
		if updated, err = UpdateTenantTx(ctx, db, t, settings); err != nil {
			return Event{}, err
		}
		summary := "updated tenant " + t.Slug
		if !slices.Equal(t.TrustedNetworks, settings.TrustedNetworks) {
			// Who widened the networks exempt from the per-address limits,
			// and to what, must be on record.
			summary += fmt.Sprintf("; trusted networks %s (were %s)", networkList(settings.TrustedNetworks), networkList(t.TrustedNetworks))
		}
		return Event{TenantID: t.ID, Action: "updateTenant", TargetType: "Tenant", TargetID: t.ID,
			Summary: summary}, nil
	})
	if err != nil {
		return nil, err
	}
	return updated.Unwrap(), nil
}

// UpdateTenantTx writes validated settings to an existing tenant.
func UpdateTenantTx(ctx context.Context, db *ent.Client, t *ent.Tenant, s TenantSettings) (*ent.Tenant, error) {
	u := db.Tenant.UpdateOne(t)
	updated, err := setTenant(u.Mutation(), s, u).Save(ctx)
	if err != nil {
		return nil, err
	}
	return updated, replaceDomains(ctx, db, t.ID, s.EmailDomains)
}

func setTenant[B any](m *ent.TenantMutation, s TenantSettings, b B) B {
	m.SetName(s.Name)
	m.SetSSOMode(s.SSOMode)
	m.SetSSOIssuerURL(s.SSOIssuerURL)
	m.SetSSOClientID(s.SSOClientID)
	if s.SSOClientSecret != nil {
		m.SetSSOClientSecret(*s.SSOClientSecret)
	}
	m.SetStationTypes(s.StationTypes)
	m.SetWebrtcEnabled(s.WebRTCEnabled)
	m.SetForceDefaultDialNumber(s.ForceDefaultDialNumber)
	m.SetDefaultCountry(s.DefaultCountry)
	m.SetRememberStationCredentials(s.RememberStationCredentials)
	m.SetDesktopInactivityTimeoutMinutes(s.DesktopInactivityTimeoutMinutes)
	m.SetTeamsEnabled(s.TeamsEnabled)
	m.SetTeamsIssuerURL(s.TeamsIssuerURL)
	m.SetTeamsClientID(s.TeamsClientID)
	if s.TrustedNetworks == nil {
		m.ClearTrustedNetworks()
	} else {
		m.SetTrustedNetworks(s.TrustedNetworks)
	}
	if s.TeamsClientSecret != nil {
		m.SetTeamsClientSecret(*s.TeamsClientSecret)
	}
	return b
}

// replaceDomains makes a tenant's domains exactly want; a domain another
// tenant holds is a CONFLICT.
func replaceDomains(ctx context.Context, db *ent.Client, tenantID string, want []string) error {
	taken, err := db.EmailDomain.Query().
		Where(emaildomain.DomainIn(want...), emaildomain.TenantIDNEQ(tenantID)).
		Select(emaildomain.FieldDomain).Strings(policy.System(ctx, "e-mail domains are unique across tenants"))
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		return apperr.New(apperr.Conflict, fmt.Sprintf("e-mail domain %s belongs to another tenant", taken[0])).With("field", "emailDomains")
	}
	if _, err := db.EmailDomain.Delete().Where(emaildomain.TenantID(tenantID), emaildomain.DomainNotIn(want...)).Exec(ctx); err != nil {
		return err
	}
	have, err := db.EmailDomain.Query().Where(emaildomain.TenantID(tenantID)).Select(emaildomain.FieldDomain).Strings(ctx)
	if err != nil {
		return err
	}
	for _, d := range want {
		if !slices.Contains(have, d) {
			if err := db.EmailDomain.Create().SetTenantID(tenantID).SetDomain(d).Exec(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteTenant deletes a tenant and everything it owns.
func (s *Service) DeleteTenant(ctx context.Context, id string) error {
	if err := s.authorize(ctx, policy.TenantDelete, id); err != nil {
		return err
	}
	return s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		t, err := tx.Tenant.Get(ctx, id)
		if err != nil {
			return Event{}, loadErr(err)
		}
		if err := tx.Tenant.DeleteOne(t).Exec(ctx); err != nil {
			return Event{}, err
		}
		return Event{TenantID: t.ID, Action: "deleteTenant", TargetType: "Tenant", TargetID: t.ID,
			Summary: fmt.Sprintf("deleted tenant %s (%s)", t.Name, t.Slug)}, nil
	})
}
