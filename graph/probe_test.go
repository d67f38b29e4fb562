package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// Probes in the manner of graphql-cop: each abuse is refused with the right
// code, quickly, and nothing panics (a panic would show as INTERNAL).

func TestProbeAliasFlood(t *testing.T) {
	s := testserver.New(t)
	var b strings.Builder
	b.WriteString("query {")
	for i := range 1000 {
		b.WriteString(" a")
		b.WriteString(strings.Repeat("x", 1+i%3))
		b.WriteString(strconv.Itoa(i))
		b.WriteString(": countries(filter: \"x\") { isoCode }")
	}
	b.WriteString("}")
	r := s.Do("", b.String(), nil)
	if r.Code() != "VALIDATION_ERROR" {
		t.Fatalf("1000 aliases: %s %+v", r.Code(), first(r.Errors))
	}
}

func TestProbeBruteForceInOneRequest(t *testing.T) {
	s := testserver.New(t)
	q := `mutation { a: signIn(email:"a@x.test", password:"p1p1p1p1p1") { token } b: signIn(email:"a@x.test", password:"p2p2p2p2p2") { token } }`
	r := s.Do("", q, nil)
	if r.Code() != "VALIDATION_ERROR" || !strings.Contains(r.Errors[0].Message, "once per request") {
		t.Fatalf("two signIns in one request: %+v", r.Errors)
	}
}

func TestProbeDeepNesting(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	q := "{ tenants { edges { node { id } } } }"
	for range 10 {
		q = strings.Replace(q, "node { id }", "node { id activityPage { artworkUrl } } ", 1)
	}
	// Fragments cannot nest deeper than their document, so build depth
	// with introspection's recursive ofType.
	deep := "{ __schema { types { fields { type" + strings.Repeat(" { ofType", 14) + " { name }" + strings.Repeat(" }", 14) + " } } } }"
	r := s.Do(root, deep, nil)
	if r.Code() != "DEPTH_LIMIT_EXCEEDED" {
		t.Fatalf("deep query: %s %+v", r.Code(), first(r.Errors))
	}
	if r := s.Do(root, q, nil); len(r.Errors) != 0 {
		t.Fatalf("an ordinary query was refused: %+v", r.Errors)
	}
}

func TestProbeComplexity(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	q := `{ teams(tenantId: "ten_x", first: 100) { edges { node { members(first: 100) { edges { node { id email } } } } } } }`
	r := s.Do(root, q, nil)
	if r.Code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Fatalf("costly query: %s %+v", r.Code(), first(r.Errors))
	}
}

func TestProbeRepeatedFieldsAndTokenLimit(t *testing.T) {
	s := testserver.New(t)
	q := "{ countries(filter:\"x\") {" + strings.Repeat(" isoCode", 10000) + " } }"
	r := s.Do("", q, nil)
	if r.Code() != "VALIDATION_ERROR" {
		t.Fatalf("10,000 repeated fields: %s %+v", r.Code(), first(r.Errors))
	}
}

func TestProbeIntrospection(t *testing.T) {
	s := testserver.New(t)
	q := `{ __schema { queryType { name } types { name fields { name } } } }`
	if r := s.Do("", q, nil); len(r.Errors) == 0 {
		t.Fatal("anonymous introspection allowed")
	}
	root := s.RootToken()
	if r := s.Do(root, q, nil); len(r.Errors) != 0 {
		t.Fatalf("admin introspection refused: %+v", r.Errors)
	}
	// Circular introspection: fields → type → fields … is bounded by depth.
	circ := "{ __schema { types" + strings.Repeat(" { fields { type", 8) + " { name }" + strings.Repeat(" } }", 8) + " } }"
	// gqlparser's own introspection-depth rule or ours: either refuses.
	if r := s.Do(root, circ, nil); r.Code() != "DEPTH_LIMIT_EXCEEDED" && (len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "introspection depth")) {
		t.Fatalf("circular introspection: %s %+v", r.Code(), first(r.Errors))
	}
}

func TestProbeNoSuggestions(t *testing.T) {
	s := testserver.New(t)
	r := s.Do("", `{ countrie { isoCode } }`, nil)
	if len(r.Errors) == 0 || strings.Contains(strings.ToLower(r.Errors[0].Message), "did you mean") {
		t.Fatalf("suggestion leaked: %+v", r.Errors)
	}
}

func TestProbeTransports(t *testing.T) {
	s := testserver.New(t)
	client := s.HTTP.Client()
	get := func(q string) *http.Response {
		res, err := client.Get(s.HTTP.URL + "/graphql?query=" + url.QueryEscape(q))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// GET runs queries…
	if res := get(`{ countries(filter:"61") { isoCode } }`); res.StatusCode != http.StatusOK {
		t.Fatalf("GET query: %d", res.StatusCode)
	}
	// …never mutations.
	res := get(`mutation { requestPasswordReset(email:"a@b.test") }`)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusOK && !strings.Contains(string(body), "errors") {
		t.Fatalf("GET ran a mutation: %s", body)
	}

	post := func(contentType, body string) (int, string) {
		res, err := client.Post(s.HTTP.URL+"/graphql", contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// Form-encoded bodies are refused.
	if code, body := post("application/x-www-form-urlencoded", "query="+url.QueryEscape(`{ countries { isoCode } }`)); code < 400 {
		t.Fatalf("urlencoded POST accepted: %d %s", code, body)
	}
	// No array batching.
	batch, _ := json.Marshal([]map[string]string{{"query": "{ countries { isoCode } }"}, {"query": "{ countries { name } }"}})
	if code, body := post("application/json", string(batch)); code < 400 && !strings.Contains(body, "errors") {
		t.Fatalf("batched array accepted: %d %s", code, body)
	}
}

func TestProbeOversizedBody(t *testing.T) {
	s := testserver.New(t, func(c *agentdesk.Config) { c.MaxBodyBytes = 64 << 10 })
	big := `{"query":"{ countries { isoCode } }","variables":{"x":"` + strings.Repeat("a", 100<<10) + `"}}`
	res, err := s.HTTP.Client().Post(s.HTTP.URL+"/graphql", "application/json", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: status %d, want 413", res.StatusCode)
	}
	// Without a Content-Length the reader still stops at the cap.
	req, _ := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	res2, err := s.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res2.Body.Close()
	b, _ := io.ReadAll(res2.Body)
	if !strings.Contains(string(b), "errors") || strings.Contains(string(b), `"data":{`) {
		t.Fatalf("chunked oversized body: %d %s", res2.StatusCode, b)
	}
}

func first(errs []testserver.Error) any {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

func TestRateLimitPerAddressAndToken(t *testing.T) {
	s := testserver.New(t, func(c *agentdesk.Config) {
		c.RateLimit = agentdesk.RateLimit{AnonymousPerSecond: 1, AnonymousBurst: 3, TokenPerSecond: 1, TokenBurst: 1 << 20}
	})
	root := s.RootToken() // one anonymous request (signIn)
	for range 2 {
		if r := s.Do("", `{ __typename }`, nil); len(r.Errors) != 0 {
			t.Fatalf("within the burst: %+v", r.Errors)
		}
	}
	r := s.Do("", `{ __typename }`, nil)
	if r.Status != http.StatusTooManyRequests || r.Code() != "TOO_MANY_ATTEMPTS" || r.Errors[0].Extensions["retryAfterSeconds"] == nil {
		t.Fatalf("past the burst: %d %+v", r.Status, r.Errors)
	}
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After header")
	}
	// A signed-in caller has its own bucket.
	if r := s.Do(root, `{ __typename }`, nil); len(r.Errors) != 0 {
		t.Fatalf("token shares the address bucket: %+v", r.Errors)
	}
	s.Clock.Advance(2 * time.Second)
	if r := s.Do("", `{ __typename }`, nil); len(r.Errors) != 0 {
		t.Fatalf("after the wait: %+v", r.Errors)
	}
}

func TestSecurityHeadersAndCORS(t *testing.T) {
	s := testserver.New(t, func(c *agentdesk.Config) { c.AllowedOrigins = []string{"https://desk.example"} })
	res, err := s.HTTP.Client().Get(s.HTTP.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if res.Header.Get(h) == "" {
			t.Errorf("console lacks %s", h)
		}
	}
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, s.HTTP.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		res, err := s.HTTP.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if got := preflight("https://desk.example").Header.Get("Access-Control-Allow-Origin"); got != "https://desk.example" {
		t.Fatalf("allowed origin: %q", got)
	}
	if got := preflight("https://evil.example").Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("other origin allowed: %q", got)
	}
}
