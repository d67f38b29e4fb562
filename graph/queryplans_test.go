package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// TestListsReadOnlyTheirPage: every list of the API is planned by SQLite
// (EXPLAIN QUERY PLAN of the statements the server sends) without sorting
// in a temporary B-tree and without scanning a table for a tenant's rows,
// so a page of 100 of a tenant with thousands of users reads about 100
// rows instead of all of them and a sort (issue 9). A list whose order no
// index gives fails here, with the plan.
func TestListsReadOnlyTheirPage(t *testing.T) {
	seen := &statementLog{}
	d := newDesk(t, func(c *agentdesk.Config) { c.ObserveStatements = seen.see })
	if d.s.App.DB.Dialect != dialect.SQLite {
		t.Skip("query plans are checked on SQLite: PostgreSQL plans by table statistics, which a test database has too few rows to make")
	}
	lists := []struct{ name, query string }{
		{"users", `query($t: ID!){ users(tenantId: $t, first: 100){ totalCount edges{ node{ id } } } }`},
		{"users by role", `query($t: ID!){ users(tenantId: $t, role: AGENT, first: 100){ totalCount edges{ node{ id } } } }`},
		{"team members", `query($t: ID!){ teams(tenantId: $t, first: 5){ edges{ node{ members(first: 100){ totalCount edges{ node{ id } } } } } } }`},
		{"teams", `query($t: ID!){ teams(tenantId: $t, first: 100){ totalCount edges{ node{ id } } } }`},
		{"agent profiles", `query($t: ID!){ agentProfiles(tenantId: $t, first: 100){ totalCount edges{ node{ id } } } }`},
		{"dial plans", `query($t: ID!){ dialPlans(tenantId: $t, first: 100){ totalCount edges{ node{ id } } } }`},
		{"skill profiles", `query($t: ID!){ skillProfiles(tenantId: $t, first: 100){ totalCount edges{ node{ id } } } }`},
		{"banners", `query($t: ID!){ banners(tenantId: $t, first: 100){ totalCount edges{ node{ id } } } }`},
		{"banners with resolved", `query($t: ID!){ banners(tenantId: $t, includeResolved: true, first: 100){ totalCount edges{ node{ id } } } }`},
		{"API tokens", `query($t: ID!){ apiTokens(tenantId: $t, first: 100){ totalCount edges{ node{ id } } } }`},
		{"audit events", `query($t: ID!){ auditEvents(tenantId: $t, first: 100){ totalCount edges{ node{ id } } } }`},
		{"active desktop sessions", `query($t: ID!){ desktopSessions(tenantId: $t, first: 100){ totalCount edges{ node{ id } } } }`},
		{"all desktop sessions", `query($t: ID!){ desktopSessions(tenantId: $t, activeOnly: false, first: 100){ totalCount edges{ node{ id } } } }`},
	}
	for _, l := range lists {
		sent := seen.during(func() { d.s.MustDo(d.root, l.query, map[string]any{"t": d.tenant.ID}, nil) })
		if len(sent) == 0 {
			t.Errorf("%s: no statement seen", l.name)
		}
		for _, s := range sent {
			if bad := sortsOrScans(t, d, s); bad != "" {
				t.Errorf("%s: %s\n  in %s", l.name, bad, s)
			}
		}
	}
}

// sortsOrScans returns the step of statement's query plan that sorts in a
// temporary B-tree or scans a table, or "" when it has none.
func sortsOrScans(t *testing.T, d *desk, statement string) string {
	t.Helper()
	args := make([]any, strings.Count(statement, "?"))
	rows, err := d.s.App.DB.SQL.QueryContext(testserver.Ctx(), "EXPLAIN QUERY PLAN "+statement, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", statement, err)
	}
	defer rows.Close()
	var plan []string
	bad := ""
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
		if strings.Contains(detail, "TEMP B-TREE") || strings.HasPrefix(detail, "SCAN ") {
			bad = detail
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if bad == "" {
		return ""
	}
	return fmt.Sprintf("%q (plan: %s)", bad, strings.Join(plan, "; "))
}
