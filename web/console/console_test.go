package console_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/agentdesk/agentdesk/graph"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/web/console"
)

var (
	htmlRef  = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`)
	assetRef = regexp.MustCompile(`[A-Za-z0-9_.-]+-[A-Za-z0-9_-]{8}\.(?:js|css|ttf|woff2)\b`)
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// TestConsoleAssetsSameOriginAndCached: the page at "/" names only this
// server's files, and every file it loads — directly or through another
// file (chunks, workers, the editor's icon font) — is served with a content
// hash in its name and a year-long immutable cache lifetime, while the page
// itself is never cached and allows only this origin's scripts.
func TestConsoleAssetsSameOriginAndCached(t *testing.T) {
	s := testserver.New(t)
	res, page := get(t, s.HTTP.URL+"/")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("GET / Cache-Control = %q, want no-cache", cc)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, directive := range strings.Split(csp, ";") {
		f := strings.Fields(directive)
		if len(f) > 0 && (f[0] == "script-src" || f[0] == "default-src") && !slices.Equal(f[1:], []string{"'self'"}) && !slices.Equal(f[1:], []string{"'none'"}) {
			t.Errorf("CSP %s allows more than this origin: %q", f[0], directive)
		}
		if strings.Contains(directive, "http") || strings.Contains(directive, "*") {
			t.Errorf("CSP names another origin: %q", directive)
		}
	}
	if !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP has no script-src 'self': %q", csp)
	}

	var queue []string
	for _, m := range htmlRef.FindAllStringSubmatch(page, -1) {
		ref := m[1]
		switch {
		case strings.HasPrefix(ref, "data:"):
		case strings.HasPrefix(ref, console.AssetPrefix):
			queue = append(queue, path.Base(ref))
		default:
			t.Errorf("the console page references %q: only %s… of this origin is allowed", ref, console.AssetPrefix)
		}
	}
	if len(queue) < 2 {
		t.Fatalf("the console page references %d assets, want its script and style sheet:\n%s", len(queue), page)
	}
	for _, bad := range []string{"http://", "https://", "//cdn", "<script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the console page contains %q", bad)
		}
	}

	seen := map[string]bool{}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		if !console.HasContentHash(name) {
			t.Errorf("%s has no content hash in its name", name)
		}
		res, body := get(t, s.HTTP.URL+console.AssetPrefix+name)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: HTTP %d", name, res.StatusCode)
			continue
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", name, cc)
		}
		if strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css") {
			queue = append(queue, assetRef.FindAllString(body, -1)...)
		}
	}
	dist, err := os.ReadDir("dist/assets")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of the %d built files are reached from the page", len(seen), len(dist))
	if len(seen) < len(dist)/2 {
		t.Errorf("only %d of %d built files were reached from the page: the crawl misses references", len(seen), len(dist))
	}

	for _, p := range []string{console.AssetPrefix, console.AssetPrefix + "index.js", console.AssetPrefix + "../index.html"} {
		if res, _ := get(t, s.HTTP.URL+p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
	}
}

// TestConsoleExamplesAreTheReadmes: the console's example tabs are the
// README's three walkthroughs, and each tab is one valid document of the
// schema (the README's anonymous operations, named), with valid JSON
// variables.
func TestConsoleExamplesAreTheReadmes(t *testing.T) {
	s := testserver.New(t)
	res, body := get(t, s.HTTP.URL+"/console/examples.json")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("examples.json: HTTP %d", res.StatusCode)
	}
	var got []console.Example
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, ex := range got {
		titles = append(titles, ex.Title)
	}
	if !slices.Equal(titles, console.ExampleSections) {
		t.Fatalf("example tabs %q, want the README sections %q", titles, console.ExampleSections)
	}
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range got {
		doc, errs := gqlparser.LoadQuery(schema, ex.Query)
		if errs != nil {
			t.Errorf("%s: the tab is not a valid document: %v\n%s", ex.Title, errs, ex.Query)
			continue
		}
		if len(doc.Operations) < 2 {
			t.Errorf("%s: %d operations", ex.Title, len(doc.Operations))
		}
		for _, op := range doc.Operations {
			if op.Name == "" {
				t.Errorf("%s: an unnamed operation", ex.Title)
			}
		}
		if !json.Valid([]byte(ex.Variables)) {
			t.Errorf("%s: variables are not JSON: %s", ex.Title, ex.Variables)
		}
		// Every line, with the operation's name taken off, is the README's.
		for _, line := range strings.Split(ex.Query, "\n") {
			if strings.HasPrefix(line, "# ") || strings.TrimSpace(line) == "" {
				continue
			}
			if !strings.Contains(string(readme), unname(line)) {
				t.Errorf("%s: %q is not the README's", ex.Title, line)
			}
		}
	}
}

var operationName = regexp.MustCompile(`^(query|mutation|subscription) [A-Za-z0-9_]+ ?`)

// unname takes the name off an operation's first line, as the README has it.
func unname(line string) string {
	return operationName.ReplaceAllStringFunc(line, func(m string) string {
		kw, _, _ := strings.Cut(m, " ")
		if strings.HasSuffix(m, " ") {
			return kw + " "
		}
		return kw
	})
}
