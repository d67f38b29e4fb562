package graph_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// syncBuffer collects log output from concurrent goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSecretsStayOutOfLogsAndResponses signs in, creates an API token and
// sets SSO secrets with debug logging on, then looks for every secret in the
// logs and in later responses.
func TestSecretsStayOutOfLogsAndResponses(t *testing.T) {
	logs := &syncBuffer{}
	s := testserver.New(t, func(c *agentdesk.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	root := s.RootToken()
	tn := s.CreateTenant(root, "secrets")
	const ssoSecret = "sso-client-secret-7f3a9c"
	var upd struct {
		UpdateTenant struct {
			Sso struct{ HasClientSecret bool }
		}
	}
	s.MustDo(root, `mutation($id:ID!,$s:String!){ updateTenant(id:$id, input:{ssoMode: AZURE_SSO,
		sso:{issuerUrl:"https://login.example.test/tenant/v2.0", clientId:"client-1", clientSecret:$s}}){ sso { hasClientSecret } } }`,
		map[string]any{"id": tn.ID, "s": ssoSecret}, &upd)
	if !upd.UpdateTenant.Sso.HasClientSecret {
		t.Fatal("secret not stored")
	}
	var tok struct{ CreateApiToken struct{ Token string } }
	s.MustDo(root, `mutation($t:ID!){ createApiToken(input:{tenantId:$t, name:"ci", role: TENANT_ADMIN}){ token } }`,
		map[string]any{"t": tn.ID}, &tok)
	// Failed sign-ins with a password that must not be echoed anywhere.
	const wrongPassword = "wrong-password-5d1e"
	for range 3 {
		r := s.Do("", `mutation($e:String!,$p:String!){ signIn(email:$e, password:$p){ token } }`,
			map[string]any{"e": testserver.AdminEmail, "p": wrongPassword})
		if strings.Contains(string(r.Data), wrongPassword) || strings.Contains(r.Errors[0].Message, wrongPassword) {
			t.Fatal("a response echoes the password")
		}
	}
	// Everything a platform admin can read about the tenant and the audit log.
	r := s.Do(root, `query($id:ID!){ tenant(id:$id){ sso { issuerUrl clientId hasClientSecret } teamsIntegration { hasClientSecret } }
		auditEvents(tenantId:$id, first: 50){ edges { node { summary } } } }`, map[string]any{"id": tn.ID})
	for name, secret := range map[string]string{"SSO secret": ssoSecret, "API token": tok.CreateApiToken.Token, "session token": root} {
		if strings.Contains(string(r.Data), secret) {
			t.Errorf("a response shows the %s", name)
		}
	}
	out := logs.String()
	for name, secret := range map[string]string{
		"SSO secret": ssoSecret, "API token": tok.CreateApiToken.Token, "session token": root,
		"admin password": testserver.AdminPassword, "wrong password": wrongPassword,
	} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
}
