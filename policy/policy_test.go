package policy_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// The tenants of the matrix: the viewer's own, another one, and platform level.
const (
	acme     = "acme"
	globex   = "globex"
	platform = ""
)

var objectTenants = [3]string{acme, globex, platform}

// outcomes is the expected code of Authorize in six cells: through a session,
// for an object of acme (the viewer's tenant), of globex, and at platform
// level; then the same three through an API token. "" means allowed.
type outcomes [6]apperr.Code

const (
	ok = apperr.Code("")
	nf = apperr.NotFound
	fb = apperr.Forbidden
)

// The shapes a role's grant takes. They are written out, not derived from
// policy.csv, so a change to the policy that is not made here too fails.
var (
	// PLATFORM_ADMIN: every tenant and platform level, never through a token.
	everywhere = outcomes{ok, ok, ok, fb, fb, fb}
	// Its own tenant, through a session or a token.
	own = outcomes{ok, nf, fb, ok, nf, fb}
	// Its own tenant, only with a user behind the call.
	ownSession = outcomes{ok, nf, fb, fb, nf, fb}
	// Its own tenant, only through an API token.
	ownToken = outcomes{fb, nf, fb, ok, nf, fb}
	// Nowhere, in no way.
	never = outcomes{fb, nf, fb, fb, nf, fb}
)

// Another tenant's object is NOT_FOUND in every shape above, even where the
// role may not do the action at all: resolvers load the object before they
// authorize, so a missing id is NOT_FOUND too, and a FORBIDDEN for an id of
// another tenant would say that it exists.

var roles = []policy.Role{policy.PlatformAdmin, policy.TenantAdmin, policy.Supervisor, policy.Agent, policy.Integration}

// matrix is who may do what: one row per action, one column per role in the
// order of roles.
var matrix = []struct {
	act  policy.Action
	want [5]outcomes
}{
	//                                 PLATFORM_ADMIN TENANT_ADMIN SUPERVISOR  AGENT       INTEGRATION
	{policy.TenantCreate, [5]outcomes{everywhere, never, never, never, never}},
	{policy.TenantDelete, [5]outcomes{everywhere, never, never, never, never}},
	{policy.TenantList, [5]outcomes{everywhere, never, never, never, never}},
	{policy.TenantRead, [5]outcomes{everywhere, own, own, never, never}},
	{policy.TenantUpdate, [5]outcomes{everywhere, own, never, never, never}},
	{policy.TenantApply, [5]outcomes{everywhere, own, never, never, never}},
	{policy.ProfileRead, [5]outcomes{everywhere, own, own, never, never}},
	{policy.ProfileWrite, [5]outcomes{everywhere, own, never, never, never}},
	{policy.DialPlanRead, [5]outcomes{everywhere, own, own, never, never}},
	{policy.DialPlanWrite, [5]outcomes{everywhere, own, never, never, never}},
	{policy.TeamRead, [5]outcomes{everywhere, own, own, never, never}},
	{policy.TeamWrite, [5]outcomes{everywhere, own, never, never, never}},
	{policy.UserRead, [5]outcomes{everywhere, own, own, never, never}},
	{policy.UserWrite, [5]outcomes{everywhere, own, never, never, never}},
	{policy.UserImport, [5]outcomes{everywhere, own, never, never, never}},
	{policy.SkillProfileRead, [5]outcomes{everywhere, own, own, never, never}},
	{policy.SkillProfileWrite, [5]outcomes{everywhere, own, never, never, never}},
	{policy.BannerRead, [5]outcomes{everywhere, own, own, never, never}},
	{policy.BannerWrite, [5]outcomes{everywhere, own, never, never, never}},
	{policy.ArtworkWrite, [5]outcomes{everywhere, own, never, never, never}},
	{policy.APITokenRead, [5]outcomes{everywhere, own, never, never, never}},
	{policy.APITokenWrite, [5]outcomes{everywhere, own, never, never, never}},
	{policy.AuditRead, [5]outcomes{everywhere, own, never, never, never}},
	{policy.SessionRead, [5]outcomes{everywhere, own, own, never, never}},
	{policy.SessionForceSignOut, [5]outcomes{everywhere, own, never, never, never}},
	{policy.DiagnosticsRead, [5]outcomes{everywhere, own, own, never, never}},
	{policy.DesktopUse, [5]outcomes{everywhere, never, ownSession, ownSession, never}},
	{policy.SelfRead, [5]outcomes{everywhere, ownSession, ownSession, ownSession, never}},
	{policy.InteractionRecord, [5]outcomes{everywhere, never, never, never, ownToken}},
}

// viewer is a caller of role r through a session or an API token. Everyone
// but the platform admin belongs to acme.
func viewer(r policy.Role, token bool) *policy.Viewer {
	v := &policy.Viewer{Role: r, TenantID: acme}
	if r == policy.PlatformAdmin {
		v.TenantID = ""
	}
	if token {
		v.APITokenID = "tok-1"
	} else {
		v.UserID, v.SessionID = "user-1", "sess-1"
	}
	return v
}

func newEnforcer(tb testing.TB) *policy.Enforcer {
	tb.Helper()
	e, err := policy.New()
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return e
}

type cell struct {
	act    policy.Action
	role   policy.Role
	token  bool
	tenant string
	want   apperr.Code
}

func (c cell) String() string {
	via := "session"
	if c.token {
		via = "token"
	}
	return fmt.Sprintf("%s/%s/%s/object-tenant=%q", c.act, c.role, via, c.tenant)
}

// cells flattens the matrix: every action × role × object tenant × channel.
func cells() []cell {
	var out []cell
	for _, row := range matrix {
		for ri, r := range roles {
			for i, want := range row.want[ri] {
				out = append(out, cell{act: row.act, role: r, token: i >= 3, tenant: objectTenants[i%3], want: want})
			}
		}
	}
	return out
}

func TestAuthorizeMatrix(t *testing.T) {
	e := newEnforcer(t)
	for _, c := range cells() {
		t.Run(c.String(), func(t *testing.T) {
			err := e.Authorize(viewer(c.role, c.token), c.act, c.tenant)
			if got := apperr.CodeOf(err); got != c.want {
				t.Errorf("Authorize = %v (code %q), want code %q", err, got, c.want)
			}
			if err != nil {
				if _, isApp := apperr.As(err); !isApp {
					t.Errorf("Authorize returned a non-apperr error %v", err)
				}
			}
		})
	}
}

// TestMatrixCoversEveryAction fails when an action is added without a row in
// the matrix (policy.csv has its own check inside the package).
func TestMatrixCoversEveryAction(t *testing.T) {
	rows := make(map[policy.Action]int)
	for _, row := range matrix {
		rows[row.act]++
	}
	for _, a := range policy.Actions() {
		if rows[a] != 1 {
			t.Errorf("action %q has %d rows in the matrix, want 1", a, rows[a])
		}
		delete(rows, a)
	}
	for a := range rows {
		t.Errorf("matrix row for %q, which Actions() does not list", a)
	}
	if len(roles) != len(policy.Roles()) {
		t.Errorf("matrix has %d role columns, policy.Roles() has %d", len(roles), len(policy.Roles()))
	}
	for i, r := range policy.Roles() {
		if i < len(roles) && roles[i] != r {
			t.Errorf("matrix column %d is %s, policy.Roles() says %s", i, roles[i], r)
		}
	}
}

func TestAnonymousIsUnauthenticated(t *testing.T) {
	e := newEnforcer(t)
	nobody := []*policy.Viewer{
		nil,
		{},
		// A role and tenant but neither a user nor an API token: nobody calls.
		{Role: policy.PlatformAdmin},
		{Role: policy.TenantAdmin, TenantID: acme, SessionID: "sess-1"},
	}
	for _, a := range policy.Actions() {
		for _, tenant := range objectTenants {
			for i, v := range nobody {
				if err := e.Authorize(v, a, tenant); !apperr.Is(err, apperr.Unauthenticated) {
					t.Errorf("viewer %d: Authorize(%s, %q) = %v, want UNAUTHENTICATED", i, a, tenant, err)
				}
			}
			if err := e.AuthorizeContext(context.Background(), a, tenant); !apperr.Is(err, apperr.Unauthenticated) {
				t.Errorf("AuthorizeContext without a viewer (%s, %q) = %v, want UNAUTHENTICATED", a, tenant, err)
			}
		}
	}
}

// TestCrossTenantIsNotFound checks the rule on its own, for many tenants:
// whatever a viewer may do at home, even nothing, it gets NOT_FOUND (never
// FORBIDDEN) in any other tenant.
func TestCrossTenantIsNotFound(t *testing.T) {
	e := newEnforcer(t)
	others := []string{globex, "initech", "ACME", "acme ", "a"}
	for _, a := range policy.Actions() {
		for _, r := range roles {
			if r == policy.PlatformAdmin {
				continue
			}
			for _, token := range []bool{false, true} {
				v := viewer(r, token)
				for _, other := range others {
					if err := e.Authorize(v, a, other); !apperr.Is(err, apperr.NotFound) {
						t.Errorf("%s token=%v %s in %q = %v, want NOT_FOUND", r, token, a, other, err)
					}
				}
			}
		}
	}
}

func TestPlatformAdminEverywhere(t *testing.T) {
	e := newEnforcer(t)
	// Whether or not the middleware fills in a tenant for it.
	for _, home := range []string{"", acme} {
		v := &policy.Viewer{UserID: "root", Role: policy.PlatformAdmin, TenantID: home}
		for _, a := range policy.Actions() {
			for _, tenant := range []string{acme, globex, platform} {
				if err := e.Authorize(v, a, tenant); err != nil {
					t.Errorf("platform admin (home %q) %s in %q = %v, want allowed", home, a, tenant, err)
				}
			}
		}
	}
}

// Viewers the middleware should never build still fail closed: FORBIDDEN,
// or NOT_FOUND for another tenant's object.
func TestOddViewersAreForbidden(t *testing.T) {
	e := newEnforcer(t)
	odd := map[string]*policy.Viewer{
		"no role":                {UserID: "u", TenantID: acme},
		"unknown role":           {UserID: "u", TenantID: acme, Role: "OWNER"},
		"lower-case role":        {UserID: "u", TenantID: acme, Role: "tenant_admin"},
		"tenant role, no tenant": {UserID: "u", Role: policy.TenantAdmin},
		"agent API token":        {APITokenID: "t", TenantID: acme, Role: policy.Agent},
		"user and API token":     {UserID: "u", APITokenID: "t", TenantID: acme, Role: policy.Agent},
	}
	for name, v := range odd {
		for _, a := range policy.Actions() {
			for _, tenant := range []string{acme, globex, platform} {
				want := apperr.Forbidden
				if v.TenantID != "" && tenant != "" && tenant != v.TenantID {
					want = apperr.NotFound
				}
				if err := e.Authorize(v, a, tenant); !apperr.Is(err, want) {
					t.Errorf("%s: %s in %q = %v, want %s", name, a, tenant, err, want)
				}
			}
		}
	}
	v := viewer(policy.PlatformAdmin, false)
	for _, a := range []policy.Action{"", "tenant.*", "*", "TENANT.CREATE", "tenant.create "} {
		if err := e.Authorize(v, a, acme); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("undefined action %q = %v, want FORBIDDEN", a, err)
		}
	}
}

func TestRoleMay(t *testing.T) {
	e := newEnforcer(t)
	for _, row := range matrix {
		for ri, r := range roles {
			w := row.want[ri]
			want := w[0] == ok || w[3] == ok // at home, through a session or a token
			if got := e.RoleMay(r, row.act); got != want {
				t.Errorf("RoleMay(%s, %s) = %v, want %v", r, row.act, got, want)
			}
		}
	}
	if e.RoleMay("OWNER", policy.TenantRead) || e.RoleMay(policy.PlatformAdmin, "tenant.explode") {
		t.Error("RoleMay allows an unknown role or action")
	}
}

func TestRoleValid(t *testing.T) {
	for _, r := range policy.Roles() {
		if !r.Valid() {
			t.Errorf("%s.Valid() = false", r)
		}
	}
	for _, r := range []policy.Role{"", "OWNER", "agent", "PLATFORM_ADMIN "} {
		if r.Valid() {
			t.Errorf("%q.Valid() = true", r)
		}
	}
}

func TestViewerInContext(t *testing.T) {
	e := newEnforcer(t)
	if v := policy.ViewerFrom(context.Background()); v != nil {
		t.Fatalf("ViewerFrom(empty) = %+v, want nil", v)
	}
	v := viewer(policy.Supervisor, false)
	ctx := policy.WithViewer(context.Background(), v)
	if got := policy.ViewerFrom(ctx); got != v {
		t.Fatalf("ViewerFrom = %+v, want %+v", got, v)
	}
	if err := e.AuthorizeContext(ctx, policy.TeamRead, acme); err != nil {
		t.Errorf("AuthorizeContext(team.read, own) = %v", err)
	}
	if err := e.AuthorizeContext(ctx, policy.TeamRead, globex); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("AuthorizeContext(team.read, other) = %v, want NOT_FOUND", err)
	}
	if err := e.AuthorizeContext(ctx, policy.TeamWrite, acme); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("AuthorizeContext(team.write, own) = %v, want FORBIDDEN", err)
	}
	if policy.ViewerFrom(policy.WithViewer(ctx, nil)) != nil {
		t.Error("WithViewer(nil) does not make the call anonymous")
	}
}

func TestIsAPIToken(t *testing.T) {
	var nilViewer *policy.Viewer
	if nilViewer.IsAPIToken() {
		t.Error("nil viewer is an API token")
	}
	if viewer(policy.TenantAdmin, false).IsAPIToken() {
		t.Error("session viewer is an API token")
	}
	if !viewer(policy.TenantAdmin, true).IsAPIToken() {
		t.Error("API-token viewer is not an API token")
	}
}

// TestConcurrentAuthorize runs the whole matrix from many goroutines on one
// enforcer; run with -race.
func TestConcurrentAuthorize(t *testing.T) {
	e := newEnforcer(t)
	all := cells()
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range all {
				c := all[(i+g*37)%len(all)]
				ctx := policy.WithViewer(context.Background(), viewer(c.role, c.token))
				if got := apperr.CodeOf(e.AuthorizeContext(ctx, c.act, c.tenant)); got != c.want {
					t.Errorf("%v: got %q, want %q", c, got, c.want)
				}
				_ = e.RoleMay(c.role, c.act)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkAuthorize(b *testing.B) {
	e := newEnforcer(b)
	cases := []struct {
		name   string
		v      *policy.Viewer
		act    policy.Action
		tenant string
	}{
		{"allowed", viewer(policy.TenantAdmin, false), policy.UserWrite, acme},
		{"allowed_platform_admin", viewer(policy.PlatformAdmin, false), policy.TenantCreate, platform},
		{"forbidden", viewer(policy.Agent, false), policy.UserWrite, acme},
		{"not_found_other_tenant", viewer(policy.TenantAdmin, false), policy.UserWrite, globex},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = e.Authorize(c.v, c.act, c.tenant)
			}
		})
	}
	b.Run("allowed_parallel", func(b *testing.B) {
		b.ReportAllocs()
		v := viewer(policy.Supervisor, false)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = e.Authorize(v, policy.DesktopUse, acme)
			}
		})
	})
}
