package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/mail"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// mailbox is a mail.Sender that hands every message to the test.
type mailbox chan mail.Message

func (m mailbox) Send(_ context.Context, msg mail.Message) error {
	m <- msg
	return nil
}

// next waits for the next message. The bound only turns a lost message
// into a failure instead of a hang; it is not a timing assertion.
func (m mailbox) next(t testing.TB) mail.Message {
	t.Helper()
	select {
	case msg := <-m:
		return msg
	case <-time.After(20 * time.Second):
		t.Fatal("no mail arrived")
		return mail.Message{}
	}
}

var codeInText = regexp.MustCompile(`confirmation code is (\d{6})`)

// resetCode waits for the next mail, which must be a reset code for to.
func (m mailbox) resetCode(t testing.TB, to string) string {
	t.Helper()
	msg := m.next(t)
	c := codeInText.FindStringSubmatch(msg.Text)
	if msg.To != to || c == nil {
		t.Fatalf("mail to %q (%q) is not a reset code for %s", msg.To, msg.Subject, to)
	}
	return c[1]
}

// newSignInServer starts a server whose mail the test reads.
func newSignInServer(t *testing.T, opts ...testserver.Option) (*testserver.Server, mailbox) {
	box := make(mailbox, 100)
	opts = append([]testserver.Option{func(c *agentdesk.Config) { c.MailSender = box }}, opts...)
	return testserver.New(t, opts...), box
}

// addUser creates an agent straight in the database (password "" for none),
// so these tests depend on the sign-in flows only.
func addUser(t testing.TB, s *testserver.Server, tenantID, email, password string, edit ...func(*ent.UserCreate)) *ent.User {
	t.Helper()
	c := s.App.DB.Client.User.Create().SetTenantID(tenantID).SetEmail(email).SetName("Agent " + email).SetRole(policy.Agent)
	if password != "" {
		h, err := s.App.SignIn.Hasher.Hash(testserver.Ctx(), password)
		if err != nil {
			t.Fatal(err)
		}
		c.SetPasswordHash(h)
	}
	for _, e := range edit {
		e(c)
	}
	u, err := c.Save(testserver.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// rawDo posts an operation and returns the status and the body as sent, so
// tests can compare answers byte for byte.
func rawDo(t testing.TB, s *testserver.Server, token, query string, vars map[string]any) (int, string) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(raw)
}

const (
	signInOp          = `mutation($e:String!,$p:String!){ signIn(email:$e, password:$p){ token expiresAt user{ email } } }`
	signInOptionsOp   = `query($e:String!){ signInOptions(email:$e){ method ssoAuthorizationUrl state } }`
	requestResetOp    = `mutation($e:String!){ requestPasswordReset(email:$e) }`
	resetPasswordOp   = `mutation($e:String!,$c:String!,$p:String!){ resetPassword(email:$e, code:$c, newPassword:$p) }`
	completeSSOOp     = `mutation($s:String!,$c:String!){ completeSsoSignIn(state:$s, code:$c){ token user{ email } } }`
	meOp              = `{ me { email } }`
	endSessionOp      = `mutation { endSession }`
	adaPassword       = "plum orchard telescope"
	newAgentPassword  = "violet harbour lantern"
	otherGoodPassword = "amber meadow compass"
)

func signIn(s *testserver.Server, email, password string) *testserver.Response {
	return s.Do("", signInOp, map[string]any{"e": email, "p": password})
}

func resetPassword(s *testserver.Server, email, code, password string) *testserver.Response {
	return s.Do("", resetPasswordOp, map[string]any{"e": email, "c": code, "p": password})
}

func requestReset(t testing.TB, s *testserver.Server, email string) {
	t.Helper()
	var out struct{ RequestPasswordReset bool }
	s.MustDo("", requestResetOp, map[string]any{"e": email}, &out)
	if !out.RequestPasswordReset {
		t.Fatalf("requestPasswordReset(%s) = false", email)
	}
}

// meEmail is the signed-in user's address, or "" when token is refused.
func meEmail(t testing.TB, s *testserver.Server, token string) string {
	t.Helper()
	r := s.Do(token, meOp, nil)
	if len(r.Errors) > 0 {
		if r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("me: %+v", r.Errors)
		}
		return ""
	}
	var out struct{ Me *struct{ Email string } }
	r.Decode(t, &out)
	if out.Me == nil {
		return ""
	}
	return out.Me.Email
}

func mustSignIn(t testing.TB, s *testserver.Server, email, password string) string {
	t.Helper()
	r := signIn(s, email, password)
	var out struct{ SignIn struct{ Token string } }
	r.Decode(t, &out)
	return out.SignIn.Token
}
