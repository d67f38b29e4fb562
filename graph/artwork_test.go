package graph_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/ent/artwork"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{R: uint8(x * 40), G: uint8(y * 40), B: 200, A: 255})
		}
	}
	return img
}

func pngBytes(t *testing.T, w, h int) []byte {
	var b bytes.Buffer
	must(t, png.Encode(&b, testImage(w, h)))
	return b.Bytes()
}

func jpegBytes(t *testing.T) []byte {
	var b bytes.Buffer
	must(t, jpeg.Encode(&b, testImage(4, 3), nil))
	return b.Bytes()
}

func gifBytes(t *testing.T) []byte {
	img := image.NewPaletted(image.Rect(0, 0, 4, 3), palette.Plan9)
	img.SetColorIndex(1, 1, 7)
	var b bytes.Buffer
	must(t, gif.Encode(&b, img, nil))
	return b.Bytes()
}

// Minimal 1×1 WebP files (a lossy VP8 and a lossless VP8L one), the
// standard feature-detection images browsers are tested with.
func webpBytes(t *testing.T, lossless bool) []byte {
	s := "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"
	if lossless {
		s = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="
	}
	b, err := base64.StdEncoding.DecodeString(s)
	must(t, err)
	return b
}

func artworkURL(t *testing.T, r *testserver.Response) *string {
	t.Helper()
	var out struct {
		UploadActivityPageArtwork *struct{ ArtworkURL *string }
		RemoveActivityPageArtwork *struct{ ArtworkURL *string }
	}
	r.Decode(t, &out)
	if out.UploadActivityPageArtwork != nil {
		return out.UploadActivityPageArtwork.ArtworkURL
	}
	return out.RemoveActivityPageArtwork.ArtworkURL
}

func tenantArtworkURL(t *testing.T, s *testserver.Server, token, tenantID string) *string {
	t.Helper()
	var out struct {
		Tenant struct{ ActivityPage struct{ ArtworkURL *string } }
	}
	s.MustDo(token, `query($id: ID!){ tenant(id:$id){ activityPage{ artworkUrl } } }`, map[string]any{"id": tenantID}, &out)
	return out.Tenant.ActivityPage.ArtworkURL
}

const removeArtworkMutation = `mutation($t: ID!){ removeActivityPageArtwork(tenantId:$t){ artworkUrl } }`

func TestArtworkIsAcceptedByContentAndServed(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	admin := userSession(t, s, tn.ID, "admin@acme.test", policy.TenantAdmin)

	cases := []struct {
		name, filename, declared, want string
		data                           []byte
	}{
		{"png", "bg.png", "image/png", "image/png", pngBytes(t, 4, 3)},
		{"jpeg", "bg.jpg", "image/jpeg", "image/jpeg", jpegBytes(t)},
		{"gif", "bg.gif", "image/gif", "image/gif", gifBytes(t)},
		{"webp lossy", "bg.webp", "image/webp", "image/webp", webpBytes(t, false)},
		{"webp lossless", "bg.webp", "image/webp", "image/webp", webpBytes(t, true)},
		// The content decides, not the name or the declared type.
		{"png named svg", "logo.svg", "image/svg+xml", "image/png", pngBytes(t, 2, 2)},
		{"png declared as octets", "upload", "application/octet-stream", "image/png", pngBytes(t, 3, 3)},
	}
	var previous string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := artworkURL(t, upload(t, s, admin, tn.ID, c.filename, c.declared, c.data, preflight()))
			if url == nil || !strings.Contains(*url, "/artwork/art_") || !strings.Contains(*url, "?v=") {
				t.Fatalf("artworkUrl = %v", url)
			}
			if got := tenantArtworkURL(t, s, admin, tn.ID); got == nil || *got != *url {
				t.Fatalf("tenant's artworkUrl = %v, want %s", got, *url)
			}

			res, body := get(t, s, *url, nil)
			sum := sha256.Sum256(c.data)
			etag := `"` + hex.EncodeToString(sum[:]) + `"`
			want := map[string]string{
				"Content-Type":            c.want,
				"Etag":                    etag,
				"Cache-Control":           "public, max-age=31536000, immutable",
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
			}
			if res.StatusCode != http.StatusOK || !bytes.Equal(body, c.data) {
				t.Fatalf("GET %s: %d, %d bytes", *url, res.StatusCode, len(body))
			}
			for k, v := range want {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}

			res, body = get(t, s, *url, http.Header{"If-None-Match": {etag}})
			if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("Etag") != etag {
				t.Fatalf("conditional GET: %d with %d bytes, ETag %q", res.StatusCode, len(body), res.Header.Get("Etag"))
			}
			if res, _ := get(t, s, *url, http.Header{"If-None-Match": {`"stale"`}}); res.StatusCode != http.StatusOK {
				t.Fatalf("GET with a stale ETag: %d", res.StatusCode)
			}

			// The upload replaced the previous artwork: one per tenant.
			if previous != "" {
				if res, _ := get(t, s, previous, nil); res.StatusCode != http.StatusNotFound {
					t.Fatalf("the replaced artwork still answers %d", res.StatusCode)
				}
			}
			previous = *url
			n, err := s.App.DB.Client.Artwork.Query().Where(artwork.TenantID(tn.ID)).Count(testserver.Ctx())
			if err != nil || n != 1 {
				t.Fatalf("%d artworks stored (%v), want 1", n, err)
			}
		})
	}
	if res, _ := get(t, s, "/artwork/art_unknown", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown artwork: %d", res.StatusCode)
	}
}

func TestArtworkRefusesAnythingElse(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	kept := artworkURL(t, upload(t, s, root, tn.ID, "bg.png", "image/png", pngBytes(t, 2, 2), preflight()))

	padded := func(n int) []byte {
		b := pngBytes(t, 2, 2)
		return append(b, make([]byte, n-len(b))...)
	}
	webpLossy := webpBytes(t, false)
	hugePNG := func() []byte {
		var b bytes.Buffer
		must(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, admin.MaxArtworkSide+1, 1))))
		return b.Bytes()
	}
	cases := []struct {
		name, filename, declared string
		data                     []byte
	}{
		{"svg", "bg.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>`)},
		{"svg named png", "bg.png", "image/png", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`)},
		{"html", "bg.png", "image/png", []byte(`<!DOCTYPE html><script>alert(1)</script>`)},
		{"text", "bg.gif", "image/gif", []byte("GIF is a format, this is not one")},
		{"empty", "bg.png", "image/png", nil},
		{"bmp", "bg.bmp", "image/bmp", append([]byte("BM"), make([]byte, 64)...)},
		{"png signature then garbage", "bg.png", "image/png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0x42}, 64)...)},
		{"jpeg magic only", "bg.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0")},
		{"truncated gif", "bg.gif", "image/gif", gifBytes(t)[:8]},
		{"webp with a wrong RIFF size", "bg.webp", "image/webp", webpLossy[:len(webpLossy)-4]},
		{"riff that is not webp", "bg.webp", "image/webp", append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), make([]byte, 32)...)},
		{"too many pixels", "bg.png", "image/png", hugePNG()},
		{"2 MiB and a byte", "bg.png", "image/png", padded(admin.MaxArtworkBytes + 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := upload(t, s, root, tn.ID, c.filename, c.declared, c.data, preflight())
			wantError(t, r, "VALIDATION_ERROR", "file")
			if got := tenantArtworkURL(t, s, root, tn.ID); got == nil || *got != *kept {
				t.Fatalf("a refused upload changed the artwork to %v", got)
			}
		})
	}
	if r := upload(t, s, root, tn.ID, "bg.png", "image/png", padded(admin.MaxArtworkBytes), preflight()); len(r.Errors) > 0 {
		t.Fatalf("exactly 2 MiB was refused: %+v", r.Errors)
	}
}

func TestArtworkUploadNeedsAPreflightHeader(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	img := pngBytes(t, 2, 2)

	r := upload(t, s, root, tn.ID, "bg.png", "image/png", img, nil)
	if r.Status != http.StatusBadRequest || r.Code() != "VALIDATION_ERROR" || !strings.Contains(r.Errors[0].Message, "X-Requested-With") {
		t.Fatalf("multipart without a preflight header: %d %+v", r.Status, r.Errors)
	}
	if got := tenantArtworkURL(t, s, root, tn.ID); got != nil {
		t.Fatalf("the refused request stored artwork %s", *got)
	}
	r = upload(t, s, root, tn.ID, "bg.png", "image/png", img, http.Header{"Apollo-Require-Preflight": {"true"}})
	if url := artworkURL(t, r); url == nil {
		t.Fatal("no artworkUrl with Apollo-Require-Preflight")
	}
}

func TestArtworkRemoval(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	url := artworkURL(t, upload(t, s, root, tn.ID, "bg.gif", "image/gif", gifBytes(t), preflight()))

	if got := artworkURL(t, s.Do(root, removeArtworkMutation, map[string]any{"t": tn.ID})); got != nil {
		t.Fatalf("artworkUrl after removal = %s", *got)
	}
	if got := tenantArtworkURL(t, s, root, tn.ID); got != nil {
		t.Fatalf("tenant's artworkUrl after removal = %s", *got)
	}
	if res, _ := get(t, s, *url, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("removed artwork answers %d", res.StatusCode)
	}
	// Removing nothing is fine.
	if got := artworkURL(t, s.Do(root, removeArtworkMutation, map[string]any{"t": tn.ID})); got != nil {
		t.Fatalf("artworkUrl = %s", *got)
	}
	actions := map[string]int{}
	for _, e := range auditPage(t, s, root, &tn.ID, 100, nil).Edges {
		actions[e.Node.Action]++
	}
	if actions["uploadActivityPageArtwork"] != 1 || actions["removeActivityPageArtwork"] != 2 {
		t.Fatalf("audit actions = %v", actions)
	}
}

func TestArtworkOfAnotherTenantIsNotFound(t *testing.T) {
	s := testserver.New(t)
	root := s.RootToken()
	a := s.CreateTenant(root, "acme")
	b := s.CreateTenant(root, "globex")
	adminA := userSession(t, s, a.ID, "admin@acme.test", policy.TenantAdmin)
	supervisorA := userSession(t, s, a.ID, "sup@acme.test", policy.Supervisor)
	theirs := artworkURL(t, upload(t, s, root, b.ID, "bg.png", "image/png", pngBytes(t, 2, 2), preflight()))
	img := pngBytes(t, 3, 3)

	wantError(t, upload(t, s, adminA, b.ID, "bg.png", "image/png", img, preflight()), "NOT_FOUND", "")
	wantError(t, s.Do(adminA, removeArtworkMutation, map[string]any{"t": b.ID}), "NOT_FOUND", "")
	wantError(t, upload(t, s, supervisorA, a.ID, "bg.png", "image/png", img, preflight()), "FORBIDDEN", "")
	// Anonymous: not in the public schema (graph/public.go).
	wantError(t, upload(t, s, "", a.ID, "bg.png", "image/png", img, preflight()), "VALIDATION_ERROR", "")
	wantError(t, upload(t, s, root, "ten_nope", "bg.png", "image/png", img, preflight()), "NOT_FOUND", "")
	if got := tenantArtworkURL(t, s, root, b.ID); got == nil || *got != *theirs {
		t.Fatalf("tenant B's artwork changed to %v", got)
	}
}
