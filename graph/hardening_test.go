package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/graph"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// Issue 10, items 1–7: what outside fuzzers and schema-recovery tools found,
// each through the real HTTP handler.

// hardenedServer is a test server whose ERROR log is kept: none of these
// requests may log one.
func hardenedServer(t *testing.T, opts ...testserver.Option) (*testserver.Server, *matrixLog) {
	t.Helper()
	log := &matrixLog{}
	opts = append([]testserver.Option{loggedTo(log)}, opts...)
	s := testserver.New(t, opts...)
	t.Cleanup(func() {
		if out := log.String(); out != "" {
			t.Errorf("the server logged errors:\n%s", out)
		}
	})
	return s, log
}

// loggedTo keeps what the server logs at ERROR in log.
func loggedTo(log *matrixLog) testserver.Option {
	return func(c *agentdesk.Config) {
		c.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelError}))
	}
}

// post sends a raw body to /graphql.
func post(t *testing.T, s *testserver.Server, token, contentType string, body io.Reader, header http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", body)
	must(t, err)
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := s.HTTP.Client().Do(req)
	must(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	must(t, err)
	return res.StatusCode, raw
}

// codedError decodes an answer that must be one JSON error with a code.
func codedError(t *testing.T, raw []byte) (code, message string) {
	t.Helper()
	var out struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) == 0 {
		t.Fatalf("not a JSON error: %s", raw)
	}
	code, _ = out.Errors[0].Extensions["code"].(string)
	if code == "" {
		t.Fatalf("no extensions.code: %s", raw)
	}
	return code, out.Errors[0].Message
}

// Item 1 and 2: no literal of any shape reaches INTERNAL or panics; the
// error names the argument.
func TestInlineLiteralsAreValidationErrors(t *testing.T) {
	s, _ := hardenedServer(t)
	root := s.RootToken()
	ten := s.CreateTenant(root, "lit")
	shapes := []string{`"x"`, `99999999999999999999`, `-99999999999999999999`, `1.5e999`, `-1e-999999`, `1`, `1.5`, `true`,
		`ENUM_VALUE`, `[1, "x", 1.5e999]`, `{a: 99999999999999999999}`, `{}`, `[]`, `[[[]]]`, `""""block""""`}
	type probe struct{ doc, field string }
	var probes []probe
	for _, v := range shapes {
		probes = append(probes,
			probe{fmt.Sprintf(`mutation { uploadActivityPageArtwork(tenantId: %q, file: %s) { artworkUrl } }`, ten.ID, v), "file"},
			probe{fmt.Sprintf(`mutation { createApiToken(input: {tenantId: %q, name: "n", role: AGENT, expiresAt: %s}) { token } }`, ten.ID, v), "input"},
			probe{fmt.Sprintf(`{ users(tenantId: %q, first: %s) { totalCount } }`, ten.ID, v), "first"},
			probe{fmt.Sprintf(`{ tenant(id: %s) { id } }`, v), "id"},
			probe{fmt.Sprintf(`{ countries(filter: %s) { isoCode } }`, v), "filter"},
			probe{fmt.Sprintf(`mutation { importUsers(tenantId: %q, csv: "", dryRun: %s) { created } }`, ten.ID, v), "dryRun"},
			probe{fmt.Sprintf(`{ users(tenantId: %q, role: %s) { totalCount } }`, ten.ID, v), "role"},
			probe{fmt.Sprintf(`mutation($t: Time = %s) { createApiToken(input: {tenantId: %q, name: "n", role: AGENT, expiresAt: $t}) { token } }`, v, ten.ID), "$t"},
			probe{fmt.Sprintf(`{ __typename @include(if: %s) }`, v), "if"},
		)
	}
	for _, p := range probes {
		r := s.Do(root, p.doc, nil)
		switch {
		case r.Status >= 500 || r.Code() == "INTERNAL":
			t.Errorf("%s: %d %+v", p.doc, r.Status, r.Errors)
		case r.Code() != "VALIDATION_ERROR":
			// A literal of the right type: the operation ran (and may have
			// found nothing).
		case r.Errors[0].Extensions["field"] == nil:
			t.Errorf("%s: VALIDATION_ERROR names no field: %+v", p.doc, r.Errors)
		case len(r.Errors[0].Path) == 0 && !namesField(r.Errors, p.field):
			t.Errorf("%s: the error does not name %s: %+v", p.doc, p.field, r.Errors)
		}
	}
	// The shapes the fuzzers sent, word for word.
	for _, doc := range []string{
		fmt.Sprintf(`mutation { uploadActivityPageArtwork(tenantId: %q, file: "x") { artworkUrl } }`, ten.ID),
		fmt.Sprintf(`mutation { uploadActivityPageArtwork(tenantId: %q, file: 99999999999999999999) { artworkUrl } }`, ten.ID),
		fmt.Sprintf(`mutation { uploadActivityPageArtwork(tenantId: %q, file: 1.5e999) { artworkUrl } }`, ten.ID),
	} {
		r := s.Do(root, doc, nil)
		if r.Code() != "VALIDATION_ERROR" || r.Errors[0].Extensions["field"] != "file" {
			t.Errorf("%s: %+v", doc, r.Errors)
		}
	}
}

func namesField(errs []testserver.Error, field string) bool {
	for _, e := range errs {
		if e.Extensions["field"] == field {
			return true
		}
	}
	return false
}

// An Upload variable that is not a multipart file (a JSON request) is the
// caller's mistake, named, not INTERNAL.
func TestUploadVariableMustBeAFile(t *testing.T) {
	s, _ := hardenedServer(t)
	root := s.RootToken()
	ten := s.CreateTenant(root, "upv")
	for _, file := range []any{"x", 99999999999999999999.0, map[string]any{"a": 1}, []any{1}, true} {
		r := s.Do(root, uploadMutation, map[string]any{"tenantId": ten.ID, "file": file})
		if r.Code() != "VALIDATION_ERROR" || r.Errors[0].Extensions["field"] != "file" {
			t.Errorf("file = %v: %+v", file, r.Errors)
		}
	}
	// Anonymous: the same document names nothing it may use.
	r := s.Do("", fmt.Sprintf(`mutation { uploadActivityPageArtwork(tenantId: %q, file: "x") { artworkUrl } }`, ten.ID), nil)
	if r.Code() != "VALIDATION_ERROR" {
		t.Errorf("anonymous inline upload: %+v", r.Errors)
	}
}

// Item 3: introspection is refused with the code that says what to do.
func TestIntrospectionNeedsAnAdminToken(t *testing.T) {
	s, _ := hardenedServer(t)
	root := s.RootToken()
	ten := s.CreateTenant(root, "intro")
	agent := userSession(t, s, ten.ID, "agent@intro.test", policy.Agent)
	admin := userSession(t, s, ten.ID, "admin@intro.test", policy.TenantAdmin)
	for _, doc := range []string{`{ __schema { queryType { name } } }`, `{ __type(name: "User") { name } }`,
		`query { ...F } fragment F on Query { __schema { types { name } } }`} {
		for _, c := range []struct {
			who, token, code string
		}{{"anonymous", "", "UNAUTHENTICATED"}, {"agent", agent, "FORBIDDEN"}, {"tenant admin", admin, ""}, {"platform admin", root, ""}} {
			r := s.Do(c.token, doc, nil)
			if r.Code() != c.code {
				t.Errorf("%s as %s: code %q, want %q: %+v", doc, c.who, r.Code(), c.code, r.Errors)
				continue
			}
			if c.code != "" && !strings.Contains(r.Errors[0].Message, "admin token") {
				t.Errorf("%s as %s: the message does not say an admin token is needed: %q", doc, c.who, r.Errors[0].Message)
			}
		}
	}
	// __typename is no introspection.
	if r := s.Do(agent, `{ __typename }`, nil); len(r.Errors) != 0 {
		t.Fatalf("__typename as agent: %+v", r.Errors)
	}
}

// positions are the "locations" of an answer, which may differ between
// two documents that are refused alike.
var positions = regexp.MustCompile(`"locations":\[[^\]]*\],?`)

// Item 4: anonymous callers see the public surface only, and a private name
// answers exactly as a made-up one.
func TestAnonymousSeesOnlyThePublicSurface(t *testing.T) {
	s, _ := hardenedServer(t)
	root := s.RootToken()
	s.CreateTenant(root, "pub")
	answer := func(doc string) string {
		status, raw := rawDo(t, s, "", doc, nil)
		return fmt.Sprintf("%d %s", status, positions.ReplaceAllString(raw, ""))
	}
	pairs := []struct{ private, madeUp string }{
		{`{ me { id } }`, `{ mee { id } }`},
		{`{ me }`, `{ mee }`},
		{`{ tenants { totalCount } }`, `{ tenantz { totalCount } }`},
		{`mutation { createTenant(input: {name: "x", slug: "x", emailDomains: []}) { id } }`, `mutation { createTenantz(input: {name: "x"}) { id } }`},
		{`query($in: CreateTenantInput!) { countries { isoCode } }`, `query($in: CreateTenantInputz!) { countries { isoCode } }`},
		{`{ countries { isoCode ... on Tenant { id } } }`, `{ countries { isoCode ... on Tenantz { id } } }`},
		{`fragment F on User { tenant { id } } { countries { isoCode } }`, `fragment F on User { tenantz { id } } { countries { isoCode } }`},
		{`mutation { signIn(email: "a@b.test", password: "p") { user { tenant { id } } } }`, `mutation { signIn(email: "a@b.test", password: "p") { user { tenantz { id } } } }`},
		{`mutation { signIn(email: "a@b.test", password: "p") { user { teamsAuthStatus } } }`, `mutation { signIn(email: "a@b.test", password: "p") { user { teamsAuthStatuz } } }`},
		{`subscription { desktopEvents(clientId: "c") { kind } }`, `subscription { desktopEventz(clientId: "c") { kind } }`},
		{`{ stationLoginOptions { stationTypes } }`, `{ stationLoginOptionz { stationTypes } }`},
	}
	for _, p := range pairs {
		private, madeUp := answer(p.private), answer(p.madeUp)
		if private != madeUp {
			t.Errorf("a private name answers differently from a made-up one:\n%s\n  → %s\n%s\n  → %s", p.private, private, p.madeUp, madeUp)
		}
		if !strings.Contains(private, `"code":"VALIDATION_ERROR"`) || strings.Contains(private, `"data":{`) {
			t.Errorf("%s: %s", p.private, private)
		}
	}
	// The answer names nothing of the schema, and no message the fuzzers
	// learned from appears.
	_, raw := rawDo(t, s, "", `{ me }`, nil)
	for _, leak := range []string{"User", "me", "selection", "Cannot query"} {
		if strings.Contains(raw, `"`+leak+`"`) || strings.Contains(raw, leak+" ") {
			t.Errorf("the generic answer names %q: %s", leak, raw)
		}
	}

	// The public operations still work, with the public errors.
	for _, doc := range []string{
		`{ countries(filter: "61") { isoCode name callingCode } }`,
		`{ signInOptions(email: "a@pub.test") { method ssoAuthorizationUrl state } }`,
		`mutation { requestPasswordReset(email: "nobody@pub.test") }`,
		`{ __typename }`,
	} {
		if r := s.Do("", doc, nil); len(r.Errors) != 0 {
			t.Errorf("%s: %+v", doc, r.Errors)
		}
	}
	var signed struct {
		SignIn struct {
			Token string
			User  struct{ ID, Email, Name, Role string }
		}
	}
	s.MustDo("", `mutation($e:String!,$p:String!){ signIn(email:$e, password:$p){ token expiresAt user { id email name role } } }`,
		map[string]any{"e": testserver.AdminEmail, "p": testserver.AdminPassword}, &signed)
	if signed.SignIn.User.Role != "PLATFORM_ADMIN" {
		t.Fatalf("signIn's user: %+v", signed.SignIn.User)
	}
	// A mistake in a public operation is explained: it names only what is public.
	r := s.Do("", `{ signInOptions { method } }`, nil)
	if r.Code() != "VALIDATION_ERROR" || !strings.Contains(r.Errors[0].Message, "email") {
		t.Fatalf("missing argument of a public operation: %+v", r.Errors)
	}
	// The same private document is fine with a token.
	if r := s.Do(signed.SignIn.Token, `{ me { id tenant { id } } }`, nil); len(r.Errors) != 0 {
		t.Fatalf("me with a token: %+v", r.Errors)
	}
}

// A token that is not valid is refused before the document is read.
func TestInvalidTokenIsUnauthenticatedFirst(t *testing.T) {
	s, _ := hardenedServer(t)
	root := s.RootToken()
	revoked := s.RootToken()
	s.MustDo(revoked, `mutation { endSession }`, nil, nil)
	expired := s.RootToken()
	s.Clock.Advance(9 * time.Hour) // past the 8-hour session lifetime
	for _, c := range []struct{ name, token string }{
		{"made up", "not-a-token"}, {"revoked", revoked}, {"expired", expired}, {"expired, used before", root},
	} {
		for _, doc := range []string{`{ countries { isoCode } }`, `{ me { id } }`, `{ nonsense`, `{ __schema { types { name } } }`} {
			r := s.Do(c.token, doc, nil)
			if r.Status != http.StatusUnauthorized || r.Code() != "UNAUTHENTICATED" || len(r.Errors) != 1 {
				t.Errorf("%s token, %s: %d %+v", c.name, doc, r.Status, r.Errors)
			}
		}
	}
}

// Item 5 and 6: transport refusals are small JSON errors with a code and
// the right status; a malformed body is not echoed.
func TestTransportRefusalsAreCoded(t *testing.T) {
	s, _ := hardenedServer(t)
	root := s.RootToken()
	big := strings.Repeat("x", 900<<10)
	form := func() (string, io.Reader) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("operations", `{"query":"{ __typename }"}`)
		_ = mw.WriteField("map", `{}`)
		_ = mw.Close()
		return mw.FormDataContentType(), &b
	}
	mpType, mpBody := form()
	cases := []struct {
		name, method, token, contentType string
		body                             io.Reader
		header                           http.Header
		status                           int
	}{
		{"PUT", http.MethodPut, "", "application/json", strings.NewReader(`{}`), nil, http.StatusMethodNotAllowed},
		{"DELETE", http.MethodDelete, root, "", nil, nil, http.StatusMethodNotAllowed},
		{"text/plain", http.MethodPost, "", "text/plain", strings.NewReader(`{"query":"{ __typename }"}`), nil, http.StatusUnsupportedMediaType},
		{"form post", http.MethodPost, "", "application/x-www-form-urlencoded", strings.NewReader("query=%7B__typename%7D"), nil, http.StatusUnsupportedMediaType},
		{"no content type", http.MethodPost, "", "", strings.NewReader(`{"query":"{ __typename }"}`), nil, http.StatusUnsupportedMediaType},
		{"malformed JSON", http.MethodPost, "", "application/json", strings.NewReader(`{"query": "` + big[:60<<10]), nil, http.StatusBadRequest},
		{"malformed JSON, signed in, 900 KiB", http.MethodPost, root, "application/json", strings.NewReader(`{"query": [` + big), nil, http.StatusBadRequest},
		{"batch", http.MethodPost, "", "application/json", strings.NewReader(`[{"query":"{ __typename }"}]`), nil, http.StatusBadRequest},
		{"multipart without preflight header", http.MethodPost, root, mpType, mpBody, nil, http.StatusBadRequest},
		{"multipart, broken", http.MethodPost, root, "multipart/form-data; boundary=x", strings.NewReader("--x\r\nnonsense"), preflight(), http.StatusUnprocessableEntity},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, s.HTTP.URL+"/graphql", c.body)
			must(t, err)
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			for k, v := range c.header {
				req.Header[k] = v
			}
			res, err := s.HTTP.Client().Do(req)
			must(t, err)
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			if res.StatusCode != c.status {
				t.Errorf("status %d, want %d: %.300s", res.StatusCode, c.status, raw)
			}
			if len(raw) > 500 {
				t.Errorf("%d bytes of error: %.300s…", len(raw), raw)
			}
			if code, _ := codedError(t, raw); code != "VALIDATION_ERROR" {
				t.Errorf("code %s", code)
			}
		})
	}
	t.Run("GET with a mutation", func(t *testing.T) {
		res, raw := get(t, s, "/graphql?query="+url.QueryEscape(`mutation { requestPasswordReset(email:"a@b.test") }`), nil)
		if res.StatusCode != http.StatusNotAcceptable {
			t.Errorf("status %d: %s", res.StatusCode, raw)
		}
		codedError(t, raw)
	})
}

// Item 7: the body cap follows the caller, and is applied while reading.
func TestBodyCapsByCaller(t *testing.T) {
	s, _ := hardenedServer(t)
	root := s.RootToken()
	ten := s.CreateTenant(root, "caps")
	agent := userSession(t, s, ten.ID, "agent@caps.test", policy.Agent)
	admin := userSession(t, s, ten.ID, "admin@caps.test", policy.TenantAdmin)
	padded := func(query string, vars map[string]any, size int) []byte {
		vars["pad"] = strings.Repeat("a", size)
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return b
	}
	countries := `query($pad: String) { countries(filter: $pad) { isoCode } }`
	csv := "email,name,role\n" + strings.Repeat("someone@caps.test,Some One,AGENT\n", (5<<20)/34)
	importBody, _ := json.Marshal(map[string]any{
		"query":     `mutation($t: ID!, $csv: String!) { importUsers(tenantId: $t, csv: $csv, dryRun: true) { created failed } }`,
		"variables": map[string]any{"t": ten.ID, "csv": csv},
	})
	cases := []struct {
		name, token string
		body        []byte
		chunked     bool
		tooLarge    bool
	}{
		{"anonymous 60 KiB", "", padded(countries, map[string]any{}, 60<<10), false, false},
		{"anonymous 256 KiB", "", padded(countries, map[string]any{}, 256<<10), false, true},
		{"anonymous 256 KiB, no length", "", padded(countries, map[string]any{}, 256<<10), true, true},
		{"agent 900 KiB", agent, padded(countries, map[string]any{}, 900<<10), false, false},
		{"agent 2 MiB", agent, padded(countries, map[string]any{}, 2<<20), false, true},
		{"admin 2 MiB, an ordinary query", admin, padded(countries, map[string]any{}, 2<<20), false, true},
		{"admin 2 MiB, an ordinary query, no length", admin, padded(countries, map[string]any{}, 2<<20), true, true},
		{"admin 5 MiB importUsers", admin, importBody, false, false},
		{"admin 5 MiB importUsers, no length", admin, importBody, true, false},
		{"agent 5 MiB importUsers", agent, importBody, false, true},
		{"admin 13 MiB", admin, padded(countries, map[string]any{}, 13<<20), false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(c.body)
			if c.chunked {
				body = io.MultiReader(body) // no length: sent chunked
			}
			status, raw := post(t, s, c.token, "application/json", body, nil)
			if got := status == http.StatusRequestEntityTooLarge; got != c.tooLarge {
				t.Fatalf("%d bytes: status %d, want 413: %v: %.300s", len(c.body), status, c.tooLarge, raw)
			}
			if c.tooLarge {
				if code, _ := codedError(t, raw); code != "VALIDATION_ERROR" {
					t.Fatalf("code %s", code)
				}
			} else if bytes.Contains(raw, []byte(`"INTERNAL"`)) {
				t.Fatalf("INTERNAL: %s", raw)
			}
		})
	}
}

// Variables of every shape (JSON numbers out of range included) are
// refused as VALIDATION_ERROR too, never INTERNAL.
func TestVariablesOfEveryShape(t *testing.T) {
	s, _ := hardenedServer(t)
	root := s.RootToken()
	ten := s.CreateTenant(root, "vars")
	shapes := []string{`"x"`, `99999999999999999999`, `1e999`, `-1e-999`, `1.5`, `true`, `{}`, `{"a":1e999}`, `[]`, `[1e999]`, `null`, `""`}
	docs := []struct{ doc, variable string }{
		{`query($v: Int) { users(tenantId: "` + ten.ID + `", first: $v) { totalCount } }`, "v"},
		{`query($v: ID!) { tenant(id: $v) { id } }`, "v"},
		{`query($v: String) { countries(filter: $v) { isoCode } }`, "v"},
		{`query($v: Role) { users(tenantId: "` + ten.ID + `", role: $v) { totalCount } }`, "v"},
		{`mutation($v: Boolean) { importUsers(tenantId: "` + ten.ID + `", csv: "", dryRun: $v) { created } }`, "v"},
		{`mutation($v: Time) { createApiToken(input: {tenantId: "` + ten.ID + `", name: "n", role: AGENT, expiresAt: $v}) { token } }`, "v"},
		{`mutation($v: CreateApiTokenInput!) { createApiToken(input: $v) { token } }`, "v"},
		{`mutation($v: Upload!) { uploadActivityPageArtwork(tenantId: "` + ten.ID + `", file: $v) { artworkUrl } }`, "v"},
	}
	for _, d := range docs {
		for _, shape := range shapes {
			body := `{"query": ` + strconvQuote(d.doc) + `, "variables": {"v": ` + shape + `}}`
			status, raw := post(t, s, root, "application/json", strings.NewReader(body), nil)
			if status >= 500 || bytes.Contains(raw, []byte(`"INTERNAL"`)) {
				t.Errorf("%s with %s: %d %s", d.doc, shape, status, raw)
			}
		}
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Multipart bodies are held to the same caps: only the artwork upload of a
// caller who may upload goes past 1 MiB.
func TestMultipartBodyCaps(t *testing.T) {
	s, _ := hardenedServer(t)
	root := s.RootToken()
	ten := s.CreateTenant(root, "mcaps")
	agent := userSession(t, s, ten.ID, "agent@mcaps.test", policy.Agent)
	file := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 3<<19)...) // 1.5 MiB
	send := func(token, query string, vars map[string]any) (int, []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		must(t, mw.WriteField("operations", string(ops)))
		must(t, mw.WriteField("map", `{"0":["variables.file"]}`))
		part, err := mw.CreateFormFile("0", "big.png")
		must(t, err)
		_, _ = part.Write(file)
		must(t, mw.Close())
		return post(t, s, token, mw.FormDataContentType(), &b, preflight())
	}
	uploadVars := map[string]any{"tenantId": ten.ID, "file": nil}
	other := `mutation($tenantId: ID!, $file: Upload!) { removeActivityPageArtwork(tenantId: $tenantId) { artworkUrl } }`
	for _, c := range []struct {
		name, token, query string
		tooLarge           bool
	}{
		{"admin uploads 1.5 MiB of artwork", root, uploadMutation, false},
		{"admin sends 1.5 MiB with another operation", root, other, true},
		{"agent uploads 1.5 MiB", agent, uploadMutation, true},
		{"anonymous uploads 1.5 MiB", "", uploadMutation, true},
	} {
		status, raw := send(c.token, c.query, uploadVars)
		if got := status == http.StatusRequestEntityTooLarge; got != c.tooLarge {
			t.Errorf("%s: status %d: %.300s", c.name, status, raw)
			continue
		}
		if code, _ := codedError(t, raw); code == "INTERNAL" || c.tooLarge && code != "VALIDATION_ERROR" {
			t.Errorf("%s: %s", c.name, raw)
		}
	}
}

// A schema-recovery tool guesses names and reads the validation messages.
// Anonymous, every private root field, every private type and an unknown
// argument of a public field answer exactly as a made-up name does, so
// guessing finds nothing beyond the public operations.
func TestSchemaRecoveryFindsNothing(t *testing.T) {
	s, _ := hardenedServer(t)
	full := graph.NewExecutableSchema(graph.Config{}).Schema()
	answer := func(doc string) string {
		status, raw := rawDo(t, s, "", doc, nil)
		return fmt.Sprintf("%d %s", status, positions.ReplaceAllString(raw, ""))
	}
	public := map[string]bool{"signInOptions": true, "countries": true, "signIn": true, "completeSsoSignIn": true,
		"requestPasswordReset": true, "resetPassword": true}
	field := answer(`{ zzMadeUp }`)
	typ := answer(`{ countries { isoCode ... on ZzMadeUp { __typename } } }`)
	arg := answer(`{ countries(zzMadeUp: 1) { isoCode } }`)
	n := 0
	for _, root := range []struct {
		op  string
		def *ast.Definition
	}{{"query", full.Query}, {"mutation", full.Mutation}, {"subscription", full.Subscription}} {
		for _, f := range root.def.Fields {
			if public[f.Name] || strings.HasPrefix(f.Name, "__") {
				continue
			}
			n++
			if got, want := answer(root.op+" { "+f.Name+" }"), answer(root.op+" { zzMadeUp }"); got != want {
				t.Errorf("%s.%s answers %s; a made-up field %s", root.def.Name, f.Name, got, want)
			}
		}
	}
	publicTypes := map[string]bool{"Query": true, "Mutation": true, "SignInOptions": true, "AuthPayload": true, "User": true, "Country": true}
	for name, def := range full.Types {
		if def.BuiltIn || publicTypes[name] || def.Kind != ast.Object {
			continue
		}
		n++
		if got := answer(`{ countries { isoCode ... on ` + name + ` { __typename } } }`); got != typ {
			t.Errorf("type %s answers %s; a made-up type %s", name, got, typ)
		}
	}
	if got := answer(`{ countries(tenantId: "x") { isoCode } }`); got != arg {
		t.Errorf("an argument that exists elsewhere answers %s; a made-up one %s", got, arg)
	}
	if !strings.Contains(field, matrixNotPublicMessage) || n < 50 {
		t.Fatalf("%d names probed; a made-up field answers %s", n, field)
	}
}
