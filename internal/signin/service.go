package signin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/apitoken"
	"github.com/agentdesk/agentdesk/ent/emaildomain"
	"github.com/agentdesk/agentdesk/ent/session"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/mail"
	"github.com/agentdesk/agentdesk/internal/oidcflow"
	"github.com/agentdesk/agentdesk/internal/randtoken"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
)

// Config holds the sign-in settings an operator may change. A zero field
// takes the default in its comment.
type Config struct {
	// SessionLifetime is the absolute lifetime of a session token (8 h).
	SessionLifetime time.Duration
	// SessionIdleTimeout ends a session unused for this long (2 h).
	SessionIdleTimeout time.Duration
	// SSORedirectURL is the redirect_uri registered with the organisations'
	// identity providers: the page of the Agent Desktop that receives code
	// and state and calls completeSsoSignIn. Required for SSO.
	SSORedirectURL string
	// ProviderCacheTTL is how long an issuer's discovery document (and with
	// it its signing keys) is reused before it is fetched again (1 h).
	ProviderCacheTTL time.Duration
	// AccountThrottle slows down failed sign-ins per e-mail address, from
	// any client address, trusted or not (5 free failures, then 1 s
	// doubling up to 15 min; forgotten 1 h after the last failure).
	AccountThrottle ThrottleConfig
	// PairThrottle slows down failed sign-ins and reset codes of one e-mail
	// address from one client address (5 free failures), so one agent's
	// typos never slow down the rest of an office behind that address.
	PairThrottle ThrottleConfig
	// SprayThrottle slows down a client address from which many accounts
	// fail (password spraying): it counts accounts, not failures (50 free
	// accounts, then 1 s doubling up to 15 min).
	SprayThrottle ThrottleConfig
	// ResetRequestThrottle limits password-reset requests per client
	// address (20 free, then growing waits): each one writes a row and may
	// send a mail.
	ResetRequestThrottle ThrottleConfig
}

// DefaultConfig is Config with every default filled in.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	if c.SessionLifetime <= 0 {
		c.SessionLifetime = 8 * time.Hour
	}
	if c.SessionIdleTimeout <= 0 {
		c.SessionIdleTimeout = 2 * time.Hour
	}
	if c.ProviderCacheTTL <= 0 {
		c.ProviderCacheTTL = time.Hour
	}
	if c.SprayThrottle.FreeAttempts <= 0 {
		c.SprayThrottle.FreeAttempts = 50
	}
	if c.ResetRequestThrottle.FreeAttempts <= 0 {
		c.ResetRequestThrottle.FreeAttempts = 20
	}
	return c
}

// Mailer is where the flows put mail: Enqueue inside the transaction of the
// change the mail reports, Kick after it committed (mail.Outbox).
type Mailer interface {
	Enqueue(ctx context.Context, tx *ent.Client, m mail.Message) error
	Kick()
}

// Deps are what a Service is built from.
type Deps struct {
	DB     *ent.Client
	Hasher *Hasher
	Mail   Mailer
	// CodeKey is the HMAC key of reset codes (see ResolveCodeKey).
	CodeKey []byte
	// Providers discovers the identity providers and caches what it found;
	// nil: one with a 10 s HTTP timeout and Config.ProviderCacheTTL.
	Providers *oidcflow.Providers
	// ThrottleStore keeps the throttles' counts; nil: the database's
	// throttle_counters table (EntThrottleStore).
	ThrottleStore ThrottleStore
	Now           func() time.Time // time.Now when nil
	Rand          io.Reader        // crypto/rand when nil
	Log           *slog.Logger     // discards when nil
}

// Service runs the sign-in flows (password, SSO, password reset) and
// resolves bearer tokens to viewers. Build it with NewService; its Run
// carries out reset requests and clean-up in the background.
type Service struct {
	DB     *ent.Client
	Hasher *Hasher
	Now    func() time.Time
	Rand   io.Reader
	Config Config
	Log    *slog.Logger
	Mail   Mailer
	// Throttles slow down failed sign-ins, reset codes and reset requests.
	Throttles *SignInThrottles

	codeKey   []byte
	providers *oidcflow.Providers
	resets    chan string // normalised e-mails waiting for Run
}

// minCodeKeyLen is the shortest code key accepted: 256 bits.
const minCodeKeyLen = 32

// NewService returns a Service with cfg's zero fields defaulted.
func NewService(d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Hasher == nil || d.Mail == nil {
		return nil, errors.New("signin: NewService needs a database, a hasher and a mailer")
	}
	if len(d.CodeKey) < minCodeKeyLen {
		return nil, fmt.Errorf("signin: the code key must be at least %d bytes", minCodeKeyLen)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	if d.Providers == nil {
		d.Providers = oidcflow.NewProviders(nil, cfg.ProviderCacheTTL, d.Now)
	}
	if d.ThrottleStore == nil {
		d.ThrottleStore = NewEntThrottleStore(d.DB)
	}
	return &Service{
		DB:        d.DB,
		Hasher:    d.Hasher,
		Now:       d.Now,
		Rand:      d.Rand,
		Config:    cfg,
		Log:       d.Log,
		Mail:      d.Mail,
		Throttles: NewSignInThrottles(cfg, d.ThrottleStore, d.Now),
		codeKey:   append([]byte(nil), d.CodeKey...),
		providers: d.Providers,
		resets:    make(chan string, resetQueueLen),
	}, nil
}

// touchEvery limits how often a token's last-use time is written.
const touchEvery = time.Minute

// Input bounds. An e-mail address is at most 254 bytes (RFC 5321); longer
// input names no account, and would make throttle keys of any size. A
// password of 128 characters is at most 512 bytes of UTF-8.
const (
	maxEmailLen      = 254
	maxPasswordBytes = MaxPasswordLen * 4
)

// Client is who is calling, for throttling and session records.
type Client struct {
	Addr      string
	UserAgent string
	// Trusted: Addr is inside a tenant's trusted networks (see
	// TrustedNetworks), so the per-address throttles do not apply.
	Trusted bool
}

// AuthPayload is a new session.
type AuthPayload struct {
	Token     string
	ExpiresAt time.Time
	User      *ent.User
}

// NormalizeEmail is how e-mails are stored and compared.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// emailDomain is the part after the last "@" of a normalised address, and
// whether the address has a local part and a domain at all.
func emailDomain(email string) (string, bool) {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || len(email) > maxEmailLen {
		return "", false
	}
	return email[at+1:], true
}

// ssoTenantOf is the tenant that email's domain signs in to when that tenant
// uses SSO, else nil. It is decided by the domain alone, never by whether a
// user exists, so answers built on it reveal nothing about accounts.
func (s *Service) ssoTenantOf(ctx context.Context, email string) (*ent.Tenant, error) {
	d, ok := emailDomain(email)
	if !ok {
		return nil, nil
	}
	t, err := s.DB.EmailDomain.Query().Where(emaildomain.Domain(d)).QueryTenant().
		Where(tenant.SSOModeEQ(tenant.SSOModeAZURE_SSO)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return t, err
}

func errInvalidCredentials() *apperr.Error {
	return apperr.New(apperr.InvalidCredentials, "The e-mail address or the password is not right.")
}

func errSSORequired() *apperr.Error {
	return apperr.New(apperr.SSORequired, "Your organisation signs in with single sign-on: continue with SSO.")
}

// SignIn checks an e-mail and password and starts a session.
//
// Every failure is INVALID_CREDENTIALS and costs one hash, known account or
// not. The throttles (SignInThrottles: the account, known or not, and,
// unless the address is trusted, the account at this address and the
// address's spraying count) are charged before the hash, so a burst cannot
// run more guesses than they allow; a right password settles the charge.
//
// SSO_REQUIRED comes before the password is looked at, for every address
// whose domain belongs to an SSO tenant, known user or not. Answering it only
// after a right password would turn the tenant's stale passwords into an
// oracle (right: SSO_REQUIRED, wrong: INVALID_CREDENTIALS), and deciding by
// the domain tells nothing signInOptions does not tell anyone already. The
// one exception is a platform admin (no tenant) whose address happens to be
// in such a domain: it signs in with its password, as it cannot use the
// tenant's SSO. A user whose tenant uses SSO but whose address is outside the
// tenant's domains learns SSO_REQUIRED only after a right password.
func (s *Service) SignIn(ctx context.Context, email, password string, c Client) (*AuthPayload, error) {
	ctx = policy.System(ctx, "sign-in: nobody is signed in yet")
	email = NormalizeEmail(email)
	kind := PasswordAttempt
	if len(email) > maxEmailLen {
		kind = LongAddressAttempt
	}
	wait, charge, err := s.Throttles.Charge(ctx, email, c, kind)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		return nil, RetryAfterError(wait)
	}
	// Every way out below but a right password or SSO_REQUIRED is a
	// wrong attempt (those settle first, making this do nothing).
	defer s.settle(ctx, charge.Wrong)
	if len(email) > maxEmailLen || len(password) > maxPasswordBytes {
		s.Hasher.VerifyDummy(ctx, "")
		return nil, errInvalidCredentials()
	}

	ssoTenant, err := s.ssoTenantOf(ctx, email)
	if err != nil {
		return nil, err
	}
	// One query whether the account exists or not: its tenant is read only
	// after a right password, so a failure costs the same for both.
	u, err := s.DB.User.Query().Where(user.Email(email)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, err
	}
	if ssoTenant != nil && (u == nil || u.TenantID != nil) {
		s.settle(ctx, charge.Refund) // not a guess
		return nil, errSSORequired()
	}
	if u == nil || u.PasswordHash == nil {
		s.Hasher.VerifyDummy(ctx, password)
		return nil, errInvalidCredentials()
	}
	ok, rehash, err := s.Hasher.Verify(ctx, password, *u.PasswordHash)
	if err != nil {
		if errors.Is(err, ErrMalformedHash) {
			s.Log.ErrorContext(ctx, "sign-in: stored password hash is malformed", "user_id", u.ID, "err", err)
		}
		return nil, errInvalidCredentials().Wrap(err)
	}
	// Only a right password learns anything about the account's state.
	if !ok || !u.Active {
		return nil, errInvalidCredentials()
	}
	if u.TenantID != nil {
		t, err := s.DB.Tenant.Get(ctx, *u.TenantID)
		if err != nil {
			s.settle(ctx, charge.Right)
			return nil, err
		}
		if t.SSOMode == tenant.SSOModeAZURE_SSO {
			s.settle(ctx, charge.Right)
			return nil, errSSORequired()
		}
	}
	if rehash {
		s.rehash(ctx, u, password)
	}
	// The charge is settled and the session started in one transaction.
	var p *AuthPayload
	err = store.WithTx(ctx, s.DB, func(tx *ent.Tx) (err error) {
		if err = charge.RightIn(ctx, tx.Client()); err != nil {
			return err
		}
		p, err = s.StartSession(ctx, tx.Client(), u, session.MethodPASSWORD, c)
		return err
	})
	return p, err
}

// settle ends a throttle charge (Right, Wrong or Refund). A failure is logged
// only: the attempt's own answer stands, and the count it leaves is at
// worst one failure too many, forgotten with the key.
func (s *Service) settle(ctx context.Context, end func(context.Context) error) {
	if err := end(ctx); err != nil {
		s.Log.WarnContext(ctx, "sign-in: settling the throttles failed", "err", err)
	}
}

// rehash stores a hash of password with the current parameters. The update
// is conditional on the old hash, so a password reset that committed while
// this sign-in was verifying is not overwritten with the old password. A
// failure is logged only: the sign-in itself was right.
func (s *Service) rehash(ctx context.Context, u *ent.User, password string) {
	h, err := s.Hasher.Hash(ctx, password)
	if err == nil {
		_, err = s.DB.User.Update().
			Where(user.ID(u.ID), user.PasswordHash(*u.PasswordHash)).
			SetPasswordHash(h).Save(ctx)
	}
	if err != nil {
		s.Log.WarnContext(ctx, "sign-in: rehashing the password failed", "user_id", u.ID, "err", err)
	}
}

// StartSession creates a session token for u.
func (s *Service) StartSession(ctx context.Context, db *ent.Client, u *ent.User, method session.Method, c Client) (*AuthPayload, error) {
	token, err := randtoken.New(s.Rand, SessionTokenPrefix)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	expires := now.Add(s.Config.SessionLifetime)
	err = db.Session.Create().
		SetUserID(u.ID).
		SetTokenHash(randtoken.Hash(token)).
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
	ctx = policy.System(ctx, "authenticate: the token decides the viewer")
	if strings.HasPrefix(token, APITokenPrefix) {
		return s.authenticateAPIToken(ctx, token)
	}
	if !strings.HasPrefix(token, SessionTokenPrefix) {
		return nil, nil
	}
	now := s.Now()
	// Every request of a signed-in caller runs this: one statement, the
	// session joined to the four columns of its user that make the viewer.
	var rows []struct {
		SessionID  string         `sql:"session_id"`
		LastSeenAt time.Time      `sql:"last_seen_at"`
		UserID     string         `sql:"user_id"`
		TenantID   sql.NullString `sql:"tenant_id"`
		Role       policy.Role    `sql:"role"`
		Active     bool           `sql:"active"`
	}
	err := s.DB.Session.Query().
		Where(session.TokenHash(randtoken.Hash(token)), session.RevokedAtIsNil(), session.ExpiresAtGT(now)).
		Modify(func(sel *entsql.Selector) {
			u := entsql.Table(user.Table)
			sel.Join(u).On(sel.C(session.FieldUserID), u.C(user.FieldID)).
				Select(entsql.As(sel.C(session.FieldID), "session_id"), sel.C(session.FieldLastSeenAt),
					entsql.As(u.C(user.FieldID), "user_id"), u.C(user.FieldTenantID), u.C(user.FieldRole), u.C(user.FieldActive))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 { // token hashes are unique: none, or one
		return nil, nil
	}
	r := rows[0]
	if !r.Active || now.Sub(r.LastSeenAt) > s.Config.SessionIdleTimeout {
		return nil, nil
	}
	if now.Sub(r.LastSeenAt) > touchEvery {
		if err := s.DB.Session.UpdateOneID(r.SessionID).SetLastSeenAt(now).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return &policy.Viewer{UserID: r.UserID, Role: r.Role, SessionID: r.SessionID, TenantID: r.TenantID.String}, nil
}

func (s *Service) authenticateAPIToken(ctx context.Context, token string) (*policy.Viewer, error) {
	now := s.Now()
	t, err := s.DB.APIToken.Query().
		Where(apitoken.TokenHash(randtoken.Hash(token)), apitoken.RevokedAtIsNil(),
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
	return RevokeSession(ctx, s.DB, sessionID, s.Now(), reason)
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
	return strings.ToValidUTF8(s[:n], "")
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

// Prefixes of the two kinds of bearer token (randtoken.New). A prefix lets
// secret scanners (and people) recognise a leaked token and tell which kind
// it is.
const (
	SessionTokenPrefix = "ads_" // from signIn and completeSsoSignIn
	APITokenPrefix     = "adk_" // from createApiToken
)
