package desktop_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/testserver"
	webdesktop "github.com/agentdesk/agentdesk/web/desktop"
)

// TestDesktopRoutes checks what the server hands a browser: the page at the
// desktop URL and the two redirect targets with the strict CSP and no-cache,
// hashed assets cached for a year, and 404 for anything else.
func TestDesktopRoutes(t *testing.T) {
	s := testserver.New(t)
	get := func(path string, header http.Header) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.HTTP.URL+path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		res, err := s.HTTP.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
	var asset string
	for _, path := range []string{"/desktop/acme", "/desktop/teams-callback?code=x&state=y", "/sso/callback?code=x&state=y"} {
		res, body := get(path, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `<div id="app"`) {
			t.Fatalf("%s: %d %.200s", path, res.StatusCode, body)
		}
		if csp := res.Header.Get("Content-Security-Policy"); csp != webdesktop.CSP || !strings.Contains(csp, "script-src 'self';") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "http") {
			t.Errorf("%s: inline script, style or another origin in the page", path)
		}
		m := regexp.MustCompile(`src="(/desktop/assets/index-[A-Za-z0-9_-]+\.js)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no hashed script in %s", path, body)
		}
		asset = m[1]
	}
	res, _ := get("/desktop/acme", nil)
	res, _ = get("/desktop/acme", http.Header{"If-None-Match": {res.Header.Get("ETag")}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation with the ETag: %d", res.StatusCode)
	}
	res, body := get(asset, nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "javascript") || len(body) < 1000 {
		t.Fatalf("asset %s: %d %s", asset, res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("asset Cache-Control %q", cc)
	}
	for _, path := range []string{"/desktop/assets/nope.js", "/desktop/A", "/desktop/x", "/desktop/acme/more", "/desktop/assets/../index.html"} {
		if res, _ := get(path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
}
