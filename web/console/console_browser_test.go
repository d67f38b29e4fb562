package console_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// TestConsoleInBrowser drives the console in headless Chromium against a
// real agentdesk with the demo tenant (test/console.e2e.mjs says the steps).
func TestConsoleInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	chromium := testserver.Chromium(t, dir)
	s, creds := testserver.Demo(t)
	var agent string
	for _, u := range creds.Users {
		if u.Role == policy.Agent {
			agent = u.Email
			break
		}
	}
	if agent == "" {
		t.Fatal("the demo has no agent")
	}
	artefacts := testserver.ArtefactDir(t, dir, "console")
	testserver.RunNode(t, dir, "test/console.e2e.mjs", []string{
		"AGENTDESK_URL=" + s.HTTP.URL,
		"CHROMIUM=" + chromium,
		"ARTEFACTS=" + artefacts,
		"ADMIN_EMAIL=" + testserver.DemoAdminEmail,
		"ADMIN_PASSWORD=" + testserver.DemoAdminPassword,
		"AGENT_EMAIL=" + agent,
		"AGENT_PASSWORD=" + creds.Users[0].Password,
	}, 3*time.Minute)
}
