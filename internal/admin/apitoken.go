package admin

import (
	"context"
	"fmt"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/apitoken"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/randtoken"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/policy"
)

// Lifetimes of API tokens. Every token expires: a forgotten automation
// credential should not work forever.
const (
	// DefaultAPITokenLifetime applies when createApiToken gives no expiresAt.
	DefaultAPITokenLifetime = 90 * 24 * time.Hour
	// maxAPITokenYears bounds how far ahead expiresAt may be.
	maxAPITokenYears = 2
	// MaxAPITokenName is the limit on a token's name, in characters.
	MaxAPITokenName = 80
)

// CreateAPITokenInput is a new API token for automation in one tenant.
type CreateAPITokenInput struct {
	TenantID string
	Name     string
	// Role is TENANT_ADMIN, SUPERVISOR or INTEGRATION.
	Role policy.Role
	// ExpiresAt is in the future and at most two years ahead; nil means
	// DefaultAPITokenLifetime from now.
	ExpiresAt *time.Time
}

// CreatedAPIToken is a new token: the secret, shown this once, and the
// stored record, which holds only its hash.
type CreatedAPIToken struct {
	Token    string
	APIToken *ent.APIToken
}

// apiTokenRoles are the roles a token may carry. PLATFORM_ADMIN works only
// through a signed-in user, and AGENT needs a user behind the desktop.
var apiTokenRoles = map[policy.Role]bool{
	policy.TenantAdmin: true,
	policy.Supervisor:  true,
	policy.Integration: true,
}

// APITokenRole checks the role of a new token.
func APITokenRole(r policy.Role) error {
	if !apiTokenRoles[r] {
		return apperr.Invalid("role", fmt.Sprintf("an API token's role must be TENANT_ADMIN, SUPERVISOR or INTEGRATION, not %s", r))
	}
	return nil
}

// APITokenExpiry is when a new token created at now expires.
func APITokenExpiry(now time.Time, expiresAt *time.Time) (time.Time, error) {
	if expiresAt == nil {
		return now.Add(DefaultAPITokenLifetime).UTC(), nil
	}
	exp := expiresAt.UTC()
	if !exp.After(now) {
		return time.Time{}, apperr.Invalid("expiresAt", "expiresAt must be in the future")
	}
	if exp.After(now.AddDate(maxAPITokenYears, 0, 0)) {
		return time.Time{}, apperr.Invalid("expiresAt", fmt.Sprintf("expiresAt must be at most %d years ahead", maxAPITokenYears))
	}
	return exp, nil
}

// CreateAPIToken makes a token. The token itself is returned once and never
// stored, logged or audited: only randtoken.Hash of it is kept.
func (s *Service) CreateAPIToken(ctx context.Context, in CreateAPITokenInput) (*CreatedAPIToken, error) {
	if err := s.authorize(ctx, policy.APITokenWrite, in.TenantID); err != nil {
		return nil, err
	}
	name, err := requireName("name", in.Name, MaxAPITokenName)
	if err != nil {
		return nil, err
	}
	if err := APITokenRole(in.Role); err != nil {
		return nil, err
	}
	now := s.Now()
	expires, err := APITokenExpiry(now, in.ExpiresAt)
	if err != nil {
		return nil, err
	}
	token, err := randtoken.New(s.Rand, signin.APITokenPrefix)
	if err != nil {
		return nil, err
	}
	var created *ent.APIToken
	err = s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		if err := ensureTenantExists(ctx, tx.Client(), in.TenantID); err != nil {
			return Event{}, err
		}
		created, err = tx.APIToken.Create().SetTenantID(in.TenantID).SetName(name).SetRole(in.Role).
			SetTokenHash(randtoken.Hash(token)).SetCreatedBy(Actor(ctx)).
			SetCreatedAt(now).SetExpiresAt(expires).Save(ctx)
		if err != nil {
			return Event{}, err
		}
		return Event{TenantID: in.TenantID, Action: "createApiToken", TargetType: "ApiToken", TargetID: created.ID,
			Summary: fmt.Sprintf("created %s API token %q expiring %s", in.Role, name, expires.Format(time.RFC3339))}, nil
	})
	if err != nil {
		return nil, err
	}
	return &CreatedAPIToken{Token: token, APIToken: created}, nil
}

// RevokeAPIToken stops a token from working from the next request on.
// Revoking a revoked token changes nothing: it keeps its first revokedAt.
func (s *Service) RevokeAPIToken(ctx context.Context, id string) (*ent.APIToken, error) {
	if _, err := loadOwned(ctx, s, policy.APITokenWrite, id, s.DB.APIToken.Get, func(t *ent.APIToken) string { return t.TenantID }); err != nil {
		return nil, err
	}
	var revoked *ent.APIToken
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		n, err := tx.APIToken.Update().Where(apitoken.ID(id), apitoken.RevokedAtIsNil()).SetRevokedAt(s.Now()).Save(ctx)
		if err != nil {
			return Event{}, err
		}
		if revoked, err = tx.APIToken.Get(ctx, id); err != nil {
			return Event{}, loadErr(err)
		}
		summary := fmt.Sprintf("revoked API token %q", revoked.Name)
		if n == 0 {
			summary = fmt.Sprintf("API token %q was already revoked", revoked.Name)
		}
		return Event{TenantID: revoked.TenantID, Action: "revokeApiToken", TargetType: "ApiToken", TargetID: id,
			Summary: summary}, nil
	})
	return revoked, err
}

// APITokensQuery is a tenant's tokens, revoked and expired ones included so
// an admin sees what existed.
func (s *Service) APITokensQuery(ctx context.Context, tenantID string) (*ent.APITokenQuery, error) {
	if err := s.authorizeList(ctx, policy.APITokenRead, tenantID); err != nil {
		return nil, err
	}
	return s.DB.APIToken.Query().Where(apitoken.TenantID(tenantID)), nil
}
