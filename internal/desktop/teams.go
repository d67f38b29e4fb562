package desktop

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/authflow"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/signin"
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

// StartTeamsAuthentication begins an OAuth 2.0 authorization-code flow with
// PKCE (S256) and an OpenID Connect nonce against the tenant's Teams issuer,
// found by OIDC discovery. The state is stored hashed; the verifier and the
// nonce never leave the server. Starting again is how an agent retries.
func (s *Service) StartTeamsAuthentication(ctx context.Context) (*TeamsAuthenticationStart, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := teamsConfigured(c.tenant); err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, s.httpClient())
	_, conf, err := s.teamsProvider(ctx, c.tenant)
	if err != nil {
		return nil, err
	}
	var state, nonce, verifier string
	for _, v := range []*string{&state, &nonce, &verifier} {
		// 32 random bytes, base64url: also a valid PKCE verifier (RFC 7636).
		if *v, err = signin.NewToken(s.Rand, ""); err != nil {
			return nil, err
		}
	}
	now := s.now()
	err = s.DB.AuthFlow.Create().
		SetTenantID(c.tenant.ID).
		SetKind(authflow.KindTEAMS).
		SetStateHash(signin.HashToken(state)).
		SetNonce(nonce).
		SetPkceVerifier(verifier).
		SetUserID(c.user.ID).
		SetCreatedAt(now).
		SetExpiresAt(now.Add(teamsFlowLifetime)).
		Exec(ctx)
	if err != nil {
		return nil, err
	}
	return &TeamsAuthenticationStart{
		AuthorizationURL: conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)),
		State:            state,
	}, nil
}

// CompleteTeamsAuthentication finishes the flow named by state with the
// provider's code: the code is exchanged (with the PKCE verifier) and the ID
// token verified (signature, issuer, audience = the tenant's client id,
// expiry, and the flow's nonce). The flow is used up first, so a state
// works once. On success the agent's Teams status is SUCCEEDED; when the
// provider refuses the code or the token does not verify it is FAILED and
// the error is returned (INVALID_CODE).
func (s *Service) CompleteTeamsAuthentication(ctx context.Context, state, code string) (station.TeamsAuthStatus, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return "", err
	}
	flow, err := s.consumeTeamsFlow(ctx, c, state, true)
	if err != nil {
		return "", err
	}
	fail := func(message string, cause error) (station.TeamsAuthStatus, error) {
		if err := s.setTeamsStatus(ctx, c, station.TeamsFailed); err != nil {
			return "", err
		}
		return "", apperr.New(apperr.InvalidCode, message).Wrap(cause)
	}
	if code == "" {
		return fail("Microsoft Teams sent no code; try again.", errors.New("empty code"))
	}
	if err := teamsConfigured(c.tenant); err != nil {
		return fail("Microsoft Teams is not set up for your organisation any more.", err)
	}
	ctx = oidc.ClientContext(ctx, s.httpClient())
	provider, conf, err := s.teamsProvider(ctx, c.tenant)
	if err != nil {
		return fail("Microsoft Teams could not be reached; try again.", err)
	}
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(flow.PkceVerifier))
	if err != nil {
		return fail("Microsoft Teams did not accept the sign-in; try again.", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return fail("Microsoft Teams did not confirm who signed in; try again.", errors.New("no id_token in the token response"))
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: c.tenant.TeamsClientID, Now: s.now}).Verify(ctx, raw)
	if err != nil {
		return fail("Microsoft Teams did not confirm who signed in; try again.", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		return fail("Microsoft Teams did not confirm who signed in; try again.", errors.New("id_token nonce does not match the flow"))
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
	if _, err := s.consumeTeamsFlow(ctx, c, state, false); err != nil {
		return "", err
	}
	if err := s.setTeamsStatus(ctx, c, station.TeamsCancelled); err != nil {
		return "", err
	}
	return station.TeamsCancelled, nil
}

// consumeTeamsFlow finds the caller's unused Teams flow by its state and
// marks it used with a conditional update, so two submits cannot both use
// it. An unknown, used, expired (when checkExpiry) or someone else's state
// is INVALID_CODE alike.
func (s *Service) consumeTeamsFlow(ctx context.Context, c *caller, state string, checkExpiry bool) (*ent.AuthFlow, error) {
	invalid := apperr.New(apperr.InvalidCode, "This Microsoft Teams sign-in is not valid any more; start it again.")
	if state == "" || len(state) > 256 {
		return nil, invalid
	}
	now := s.now()
	flow, err := s.DB.AuthFlow.Query().Where(
		authflow.StateHash(signin.HashToken(state)),
		authflow.KindEQ(authflow.KindTEAMS),
		authflow.UserID(c.user.ID),
		authflow.TenantID(c.tenant.ID),
	).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	update := s.DB.AuthFlow.Update().Where(authflow.ID(flow.ID), authflow.ConsumedAtIsNil())
	if checkExpiry {
		update = update.Where(authflow.ExpiresAtGT(now))
	}
	n, err := update.SetConsumedAt(now).Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, invalid
	}
	return flow, nil
}

func (s *Service) setTeamsStatus(ctx context.Context, c *caller, status station.TeamsAuthStatus) error {
	return s.DB.User.UpdateOneID(c.user.ID).SetTeamsAuthStatus(status).SetUpdatedAt(s.now()).Exec(ctx)
}

func teamsConfigured(t *ent.Tenant) error {
	if !t.TeamsEnabled || t.TeamsIssuerURL == "" || t.TeamsClientID == "" {
		return apperr.New(apperr.Validation, "Microsoft Teams integration is not enabled for your organisation.")
	}
	return nil
}

// teamsProvider discovers the tenant's Teams issuer and returns the OAuth 2.0
// configuration of the tenant's client there. Discovery is done per flow
// step: a changed issuer configuration takes effect at once, and a step is
// rare (an agent authenticates to Teams once).
func (s *Service) teamsProvider(ctx context.Context, t *ent.Tenant) (*oidc.Provider, *oauth2.Config, error) {
	provider, err := oidc.NewProvider(ctx, t.TeamsIssuerURL)
	if err != nil {
		return nil, nil, fmt.Errorf("desktop: Teams issuer %s: %w", t.TeamsIssuerURL, err)
	}
	return provider, &oauth2.Config{
		ClientID:     t.TeamsClientID,
		ClientSecret: t.TeamsClientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  s.Teams.RedirectURL,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}, nil
}

func (s *Service) httpClient() *http.Client {
	if s.Teams.HTTPClient != nil {
		return s.Teams.HTTPClient
	}
	return &http.Client{Timeout: 10 * time.Second}
}
