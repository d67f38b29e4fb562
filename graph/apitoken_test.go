package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/ent/apitoken"
	"github.com/agentdesk/agentdesk/internal/randtoken"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

const (
	revokeTokenMutation = `mutation($id: ID!){ revokeApiToken(id:$id){ id revokedAt } }`
	apiTokensQuery      = `query($t: ID!, $first: Int, $after: String){ apiTokens(tenantId:$t, first:$first, after:$after){
		totalCount pageInfo{ hasNextPage endCursor } edges{ node{ id name role createdAt lastUsedAt expiresAt revokedAt } } } }`
)

type tokenList struct {
	APITokens struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct{ Node createdTokenNode }
	} `json:"apiTokens"`
}

type createdTokenNode struct {
	ID, Name, Role, CreatedAt, ExpiresAt string
	LastUsedAt, RevokedAt                *string
}

func TestAPITokenAuthenticatesUntilRevoked(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := userSession(t, s, tn.ID, "admin@acme.test", policy.TenantAdmin)

	expires := s.Clock.Now().Add(30 * 24 * time.Hour)
	var out struct{ CreateApiToken createdToken }
	s.MustDo(admin, createTokenMutation, map[string]any{"in": map[string]any{
		"tenantId": tn.ID, "name": " media platform ", "role": "INTEGRATION", "expiresAt": expires.Format(time.RFC3339),
	}}, &out)
	created := out.CreateApiToken
	if !strings.HasPrefix(created.Token, signin.APITokenPrefix) || len(created.Token) < len(signin.APITokenPrefix)+43 {
		t.Fatalf("token %q is not a full adk_ token", created.Token)
	}
	if a := created.APIToken; a.Name != "media platform" || a.Role != "INTEGRATION" || a.RevokedAt != nil || a.LastUsedAt != nil {
		t.Fatalf("apiToken = %+v", a)
	}
	if at, err := time.Parse(time.RFC3339Nano, created.APIToken.ExpiresAt); err != nil || !at.Equal(expires) {
		t.Fatalf("expiresAt = %s, want %s", created.APIToken.ExpiresAt, expires)
	}

	// Only the hash is stored.
	row, err := s.App.DB.Client.APIToken.Get(testserver.Ctx(), created.APIToken.ID)
	must(t, err)
	if row.TokenHash != randtoken.Hash(created.Token) || strings.Contains(row.TokenHash, created.Token) {
		t.Fatalf("stored %q, want the token's hash", row.TokenHash)
	}

	// The token signs in as INTEGRATION: authenticated, but banners are not its business.
	wantError(t, s.Do(created.Token, bannersQuery, map[string]any{"t": tn.ID}), "FORBIDDEN", "")
	wantError(t, s.Do("adk_unknown", bannersQuery, map[string]any{"t": tn.ID}), "UNAUTHENTICATED", "")
	var list tokenList
	s.MustDo(admin, apiTokensQuery, map[string]any{"t": tn.ID}, &list)
	if n := list.APITokens.Edges; len(n) != 1 || n[0].Node.LastUsedAt == nil {
		t.Fatalf("apiTokens after use = %+v", list)
	}

	// The token is shown once: no later response, no audit event carries it.
	r := s.Do(admin, apiTokensQuery, map[string]any{"t": tn.ID})
	events := s.Do(root, auditQuery, map[string]any{"t": tn.ID, "first": 100})
	for _, raw := range []string{string(r.Data), string(events.Data)} {
		if strings.Contains(raw, created.Token) || strings.Contains(raw, created.Token[len(signin.APITokenPrefix):]) {
			t.Fatalf("a later response carries the token: %s", raw)
		}
	}

	var rev struct{ RevokeApiToken createdTokenNode }
	s.MustDo(admin, revokeTokenMutation, map[string]any{"id": created.APIToken.ID}, &rev)
	if rev.RevokeApiToken.RevokedAt == nil {
		t.Fatal("revokedAt is null after revoking")
	}
	wantError(t, s.Do(created.Token, bannersQuery, map[string]any{"t": tn.ID}), "UNAUTHENTICATED", "")

	// Revoking again is harmless and keeps the first time.
	first := *rev.RevokeApiToken.RevokedAt
	s.Clock.Advance(time.Minute)
	s.MustDo(admin, revokeTokenMutation, map[string]any{"id": created.APIToken.ID}, &rev)
	if *rev.RevokeApiToken.RevokedAt != first {
		t.Fatalf("revokedAt moved from %s to %s", first, *rev.RevokeApiToken.RevokedAt)
	}
	wantError(t, s.Do(admin, revokeTokenMutation, map[string]any{"id": "tok_nope"}), "NOT_FOUND", "")
}

func TestAPITokenExpires(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	var out struct{ CreateApiToken createdToken }
	s.MustDo(root, createTokenMutation, map[string]any{"in": map[string]any{
		"tenantId": tn.ID, "name": "short-lived", "role": "TENANT_ADMIN",
		"expiresAt": s.Clock.Now().Add(time.Hour).Format(time.RFC3339),
	}}, &out)
	token := out.CreateApiToken.Token

	// A TENANT_ADMIN token administers its tenant, and the audit log names it.
	var b struct{ CreateBanner bannerNode }
	s.MustDo(token, createBannerMutation, map[string]any{"in": map[string]any{"tenantId": tn.ID, "message": "by a script"}}, &b)
	if ev := auditPage(t, s, token, &tn.ID, 1, nil).Edges[0].Node; ev.Actor != "token:"+out.CreateApiToken.APIToken.ID || ev.Action != "createBanner" {
		t.Fatalf("latest event = %+v", ev)
	}

	s.Clock.Advance(59 * time.Minute)
	if r := s.Do(token, bannersQuery, map[string]any{"t": tn.ID}); len(r.Errors) > 0 {
		t.Fatalf("a token a minute before expiry: %+v", r.Errors)
	}
	s.Clock.Advance(time.Minute)
	wantError(t, s.Do(token, bannersQuery, map[string]any{"t": tn.ID}), "UNAUTHENTICATED", "")
}

func TestCreateAPITokenRejectsBadInput(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	now := s.Clock.Now()
	cases := []struct {
		name        string
		edit        func(in map[string]any)
		code, field string
	}{
		{"platform admin role", func(in map[string]any) { in["role"] = "PLATFORM_ADMIN" }, "VALIDATION_ERROR", "role"},
		{"agent role", func(in map[string]any) { in["role"] = "AGENT" }, "VALIDATION_ERROR", "role"},
		{"unknown role", func(in map[string]any) { in["role"] = "ROBOT" }, "VALIDATION_ERROR", ""},
		{"empty name", func(in map[string]any) { in["name"] = " " }, "VALIDATION_ERROR", "name"},
		{"long name", func(in map[string]any) { in["name"] = strings.Repeat("ü", 81) }, "VALIDATION_ERROR", "name"},
		{"two-line name", func(in map[string]any) { in["name"] = "a\nb" }, "VALIDATION_ERROR", "name"},
		{"expired already", func(in map[string]any) { in["expiresAt"] = now.Add(-time.Second).Format(time.RFC3339) }, "VALIDATION_ERROR", "expiresAt"},
		{"expires now", func(in map[string]any) { in["expiresAt"] = now.Format(time.RFC3339) }, "VALIDATION_ERROR", "expiresAt"},
		{"beyond two years", func(in map[string]any) { in["expiresAt"] = now.AddDate(2, 0, 1).Format(time.RFC3339) }, "VALIDATION_ERROR", "expiresAt"},
		{"not a time", func(in map[string]any) { in["expiresAt"] = "tomorrow" }, "VALIDATION_ERROR", "expiresAt"},
		{"unknown tenant", func(in map[string]any) { in["tenantId"] = "ten_nope" }, "NOT_FOUND", ""},
		{"longest name", func(in map[string]any) { in["name"] = strings.Repeat("ü", 80) }, "", ""},
		{"two years exactly", func(in map[string]any) { in["expiresAt"] = now.AddDate(2, 0, 0).Format(time.RFC3339) }, "", ""},
		{"supervisor role", func(in map[string]any) { in["role"] = "SUPERVISOR" }, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := map[string]any{"tenantId": tn.ID, "name": "robot", "role": "INTEGRATION"}
			c.edit(in)
			r := s.Do(root, createTokenMutation, map[string]any{"in": in})
			if c.code == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("unexpected errors %+v", r.Errors)
				}
				return
			}
			wantError(t, r, c.code, c.field)
		})
	}
	n, err := s.App.DB.Client.APIToken.Query().Where(apitoken.TenantID(tn.ID)).Count(testserver.Ctx())
	must(t, err)
	if n != 3 {
		t.Fatalf("%d tokens stored, want only the 3 valid ones", n)
	}

	// Without expiresAt a token lives 90 days: none lives forever.
	created := apiToken(t, s, root, tn.ID, "INTEGRATION")
	if at, err := time.Parse(time.RFC3339Nano, created.APIToken.ExpiresAt); err != nil || !at.Equal(now.Add(90*24*time.Hour)) {
		t.Fatalf("default expiresAt = %s", created.APIToken.ExpiresAt)
	}
}

func TestAPITokensOfAnotherTenantAreNotFound(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	a := s.CreateTenant(root, "acme")
	b := s.CreateTenant(root, "globex")
	adminA := apiToken(t, s, root, a.ID, "TENANT_ADMIN").Token
	supervisorA := apiToken(t, s, root, a.ID, "SUPERVISOR").Token
	theirs := apiToken(t, s, root, b.ID, "INTEGRATION")

	in := map[string]any{"tenantId": b.ID, "name": "intruder", "role": "TENANT_ADMIN"}
	wantError(t, s.Do(adminA, createTokenMutation, map[string]any{"in": in}), "NOT_FOUND", "")
	wantError(t, s.Do(adminA, revokeTokenMutation, map[string]any{"id": theirs.APIToken.ID}), "NOT_FOUND", "")
	wantError(t, s.Do(adminA, apiTokensQuery, map[string]any{"t": b.ID}), "NOT_FOUND", "")
	wantError(t, s.Do(supervisorA, apiTokensQuery, map[string]any{"t": a.ID}), "FORBIDDEN", "")
	wantError(t, s.Do(supervisorA, createTokenMutation, map[string]any{"in": map[string]any{"tenantId": a.ID, "name": "x", "role": "TENANT_ADMIN"}}), "FORBIDDEN", "")
	// Anonymous: not in the public schema (graph/public.go).
	wantError(t, s.Do("", apiTokensQuery, map[string]any{"t": a.ID}), "VALIDATION_ERROR", "")

	// The other tenant's token still works; tenant A's list pages through its own two.
	var list tokenList
	s.MustDo(root, apiTokensQuery, map[string]any{"t": b.ID}, &list)
	if len(list.APITokens.Edges) != 1 || list.APITokens.Edges[0].Node.RevokedAt != nil {
		t.Fatalf("tenant B's tokens = %+v", list)
	}
	var p1, p2 tokenList
	s.MustDo(adminA, apiTokensQuery, map[string]any{"t": a.ID, "first": 1}, &p1)
	s.MustDo(adminA, apiTokensQuery, map[string]any{"t": a.ID, "first": 1, "after": p1.APITokens.PageInfo.EndCursor}, &p2)
	if p1.APITokens.TotalCount != 2 || !p1.APITokens.PageInfo.HasNextPage || p2.APITokens.PageInfo.HasNextPage ||
		p1.APITokens.Edges[0].Node.Role != "TENANT_ADMIN" || p2.APITokens.Edges[0].Node.Role != "SUPERVISOR" {
		t.Fatalf("pages = %+v / %+v", p1, p2)
	}
}
