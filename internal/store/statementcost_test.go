package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/teammember"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/policy"
)

// BenchmarkStatementCost is what ent adds to one small read, the station
// login's team list of an agent (desktop.AgentTeams), on the same database
// in the same run (BENCHMARKS.md, "What ent costs a statement"):
//
//   - ent: the ent client, as the desktop sends it;
//   - database-sql-same-text: the text ent sent, through database/sql,
//     every column scanned into the Go types ent uses;
//   - database-sql: the two columns the list shows, a join instead of
//     EXISTS, the SQL built once.
//
// Nothing is asserted; compare the lines.
//
//	go test ./internal/store -run '^$' -bench StatementCost -benchmem -count 5 -cpu 1
func BenchmarkStatementCost(b *testing.B) {
	u, err := storetest.URL(b)
	if err != nil {
		b.Fatal(err)
	}
	var sent []string
	capture := true
	db, err := store.Open(u, store.ObserveStatements(func(_ context.Context, s string) {
		if capture {
			sent = append(sent, s)
		}
	}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	sys := policy.System(context.Background(), "benchmark fixture")
	if _, err := db.Migrate(sys); err != nil {
		b.Fatal(err)
	}
	c := db.Client
	tn := c.Tenant.Create().SetName("Acme").SetSlug("acme").SetStationTypes([]station.Type{station.DialNumber}).SaveX(sys)
	sales := c.Team.Create().SetTenantID(tn.ID).SetName("Sales").SaveX(sys)
	support := c.Team.Create().SetTenantID(tn.ID).SetName("Support").SaveX(sys)
	for _, name := range []string{"Billing", "Claims", "Renewals"} {
		c.Team.Create().SetTenantID(tn.ID).SetName(name).ExecX(sys)
	}
	agent := c.User.Create().SetTenantID(tn.ID).SetEmail("agent@acme.test").SetName("Agent").
		SetRole(policy.Agent).AddTeams(sales, support).SaveX(sys)
	ctx := policy.WithViewer(context.Background(), &policy.Viewer{UserID: agent.ID, TenantID: tn.ID, Role: policy.Agent})

	agentTeams := func(b *testing.B) {
		ts, err := c.Team.Query().Where(team.TenantID(tn.ID), team.TypeEQ(team.TypeAGENT),
			team.HasMembershipsWith(teammember.UserID(agent.ID))).
			Order(ent.Asc(team.FieldName), ent.Asc(team.FieldID)).All(ctx)
		if err != nil || len(ts) != 2 {
			b.Fatalf("%d teams, %v", len(ts), err)
		}
	}
	sent = nil
	agentTeams(b)
	if len(sent) != 1 {
		b.Fatalf("ent sent %d statements, want 1: %q", len(sent), sent)
	}
	entText := sent[0]
	capture = false
	b.Run("ent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			agentTeams(b)
		}
	})
	// The arguments in the order of ent's text: the query's tenant and
	// type, the member, and the tenant scope's tenant.
	entArgs := []any{tn.ID, team.TypeAGENT.String(), agent.ID, tn.ID}
	b.Run("database-sql-same-text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rows, err := db.SQL.QueryContext(ctx, entText, entArgs...)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var id, tenantID, name, typ string
				var created, updated time.Time
				var capacity sql.NullInt64
				if err := rows.Scan(&id, &tenantID, &created, &updated, &name, &typ, &capacity); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := rows.Close(); err != nil || n != 2 {
				b.Fatalf("%d teams, %v", n, err)
			}
		}
	})

	t, m := entsql.Table(team.Table), entsql.Table(teammember.Table)
	query, args := entsql.Dialect(db.Dialect).Select(t.C(team.FieldID), t.C(team.FieldName)).From(t).
		Join(m).On(t.C(team.FieldID), m.C(teammember.FieldTeamID)).
		Where(entsql.And(entsql.EQ(m.C(teammember.FieldUserID), agent.ID), entsql.EQ(t.C(team.FieldTenantID), tn.ID),
			entsql.EQ(t.C(team.FieldType), team.TypeAGENT.String()))).
		OrderBy(t.C(team.FieldName), t.C(team.FieldID)).Query()
	b.Run("database-sql", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rows, err := db.SQL.QueryContext(ctx, query, args...)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var id, name string
				if err := rows.Scan(&id, &name); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := rows.Close(); err != nil || n != 2 {
				b.Fatalf("%d teams, %v", n, err)
			}
		}
	})
}
