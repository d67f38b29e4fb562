package provision

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/policy"
)

// newTestService opens a migrated SQLite file and returns a service and a
// context signed in as a platform admin.
func newTestService(tb testing.TB) (*Service, context.Context) {
	tb.Helper()
	ctx := context.Background()
	db := storetest.Open(tb)
	enforcer, err := policy.New()
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	svc := &Service{Admin: &admin.Service{DB: db.Client, Policy: enforcer, Now: func() time.Time { return now }}}
	return svc, policy.WithViewer(ctx, &policy.Viewer{UserID: "usr_test", Role: policy.PlatformAdmin})
}

// newTenant creates a tenant with a profile, a skill profile and two agent
// teams straight in the store.
func newTenant(tb testing.TB, svc *Service, slug string) *ent.Tenant {
	tb.Helper()
	ctx := context.Background()
	settings := admin.DefaultTenantSettings()
	settings.Name, settings.Slug, settings.EmailDomains = slug, slug, []string{slug + ".test"}
	settings, err := settings.Validate()
	if err != nil {
		tb.Fatal(err)
	}
	t, err := admin.CreateTenantTx(ctx, svc.Admin.DB, settings)
	if err != nil {
		tb.Fatal(err)
	}
	db := svc.Admin.DB
	db.AgentProfile.Create().SetTenantID(t.ID).SetName("Inbound").SetLoginVoiceOptions([]station.Type{station.DialNumber}).ExecX(ctx)
	db.SkillProfile.Create().SetTenantID(t.ID).SetName("Tier 1").SetSkills(nil).ExecX(ctx)
	db.Team.Create().SetTenantID(t.ID).SetName("Sales").SetType(team.TypeAGENT).ExecX(ctx)
	db.Team.Create().SetTenantID(t.ID).SetName("Support").SetType(team.TypeAGENT).ExecX(ctx)
	return t
}

// bulkCSV is an import of n agents with every column set.
func bulkCSV(slug string, n int) string {
	var b strings.Builder
	b.WriteString(strings.Join(columns, ",") + "\n")
	for i := range n {
		fmt.Fprintf(&b, "agent%04d@%s.test,Agent %d,AGENT,Inbound,Sales;Support,(201) %03d-%04d,%d,Tier 1,true,true\n",
			i, slug, i, 200+i/10000, i%10000, 1000+i)
	}
	return b.String()
}

func TestImportUsersAtTheRowLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 5,000 rows")
	}
	svc, ctx := newTestService(t)
	tn := newTenant(t, svc, "bulk")
	text := bulkCSV("bulk", MaxImportRows)
	res, err := svc.ImportUsers(ctx, tn.ID, text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != MaxImportRows || res.Failed != 0 {
		t.Fatalf("result = %+v", res)
	}
	n, err := svc.Admin.DB.Team.Query().Where(team.Name("Sales")).QueryMembers().Count(ctx)
	if err != nil || n != MaxImportRows {
		t.Fatalf("Sales has %d members (%v)", n, err)
	}
	again, err := svc.ImportUsers(ctx, tn.ID, text, Options{})
	if err != nil || again.Unchanged != MaxImportRows || again.Created+again.Updated != 0 {
		t.Fatalf("second import = %+v, %v", again, err)
	}
}

// BenchmarkImportUsers imports 5,000 new agents with every column set, in
// one transaction, into a fresh tenant per iteration.
func BenchmarkImportUsers(b *testing.B) {
	svc, ctx := newTestService(b)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		slug := fmt.Sprintf("bench%d", i)
		tn := newTenant(b, svc, slug)
		text := bulkCSV(slug, MaxImportRows)
		b.StartTimer()
		res, err := svc.ImportUsers(ctx, tn.ID, text, Options{})
		if err != nil || res.Created != MaxImportRows {
			b.Fatalf("import = %+v, %v", res, err)
		}
	}
}
