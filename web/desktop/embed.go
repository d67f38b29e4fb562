// Package desktop serves the reference Agent Desktop client: the static
// assets Vite builds from this folder's TypeScript source into dist/ (they
// are committed, so `go build` needs no Node.js). The page is served at
// /desktop/{tenantSlug}, the URL an administrator hands to agents, and at
// the two redirect targets the client completes itself: /sso/callback
// (SSO sign-in) and /desktop/teams-callback (Microsoft Teams).
//
// Asset names carry a content hash, so they are cached for a year; the
// page itself is revalidated on every load, so a new build is picked up at
// once.
package desktop

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

//go:embed dist
var dist embed.FS

// CSP is the page's Content-Security-Policy: scripts, styles and images of
// this origin only (the artwork is served here too), API calls and the
// graphql-ws events to this origin, no framing, no plugins.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// slugPattern is the contract's tenant slug; anything else is not a
// desktop URL.
var slugPattern = regexp.MustCompile(`^[a-z0-9-]{2,40}$`)

// Register adds the page and its assets to mux.
func Register(mux *http.ServeMux) {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		panic("web/desktop: dist/index.html is missing; run `npm ci && npm run build` in web/desktop")
	}
	sum := sha256.Sum256(index)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	page := func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		// Revalidate every time (cheap with the ETag): the page names the
		// current assets.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "index.html", time.Time{}, strings.NewReader(string(index)))
	}
	mux.HandleFunc("GET /desktop/{slug}", func(w http.ResponseWriter, r *http.Request) {
		if !slugPattern.MatchString(r.PathValue("slug")) {
			http.NotFound(w, r)
			return
		}
		page(w, r)
	})
	mux.HandleFunc("GET /desktop/teams-callback", page)
	mux.HandleFunc("GET /sso/callback", page)
	assets := http.FileServerFS(files)
	mux.HandleFunc("GET /desktop/assets/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if _, err := fs.Stat(files, path.Join("assets", name)); err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/assets/" + name
		assets.ServeHTTP(w, r2)
	})
}

// IsPage reports whether path is served by Register, so the security
// headers can give it the page's CSP.
func IsPage(p string) bool {
	return strings.HasPrefix(p, "/desktop/") || p == "/sso/callback"
}
