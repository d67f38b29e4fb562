package baseline

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/agentdesk/agentdesk/internal/randtoken"
)

// dummyHash is verified when there is no account, so a failure costs one
// hash either way (the server's rule): OWASP's parameters, zero salt and key.
var dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$" + base64.RawStdEncoding.EncodeToString(make([]byte, 16)) +
	"$" + base64.RawStdEncoding.EncodeToString(make([]byte, 32))

func invalidCredentials() error {
	return fail("INVALID_CREDENTIALS", "The e-mail address or the password is not right.")
}

// signIn is a password sign-in: the SSO check of the address's domain, the
// user by e-mail, one argon2id verify, the tenant's SSO mode, a new session.
// The server also charges and settles its sign-in throttles (rows in
// throttle_counters); the baseline has none.
func (h *Handler) signIn(ctx context.Context, _ *viewer, raw json.RawMessage) (any, error) {
	var vars struct {
		E string `json:"e"`
		P string `json:"p"`
	}
	if err := json.Unmarshal(raw, &vars); err != nil {
		return nil, fail("VALIDATION_ERROR", "bad variables")
	}
	email := strings.ToLower(strings.TrimSpace(vars.E))
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || len(email) > 254 || len(vars.P) > 512 {
		_, _ = h.verify(ctx, vars.P, dummyHash)
		return nil, invalidCredentials()
	}
	var ssoTenant sql.NullString
	err := h.db.QueryRowContext(ctx, `SELECT t.id FROM email_domains d JOIN tenants t ON t.id = d.tenant_id
		WHERE d.domain = ? AND t.sso_mode = 'AZURE_SSO'`, email[at+1:]).Scan(&ssoTenant)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	var (
		userID         string
		tenantID, hash sql.NullString
		active         bool
	)
	err = h.db.QueryRowContext(ctx, `SELECT id, tenant_id, active, password_hash FROM users WHERE email = ?`, email).
		Scan(&userID, &tenantID, &active, &hash)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if ssoTenant.Valid && (!found || tenantID.Valid) {
		return nil, fail("SSO_REQUIRED", "Your organisation signs in with single sign-on: continue with SSO.")
	}
	if !found || !hash.Valid {
		_, _ = h.verify(ctx, vars.P, dummyHash)
		return nil, invalidCredentials()
	}
	ok, err := h.verify(ctx, vars.P, hash.String)
	if err != nil {
		return nil, err
	}
	if !ok || !active {
		return nil, invalidCredentials()
	}
	if tenantID.Valid {
		var mode string
		if err := h.db.QueryRowContext(ctx, `SELECT sso_mode FROM tenants WHERE id = ?`, tenantID.String).Scan(&mode); err != nil {
			return nil, err
		}
		if mode == "AZURE_SSO" {
			return nil, fail("SSO_REQUIRED", "Your organisation signs in with single sign-on: continue with SSO.")
		}
	}
	token, err := h.startSession(ctx, userID, clientFrom(ctx))
	if err != nil {
		return nil, err
	}
	type payload struct {
		Token string `json:"token"`
	}
	return map[string]any{"signIn": payload{token}}, nil
}

// startSession stores a new session of userID and returns its token.
func (h *Handler) startSession(ctx context.Context, userID string, c client) (string, error) {
	token, err := randtoken.New(nil, sessionTokenPrefix)
	if err != nil {
		return "", err
	}
	now := h.now()
	_, err = h.db.ExecContext(ctx, `INSERT INTO sessions (id, token_hash, method, created_at, last_seen_at, expires_at,
			client_addr, user_agent, user_id) VALUES (?, ?, 'PASSWORD', ?, ?, ?, ?, ?, ?)`,
		newID("ses"), randtoken.Hash(token), now, now, now.Add(sessionLifetime), c.addr, c.userAgent, userID)
	return token, err
}

// MintSession starts a session of userID without a password, for the
// benchmark's setup: station login + sign-out needs a fresh session per
// pair, and an argon2id sign-in before each would swamp what is measured.
// agentdesk and the baseline accept it alike (it is a row of sessions).
func (h *Handler) MintSession(ctx context.Context, userID string) (string, error) {
	return h.startSession(ctx, userID, client{addr: "127.0.0.1", userAgent: "agentdesk bench"})
}

// client is who calls, for the session record.
type client struct{ addr, userAgent string }

type clientKey struct{}

func clientFrom(ctx context.Context) client {
	c, _ := ctx.Value(clientKey{}).(client)
	return c
}
