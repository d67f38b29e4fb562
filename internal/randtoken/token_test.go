package randtoken

import (
	"bytes"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
)

func TestNew(t *testing.T) {
	shape := regexp.MustCompile(`^ads_[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 100 {
		tok, err := New(nil, "ads_")
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(tok) {
			t.Fatalf("token %q does not have the expected shape", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q drawn twice", tok)
		}
		seen[tok] = true
	}

	// With injected randomness the token is exactly the bytes, base64url.
	raw := bytes.Repeat([]byte{0xfb, 0xff}, 16)
	tok, err := New(bytes.NewReader(raw), "adk_")
	if err != nil {
		t.Fatal(err)
	}
	if want := "adk_" + base64.RawURLEncoding.EncodeToString(raw); tok != want {
		t.Errorf("token %q, want %q", tok, want)
	}
	if strings.ContainsAny(tok, "+/=") {
		t.Errorf("token %q is not URL-safe", tok)
	}

	// Too little randomness is an error, never a short token.
	if _, err := New(bytes.NewReader(raw[:31]), "adk_"); err == nil {
		t.Error("NewToken with 31 random bytes succeeded")
	}
	boom := errors.New("boom")
	if _, err := New(iotest.ErrReader(boom), "adk_"); !errors.Is(err, boom) {
		t.Errorf("NewToken with a failing reader: %v", err)
	}
}

func TestHash(t *testing.T) {
	// SHA-256 of "abc" (FIPS 180-2 test vector).
	if got, want := Hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("Hash(abc) = %s, want %s", got, want)
	}
	a, _ := New(nil, "ads_")
	b, _ := New(nil, "ads_")
	if Hash(a) == Hash(b) || Hash(a) != Hash(a) {
		t.Error("HashToken is not a function of the token")
	}
	if strings.Contains(Hash(a), a[4:]) {
		t.Error("the hash contains the token")
	}
}
