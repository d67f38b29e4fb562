package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

type bannerNode struct {
	ID, Message, Severity string
	CreatedAt             string
	ResolvedAt            *string
	Tenant                *struct{ ID string }
}

const (
	createBannerMutation  = `mutation($in: CreateBannerInput!){ createBanner(input:$in){ id message severity createdAt resolvedAt } }`
	resolveBannerMutation = `mutation($id: ID!){ resolveBanner(id:$id){ id message severity createdAt resolvedAt } }`
	bannersQuery          = `query($t: ID!, $all: Boolean){ banners(tenantId:$t, includeResolved:$all){
		totalCount edges{ node{ id message severity resolvedAt tenant{ id } } } } }`
)

func listBanners(t *testing.T, s *testserver.Server, token, tenantID string, all bool) []bannerNode {
	t.Helper()
	var out struct {
		Banners struct {
			TotalCount int
			Edges      []struct{ Node bannerNode }
		}
	}
	s.MustDo(token, bannersQuery, map[string]any{"t": tenantID, "all": all}, &out)
	if out.Banners.TotalCount != len(out.Banners.Edges) {
		t.Fatalf("totalCount %d, %d edges", out.Banners.TotalCount, len(out.Banners.Edges))
	}
	nodes := make([]bannerNode, len(out.Banners.Edges))
	for i, e := range out.Banners.Edges {
		nodes[i] = e.Node
	}
	return nodes
}

func TestBannerLifecycle(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := userSession(t, s, tn.ID, "admin@acme.test", policy.TenantAdmin)
	supervisor := userSession(t, s, tn.ID, "sup@acme.test", policy.Supervisor)
	agent := userSession(t, s, tn.ID, "agent@acme.test", policy.Agent)

	var info struct{ CreateBanner bannerNode }
	s.MustDo(admin, createBannerMutation, map[string]any{"in": map[string]any{
		"tenantId": tn.ID, "message": "  Voicemail is unavailable  ",
	}}, &info)
	if b := info.CreateBanner; b.Message != "Voicemail is unavailable" || b.Severity != "INFO" || b.ResolvedAt != nil {
		t.Fatalf("created %+v: want the trimmed message, INFO, unresolved", b)
	}
	var warn struct{ CreateBanner bannerNode }
	s.MustDo(admin, createBannerMutation, map[string]any{"in": map[string]any{
		"tenantId": tn.ID, "message": "Outbound calls fail", "severity": "WARNING",
	}}, &warn)
	if warn.CreateBanner.Severity != "WARNING" {
		t.Fatalf("severity = %s", warn.CreateBanner.Severity)
	}

	// Supervisors read them, with their tenant.
	got := listBanners(t, s, supervisor, tn.ID, false)
	if len(got) != 2 || got[0].ID != info.CreateBanner.ID || got[1].ID != warn.CreateBanner.ID || got[0].Tenant.ID != tn.ID {
		t.Fatalf("banners = %+v", got)
	}

	var res struct{ ResolveBanner bannerNode }
	s.MustDo(admin, resolveBannerMutation, map[string]any{"id": info.CreateBanner.ID}, &res)
	if res.ResolveBanner.ResolvedAt == nil {
		t.Fatal("resolveBanner left resolvedAt null")
	}
	first := *res.ResolveBanner.ResolvedAt
	if at, err := time.Parse(time.RFC3339Nano, first); err != nil || !at.Equal(s.Clock.Now()) {
		t.Fatalf("resolvedAt = %s, want the server's now %s", first, s.Clock.Now())
	}

	// Resolving again is harmless and keeps the first time.
	s.Clock.Advance(time.Hour)
	s.MustDo(admin, resolveBannerMutation, map[string]any{"id": info.CreateBanner.ID}, &res)
	if res.ResolveBanner.ResolvedAt == nil || *res.ResolveBanner.ResolvedAt != first {
		t.Fatalf("resolvedAt after a second resolve = %v, want %s", res.ResolveBanner.ResolvedAt, first)
	}

	if got := listBanners(t, s, admin, tn.ID, false); len(got) != 1 || got[0].ID != warn.CreateBanner.ID {
		t.Fatalf("unresolved banners = %+v", got)
	}
	if got := listBanners(t, s, admin, tn.ID, true); len(got) != 2 || got[0].ResolvedAt == nil {
		t.Fatalf("all banners = %+v", got)
	}

	// Only admins change banners; agents see theirs through the desktop, not this list.
	wantError(t, s.Do(supervisor, createBannerMutation, map[string]any{"in": map[string]any{"tenantId": tn.ID, "message": "x"}}), "FORBIDDEN", "")
	wantError(t, s.Do(supervisor, resolveBannerMutation, map[string]any{"id": warn.CreateBanner.ID}), "FORBIDDEN", "")
	wantError(t, s.Do(agent, bannersQuery, map[string]any{"t": tn.ID}), "FORBIDDEN", "")
	// Anonymous: not in the public schema (graph/public.go).
	wantError(t, s.Do("", bannersQuery, map[string]any{"t": tn.ID}), "VALIDATION_ERROR", "")

	// Each change is in the audit log: two creations, two resolves.
	actions := map[string]int{}
	for _, e := range auditPage(t, s, root, &tn.ID, 100, nil).Edges {
		actions[e.Node.Action]++
	}
	if actions["createBanner"] != 2 || actions["resolveBanner"] != 2 {
		t.Fatalf("audit actions = %v", actions)
	}
}

func TestCreateBannerRejectsBadInput(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	cases := []struct {
		name, message string
		severity      any
		code, field   string
	}{
		{"empty", "", nil, "VALIDATION_ERROR", "message"},
		{"blank", " \t ", nil, "VALIDATION_ERROR", "message"},
		{"too long", strings.Repeat("x", 281), nil, "VALIDATION_ERROR", "message"},
		{"too long in characters", strings.Repeat("é", 281), nil, "VALIDATION_ERROR", "message"},
		{"two lines", "Calls fail\nsince 9:00", nil, "VALIDATION_ERROR", "message"},
		{"control character", "Calls \x07fail", nil, "VALIDATION_ERROR", "message"},
		{"unknown severity", "Calls fail", "CRITICAL", "VALIDATION_ERROR", ""},
		{"longest", strings.Repeat("é", 280), nil, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := map[string]any{"tenantId": tn.ID, "message": c.message}
			if c.severity != nil {
				in["severity"] = c.severity
			}
			r := s.Do(root, createBannerMutation, map[string]any{"in": in})
			if c.code == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("unexpected errors %+v", r.Errors)
				}
				return
			}
			wantError(t, r, c.code, c.field)
		})
	}
	if got := listBanners(t, s, root, tn.ID, true); len(got) != 1 {
		t.Fatalf("refused banners were stored: %+v", got)
	}
	wantError(t, s.Do(root, createBannerMutation, map[string]any{"in": map[string]any{"tenantId": "ten_nope", "message": "x"}}), "NOT_FOUND", "")
	wantError(t, s.Do(root, resolveBannerMutation, map[string]any{"id": "ban_nope"}), "NOT_FOUND", "")
	wantError(t, s.Do(root, `query($t: ID!){ banners(tenantId: $t, first: 101){ totalCount } }`, map[string]any{"t": tn.ID}), "VALIDATION_ERROR", "first")
}

func TestBannersOfAnotherTenantAreNotFound(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	a := s.CreateTenant(root, "acme")
	b := s.CreateTenant(root, "globex")
	adminA := userSession(t, s, a.ID, "admin@acme.test", policy.TenantAdmin)
	var theirs struct{ CreateBanner bannerNode }
	s.MustDo(root, createBannerMutation, map[string]any{"in": map[string]any{"tenantId": b.ID, "message": "Globex only"}}, &theirs)

	wantError(t, s.Do(adminA, createBannerMutation, map[string]any{"in": map[string]any{"tenantId": b.ID, "message": "x"}}), "NOT_FOUND", "")
	wantError(t, s.Do(adminA, resolveBannerMutation, map[string]any{"id": theirs.CreateBanner.ID}), "NOT_FOUND", "")
	wantError(t, s.Do(adminA, bannersQuery, map[string]any{"t": b.ID}), "NOT_FOUND", "")
	if got := listBanners(t, s, root, b.ID, true); len(got) != 1 || got[0].ResolvedAt != nil {
		t.Fatalf("the other tenant's banner changed: %+v", got)
	}
	if got := listBanners(t, s, adminA, a.ID, true); len(got) != 0 {
		t.Fatalf("tenant A sees %+v", got)
	}
}

// Writes by id authorize the caller before they say anything about the id
// (loadOwned), as every other object's writes answer: nobody signed in
// learns anything of the id. Since anonymous documents are validated
// against the public schema (graph/public.go), such a caller does not even
// reach the resolver: the same generic VALIDATION_ERROR for both ids.
func TestWritesByIDAuthorizeBeforeLookingUp(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	var b struct{ CreateBanner bannerNode }
	s.MustDo(root, createBannerMutation, map[string]any{"in": map[string]any{"tenantId": tn.ID, "message": "Maintenance"}}, &b)
	tok := apiToken(t, s, root, tn.ID, "SUPERVISOR")
	for _, tc := range []struct{ name, query, id string }{
		{"resolveBanner of a missing id", resolveBannerMutation, "ban_missing"},
		{"resolveBanner of a real id", resolveBannerMutation, b.CreateBanner.ID},
		{"revokeApiToken of a missing id", `mutation($id: ID!){ revokeApiToken(id:$id){ id } }`, "tok_missing"},
		{"revokeApiToken of a real id", `mutation($id: ID!){ revokeApiToken(id:$id){ id } }`, tok.APIToken.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.Do("", tc.query, map[string]any{"id": tc.id}), "VALIDATION_ERROR", "")
		})
	}
}
