package signin

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

func TestCheckNewPassword(t *testing.T) {
	cases := []struct {
		pw   string
		weak bool
	}{
		{"", true},
		{"abc", true},
		{"7chars!", true},
		{"ñandú£€", true},                       // 7 runes, 12 bytes: runes count
		{"ñandú£€x", false},                     // 8 runes
		{"kx9#Lq2v", false},                     // 8, not common
		{strings.Repeat("a", 127) + "b", false}, // 128
		{strings.Repeat("a", 128) + "b", true},  // 129
		{strings.Repeat("é", 128), false},       // 128 runes, 256 bytes
		{strings.Repeat("é", 129), true},
		{"password", true}, // common
		{"PassWord", true}, // common, any case
		{"12345678", true},
		{"iloveyou", true},
		{"qwertyuiop", true},
		{"correct horse battery staple", false},
		{"agent-desk-2024-rotation", false},
	}
	for _, tc := range cases {
		err := CheckNewPassword(tc.pw)
		if tc.weak != (err != nil) {
			t.Errorf("CheckNewPassword(%q) = %v, weak %v expected", tc.pw, err, tc.weak)
			continue
		}
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.WeakPassword || e.Message == "" {
				t.Errorf("CheckNewPassword(%q) = %#v, want a WEAK_PASSWORD *apperr.Error", tc.pw, err)
			}
		}
	}
}

func TestCheckNewPasswordMessages(t *testing.T) {
	for pw, want := range map[string]string{
		"short":                  "at least 8",
		strings.Repeat("x", 129): "at most 128",
		"Password1":              "commonly used",
	} {
		if err := CheckNewPassword(pw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckNewPassword(%.20q) = %v, want a message with %q", pw, err, want)
		}
	}
}

func TestCommonPasswordList(t *testing.T) {
	if !strings.HasPrefix(commonPasswordsText, "# Source: ") {
		t.Error("the list's first line must name its source and licence")
	}
	if !strings.Contains(commonPasswordsText, "Permission is hereby granted") {
		t.Error("the list must carry its licence text")
	}
	set := commonPasswords()
	// 49,233 entries in the source; those shorter than MinPasswordLen are
	// left out of the set because the length rule rejects them anyway.
	if n := len(set); n < 10_000 {
		t.Errorf("%d common passwords loaded, want at least 10,000", n)
	}
	for pw := range set {
		if pw != strings.ToLower(pw) || strings.HasPrefix(pw, "# ") || pw == "" {
			t.Fatalf("set holds %q: not lower case, or a comment", pw)
		}
	}
	for _, pw := range []string{"password", "baseball", "football", "trustno1", "1qaz2wsx", "sunshine"} {
		if _, ok := set[pw]; !ok {
			t.Errorf("%q is not in the list", pw)
		}
	}
}

func TestCheckNewPasswordFor(t *testing.T) {
	const email = "Jane.Agent-01@Example.com"
	cases := []struct {
		pw, email string
		weak      bool
	}{
		{"jane.agent-01@example.com", email, true}, // the address, other case
		{"JANE.AGENT-01", email, true},             // the local part
		{"jane.agent-01x", email, false},           // only contains it: allowed
		{"jane.agent-01@example.com", " " + email + " ", true},
		{"kx9#Lq2vZ", email, false},
		{"password", email, true},                        // still the general rule
		{"kx9#Lq2vZ", "", false},                         // no e-mail known
		{"kx9#Lq2vZ", "@example.com", false},             // empty local part
		{`"odd@local"`, `"odd@local"@example.com`, true}, // local part with @ in quotes
	}
	for _, tc := range cases {
		err := CheckNewPasswordFor(tc.pw, tc.email)
		if tc.weak != (err != nil) {
			t.Errorf("CheckNewPasswordFor(%q, %q) = %v, weak %v expected", tc.pw, tc.email, err, tc.weak)
		}
		if err != nil && !apperr.Is(err, apperr.WeakPassword) {
			t.Errorf("CheckNewPasswordFor(%q, %q) = %v, want WEAK_PASSWORD", tc.pw, tc.email, err)
		}
	}
}

func BenchmarkCheckNewPassword(b *testing.B) {
	commonPasswords()
	for b.Loop() {
		_ = CheckNewPassword("correct horse battery staple")
	}
}
