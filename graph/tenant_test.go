package graph_test

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/testserver"
)

func TestTenantLifecycle(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")

	var got struct {
		Tenant struct {
			Slug, DefaultCountry string
			EmailDomains         []string
			StationTypes         []string
			Sso                  struct{ HasClientSecret bool }
			ActivityPage         struct{ ArtworkURL *string }
		}
	}
	s.MustDo(root, `query($id: ID!){
		tenant(id:$id){ slug defaultCountry emailDomains stationTypes sso{ hasClientSecret } activityPage{ artworkUrl } }
	}`, map[string]any{"id": tn.ID}, &got)
	if got.Tenant.Slug != "acme" || got.Tenant.DefaultCountry != "US" || got.Tenant.EmailDomains[0] != "acme.test" {
		t.Fatalf("tenant = %+v", got.Tenant)
	}
	if got.Tenant.ActivityPage.ArtworkURL != nil {
		t.Fatalf("a new tenant has no artwork")
	}

	var upd struct {
		UpdateTenant struct {
			Name, DefaultCountry string
			EmailDomains         []string
		}
	}
	s.MustDo(root, `mutation($id:ID!){ updateTenant(id:$id, input:{name:"Acme Ltd", defaultCountry:"gb"}){ name defaultCountry emailDomains } }`,
		map[string]any{"id": tn.ID}, &upd)
	if upd.UpdateTenant.Name != "Acme Ltd" || upd.UpdateTenant.DefaultCountry != "GB" || len(upd.UpdateTenant.EmailDomains) != 1 {
		t.Fatalf("update = %+v", upd)
	}

	var list struct {
		Tenants struct {
			TotalCount int
			PageInfo   struct{ HasNextPage bool }
		}
	}
	s.MustDo(root, `{ tenants(first: 1, filter:{search:"ACME"}){ totalCount pageInfo{ hasNextPage } } }`, nil, &list)
	if list.Tenants.TotalCount != 1 || list.Tenants.PageInfo.HasNextPage {
		t.Fatalf("tenants = %+v", list)
	}

	var del struct{ DeleteTenant bool }
	s.MustDo(root, `mutation($id:ID!){ deleteTenant(id:$id) }`, map[string]any{"id": tn.ID}, &del)
	if r := s.Do(root, `query($id:ID!){ tenant(id:$id){ id } }`, map[string]any{"id": tn.ID}); r.Code() != "NOT_FOUND" {
		t.Fatalf("deleted tenant: %+v", r.Errors)
	}
}

func TestCreateTenantRejectsBadInput(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	s.CreateTenant(root, "taken")
	base := func() map[string]any {
		return map[string]any{"name": "X", "slug": "fresh", "emailDomains": []string{"fresh.test"}}
	}
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		code  string
		field string
	}{
		{"empty name", func(m map[string]any) { m["name"] = "  " }, "VALIDATION_ERROR", "name"},
		{"long name", func(m map[string]any) { m["name"] = strings.Repeat("n", 101) }, "VALIDATION_ERROR", "name"},
		{"bad slug", func(m map[string]any) { m["slug"] = "Not A Slug" }, "VALIDATION_ERROR", "slug"},
		{"short slug", func(m map[string]any) { m["slug"] = "a" }, "VALIDATION_ERROR", "slug"},
		{"duplicate slug", func(m map[string]any) { m["slug"] = "taken" }, "CONFLICT", "slug"},
		{"duplicate domain", func(m map[string]any) { m["emailDomains"] = []string{"taken.test"} }, "CONFLICT", "emailDomains"},
		{"bad domain", func(m map[string]any) { m["emailDomains"] = []string{"not a domain"} }, "VALIDATION_ERROR", "emailDomains"},
		{"no domain", func(m map[string]any) { m["emailDomains"] = []string{} }, "VALIDATION_ERROR", "emailDomains"},
		{"unknown country", func(m map[string]any) { m["defaultCountry"] = "XX" }, "VALIDATION_ERROR", "defaultCountry"},
		{"desktop without webrtc", func(m map[string]any) { m["stationTypes"] = []string{"DESKTOP"} }, "VALIDATION_ERROR", "stationTypes"},
		{"timeout too short", func(m map[string]any) { m["desktopInactivityTimeoutMinutes"] = 2 }, "VALIDATION_ERROR", "desktopInactivityTimeoutMinutes"},
		{"sso without issuer", func(m map[string]any) { m["ssoMode"] = "AZURE_SSO" }, "VALIDATION_ERROR", "sso.issuerUrl"},
		{"unknown enum", func(m map[string]any) { m["ssoMode"] = "LDAP" }, "VALIDATION_ERROR", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(in)
			r := s.Do(root, `mutation($in: CreateTenantInput!){ createTenant(input:$in){ id } }`, map[string]any{"in": in})
			if r.Code() != c.code {
				t.Fatalf("code = %q, want %q (%+v)", r.Code(), c.code, r.Errors)
			}
			if c.field != "" && r.Errors[0].Extensions["field"] != c.field {
				t.Fatalf("field = %v, want %s", r.Errors[0].Extensions["field"], c.field)
			}
		})
	}
}

// Limits count characters, not bytes: a 100-character name in a script of
// multi-byte letters is accepted.
func TestNamesCountCharacters(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	name := strings.Repeat("日", 100)
	var out struct{ CreateTenant struct{ Name string } }
	s.MustDo(root, `mutation($n:String!){ createTenant(input:{name:$n, slug:"nihon", emailDomains:["nihon.test"]}){ name } }`,
		map[string]any{"n": name}, &out)
	if out.CreateTenant.Name != name {
		t.Fatalf("name = %q", out.CreateTenant.Name)
	}
}
