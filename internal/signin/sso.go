package signin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/authflow"
	"github.com/agentdesk/agentdesk/ent/emaildomain"
	"github.com/agentdesk/agentdesk/ent/session"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/oidcflow"
	"github.com/agentdesk/agentdesk/policy"
)

// Method is how an e-mail address signs in.
type Method string

// The sign-in methods of signInOptions.
const (
	MethodPassword Method = "PASSWORD"
	MethodSSO      Method = "SSO"
)

// Options is the answer of signInOptions. AuthorizationURL and State are set
// for MethodSSO only.
type Options struct {
	Method           Method
	AuthorizationURL string
	State            string
}

// SSOFlowLifetime is how long an SSO state stays usable: enough to type a
// password and pass a second factor at the identity provider.
const SSOFlowLifetime = 10 * time.Minute

// ssoScopes asks for the ID token and the claims that carry the address.
var ssoScopes = []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile}

// SignInOptions tells the client how email signs in. It is decided by the
// address's domain alone: PASSWORD for every address whose domain is not an
// SSO tenant's, known account or not, so the answer reveals no account.
//
// For an SSO tenant it starts the OpenID Connect flow of oidcflow
// (authorization code with PKCE, nonce; the state is returned to the client
// and stored only as a hash, the nonce and verifier never leave the server).
// The flow lives SSOFlowLifetime and is used once, by CompleteSSOSignIn.
func (s *Service) SignInOptions(ctx context.Context, email string) (*Options, error) {
	ctx = policy.System(ctx, "sign-in options: nobody is signed in yet")
	email = NormalizeEmail(email)
	t, err := s.ssoTenantOf(ctx, email)
	if err != nil || t == nil {
		return &Options{Method: MethodPassword}, err
	}
	if s.Config.SSORedirectURL == "" {
		return nil, errors.New("signin: SSO needs a redirect URL, and none is configured")
	}
	started, err := s.flows().Begin(ctx, s.ssoClient(t),
		oidcflow.Row{Kind: authflow.KindSSO_SIGN_IN, TenantID: t.ID, Lifetime: SSOFlowLifetime},
		// Saves the agent typing the address again at the provider.
		oauth2.SetAuthURLParam("login_hint", email))
	if err != nil {
		return nil, fmt.Errorf("signin: SSO for tenant %s: %w", t.ID, err)
	}
	return &Options{Method: MethodSSO, AuthorizationURL: started.AuthorizationURL, State: started.State}, nil
}

func (s *Service) flows() *oidcflow.Flows {
	return &oidcflow.Flows{DB: s.DB, Providers: s.providers, Rand: s.Rand, Now: s.Now}
}

// ssoClient is the tenant's client registration at its SSO issuer.
func (s *Service) ssoClient(t *ent.Tenant) oidcflow.Client {
	return oidcflow.Client{
		Issuer: t.SSOIssuerURL, ClientID: t.SSOClientID, ClientSecret: t.SSOClientSecret,
		RedirectURL: s.Config.SSORedirectURL, Scopes: ssoScopes,
	}
}

func errSSOFailed() *apperr.Error {
	return apperr.New(apperr.InvalidCredentials, "Single sign-on did not succeed. Start again from your e-mail address.")
}

// CompleteSSOSignIn finishes the flow SignInOptions started: it consumes the
// state, exchanges the code and checks the ID token (oidcflow.Finish:
// signature by the issuer's published keys, issuer, audience = the tenant's
// client id, expiry, nonce = the flow's), matches the user by the token's
// address within that tenant, and starts a session.
//
// Every failure is INVALID_CREDENTIALS, a replayed, expired or unknown state
// included: for the client each means the same thing (start again from the
// e-mail step), and INVALID_CODE is the reset code's error in the contract.
// The cause is kept for the logs.
//
// The state is consumed by one conditional UPDATE before anything else, so
// of two requests with the same state only one goes on, even when the
// provider would accept the code twice.
//
// Matching by address is safe here because the issuer is the organisation's
// own directory (a tenant-specific issuer URL, checked against the token's
// iss): a token from any other directory, where someone could have set any
// address, fails verification. A token that says its address is not
// verified is refused.
func (s *Service) CompleteSSOSignIn(ctx context.Context, state, code string, c Client) (*AuthPayload, error) {
	ctx = policy.System(ctx, "SSO sign-in: nobody is signed in yet")
	if code == "" || len(code) > oidcflow.MaxCodeLen {
		return nil, errSSOFailed()
	}
	flow, err := s.flows().Consume(ctx, authflow.KindSSO_SIGN_IN, state, false)
	if errors.Is(err, oidcflow.ErrInvalidFlow) {
		return nil, errSSOFailed().Wrap(err)
	}
	if err != nil {
		return nil, err
	}
	t := flow.Edges.Tenant
	if t == nil || t.SSOMode != tenant.SSOModeAZURE_SSO || t.SSOIssuerURL == "" {
		return nil, errSSOFailed().Wrap(errors.New("the tenant no longer signs in with SSO"))
	}
	email, err := s.ssoIdentity(ctx, t, flow, code)
	if err != nil {
		return nil, errSSOFailed().Wrap(err)
	}
	u, err := s.ssoUser(ctx, t.ID, email)
	if err != nil {
		return nil, err
	}
	return s.StartSession(ctx, s.DB, u, session.MethodSSO, c)
}

// ssoIdentity exchanges code and returns the verified ID token's address.
func (s *Service) ssoIdentity(ctx context.Context, t *ent.Tenant, flow *ent.AuthFlow, code string) (string, error) {
	idt, err := s.flows().Finish(ctx, s.ssoClient(t), flow, code)
	if err != nil {
		return "", err
	}
	var claims struct {
		Email             string `json:"email"`
		EmailVerified     *bool  `json:"email_verified"`
		PreferredUsername string `json:"preferred_username"`
	}
	if err := idt.Claims(&claims); err != nil {
		return "", fmt.Errorf("ID token claims: %w", err)
	}
	if claims.EmailVerified != nil && !*claims.EmailVerified {
		return "", errors.New("ID token: the address is not verified")
	}
	email := claims.Email
	// Azure AD often sends the address only as preferred_username (the
	// user principal name) unless the optional email claim is configured.
	if email == "" && strings.Contains(claims.PreferredUsername, "@") {
		email = claims.PreferredUsername
	}
	if email == "" {
		return "", errors.New("ID token: no e-mail address")
	}
	return NormalizeEmail(email), nil
}

// ssoUser is the active user with email in tenant tenantID, whose domain is
// one of the tenant's.
func (s *Service) ssoUser(ctx context.Context, tenantID, email string) (*ent.User, error) {
	d, ok := emailDomain(email)
	if !ok {
		return nil, errSSOFailed().Wrap(fmt.Errorf("ID token: %q is not an address", email))
	}
	inTenant, err := s.DB.EmailDomain.Query().
		Where(emaildomain.Domain(d), emaildomain.TenantID(tenantID)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if !inTenant {
		return nil, errSSOFailed().Wrap(fmt.Errorf("ID token: domain %q is not the tenant's", d))
	}
	u, err := s.DB.User.Query().
		Where(user.Email(email), user.TenantID(tenantID), user.Active(true)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, errSSOFailed().Wrap(errors.New("no active user with the ID token's address in the tenant"))
	}
	return u, err
}
