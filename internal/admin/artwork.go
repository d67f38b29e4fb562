package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/artwork"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// Limits of activity-page artwork.
const (
	// MaxArtworkBytes is the contract's size limit: 2 MiB.
	MaxArtworkBytes = 2 << 20
	// MaxArtworkSide bounds width and height. A small file can declare a
	// huge canvas (a flat-colour PNG compresses to almost nothing), and
	// every agent's browser would have to decode it: 8192 pixels covers an
	// 8K screen.
	MaxArtworkSide = 8192
)

// The image types artwork may have, by content.
const (
	ArtworkPNG  = "image/png"
	ArtworkJPEG = "image/jpeg"
	ArtworkGIF  = "image/gif"
	ArtworkWebP = "image/webp"
)

// errNotAnImage is the one message for anything that is not an accepted
// image; the client is told what is accepted, not what we think it sent.
var errNotAnImage = apperr.Invalid("file", "the file must be a PNG, JPEG, GIF or WebP image (SVG and other types are not accepted)")

// ReadArtwork reads an upload and checks it is artwork: at most 2 MiB
// (never trusting a declared size: it reads at most one byte more) of PNG,
// JPEG, GIF or WebP. It returns the content type found in the content.
func ReadArtwork(r io.Reader) (contentType string, data []byte, err error) {
	data, err = io.ReadAll(io.LimitReader(r, MaxArtworkBytes+1))
	if err != nil {
		return "", nil, fmt.Errorf("admin: reading artwork upload: %w", err)
	}
	if len(data) > MaxArtworkBytes {
		return "", nil, apperr.Invalid("file", "the image must be at most 2 MiB")
	}
	if len(data) == 0 {
		return "", nil, apperr.Invalid("file", "the file is empty")
	}
	contentType, err = SniffArtwork(data)
	return contentType, data, err
}

// SniffArtwork returns the image type of data, or a VALIDATION_ERROR on
// field "file". The type is decided by content alone, never by a file name
// or a declared type: the magic number at the start must name an accepted
// type, http.DetectContentType (the WHATWG sniffing rules a browser would
// apply) must agree, and the image header must parse to a sane size, so a
// file that merely starts with the right bytes is refused too.
func SniffArtwork(data []byte) (string, error) {
	ct := magicType(data)
	if ct == "" || http.DetectContentType(data) != ct {
		return "", errNotAnImage
	}
	w, h, err := imageSize(ct, data)
	if err != nil {
		return "", apperr.Invalid("file", fmt.Sprintf("the file is not a complete %s image", imageName(ct))).Wrap(err)
	}
	if w < 1 || h < 1 || w > MaxArtworkSide || h > MaxArtworkSide {
		return "", apperr.Invalid("file", fmt.Sprintf("the image must be between 1×1 and %d×%d pixels (it is %d×%d)", MaxArtworkSide, MaxArtworkSide, w, h))
	}
	return ct, nil
}

// magicType names the accepted type data starts with, or "".
func magicType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return ArtworkPNG
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return ArtworkJPEG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return ArtworkGIF
	case len(data) >= 16 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "WEBP" &&
		(string(data[12:16]) == "VP8 " || string(data[12:16]) == "VP8L" || string(data[12:16]) == "VP8X"):
		return ArtworkWebP
	}
	return ""
}

func imageName(ct string) string {
	switch ct {
	case ArtworkPNG:
		return "PNG"
	case ArtworkJPEG:
		return "JPEG"
	case ArtworkGIF:
		return "GIF"
	default:
		return "WebP"
	}
}

// imageSize parses the image header of an accepted type.
func imageSize(ct string, data []byte) (w, h int, err error) {
	var cfg image.Config
	switch ct {
	case ArtworkPNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case ArtworkJPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case ArtworkGIF:
		cfg, err = gif.DecodeConfig(bytes.NewReader(data))
	case ArtworkWebP:
		return webpSize(data)
	default:
		return 0, 0, fmt.Errorf("no header parser for %s", ct)
	}
	return cfg.Width, cfg.Height, err
}

// webpSize reads the canvas size from a WebP file's first chunk (RIFF
// container, then a VP8, VP8L or VP8X chunk; see RFC 9649). The standard
// library has no WebP decoder and the bitstream itself is the browser's
// business: the header is enough to know it is WebP of a sane size.
func webpSize(data []byte) (w, h int, err error) {
	le24 := func(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 }
	if len(data) < 20 {
		return 0, 0, errors.New("webp: truncated header")
	}
	riffSize := binary.LittleEndian.Uint32(data[4:8])
	chunkSize := binary.LittleEndian.Uint32(data[16:20])
	if riffSize < 4 || uint64(riffSize)+8 > uint64(len(data)) {
		return 0, 0, errors.New("webp: RIFF size does not match the file")
	}
	payload := data[20:]
	if uint64(chunkSize) > uint64(len(payload)) {
		return 0, 0, errors.New("webp: first chunk is truncated")
	}
	payload = payload[:chunkSize]
	switch string(data[12:16]) {
	case "VP8 ": // lossy: frame tag, start code, 14-bit width and height
		if len(payload) < 10 || payload[0]&1 != 0 || !bytes.Equal(payload[3:6], []byte{0x9d, 0x01, 0x2a}) {
			return 0, 0, errors.New("webp: bad VP8 key frame header")
		}
		w = int(binary.LittleEndian.Uint16(payload[6:8]) & 0x3fff)
		h = int(binary.LittleEndian.Uint16(payload[8:10]) & 0x3fff)
	case "VP8L": // lossless: signature, then width-1 and height-1 in 14 bits each
		if len(payload) < 5 || payload[0] != 0x2f {
			return 0, 0, errors.New("webp: bad VP8L header")
		}
		bits := binary.LittleEndian.Uint32(payload[1:5])
		if bits>>29 != 0 {
			return 0, 0, errors.New("webp: unknown VP8L version")
		}
		w = int(bits&0x3fff) + 1
		h = int(bits>>14&0x3fff) + 1
	case "VP8X": // extended: flags, reserved, canvas width-1 and height-1 in 24 bits each
		if len(payload) < 10 {
			return 0, 0, errors.New("webp: bad VP8X header")
		}
		w = le24(payload[4:7]) + 1
		h = le24(payload[7:10]) + 1
	default:
		return 0, 0, errors.New("webp: unknown first chunk")
	}
	return w, h, nil
}

// SetArtwork makes an uploaded image the tenant's activity-page artwork,
// replacing the previous one in the same transaction.
func (s *Service) SetArtwork(ctx context.Context, tenantID string, file io.Reader) (*ent.Artwork, error) {
	if err := s.authorize(ctx, policy.ArtworkWrite, tenantID); err != nil {
		return nil, err
	}
	ct, data, err := ReadArtwork(file)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	etag := hex.EncodeToString(sum[:])
	var created *ent.Artwork
	err = s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		if err := ensureTenantExists(ctx, tx.Client(), tenantID); err != nil {
			return Event{}, err
		}
		// Each upload is a new row with a new id: the URL changes with the
		// image, which is what lets clients cache the old one forever.
		if _, err := tx.Artwork.Delete().Where(artwork.TenantID(tenantID)).Exec(ctx); err != nil {
			return Event{}, err
		}
		created, err = tx.Artwork.Create().SetTenantID(tenantID).SetContentType(ct).SetData(data).
			SetSize(len(data)).SetEtag(etag).SetCreatedAt(s.Now()).Save(ctx)
		if err != nil {
			return Event{}, err
		}
		return Event{TenantID: tenantID, Action: "uploadActivityPageArtwork", TargetType: "Artwork", TargetID: created.ID,
			Summary: fmt.Sprintf("set the activity page artwork (%s, %d bytes, sha256 %s)", ct, len(data), etag)}, nil
	})
	return created, err
}

// RemoveArtwork leaves the tenant's activity page blank. Removing when
// there is no artwork changes nothing.
func (s *Service) RemoveArtwork(ctx context.Context, tenantID string) error {
	if err := s.authorize(ctx, policy.ArtworkWrite, tenantID); err != nil {
		return err
	}
	return s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		if err := ensureTenantExists(ctx, tx.Client(), tenantID); err != nil {
			return Event{}, err
		}
		old, err := tx.Artwork.Query().Where(artwork.TenantID(tenantID)).Select(artwork.FieldID).Strings(ctx)
		if err != nil {
			return Event{}, err
		}
		if _, err := tx.Artwork.Delete().Where(artwork.TenantID(tenantID)).Exec(ctx); err != nil {
			return Event{}, err
		}
		ev := Event{TenantID: tenantID, Action: "removeActivityPageArtwork", TargetType: "Artwork",
			Summary: "the activity page had no artwork"}
		if len(old) > 0 {
			ev.TargetID, ev.Summary = old[0], "removed the activity page artwork"
		}
		return ev, nil
	})
}
