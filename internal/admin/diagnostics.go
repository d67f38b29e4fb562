package admin

import (
	"context"
	"fmt"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

// DiagnosticCheck is one finding of the station-login diagnostics: what an
// admin checks when an agent cannot log in (the product's troubleshooting
// list: the agent's settings, profile, skills, dial number, teams).
type DiagnosticCheck struct {
	Name    string
	Ok      bool
	Message string
}

// The names of the checks, stable for scripts.
const (
	CheckActive               = "active"
	CheckCanSignIn            = "canSignIn"
	CheckContactCenterEnabled = "contactCenterEnabled"
	CheckAgentProfile         = "agentProfile"
	CheckStationTypes         = "stationTypes"
	CheckDefaultDialNumber    = "defaultDialNumber"
	CheckAgentTeam            = "agentTeam"
	CheckSkillProfile         = "skillProfile"
	CheckSSO                  = "sso"
	CheckTeamsIntegration     = "teamsIntegration"
	CheckTenant               = "tenant"
)

// StationLoginDiagnostics checks what a user needs to log in to a station,
// using the same rules station login does (station.Allowed, the default
// dial number read again with NormalizeDefaultDialNumber, the profile's
// dial-number validation).
func (s *Service) StationLoginDiagnostics(ctx context.Context, userID string) ([]*DiagnosticCheck, error) {
	u, err := s.loadUser(ctx, policy.DiagnosticsRead, userID)
	if err != nil {
		return nil, err
	}
	if u.TenantID == nil {
		return []*DiagnosticCheck{{Name: CheckTenant, Message: "A platform admin belongs to no organisation, so it has no station to log in to."}}, nil
	}
	t, err := s.DB.Tenant.Get(ctx, *u.TenantID)
	if err != nil {
		return nil, err
	}
	profile, err := u.QueryAgentProfile().WithDialPlans().Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	var out []*DiagnosticCheck
	add := func(name string, ok bool, format string, args ...any) {
		out = append(out, &DiagnosticCheck{Name: name, Ok: ok, Message: fmt.Sprintf(format, args...)})
	}

	if u.Active {
		add(CheckActive, true, "The user is active.")
	} else {
		add(CheckActive, false, "The user is deactivated and cannot sign in; reactivate it with updateUser.")
	}
	ok, msg, err := s.canSignIn(ctx, u, t)
	if err != nil {
		return nil, err
	}
	add(CheckCanSignIn, ok, "%s", msg)
	if u.ContactCenterEnabled {
		add(CheckContactCenterEnabled, true, "The user is enabled for the contact center.")
	} else {
		add(CheckContactCenterEnabled, false, "The user is not enabled for the contact center (contactCenterEnabled is false).")
	}

	if profile == nil {
		add(CheckAgentProfile, false, "No agent profile is assigned; assign one with updateUser (agentProfileId).")
		add(CheckStationTypes, false, "Without an agent profile no station type is allowed.")
	} else {
		add(CheckAgentProfile, true, "Agent profile %q is assigned.", profile.Name)
		allowed := station.Allowed(t.StationTypes, profile.LoginVoiceOptions, t.WebrtcEnabled)
		switch {
		case len(allowed) > 0:
			add(CheckStationTypes, true, "Allowed station types: %s.", stationTypeList(allowed))
		case !t.WebrtcEnabled && len(station.Allowed(t.StationTypes, profile.LoginVoiceOptions, true)) > 0:
			add(CheckStationTypes, false, "The profile allows only DESKTOP, which needs WebRTC; the organisation has WebRTC off.")
		default:
			add(CheckStationTypes, false, "No station type is both an organisation option (%s) and allowed by profile %q (%s).",
				stationTypeList(t.StationTypes), profile.Name, stationTypeList(profile.LoginVoiceOptions))
		}
	}

	ok, msg, err = s.checkDefaultDialNumber(ctx, u, t, profile)
	if err != nil {
		return nil, err
	}
	add(CheckDefaultDialNumber, ok, "%s", msg)

	teams, err := u.QueryTeams().Where(team.TypeEQ(team.TypeAGENT)).Order(ent.Asc(team.FieldName)).Select(team.FieldName).Strings(ctx)
	if err != nil {
		return nil, err
	}
	if len(teams) > 0 {
		add(CheckAgentTeam, true, "Agent teams: %s.", strings.Join(teams, ", "))
	} else {
		add(CheckAgentTeam, false, "The user is in no agent team, so there is no team to choose at station login.")
	}

	if sp, err := u.QuerySkillProfile().Only(ctx); err == nil {
		add(CheckSkillProfile, true, "Skill profile %q is assigned.", sp.Name)
	} else if ent.IsNotFound(err) {
		add(CheckSkillProfile, false, "No skill profile is assigned, so no contacts are routed to the user by skill.")
	} else {
		return nil, err
	}

	if t.SSOMode == tenant.SSOModeAZURE_SSO {
		missing := missingSettings(map[string]bool{"issuerUrl": t.SSOIssuerURL != "", "clientId": t.SSOClientID != "", "clientSecret": t.SSOClientSecret != ""})
		if missing == "" {
			add(CheckSSO, true, "Azure SSO is configured.")
		} else {
			add(CheckSSO, false, "The organisation signs in with Azure SSO, but its SSO settings lack %s.", missing)
		}
	} else {
		add(CheckSSO, true, "The organisation signs in with passwords; no SSO settings are needed.")
	}

	if t.TeamsEnabled {
		missing := missingSettings(map[string]bool{"issuerUrl": t.TeamsIssuerURL != "", "clientId": t.TeamsClientID != "", "clientSecret": t.TeamsClientSecret != ""})
		if missing == "" {
			add(CheckTeamsIntegration, true, "Microsoft Teams integration is configured (the user's status is %s).", u.TeamsAuthStatus)
		} else {
			add(CheckTeamsIntegration, false, "Microsoft Teams integration is enabled but its settings lack %s.", missing)
		}
	} else {
		add(CheckTeamsIntegration, true, "Microsoft Teams integration is not enabled; nothing to configure.")
	}
	return out, nil
}

// checkDefaultDialNumber reads the stored default dial number again with
// today's rules and tenant, checks that no other user of the tenant holds
// it, and that the profile's dial-number validation accepts it.
func (s *Service) checkDefaultDialNumber(ctx context.Context, u *ent.User, t *ent.Tenant, profile *ent.AgentProfile) (bool, string, error) {
	required := t.ForceDefaultDialNumber ||
		(profile != nil && profile.DialNumberValidation == agentprofile.DialNumberValidationPROVISIONED_VALUE)
	if u.DefaultDialNumber == nil {
		if required {
			return false, "No default dial number is set, but the agent must use it (the organisation forces it or the profile allows only the provisioned value).", nil
		}
		return true, "No default dial number is set; the agent enters a number at station login.", nil
	}
	dn := *u.DefaultDialNumber
	e164, err := NormalizeDefaultDialNumber(dn, t.DefaultCountry)
	if err != nil {
		return false, fmt.Sprintf("The default dial number %s is not valid: %s", dn, errorMessage(err)), nil
	}
	if e164 != dn {
		return false, fmt.Sprintf("The default dial number %s reads as %s today; set it again.", dn, e164), nil
	}
	others, err := s.DB.User.Query().Where(user.TenantID(t.ID), user.DefaultDialNumber(dn), user.IDNEQ(u.ID)).Count(ctx)
	if err != nil {
		return false, "", err
	}
	if others > 0 {
		return false, fmt.Sprintf("The default dial number %s is also the default of another user.", dn), nil
	}
	if profile != nil {
		plans := make([]dialnumber.Plan, len(profile.Edges.DialPlans))
		for i, p := range profile.Edges.DialPlans {
			plans[i] = DialPlanOf(p)
		}
		if err := dialnumber.Check(dialnumber.Rule(profile.DialNumberValidation), e164, plans, dn); err != nil {
			return false, fmt.Sprintf("The default dial number %s would be refused at station login: %s", dn, errorMessage(err)), nil
		}
	}
	return true, fmt.Sprintf("The default dial number %s is valid and unique.", dialnumber.FormatInternational(dn)), nil
}

func errorMessage(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Message
	}
	return "it cannot be checked."
}

func missingSettings(have map[string]bool) string {
	var missing []string
	for _, k := range []string{"issuerUrl", "clientId", "clientSecret"} {
		if !have[k] {
			missing = append(missing, k)
		}
	}
	return strings.Join(missing, ", ")
}
