package signin

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/apitoken"
	"github.com/agentdesk/agentdesk/ent/session"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// Config holds the sign-in settings an operator may change.
type Config struct {
	// SessionLifetime is the absolute lifetime of a session token.
	SessionLifetime time.Duration
	// SessionIdleTimeout ends a session unused for this long.
	SessionIdleTimeout time.Duration
}

// DefaultConfig is 8 hours absolute, 2 hours idle.
func DefaultConfig() Config {
	return Config{SessionLifetime: 8 * time.Hour, SessionIdleTimeout: 2 * time.Hour}
}

// Service runs the sign-in flows and resolves bearer tokens to viewers.
type Service struct {
	DB     *ent.Client
	Hasher *Hasher
	Now    func() time.Time
	Rand   io.Reader
	Config Config
	// Accounts throttles failed sign-ins per e-mail; Addresses per client
	// address (with more free attempts: offices share an address).
	Accounts  *Throttle
	Addresses *Throttle
}

// touchEvery limits how often a token's last-use time is written.
const touchEvery = time.Minute

// Client is who is calling, for throttling and session records.
type Client struct {
	Addr      string
	UserAgent string
}

// AuthPayload is a new session.
type AuthPayload struct {
	Token     string
	ExpiresAt time.Time
	User      *ent.User
}

// NormalizeEmail is how e-mails are stored and compared.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// SignIn checks an e-mail and password and starts a session. Every failure
// is INVALID_CREDENTIALS and costs the same hash, known account or not.
func (s *Service) SignIn(ctx context.Context, email, password string, c Client) (*AuthPayload, error) {
	email = NormalizeEmail(email)
	if wait := s.Addresses.Attempt("ip:" + c.Addr); wait > 0 {
		return nil, RetryAfterError(wait)
	}
	if wait := s.Accounts.Attempt("acct:" + email); wait > 0 {
		return nil, RetryAfterError(wait)
	}
	invalid := apperr.New(apperr.InvalidCredentials, "the e-mail or password is not right")
	if len(password) > MaxPasswordLen*4 {
		s.Hasher.VerifyDummy(ctx, "")
		return nil, invalid
	}
	u, err := s.DB.User.Query().Where(user.Email(email)).WithTenant().Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	if u == nil || u.PasswordHash == nil {
		s.Hasher.VerifyDummy(ctx, password)
		return nil, invalid
	}
	ok, rehash, err := s.Hasher.Verify(ctx, password, *u.PasswordHash)
	if err != nil || !ok {
		return nil, invalid
	}
	// Only a right password learns about the account's state.
	if !u.Active {
		return nil, invalid
	}
	if t := u.Edges.Tenant; t != nil && t.SSOMode == "AZURE_SSO" {
		return nil, apperr.New(apperr.SSORequired, "your organisation signs in with single sign-on")
	}
	s.Accounts.Success("acct:" + email)
	if rehash {
		if h, err := s.Hasher.Hash(ctx, password); err == nil {
			_ = s.DB.User.UpdateOne(u).SetPasswordHash(h).Exec(ctx)
		}
	}
	return s.StartSession(ctx, s.DB, u, session.MethodPASSWORD, c)
}

// StartSession creates a session token for u.
func (s *Service) StartSession(ctx context.Context, db *ent.Client, u *ent.User, method session.Method, c Client) (*AuthPayload, error) {
	token, err := NewToken(s.Rand, SessionTokenPrefix)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	expires := now.Add(s.Config.SessionLifetime)
	err = db.Session.Create().
		SetUserID(u.ID).
		SetTokenHash(HashToken(token)).
		SetMethod(method).
		SetCreatedAt(now).
		SetLastSeenAt(now).
		SetExpiresAt(expires).
		SetClientAddr(truncate(c.Addr, 64)).
		SetUserAgent(truncate(c.UserAgent, 512)).
		Exec(ctx)
	if err != nil {
		return nil, err
	}
	return &AuthPayload{Token: token, ExpiresAt: expires, User: u}, nil
}

// Authenticate resolves a bearer token to its viewer, or nil when the token
// is unknown, expired or revoked (the caller is then anonymous).
func (s *Service) Authenticate(ctx context.Context, token string) (*policy.Viewer, error) {
	if strings.HasPrefix(token, APITokenPrefix) {
		return s.authenticateAPIToken(ctx, token)
	}
	if !strings.HasPrefix(token, SessionTokenPrefix) {
		return nil, nil
	}
	now := s.Now()
	ses, err := s.DB.Session.Query().
		Where(session.TokenHash(HashToken(token)), session.RevokedAtIsNil(), session.ExpiresAtGT(now)).
		WithUser().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u := ses.Edges.User
	if u == nil || !u.Active || now.Sub(ses.LastSeenAt) > s.Config.SessionIdleTimeout {
		return nil, nil
	}
	if now.Sub(ses.LastSeenAt) > touchEvery {
		if err := s.DB.Session.UpdateOne(ses).SetLastSeenAt(now).Exec(ctx); err != nil {
			return nil, err
		}
	}
	v := &policy.Viewer{UserID: u.ID, Role: u.Role, SessionID: ses.ID}
	if u.TenantID != nil {
		v.TenantID = *u.TenantID
	}
	return v, nil
}

func (s *Service) authenticateAPIToken(ctx context.Context, token string) (*policy.Viewer, error) {
	now := s.Now()
	t, err := s.DB.APIToken.Query().
		Where(apitoken.TokenHash(HashToken(token)), apitoken.RevokedAtIsNil(),
			apitoken.Or(apitoken.ExpiresAtIsNil(), apitoken.ExpiresAtGT(now))).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > touchEvery {
		if err := s.DB.APIToken.UpdateOne(t).SetLastUsedAt(now).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return &policy.Viewer{TenantID: t.TenantID, Role: t.Role, APITokenID: t.ID}, nil
}

// EndSession revokes one session.
func (s *Service) EndSession(ctx context.Context, sessionID, reason string) error {
	return s.DB.Session.Update().
		Where(session.ID(sessionID), session.RevokedAtIsNil()).
		SetRevokedAt(s.Now()).SetRevokedReason(truncate(reason, 128)).
		Exec(ctx)
}

// RevokeUserSessions ends every session of a user (password reset,
// deactivation), inside the caller's transaction.
func RevokeUserSessions(ctx context.Context, db *ent.Client, userID string, at time.Time, reason string) error {
	return db.Session.Update().
		Where(session.UserID(userID), session.RevokedAtIsNil()).
		SetRevokedAt(at).SetRevokedReason(truncate(reason, 128)).
		Exec(ctx)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

type clientKey struct{}

// WithClient stores who is calling (address, user agent) in ctx.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom is the caller stored by WithClient.
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}
