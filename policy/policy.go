// Package policy owns who may do what: the roles, the viewer (who calls, from
// which tenant, with which role) carried in the context, the actions, and the
// one choke point, Authorize, that every resolver asks once per operation.
//
// The decision table is a casbin model and policy embedded in the binary
// (model.conf, policy.csv) with the tenant as the domain. Roles are not kept in
// casbin: the auth middleware reads them from the database per request and
// passes them in the Viewer.
//
// The rule that matters most: an object of another tenant is NOT_FOUND, never
// FORBIDDEN, so a caller cannot learn that it exists. Authorize answers
// NOT_FOUND whenever the object belongs to another tenant than the viewer's,
// whatever the viewer's role may do in its own: resolvers load an object
// before they authorize, so a missing id is NOT_FOUND, and any other answer
// for another tenant's id would tell the caller that the id exists.
package policy

import (
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

//go:embed model.conf
var modelConf string

//go:embed policy.csv
var policyCSV string

// The scope and channel columns of policy.csv, and the channel of a request.
const (
	scopeOwn   = "own"
	scopeAll   = "*"
	channelAny = "any"
	viaSession = "session"
	viaToken   = "token"
)

// Enforcer answers authorization questions from the embedded policy. It is
// built once at start and safe for concurrent use; the policy never changes
// while the process runs.
type Enforcer struct {
	casbin *casbin.SyncedEnforcer
	// decisions remembers casbin's answers by decisionKey. The policy never
	// changes while the process runs, and the key holds everything the
	// matcher reads, so a remembered answer is casbin's answer; a request
	// that reads a list of 100 users with their teams and profiles asks
	// hundreds of questions, casbin's evaluation of its matcher cost 20–50
	// µs each, and a map look-up costs well under one.
	decisions sync.Map // decisionKey → bool
	// may[role][action]: whether the role may do the action in its own tenant
	// through some channel. Derived from the policy's lines once, in New.
	may map[Role]map[Action]bool
}

// New builds the enforcer from the embedded model and policy. It fails when
// policy.csv has a line it does not understand, so a typo stops the server
// at start rather than silently denying (or allowing) an operation.
func New() (*Enforcer, error) {
	return newEnforcer(modelConf, policyCSV)
}

func newEnforcer(modelText, policyText string) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("policy: model: %w", err)
	}
	rules, err := parsePolicy(policyText)
	if err != nil {
		return nil, err
	}
	se, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("policy: enforcer: %w", err)
	}
	// Lines are added here rather than through casbin's string adapter
	// because that adapter drops a malformed line without a word.
	if _, err := se.AddPolicies(rules); err != nil {
		return nil, fmt.Errorf("policy: load: %w", err)
	}
	e := &Enforcer{casbin: se, may: make(map[Role]map[Action]bool)}
	for _, r := range Roles() {
		e.may[r] = make(map[Action]bool)
	}
	// Any line for a role and an action lets the role do it in its own
	// tenant through some channel: every scope covers the own tenant and
	// every channel is session or token. Read from the lines rather than by
	// asking casbin for each role × action × channel, which made New cost
	// tens of milliseconds (a server start; tests start hundreds).
	for _, rule := range rules {
		e.may[Role(rule[0])][Action(rule[2])] = true
	}
	return e, nil
}

// parsePolicy reads policy.csv: "p, role, scope, action, channel" per line,
// with # comments and blank lines.
func parsePolicy(text string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = 5
	var rules [][]string
	seen := make(map[string]bool)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("policy: policy.csv: %w", err)
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		ptype, role, scope, act, channel := rec[0], Role(rec[1]), rec[2], Action(rec[3]), rec[4]
		switch {
		case ptype != "p":
			return nil, fmt.Errorf("policy: policy.csv line %d: unknown line type %q", line, ptype)
		case !role.Valid():
			return nil, fmt.Errorf("policy: policy.csv line %d: unknown role %q", line, role)
		case !act.valid():
			return nil, fmt.Errorf("policy: policy.csv line %d: unknown action %q", line, act)
		case scope != scopeOwn && scope != scopeAll:
			return nil, fmt.Errorf("policy: policy.csv line %d: scope %q is neither %q nor %q", line, scope, scopeOwn, scopeAll)
		case scope == scopeAll && role != PlatformAdmin:
			return nil, fmt.Errorf("policy: policy.csv line %d: only %s may act in every tenant", line, PlatformAdmin)
		case channel != channelAny && channel != viaSession && channel != viaToken:
			return nil, fmt.Errorf("policy: policy.csv line %d: unknown channel %q", line, channel)
		}
		key := string(role) + "\x00" + string(act)
		if seen[key] {
			return nil, fmt.Errorf("policy: policy.csv line %d: second line for %s %s", line, role, act)
		}
		seen[key] = true
		rules = append(rules, []string{string(role), scope, string(act), channel})
	}
	if len(rules) == 0 {
		return nil, errors.New("policy: policy.csv grants nothing")
	}
	return rules, nil
}

// Authorize is the one choke point: may v do act on an object owned by
// tenantID ("" for platform-level objects, such as creating a tenant or
// listing all tenants)?
//
//   - nobody signed in: UNAUTHENTICATED
//   - allowed: nil
//   - tenantID is another tenant than v's: NOT_FOUND, whether or not v's role
//     may do act in its own tenant, so that existence does not leak across
//     tenants (see the package doc)
//   - otherwise: FORBIDDEN
//
// A PLATFORM_ADMIN may do everything in every tenant. A call through an API
// token has no user behind it and never gets desktop.use or self.read;
// INTEGRATION works only through an API token and PLATFORM_ADMIN only through
// a session. Those rules are lines of policy.csv, not code here.
func (e *Enforcer) Authorize(v *Viewer, act Action, tenantID string) error {
	if !v.signedIn() {
		return apperr.New(apperr.Unauthenticated, "sign in first")
	}
	via := viaSession
	if v.IsAPIToken() {
		via = viaToken
	}
	ok, err := e.enforce(v.Role, via, v.TenantID, tenantID, act)
	if err != nil || ok {
		return err
	}
	if tenantID != "" && v.TenantID != "" && tenantID != v.TenantID {
		// The message must read like the data layer's own NOT_FOUND.
		return apperr.New(apperr.NotFound, "not found").Wrap(
			fmt.Errorf("policy: %s (%s) of tenant %q asked %s in tenant %q", v.Role, via, v.TenantID, act, tenantID))
	}
	return apperr.New(apperr.Forbidden, "you are not allowed to do this").Wrap(
		fmt.Errorf("policy: %s (%s) of tenant %q may not %s in tenant %q", v.Role, via, v.TenantID, act, tenantID))
}

// AuthorizeContext is Authorize for the viewer in ctx.
func (e *Enforcer) AuthorizeContext(ctx context.Context, act Action, tenantID string) error {
	return e.Authorize(ViewerFrom(ctx), act, tenantID)
}

// RoleMay reports whether role r may do act at all, in its own tenant, through
// a session or an API token. It is a cheap first check (a map look-up) and a
// view of the policy for tests and tools; it does not replace Authorize.
func (e *Enforcer) RoleMay(r Role, act Action) bool {
	return e.may[r][act]
}

// decisionKey is what model.conf's matcher reads of a request: the role,
// the channel, the action, and whether the object is in the viewer's own
// (non-empty) tenant. The tenants themselves are not in it, so the map
// holds at most roles × channels × actions × 2 answers whatever ids
// callers send.
type decisionKey struct {
	role Role
	via  string
	act  Action
	own  bool
}

func (e *Enforcer) enforce(r Role, via, viewerTenant, objectTenant string, act Action) (bool, error) {
	key := decisionKey{role: r, via: via, act: act, own: viewerTenant != "" && viewerTenant == objectTenant}
	if ok, known := e.decisions.Load(key); known {
		return ok.(bool), nil
	}
	ok, err := e.casbin.Enforce(string(r), via, viewerTenant, objectTenant, string(act))
	if err != nil {
		// Not an apperr: the client sees INTERNAL and the call is refused.
		return false, fmt.Errorf("policy: enforce %s %s: %w", r, act, err)
	}
	e.decisions.Store(key, ok)
	return ok, nil
}
