package dialnumber

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

func TestValidateExtension(t *testing.T) {
	tests := []struct {
		ext    string
		reason string // "" when valid
	}{
		{"12", ""},
		{"1234", ""},
		{"0001", ""},
		{"1234567890", ""},
		{"", "Enter an extension"},
		{"1", "2 to 10 digits; this one has 1"},
		{"12345678901", "2 to 10 digits; this one has 11"},
		{" 1234", "digits only"},
		{"1234 ", "digits only"},
		{"12-34", "digits only"},
		{"+1234", "digits only"},
		{"x123", "digits only"},
		{"١٢٣٤", "digits only"}, // Arabic-Indic digits
		{"12\x00", "digits only"},
		{strings.Repeat("9", 1000), "this one has 1000"},
	}
	for _, tt := range tests {
		err := ValidateExtension(tt.ext)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("ValidateExtension(%q) = %v, want nil", tt.ext, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("ValidateExtension(%q) = nil, want an error saying %q", tt.ext, tt.reason)
			continue
		}
		assertCode(t, err, apperr.InvalidDialNumber)
		if e, _ := apperr.As(err); !strings.Contains(e.Message, tt.reason) {
			t.Errorf("ValidateExtension(%q): message %q does not say %q", tt.ext, e.Message, tt.reason)
		}
	}
}
