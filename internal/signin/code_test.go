package signin

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"strings"
	"testing"
)

func TestNewCodeShapeAndDistribution(t *testing.T) {
	const draws = 20_000
	digits := regexp.MustCompile(`^[0-9]{6}$`)
	var perPosition [6][10]int
	leadingZero := 0
	for range draws {
		c, err := NewCode(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !digits.MatchString(c) {
			t.Fatalf("code %q is not 6 digits", c)
		}
		if c[0] == '0' {
			leadingZero++
		}
		for i := range 6 {
			perPosition[i][c[i]-'0']++
		}
	}
	// Each digit should appear ~2,000 times per position; ±25% is > 10σ, so
	// this catches a broken generator without ever failing by chance.
	for i, counts := range perPosition {
		for d, n := range counts {
			if n < draws/10*3/4 || n > draws/10*5/4 {
				t.Errorf("digit %d at position %d appeared %d times in %d codes", d, i, n, draws)
			}
		}
	}
	if leadingZero == 0 {
		t.Error("no code started with 0: leading zeros are lost")
	}
}

// uint32s makes a reader that yields the given values big-endian.
func uint32s(vs ...uint32) *bytes.Reader {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return bytes.NewReader(b)
}

func TestNewCodeRejectionSampling(t *testing.T) {
	cases := []struct {
		draws []uint32
		want  string
	}{
		{[]uint32{0}, "000000"},
		{[]uint32{7}, "000007"},
		{[]uint32{999_999}, "999999"},
		{[]uint32{1_000_000}, "000000"},
		{[]uint32{4_293_999_999}, "999999"},     // the last value kept
		{[]uint32{4_294_000_000, 42}, "000042"}, // first rejected value
		{[]uint32{0xffffffff, 0xfffffffe, 123}, "000123"},
	}
	for _, tc := range cases {
		got, err := NewCode(uint32s(tc.draws...))
		if err != nil || got != tc.want {
			t.Errorf("draws %v: %q, %v; want %q", tc.draws, got, err, tc.want)
		}
	}
	if _, err := NewCode(uint32s(0xffffffff)); err == nil {
		t.Error("NewCode after rejecting its only draw succeeded")
	}
	stuck := make([]uint32, 200)
	for i := range stuck {
		stuck[i] = 0xffffffff
	}
	if _, err := NewCode(uint32s(stuck...)); err == nil {
		t.Error("NewCode with a stuck reader succeeded")
	}
}

func TestCodeMAC(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	base := CodeMAC(key, PurposePasswordReset, "user-1", "123456")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(base) {
		t.Fatalf("MAC %q is not 64 hex digits", base)
	}
	if CodeMAC(key, PurposePasswordReset, "user-1", "123456") != base {
		t.Error("CodeMAC is not deterministic")
	}
	differs := map[string]string{
		"code":    CodeMAC(key, PurposePasswordReset, "user-1", "123457"),
		"subject": CodeMAC(key, PurposePasswordReset, "user-2", "123456"),
		"purpose": CodeMAC(key, "email-verification", "user-1", "123456"),
		"key":     CodeMAC([]byte("another key of 32 bytes, really!"), PurposePasswordReset, "user-1", "123456"),
		// Moving bytes across a field boundary must change the MAC.
		"boundary": CodeMAC(key, PurposePasswordReset, "user-11", "23456"),
	}
	for name, mac := range differs {
		if mac == base {
			t.Errorf("changing the %s does not change the MAC", name)
		}
	}
	if strings.Contains(base, "123456") {
		t.Error("the MAC shows the code")
	}

	defer func() {
		if recover() == nil {
			t.Error("CodeMAC with an empty key did not panic")
		}
	}()
	CodeMAC(nil, PurposePasswordReset, "user-1", "123456")
}

func TestEqualMAC(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	a := CodeMAC(key, PurposePasswordReset, "user-1", "123456")
	b := CodeMAC(key, PurposePasswordReset, "user-1", "654321")
	cases := []struct {
		x, y string
		want bool
	}{
		{a, a, true},
		{a, strings.Clone(a), true},
		{a, b, false},
		{a, a[:63], false},
		{a, strings.ToUpper(a), false},
		{"", "", false},
		{a, "", false},
		{"", a, false},
	}
	for _, tc := range cases {
		if got := EqualMAC(tc.x, tc.y); got != tc.want {
			t.Errorf("EqualMAC(%.8q…, %.8q…) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}
