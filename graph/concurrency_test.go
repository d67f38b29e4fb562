package graph_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/agentdesk/agentdesk/internal/testserver"
)

// TestConcurrentStationLoginsAndAdminWrites runs 64 requests at once on one
// SQLite file — station logins of different agents mixed with admin writes —
// and expects every one to succeed: no "database is locked", no INTERNAL.
func TestConcurrentStationLoginsAndAdminWrites(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "busy")
	var p struct{ CreateAgentProfile struct{ ID string } }
	s.MustDo(root, `mutation($t:ID!){ createAgentProfile(input:{tenantId:$t, name:"Agents", loginVoiceOptions:[DIAL_NUMBER, EXTENSION]}){ id } }`,
		map[string]any{"t": tn.ID}, &p)
	var team struct{ CreateTeam struct{ ID string } }
	s.MustDo(root, `mutation($t:ID!){ createTeam(input:{tenantId:$t, name:"Support", type: AGENT}){ id } }`, map[string]any{"t": tn.ID}, &team)

	const agents, admins = 48, 16
	tokens := make([]string, agents)
	userIDs := make([]string, agents)
	for i := range agents {
		email := fmt.Sprintf("agent%02d@busy.test", i)
		userIDs[i] = s.CreateUser(root, tn.ID, email, "AGENT", "a busy passphrase 42", map[string]any{
			"agentProfileId": p.CreateAgentProfile.ID, "teamIds": []string{team.CreateTeam.ID},
		})
		tokens[i] = s.SignIn(email, "a busy passphrase 42")
	}

	var wg sync.WaitGroup
	errs := make(chan string, agents+admins)
	start := make(chan struct{})
	for i := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := s.Do(tokens[i], `mutation($in: StationLoginInput!){ stationLogin(input:$in){ session { id } } }`, map[string]any{"in": map[string]any{
				"clientId": "tab", "stationType": "DIAL_NUMBER", "dialNumber": fmt.Sprintf("+1212%07d", 5000000+i),
				"internationalFormat": false, "teamId": team.CreateTeam.ID,
			}})
			if len(r.Errors) > 0 {
				errs <- fmt.Sprintf("stationLogin %d: %s %s", i, r.Code(), r.Errors[0].Message)
			}
		}()
	}
	for i := range admins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := s.Do(root, `mutation($t:ID!,$m:String!,$u:ID!,$n:String!){
				createBanner(input:{tenantId:$t, message:$m}){ id }
				updateUser(id:$u, input:{name:$n}){ id } }`,
				map[string]any{"t": tn.ID, "m": fmt.Sprintf("notice %d", i), "u": userIDs[i], "n": fmt.Sprintf("Renamed %d", i)})
			if len(r.Errors) > 0 {
				errs <- fmt.Sprintf("admin write %d: %s %s", i, r.Code(), r.Errors[0].Message)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for e := range errs {
		if strings.Contains(strings.ToLower(e), "locked") {
			t.Errorf("database is locked: %s", e)
		} else {
			t.Error(e)
		}
	}
	var sessions struct{ DesktopSessions struct{ TotalCount int } }
	s.MustDo(root, `query($t:ID!){ desktopSessions(tenantId:$t){ totalCount } }`, map[string]any{"t": tn.ID}, &sessions)
	if sessions.DesktopSessions.TotalCount != agents {
		t.Fatalf("active desktop sessions = %d, want %d", sessions.DesktopSessions.TotalCount, agents)
	}
}
