package graph_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent/schema"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// statementLog keeps the text of every SQL statement sent on behalf of a
// signed-in caller (authentication, which runs before the viewer is known,
// and the server's background work are not kept).
type statementLog struct {
	mu   sync.Mutex
	sent []string
}

func (l *statementLog) see(ctx context.Context, statement string) {
	if policy.ViewerFrom(ctx) == nil {
		return
	}
	l.mu.Lock()
	l.sent = append(l.sent, statement)
	l.mu.Unlock()
}

// during returns the statements f sends.
func (l *statementLog) during(f func()) []string {
	l.mu.Lock()
	l.sent = nil
	l.mu.Unlock()
	f()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent
}

// TestStatementsDoNotGrowWithThePage: a list with every edge runs the same
// number of SQL statements for a page of 10 and a page of 100, and that
// number is written here, so a field that goes back to a query per parent
// fails. The per-request loaders batch each edge (graph/loaders.go).
func TestStatementsDoNotGrowWithThePage(t *testing.T) {
	seen := &statementLog{}
	d := newDesk(t, func(c *agentdesk.Config) {
		c.ObserveStatements = seen.see
		// Long enough that every key of a page joins one batch even on a
		// busy machine, so the count does not depend on scheduling.
		c.LoaderWait = 50 * time.Millisecond
	})
	ctx := testserver.Ctx()
	db := d.db()
	plan := d.dialPlan("Local=[0-9]+||")
	d.profile = db.AgentProfile.UpdateOne(d.profile).AddDialPlans(plan).SaveX(ctx)
	skills := db.SkillProfile.Create().SetTenantID(d.tenant.ID).SetName("Languages").SetSkills([]schema.Skill{{Name: "French", Proficiency: 7}}).SaveX(ctx)
	second := d.newTeam("Billing", team.TypeAGENT)
	for i := range 110 {
		db.User.Create().SetTenantID(d.tenant.ID).SetEmail(fmt.Sprintf("bulk%03d@acme.test", i)).SetName("Bulk").
			SetRole(policy.Agent).SetAgentProfileID(d.profile.ID).SetSkillProfileID(skills.ID).
			AddTeamIDs(d.team.ID, second.ID).ExecX(ctx)
	}
	for i := range 110 {
		d.newTeam(fmt.Sprintf("Team %03d", i), team.TypeAGENT)
	}
	agents := make([]deskUser, 12)
	for i := range agents {
		agents[i] = d.agent()
		d.mustLogin(agents[i], map[string]any{"dialNumber": fmt.Sprintf("+1415555%04d", i)})
	}

	lists := []struct {
		name  string
		query string
		want  int
	}{
		{"users with every edge", `query($t: ID!, $n: Int){ users(tenantId: $t, first: $n){ totalCount edges{ node{
			id tenant{ id name } agentProfile{ id name tenant{ id } dialPlans{ id tenant{ id } } }
			skillProfile{ id name tenant{ id } } teams{ id name tenant{ id } } invitation{ sentAt expiresAt } } } } }`,
			// The list (tenant check — the caller is a platform admin,
			// who may name any tenant —, count and page), then one batch
			// per edge: tenants, profiles, skill profiles, memberships and
			// their teams, the profiles' dial plans, the invitations.
			11},
		{"teams with members", `query($t: ID!, $n: Int){ teams(tenantId: $t, first: $n){ edges{ node{
			id tenant{ id } members(first: 3){ totalCount edges{ node{ id name } } } } } } }`,
			// The list (tenant check, count, page), tenants, member ids of
			// every team, the members of every page.
			6},
		{"teams with members and their edges", `query($t: ID!, $n: Int){ teams(tenantId: $t, first: $n){ edges{ node{
			id members(first: 3){ edges{ node{ id teams{ id } agentProfile{ id } skillProfile{ id } } } } } } } }`,
			// The list (tenant check, count, page), member ids of every
			// team, the members of every page, then one batch per edge for
			// the members of every page together: memberships, their
			// teams, profiles, skill profiles.
			9},
		{"desktop sessions with user and team", `query($t: ID!, $n: Int){ desktopSessions(tenantId: $t, first: $n){ edges{ node{
			id user{ id name tenant{ id } } team{ id name } interactions{ id } } } } }`,
			// The list (tenant check, count, page), users, their
			// tenants, teams, interactions.
			7},
	}
	for _, l := range lists {
		var got [2]int
		for i, n := range []int{10, 100} {
			got[i] = len(seen.during(func() {
				d.s.MustDo(d.root, l.query, map[string]any{"t": d.tenant.ID, "n": n}, nil)
			}))
		}
		t.Logf("%s: %d statements for 10, %d for 100", l.name, got[0], got[1])
		if got[0] != got[1] || got[1] != l.want {
			t.Errorf("%s: %d statements for a page of 10, %d for 100; want %d for both", l.name, got[0], got[1], l.want)
		}
	}

	const options = `query { stationLoginOptions { stationTypes defaultDialNumber dialNumberLocked defaultCountry { isoCode callingCode }
		teams { id name } rememberedStation { stationType dialNumber team { id } } banners { message } } }`
	n := len(seen.during(func() { d.s.MustDo(agents[0].Token, options, nil, nil) }))
	t.Logf("stationLoginOptions: %d statements", n)
	// The caller with its tenant and profile (one statement; no dial
	// plans, which only a number to check needs), remembered station,
	// banners, and the teams field's teams (the caller is loaded once per
	// query); the remembered station's team is cached by then.
	if want := 4; n != want {
		t.Errorf("stationLoginOptions: %d statements, want %d", n, want)
	}
	// What the page does not ask for is not read: without the remembered
	// station, the banners, the teams and the artwork, the caller alone.
	const bare = `query { stationLoginOptions { stationTypes defaultDialNumber dialNumberLocked } }`
	if sent := seen.during(func() { d.s.MustDo(agents[0].Token, bare, nil, nil) }); len(sent) != 1 {
		t.Errorf("stationLoginOptions without its lists: %d statements, want 1: %q", len(sent), sent)
	}
}
