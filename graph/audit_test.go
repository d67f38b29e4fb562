package graph_test

import (
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

type auditConnection struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Edges []struct {
		Cursor string
		Node   struct{ ID, Actor, Action, TargetType, TargetID, At, Summary string }
	}
}

const auditQuery = `query($t: ID, $first: Int, $after: String){ auditEvents(tenantId:$t, first:$first, after:$after){
	totalCount pageInfo{ hasNextPage endCursor } edges{ cursor node{ id actor action targetType targetId at summary } } } }`

func auditPage(t *testing.T, s *testserver.Server, token string, tenantID *string, first int, after *string) auditConnection {
	t.Helper()
	vars := map[string]any{"first": first}
	if tenantID != nil {
		vars["t"] = *tenantID
	}
	if after != nil {
		vars["after"] = *after
	}
	var out struct{ AuditEvents auditConnection }
	s.MustDo(token, auditQuery, vars, &out)
	return out.AuditEvents
}

func TestAuditEventsNewestFirstWithStablePaging(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := userSession(t, s, tn.ID, "admin@acme.test", policy.TenantAdmin)
	for _, m := range []string{"m1", "m2", "m3", "m4"} {
		s.MustDo(admin, createBannerMutation, map[string]any{"in": map[string]any{"tenantId": tn.ID, "message": m}}, nil)
	}
	// The tenant's log: createTenant, then the four banners.
	summaries := func(c auditConnection) []string {
		var out []string
		for _, e := range c.Edges {
			out = append(out, e.Node.Summary)
		}
		return out
	}
	p1 := auditPage(t, s, admin, &tn.ID, 2, nil)
	if got := summaries(p1); len(got) != 2 || got[0] != `created INFO banner "m4"` || got[1] != `created INFO banner "m3"` {
		t.Fatalf("first page = %q, want the newest two", got)
	}
	if p1.TotalCount != 5 || !p1.PageInfo.HasNextPage || p1.PageInfo.EndCursor == nil || *p1.PageInfo.EndCursor != p1.Edges[1].Cursor {
		t.Fatalf("first page info = %+v, total %d", p1.PageInfo, p1.TotalCount)
	}
	if n := p1.Edges[0].Node; n.Action != "createBanner" || n.TargetType != "Banner" || n.TargetID == "" || n.Actor == "" || n.At == "" {
		t.Fatalf("event = %+v", n)
	}

	// A new event while the client pages must not shift the later pages.
	s.MustDo(admin, createBannerMutation, map[string]any{"in": map[string]any{"tenantId": tn.ID, "message": "m5"}}, nil)

	p2 := auditPage(t, s, admin, &tn.ID, 2, p1.PageInfo.EndCursor)
	if got := summaries(p2); len(got) != 2 || got[0] != `created INFO banner "m2"` || got[1] != `created INFO banner "m1"` {
		t.Fatalf("second page = %q", got)
	}
	p3 := auditPage(t, s, admin, &tn.ID, 2, p2.PageInfo.EndCursor)
	if len(p3.Edges) != 1 || p3.Edges[0].Node.Action != "createTenant" || p3.PageInfo.HasNextPage {
		t.Fatalf("last page = %+v", p3)
	}
	seen := map[string]bool{}
	prev := ""
	for _, p := range []auditConnection{p1, p2, p3} {
		for _, e := range p.Edges {
			if seen[e.Node.ID] || (prev != "" && e.Node.ID >= prev) {
				t.Fatalf("event %s repeated or out of order (after %s)", e.Node.ID, prev)
			}
			seen[e.Node.ID], prev = true, e.Node.ID
		}
	}
	if fresh := auditPage(t, s, admin, &tn.ID, 1, nil); fresh.TotalCount != 6 || fresh.Edges[0].Node.Summary != `created INFO banner "m5"` {
		t.Fatalf("a fresh first page = %+v", fresh)
	}
	wantError(t, s.Do(admin, auditQuery, map[string]any{"t": tn.ID, "after": "not-a-cursor"}), "VALIDATION_ERROR", "after")
	wantError(t, s.Do(admin, auditQuery, map[string]any{"t": tn.ID, "first": 101}), "VALIDATION_ERROR", "first")
}

func TestAuditEventsWhoMayRead(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	a := s.CreateTenant(root, "acme")
	b := s.CreateTenant(root, "globex")
	adminA := userSession(t, s, a.ID, "admin@acme.test", policy.TenantAdmin)
	supervisorA := userSession(t, s, a.ID, "sup@acme.test", policy.Supervisor)
	// A platform-level event, such as the platform writes for itself.
	if err := admin.Audited(testserver.Ctx(), s.App.DB.Client, s.Clock.Now, func(*ent.Tx) (bool, admin.Event, error) {
		return true, admin.Event{Action: "rotateKeys", TargetType: "Platform", Summary: "platform-level change"}, nil
	}); err != nil {
		t.Fatal(err)
	}

	// Platform admins omit tenantId for the platform's own events only.
	platform := auditPage(t, s, root, nil, 20, nil)
	if platform.TotalCount != 1 || platform.Edges[0].Node.Summary != "platform-level change" || platform.Edges[0].Node.Actor != "system" {
		t.Fatalf("platform events = %+v", platform)
	}
	wantError(t, s.Do(adminA, auditQuery, nil), "VALIDATION_ERROR", "tenantId")
	wantError(t, s.Do(adminA, auditQuery, map[string]any{"t": ""}), "VALIDATION_ERROR", "tenantId")
	// Anonymous: not in the public schema (graph/public.go).
	wantError(t, s.Do("", auditQuery, nil), "VALIDATION_ERROR", "")
	wantError(t, s.Do("", auditQuery, map[string]any{"t": a.ID}), "VALIDATION_ERROR", "")

	if own := auditPage(t, s, adminA, &a.ID, 20, nil); own.TotalCount != 1 || own.Edges[0].Node.Action != "createTenant" || own.Edges[0].Node.TargetID != a.ID {
		t.Fatalf("tenant A's events = %+v", own)
	}
	wantError(t, s.Do(adminA, auditQuery, map[string]any{"t": b.ID}), "NOT_FOUND", "")
	wantError(t, s.Do(supervisorA, auditQuery, map[string]any{"t": a.ID}), "FORBIDDEN", "")

	// A deleted tenant's record outlives it, its deletion included.
	s.MustDo(root, `mutation($id:ID!){ deleteTenant(id:$id) }`, map[string]any{"id": b.ID}, nil)
	gone := auditPage(t, s, root, &b.ID, 20, nil)
	if gone.TotalCount != 2 || gone.Edges[0].Node.Action != "deleteTenant" || gone.Edges[1].Node.Action != "createTenant" {
		t.Fatalf("deleted tenant's events = %+v", gone)
	}
}
