package desktop

import (
	"context"
	"errors"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/authflow"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/oidcflow"
	"github.com/agentdesk/agentdesk/internal/station"
)

// teamsFlowLifetime is how long a started Teams authentication may be
// completed.
const teamsFlowLifetime = 10 * time.Minute

// TeamsAuthenticationStart sends the agent's browser to the Teams identity
// provider.
type TeamsAuthenticationStart struct {
	AuthorizationURL string
	// State comes back with the code; completeTeamsAuthentication and
	// cancelTeamsAuthentication name the flow by it.
	State string
}

// StartTeamsAuthentication begins the OpenID Connect flow of oidcflow
// (PKCE, nonce, the state stored hashed) against the tenant's Teams issuer.
// Starting again is how an agent retries.
func (s *Service) StartTeamsAuthentication(ctx context.Context) (*TeamsAuthenticationStart, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.teamsTenant(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := teamsConfigured(t); err != nil {
		return nil, err
	}
	started, err := s.teamsFlows().Begin(ctx, s.teamsClient(t), oidcflow.Row{
		Kind: authflow.KindTEAMS, TenantID: c.tenant.ID, UserID: c.user.ID, Lifetime: teamsFlowLifetime,
	})
	if err != nil {
		return nil, err
	}
	return &TeamsAuthenticationStart{AuthorizationURL: started.AuthorizationURL, State: started.State}, nil
}

// CompleteTeamsAuthentication finishes the flow named by state with the
// provider's code (oidcflow.Finish: code exchange with the PKCE verifier,
// ID token verified, nonce matched). The flow is used up first, so a state
// works once. On success the agent's Teams status is SUCCEEDED; when the
// provider refuses the code or the token does not verify it is FAILED and
// the error is returned (INVALID_CODE).
func (s *Service) CompleteTeamsAuthentication(ctx context.Context, state, code string) (station.TeamsAuthStatus, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return "", err
	}
	flow, err := s.consumeTeamsFlow(ctx, c, state, false)
	if err != nil {
		return "", err
	}
	fail := func(message string, cause error) (station.TeamsAuthStatus, error) {
		if err := s.setTeamsStatus(ctx, c, station.TeamsFailed); err != nil {
			return "", err
		}
		return "", apperr.New(apperr.InvalidCode, message).Wrap(cause)
	}
	if code == "" || len(code) > oidcflow.MaxCodeLen {
		return fail("Microsoft Teams sent no code; try again.", errors.New("empty or overlong code"))
	}
	t, err := s.teamsTenant(ctx, c)
	if err != nil {
		return "", err
	}
	if err := teamsConfigured(t); err != nil {
		return fail("Microsoft Teams is not set up for your organisation any more.", err)
	}
	if _, err := s.teamsFlows().Finish(ctx, s.teamsClient(t), flow, code); err != nil {
		return fail("Microsoft Teams did not accept the sign-in; try again.", err)
	}
	if err := s.setTeamsStatus(ctx, c, station.TeamsSucceeded); err != nil {
		return "", err
	}
	return station.TeamsSucceeded, nil
}

// CancelTeamsAuthentication ends the flow named by state without a code
// (the agent closed the provider's page): the status is CANCELLED, and the
// agent may start again later.
func (s *Service) CancelTeamsAuthentication(ctx context.Context, state string) (station.TeamsAuthStatus, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return "", err
	}
	if _, err := s.consumeTeamsFlow(ctx, c, state, true); err != nil {
		return "", err
	}
	if err := s.setTeamsStatus(ctx, c, station.TeamsCancelled); err != nil {
		return "", err
	}
	return station.TeamsCancelled, nil
}

// consumeTeamsFlow uses up the caller's Teams flow named by state. An
// unknown, used, expired (unless allowExpired) or someone else's state is
// INVALID_CODE alike.
func (s *Service) consumeTeamsFlow(ctx context.Context, c *caller, state string, allowExpired bool) (*ent.AuthFlow, error) {
	flow, err := s.teamsFlows().Consume(ctx, authflow.KindTEAMS, state, allowExpired,
		authflow.UserID(c.user.ID), authflow.TenantID(c.tenant.ID))
	if errors.Is(err, oidcflow.ErrInvalidFlow) {
		return nil, apperr.New(apperr.InvalidCode, "This Microsoft Teams sign-in is not valid any more; start it again.")
	}
	return flow, err
}

func (s *Service) setTeamsStatus(ctx context.Context, c *caller, status station.TeamsAuthStatus) error {
	return s.DB.User.UpdateOneID(c.user.ID).SetTeamsAuthStatus(status).SetUpdatedAt(s.now()).Exec(ctx)
}

// teamsTenant reads the caller's tenant whole: its Teams settings (the
// issuer and the client secret) are not part of a caller.
func (s *Service) teamsTenant(ctx context.Context, c *caller) (*ent.Tenant, error) {
	return s.DB.Tenant.Get(ctx, c.tenant.ID)
}

func teamsConfigured(t *ent.Tenant) error {
	if !t.TeamsEnabled || t.TeamsIssuerURL == "" || t.TeamsClientID == "" {
		return apperr.New(apperr.Validation, "Microsoft Teams integration is not enabled for your organisation.")
	}
	return nil
}

func (s *Service) teamsFlows() *oidcflow.Flows {
	return &oidcflow.Flows{DB: s.DB, Providers: s.Teams.Providers, Rand: s.Rand, Now: s.now}
}

// teamsClient is the tenant's client registration at its Teams issuer.
func (s *Service) teamsClient(t *ent.Tenant) oidcflow.Client {
	return oidcflow.Client{
		Issuer: t.TeamsIssuerURL, ClientID: t.TeamsClientID, ClientSecret: t.TeamsClientSecret,
		RedirectURL: s.Teams.RedirectURL,
		Scopes:      []string{oidc.ScopeOpenID, "profile", "email"},
	}
}
