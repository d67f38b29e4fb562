package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

const extrasPassword = "a long and unusual passphrase"

// userSession creates a user with role in tenantID straight in the database
// and signs it in through the API. User administration is another area's;
// these tests need only someone of each role to call as.
func userSession(t *testing.T, s *testserver.Server, tenantID, email string, role policy.Role) string {
	t.Helper()
	addUser(t, s, tenantID, email, extrasPassword, func(c *ent.UserCreate) {
		c.SetName("User " + email).SetRole(role).SetPasswordChangedAt(s.Clock.Now())
	})
	return s.SignIn(email, extrasPassword)
}

type createdToken struct {
	Token    string
	APIToken struct {
		ID, Name, Role string
		ExpiresAt      string
		RevokedAt      *string
		LastUsedAt     *string
	}
}

const createTokenMutation = `mutation($in: CreateApiTokenInput!){
	createApiToken(input:$in){ token apiToken{ id name role createdAt lastUsedAt expiresAt revokedAt } }
}`

// apiToken creates an API token as caller and returns it.
func apiToken(t *testing.T, s *testserver.Server, caller, tenantID, role string) createdToken {
	t.Helper()
	var out struct{ CreateApiToken createdToken }
	s.MustDo(caller, createTokenMutation, map[string]any{"in": map[string]any{
		"tenantId": tenantID, "name": "robot " + role, "role": role,
	}}, &out)
	return out.CreateApiToken
}

// wantError fails unless r failed with code (and, when field is not "", on
// that field).
func wantError(t *testing.T, r *testserver.Response, code, field string) {
	t.Helper()
	if r.Code() != code {
		t.Fatalf("code = %q, want %s (errors %+v, data %s)", r.Code(), code, r.Errors, r.Data)
	}
	if field != "" && r.Errors[0].Extensions["field"] != field {
		t.Fatalf("field = %v, want %s (%+v)", r.Errors[0].Extensions["field"], field, r.Errors)
	}
}

const uploadMutation = `mutation($tenantId: ID!, $file: Upload!){
	uploadActivityPageArtwork(tenantId:$tenantId, file:$file){ artworkUrl }
}`

// upload sends uploadActivityPageArtwork as a GraphQL multipart request
// (github.com/jaydenseric/graphql-multipart-request-spec): an "operations"
// part, a "map" part, then the file. header is added as is; pass
// X-Requested-With there, or leave it out to test the CSRF check.
func upload(t *testing.T, s *testserver.Server, token, tenantID, filename, declaredType string, data []byte, header http.Header) *testserver.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	ops, _ := json.Marshal(map[string]any{"query": uploadMutation, "variables": map[string]any{"tenantId": tenantID, "file": nil}})
	must(t, mw.WriteField("operations", string(ops)))
	must(t, mw.WriteField("map", `{"0":["variables.file"]}`))
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="0"; filename="`+filename+`"`)
	h.Set("Content-Type", declaredType)
	part, err := mw.CreatePart(h)
	must(t, err)
	_, err = part.Write(data)
	must(t, err)
	must(t, mw.Close())

	status, raw := post(t, s, token, mw.FormDataContentType(), &body, header)
	out := &testserver.Response{Status: status}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("response is not JSON (status %d): %s", status, raw)
	}
	return out
}

// preflight is the header a browser sends only after a CORS preflight.
func preflight() http.Header { return http.Header{"X-Requested-With": {"XMLHttpRequest"}} }

// get fetches a path or URL from the test server.
func get(t *testing.T, s *testserver.Server, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	if strings.HasPrefix(url, "/") {
		url = s.HTTP.URL + url
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	must(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := s.HTTP.Client().Do(req)
	must(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	must(t, err)
	return res, body
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
