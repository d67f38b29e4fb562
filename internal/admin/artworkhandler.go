package admin

import (
	"bytes"
	"log/slog"
	"net/http"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/policy"
)

// ArtworkHandler serves `GET /artwork/{id}`: the activity-page images
// artworkUrl points at. The route must name the path value "id".
//
// It is public: the desktop shows the image as a page background, which a
// browser loads without the bearer token, and the id is unguessable. An
// artwork's bytes never change under its id (a new upload is a new id, and
// artworkUrl carries a version), so responses are cacheable forever.
type ArtworkHandler struct {
	DB  *ent.Client
	Log *slog.Logger
}

func (h *ArtworkHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Artwork is public by its unguessable URL: the desktop shows it before
	// and without a token.
	r = r.WithContext(policy.System(r.Context(), "artwork: public by URL"))
	hdr := w.Header()
	// Even if someone got a file past the sniffing, the browser must treat
	// it as the declared image type and never run anything in it.
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	a, err := h.DB.Artwork.Get(r.Context(), r.PathValue("id"))
	if ent.IsNotFound(err) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if err != nil {
		h.Log.ErrorContext(r.Context(), "serving artwork", "id", r.PathValue("id"), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hdr.Set("Content-Type", a.ContentType)
	hdr.Set("ETag", `"`+a.Etag+`"`)
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	// ServeContent answers If-None-Match with 304 (and If-Match, Range and
	// HEAD) from the ETag set above.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.Data))
}
