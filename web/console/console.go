// Package console serves the admin console: GraphiQL with a sign-in panel,
// built by Vite from this folder's source (src/, index.html) into dist/,
// which is committed and embedded, so the binary needs no Node.js and the
// page loads nothing from another origin.
//
// Rebuild after changing the source or package-lock.json:
//
//	cd web/console && npm ci && npm run build
//
// CI rebuilds it the same way and fails when dist/ differs.
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"regexp"
)

//go:embed all:dist
var dist embed.FS

// AssetPrefix is the path the built files are served under; Vite's `base`
// (vite.config.js) names it in index.html.
const AssetPrefix = "/console/assets/"

// hashedName is how Vite names a built file: name, dash, eight characters
// of its content hash, extension. Only such names are cached for a year.
var hashedName = regexp.MustCompile(`^[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*-[A-Za-z0-9_-]{8}\.(?:js|css|ttf|woff2|svg|png)$`)

// HasContentHash says whether a file name carries Vite's content hash.
func HasContentHash(name string) bool { return hashedName.MatchString(name) }

// Index serves the console's page. It is never cached, so a new binary's
// assets are picked up at once; the assets it names are.
func Index() http.Handler {
	page, err := fs.ReadFile(dist, "dist/index.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			http.Error(w, "the console was not built into this binary", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(page)
	})
}

// Assets serves the built files under AssetPrefix. Their names change with
// their content, so browsers may keep them for a year without asking again.
func Assets() http.Handler {
	sub, err := fs.Sub(dist, "dist/assets")
	if err != nil {
		panic(err) // dist/assets is embedded at build time
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Base(r.URL.Path)
		if r.URL.Path != AssetPrefix+name || !HasContentHash(name) {
			http.NotFound(w, r)
			return
		}
		if _, err := fs.Stat(sub, name); err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		files.ServeHTTP(w, r2)
	})
}
