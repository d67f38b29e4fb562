// Package baseline is a hand-written net/http + database/sql +
// encoding/json handler for the operations `agentdesk bench --baseline`
// measures, and exists for that benchmark only: the server never mounts
// it. It answers the exact documents below (no GraphQL parser: it looks the
// text up) with the JSON agentdesk gives for them, on the same SQLite file
// and with the same connection settings (store.SQLiteDSN, 8 connections),
// doing the same work in spirit: the bearer token's session and user are
// looked up per request, the role is checked against the tenant, every
// query carries the tenant, the writes run in one BEGIN IMMEDIATE
// transaction, a password costs one argon2id verify.
//
// Domain rules that are not plumbing are shared rather than rewritten:
// dial numbers (internal/dialnumber) and the allowed station types
// (internal/station). What differs from agentdesk is only what a framework
// adds or saves: GraphQL parsing and execution, ent's query building and
// row decoding, casbin, the per-request loaders, the middleware.
// TestBaselineAnswersLikeAgentdesk compares the two answers so this
// handler cannot silently do less.
package baseline

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/argon2"

	"github.com/agentdesk/agentdesk/internal/randtoken"
	"github.com/agentdesk/agentdesk/internal/store"
)

// The documents the baseline answers, byte for byte as the bench sends
// them to both servers.
const (
	// StationLoginOptions is the README's selection.
	StationLoginOptions = `query { stationLoginOptions { stationTypes defaultDialNumber dialNumberLocked defaultCountry { isoCode callingCode } teams { id name } rememberedStation { stationType dialNumber } banners { message } } }`
	Users               = `query($t: ID!, $n: Int){ users(tenantId: $t, first: $n){ totalCount edges { node { id email name role teams { id name } agentProfile { id name } skillProfile { id name } } } } }`
	StationLogin        = `mutation($in: StationLoginInput!){ stationLogin(input: $in){ session { id } } }`
	SignOut             = `mutation($c: String!){ signOut(clientId: $c) }`
	SignIn              = `mutation($e: String!, $p: String!){ signIn(email: $e, password: $p){ token } }`
)

// The server's settings the baseline keeps to (internal/signin).
const (
	sessionTokenPrefix = "ads_"
	sessionLifetime    = 8 * time.Hour
	sessionIdleTimeout = 2 * time.Hour
	touchEvery         = time.Minute
)

// Handler answers the documents above on POST /graphql.
type Handler struct {
	db  *sql.DB
	now func() time.Time
	// hashes bounds concurrent argon2id runs to the cores, as agentdesk's
	// hasher does, so 16 sign-ins do not hold 16 × 19 MiB at once.
	hashes chan struct{}
	ops    map[string]operation
}

type operation func(ctx context.Context, v *viewer, vars json.RawMessage) (any, error)

// Open opens the SQLite database at sqliteURL ("sqlite:path") the way the
// server does.
func Open(sqliteURL string) (*Handler, error) {
	dsn, err := store.SQLiteDSN(sqliteURL)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	h := &Handler{db: db, now: func() time.Time { return time.Now().UTC() }, hashes: make(chan struct{}, runtime.GOMAXPROCS(0))}
	h.ops = map[string]operation{
		StationLoginOptions: h.stationLoginOptions,
		Users:               h.users,
		StationLogin:        h.stationLogin,
		SignOut:             h.signOut,
		SignIn:              h.signIn,
	}
	return h, nil
}

// Close closes the database.
func (h *Handler) Close() error { return h.db.Close() }

// apiError is an answer with a contract code.
type apiError struct{ code, message string }

func (e *apiError) Error() string { return e.code + ": " + e.message }

func fail(code, message string) error { return &apiError{code, message} }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/graphql" {
		http.NotFound(w, r)
		return
	}
	var req struct {
		Query     string          `json:"query"`
		Variables json.RawMessage `json:"variables"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, fail("VALIDATION_ERROR", "the body is not a GraphQL request"))
		return
	}
	op := h.ops[req.Query]
	if op == nil {
		writeError(w, http.StatusBadRequest, fail("VALIDATION_ERROR", "the baseline answers only its benchmark's documents"))
		return
	}
	addr, _, _ := net.SplitHostPort(r.RemoteAddr)
	ctx := context.WithValue(r.Context(), clientKey{}, client{addr: truncate(addr, 64), userAgent: truncate(r.UserAgent(), 512)})
	var v *viewer
	if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
		var err error
		if v, err = h.authenticate(ctx, strings.TrimSpace(auth[7:])); err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		if v == nil {
			writeError(w, http.StatusUnauthorized, fail("UNAUTHENTICATED", "the token is not valid"))
			return
		}
	}
	data, err := op(ctx, v, req.Variables)
	if err != nil {
		writeError(w, http.StatusOK, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Data any `json:"data"`
	}{data})
}

func writeError(w http.ResponseWriter, status int, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{"INTERNAL", err.Error()}
		status = http.StatusInternalServerError
	}
	type ext struct {
		Code string `json:"code"`
	}
	type gqlError struct {
		Message    string `json:"message"`
		Extensions ext    `json:"extensions"`
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Errors []gqlError `json:"errors"`
		Data   any        `json:"data"`
	}{Errors: []gqlError{{ae.message, ext{ae.code}}}})
}

// viewer is who calls: the token's session and its user.
type viewer struct {
	sessionID, userID, tenantID, role string
}

// authenticate resolves a session token like signin.Service.Authenticate:
// unknown, revoked, expired or idle is nobody; the last use is written at
// most once a minute.
func (h *Handler) authenticate(ctx context.Context, token string) (*viewer, error) {
	if !strings.HasPrefix(token, sessionTokenPrefix) {
		return nil, nil
	}
	now := h.now()
	var (
		v        viewer
		tenant   sql.NullString
		lastSeen time.Time
		active   bool
	)
	err := h.db.QueryRowContext(ctx, `SELECT s.id, s.last_seen_at, u.id, u.tenant_id, u.role, u.active
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`, randtoken.Hash(token), now).
		Scan(&v.sessionID, &lastSeen, &v.userID, &tenant, &v.role, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !active || now.Sub(lastSeen) > sessionIdleTimeout {
		return nil, nil
	}
	if now.Sub(lastSeen) > touchEvery {
		if _, err := h.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, now, v.sessionID); err != nil {
			return nil, err
		}
	}
	v.tenantID = tenant.String
	return &v, nil
}

// authorize is the hand-written policy for the actions used here: role in
// the viewer's own tenant, a platform admin everywhere; another tenant's
// object is NOT_FOUND.
func authorize(v *viewer, tenantID string, roles ...string) error {
	switch {
	case v == nil:
		return fail("UNAUTHENTICATED", "sign in first")
	case v.role == "PLATFORM_ADMIN":
		return nil
	case v.tenantID != tenantID:
		return fail("NOT_FOUND", "not found")
	}
	for _, r := range roles {
		if v.role == r {
			return nil
		}
	}
	return fail("FORBIDDEN", "you are not allowed to do this")
}

// newID is the schema's id: a type prefix and a UUIDv7 without dashes.
func newID(prefix string) string {
	return prefix + "_" + strings.ReplaceAll(uuid.Must(uuid.NewV7()).String(), "-", "")
}

// verify checks password against a PHC argon2id string, one hash at a time
// per core.
func (h *Handler) verify(ctx context.Context, password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("baseline: malformed hash")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, err
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	select {
	case h.hashes <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	<-h.hashes
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// placeholders is "?,?,…" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
