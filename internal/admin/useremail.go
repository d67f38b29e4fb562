package admin

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/signin"
)

// Limits of a user's e-mail address.
const (
	maxEmailLength    = 254
	maxEmailLocalPart = 64
)

// CheckEmail validates an e-mail address and returns it as it is stored:
// trimmed and lower-case (signin.NormalizeEmail), so the unique index makes
// addresses unique case-insensitively.
func CheckEmail(raw string) (string, error) {
	e := signin.NormalizeEmail(raw)
	if e == "" {
		return "", apperr.Invalid("email", "Enter an e-mail address.")
	}
	if len(e) > maxEmailLength {
		return "", apperr.Invalid("email", fmt.Sprintf("An e-mail address has at most %d characters.", maxEmailLength))
	}
	invalid := apperr.Invalid("email", fmt.Sprintf("%q is not an e-mail address such as jane.doe@example.com.", e))
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 {
		return "", invalid
	}
	local, domain := e[:at], e[at+1:]
	if len(local) > maxEmailLocalPart {
		return "", apperr.Invalid("email", fmt.Sprintf("The part of an e-mail address before the @ has at most %d characters.", maxEmailLocalPart))
	}
	for i := 0; i < len(e); i++ {
		// Plain ASCII without spaces or controls: a quoted local part or an
		// internationalised address is not something a sign-in form should
		// have to match byte for byte.
		if e[i] <= ' ' || e[i] >= 0x7f {
			return "", invalid
		}
	}
	if a, err := mail.ParseAddress(e); err != nil || a.Name != "" || a.Address != e {
		return "", invalid
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", invalid
	}
	for _, l := range labels {
		if !domainLabel.MatchString(l) {
			return "", invalid
		}
	}
	return e, nil
}

// EmailDomain is the domain of a checked e-mail address.
func EmailDomain(email string) string { return email[strings.LastIndexByte(email, '@')+1:] }
