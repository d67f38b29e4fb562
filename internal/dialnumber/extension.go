package dialnumber

import "github.com/agentdesk/agentdesk/internal/apperr"

// Extension lengths of the contract: an extension is a short internal
// number of the calling platform, never a phone number.
const (
	minExtensionDigits = 2
	maxExtensionDigits = 10
)

// ValidateExtension checks an extension for an EXTENSION station: 2 to 10
// ASCII digits, nothing else. No country rules apply and nothing is
// stripped, so the value stored is the value entered and two sessions with
// the same extension are recognised as such.
func ValidateExtension(ext string) error {
	if ext == "" {
		return apperr.New(apperr.InvalidDialNumber, "Enter an extension.")
	}
	for i := 0; i < len(ext); i++ {
		if ext[i] < '0' || ext[i] > '9' {
			return apperr.New(apperr.InvalidDialNumber, "An extension contains digits only, without spaces or other characters.")
		}
	}
	if len(ext) < minExtensionDigits || len(ext) > maxExtensionDigits {
		return apperr.Newf(apperr.InvalidDialNumber, "An extension has %d to %d digits; this one has %d.",
			minExtensionDigits, maxExtensionDigits, len(ext))
	}
	return nil
}
