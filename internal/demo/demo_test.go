package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent/agentprofile"
	"github.com/agentdesk/agentdesk/ent/auditevent"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/demo"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

func TestLoadIsIdempotent(t *testing.T) {
	s := testserver.New(t)
	ctx := policy.System(context.Background(), "test: read the demo data back")
	creds, err := demo.Load(ctx, s.App)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[policy.Role]int{}
	countries := map[string]bool{}
	for _, c := range creds.Users {
		roles[c.Role]++
		if !strings.HasSuffix(c.Email, "@"+demo.Domain) || c.Password == "" {
			t.Errorf("credential %+v", c)
		}
		if c.Role == policy.Agent {
			countries[c.DefaultDialNumber[:3]] = true
		}
	}
	if roles[policy.Agent] != 12 || roles[policy.Supervisor] != 1 || roles[policy.TenantAdmin] != 1 {
		t.Fatalf("roles = %v", roles)
	}
	for _, prefix := range []string{"+1", "+44", "+49", "+91", "+61"} {
		found := false
		for c := range countries {
			found = found || strings.HasPrefix(c, prefix)
		}
		if !found {
			t.Errorf("no agent with a %s number (have %v)", prefix, countries)
		}
	}
	db := s.App.DB.Client
	tn := db.Tenant.Query().Where(tenant.Slug(demo.Slug)).OnlyX(ctx)
	if n := db.Team.Query().Where(team.TenantID(tn.ID), team.TypeEQ(team.TypeCAPACITY)).CountX(ctx); n != 1 {
		t.Errorf("%d capacity teams", n)
	}
	for _, v := range []agentprofile.DialNumberValidation{agentprofile.DialNumberValidationANY_FORMAT, agentprofile.DialNumberValidationDIAL_PLAN} {
		if n := db.AgentProfile.Query().Where(agentprofile.TenantID(tn.ID), agentprofile.DialNumberValidationEQ(v)).CountX(ctx); n != 1 {
			t.Errorf("%d %s profiles", n, v)
		}
	}
	listing := creds.String()
	if !strings.Contains(listing, "ava.thompson@"+demo.Domain) || !strings.Contains(listing, demo.Password) {
		t.Fatalf("listing:\n%s", listing)
	}

	// Every demo user signs in; every agent passes the diagnostics.
	root := s.RootToken()
	for _, c := range creds.Users {
		s.SignIn(c.Email, c.Password)
		if c.Role != policy.Agent {
			continue
		}
		id := db.User.Query().Where(user.Email(c.Email)).OnlyIDX(ctx)
		var out struct {
			StationLoginDiagnostics []struct {
				Name, Message string
				Ok            bool
			}
		}
		s.MustDo(root, `query($id:ID!){ stationLoginDiagnostics(userId:$id){ name ok message } }`, map[string]any{"id": id}, &out)
		for _, check := range out.StationLoginDiagnostics {
			if !check.Ok {
				t.Errorf("%s: %s: %s", c.Email, check.Name, check.Message)
			}
		}
	}

	// Loading again (a restart) changes nothing and sets no password.
	before := db.AuditEvent.Query().CountX(ctx)
	again, err := demo.Load(ctx, s.App)
	if err != nil {
		t.Fatal(err)
	}
	if again.String() != listing {
		t.Fatalf("second listing differs:\n%s", again)
	}
	events := db.AuditEvent.Query().Order(auditevent.ByID()).AllX(ctx)[before:]
	if len(events) != 1 || events[0].Action != "applyTenant" || !strings.Contains(events[0].Summary, ": 0 changes") {
		t.Fatalf("second load wrote %+v", events)
	}

	// A demo user whose password was changed gets the demo password back.
	ava := db.User.Query().Where(user.Email("ava.thompson@" + demo.Domain)).OnlyX(ctx)
	db.User.UpdateOne(ava).ClearPasswordHash().ExecX(ctx)
	if _, err := demo.Load(ctx, s.App); err != nil {
		t.Fatal(err)
	}
	s.SignIn(ava.Email, demo.Password)
}
