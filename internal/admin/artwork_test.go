package admin

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

func webpFile(chunk string, payload []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(4+8+len(payload)))
	b.WriteString("WEBP" + chunk)
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(payload)))
	b.Write(payload)
	return b.Bytes()
}

func vp8x(w, h int) []byte {
	p := make([]byte, 10)
	w, h = w-1, h-1
	p[4], p[5], p[6] = byte(w), byte(w>>8), byte(w>>16)
	p[7], p[8], p[9] = byte(h), byte(h>>8), byte(h>>16)
	return p
}

func TestSniffArtwork(t *testing.T) {
	lossy, _ := base64.StdEncoding.DecodeString("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want string // "" = refused
	}{
		{"png", pngBuf.Bytes(), ArtworkPNG},
		{"webp lossy", lossy, ArtworkWebP},
		{"webp extended", webpFile("VP8X", vp8x(1920, 1080)), ArtworkWebP},
		{"webp extended at the limit", webpFile("VP8X", vp8x(MaxArtworkSide, MaxArtworkSide)), ArtworkWebP},
		{"webp extended too wide", webpFile("VP8X", vp8x(MaxArtworkSide+1, 1)), ""},
		{"webp lossy not a key frame", func() []byte { b := bytes.Clone(lossy); b[20] |= 1; return b }(), ""},
		{"webp lossless bad signature", webpFile("VP8L", []byte{0x2e, 0, 0, 0, 0}), ""},
		{"webp lossless unknown version", webpFile("VP8L", []byte{0x2f, 0, 0, 0, 0x20}), ""},
		{"webp chunk longer than the file", func() []byte { b := webpFile("VP8X", vp8x(2, 2)); b[16] = 0xff; return b }(), ""},
		{"webp unknown chunk", webpFile("ALPH", make([]byte, 10)), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
		{"svg with leading space", []byte("  \n<svg/>"), ""},
		{"png signature inside text", append([]byte("x"), pngBuf.Bytes()...), ""},
		{"zero-width png header", func() []byte { b := bytes.Clone(pngBuf.Bytes()); copy(b[16:20], []byte{0, 0, 0, 0}); return b }(), ""},
		{"nothing", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := SniffArtwork(c.data)
			if c.want == "" {
				if e, ok := apperr.As(err); !ok || e.Code != apperr.Validation || e.Extensions["field"] != "file" {
					t.Fatalf("SniffArtwork = %q, %v; want a VALIDATION_ERROR on file", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("SniffArtwork = %q, %v; want %s", got, err, c.want)
			}
		})
	}
}

func TestReadArtworkReadsAtMostOneByteOverTheLimit(t *testing.T) {
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	// An endless upload: the reader must stop by itself.
	endless := newEndlessReader(pngBuf.Bytes())
	_, _, err := ReadArtwork(endless)
	if e, ok := apperr.As(err); !ok || e.Extensions["field"] != "file" || !strings.Contains(e.Message, "2 MiB") {
		t.Fatalf("ReadArtwork = %v", err)
	}
	if endless.read > MaxArtworkBytes+1 {
		t.Fatalf("read %d bytes, want at most %d", endless.read, MaxArtworkBytes+1)
	}
}

// endlessReader yields head, then zeros forever, counting what was read.
type endlessReader struct {
	head []byte
	read int
}

func newEndlessReader(head []byte) *endlessReader { return &endlessReader{head: head} }

func (r *endlessReader) Read(p []byte) (int, error) {
	n := 0
	if r.read < len(r.head) {
		n = copy(p, r.head[r.read:])
	} else {
		clear(p)
		n = len(p)
	}
	r.read += n
	return n, nil
}

// FuzzSniffArtwork: no input panics, and whatever is accepted is what a
// browser would sniff it as too.
func FuzzSniffArtwork(f *testing.F) {
	lossy, _ := base64.StdEncoding.DecodeString("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
	f.Add(lossy)
	f.Add(webpFile("VP8X", vp8x(3, 3)))
	f.Add(webpFile("VP8L", []byte{0x2f, 0x01, 0x40, 0, 0}))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte("<svg/>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ct, err := SniffArtwork(data)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("not an API error: %v", err)
			}
			return
		}
		if http.DetectContentType(data) != ct {
			t.Fatalf("accepted as %s, a browser sniffs %s", ct, http.DetectContentType(data))
		}
	})
}
