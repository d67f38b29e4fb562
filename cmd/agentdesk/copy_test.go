package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/demo"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// TestCopySQLiteToPostgres moves a populated SQLite database (the demo plus
// an import) to PostgreSQL with `agentdesk copy`, then signs in and logs in
// to a station on the copy through the real server: password hashes,
// profiles, teams and numbers all came across.
func TestCopySQLiteToPostgres(t *testing.T) {
	storetest.RequirePostgres(t)
	ctx := context.Background()
	srcURL := "sqlite:" + filepath.Join(t.TempDir(), "agentdesk.db")
	src := testserver.New(t, func(c *agentdesk.Config) { c.DatabaseURL = srcURL })
	creds, err := demo.Load(ctx, src.App)
	if err != nil {
		t.Fatal(err)
	}
	root := src.RootToken()
	var tenants struct {
		Tenants struct {
			Edges []struct{ Node struct{ ID, Slug string } }
		} `json:"tenants"`
	}
	src.MustDo(root, `{ tenants(first: 10){ edges { node { id slug } } } }`, nil, &tenants)
	var demoID string
	for _, e := range tenants.Tenants.Edges {
		if e.Node.Slug == demo.Slug {
			demoID = e.Node.ID
		}
	}
	var imported struct {
		ImportUsers struct{ Created int } `json:"importUsers"`
	}
	src.MustDo(root, `mutation($t:ID!,$csv:String!){ importUsers(tenantId:$t, csv:$csv){ created } }`, map[string]any{
		"t": demoID, "csv": "email,name,role\nimported.one@" + demo.Domain + ",Imported One,AGENT\nimported.two@" + demo.Domain + ",Imported Two,SUPERVISOR\n",
	}, &imported)
	if imported.ImportUsers.Created != 2 {
		t.Fatalf("import created %d users", imported.ImportUsers.Created)
	}

	dstURL, err := storetest.EmptyURL(t)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"copy", "--from", srcURL, "--to", dstURL}, nil, &out, &errOut); err != nil {
		t.Fatalf("copy: %v\n%s%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"users", "desktop_sessions", "audit_events", "the counts match"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("copy's report lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(ctx, []string{"copy", "--from", srcURL, "--to", dstURL}, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a second copy into the same target: %v", err)
	}

	dst := testserver.New(t, testserver.OnDatabase(dstURL))
	var agent demo.Credential
	for _, c := range creds.Users {
		if c.Role == policy.Agent && c.DefaultDialNumber != "" {
			agent = c
			break
		}
	}
	token := dst.SignIn(agent.Email, agent.Password)
	var opts struct {
		StationLoginOptions struct {
			Teams []struct{ ID string }
		} `json:"stationLoginOptions"`
	}
	dst.MustDo(token, `{ stationLoginOptions { teams { id } } }`, nil, &opts)
	if len(opts.StationLoginOptions.Teams) == 0 {
		t.Fatalf("%s has no team on the copy", agent.Email)
	}
	var login struct {
		StationLogin struct{ Session struct{ ID string } } `json:"stationLogin"`
	}
	dst.MustDo(token, `mutation($in: StationLoginInput!){ stationLogin(input:$in){ session { id } } }`, map[string]any{"in": map[string]any{
		"clientId": "tab-1", "stationType": "DIAL_NUMBER", "dialNumber": agent.DefaultDialNumber,
		"teamId": opts.StationLoginOptions.Teams[0].ID,
	}}, &login)
	if login.StationLogin.Session.ID == "" {
		t.Fatal("no desktop session on the copy")
	}
	// The platform admin's hash came across too.
	if dst.RootToken() == "" {
		t.Fatal("the platform admin cannot sign in on the copy")
	}
}
