package signin

import (
	"bufio"
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// The contract's limits for a new password, counted in characters (runes),
// not bytes, so a passphrase in any script gets the same allowance.
// 128 keeps hashing input bounded; it is far above what people type.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// commonPasswordsText is the list of the most common passwords; its header
// names the source and carries the licence. One password a line; lines that
// start with "# " (or are just "#") are comments.
//
//go:embed common-passwords.txt
var commonPasswordsText string

// commonPasswords is the embedded list as a set of lower-cased passwords,
// built on first use. Entries outside the length limits are left out: the
// length rule already rejects them, and the set is then a third of the size.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 20000)
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line == "#" || strings.HasPrefix(line, "# ") {
			continue
		}
		if n := utf8.RuneCountInString(line); n < MinPasswordLen || n > MaxPasswordLen {
			continue
		}
		set[strings.ToLower(line)] = struct{}{}
	}
	// The file is embedded and its lines are short, so Scan cannot fail.
	return set
})

// CheckNewPassword applies the contract's rule for a password a person
// chooses: 8 to 128 characters and not one of the common passwords
// (compared case-insensitively). There are no composition rules (NIST
// SP 800-63B, OWASP ASVS 5.0 V6.2): length and the blocklist do the work.
// The error is an *apperr.Error with code WEAK_PASSWORD.
func CheckNewPassword(pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLen:
		return apperr.Newf(apperr.WeakPassword, "The password must have at least %d characters.", MinPasswordLen)
	case n > MaxPasswordLen:
		return apperr.Newf(apperr.WeakPassword, "The password must have at most %d characters.", MaxPasswordLen)
	}
	if _, common := commonPasswords()[strings.ToLower(pw)]; common {
		return apperr.New(apperr.WeakPassword, "This password is one of the most commonly used ones; choose another.")
	}
	return nil
}

// CheckNewPasswordFor is CheckNewPassword for the user with e-mail address
// email, and also refuses the address itself and its local part (the part
// before the "@"), ignoring case.
func CheckNewPasswordFor(pw, email string) error {
	if err := CheckNewPassword(pw); err != nil {
		return err
	}
	email = strings.TrimSpace(email)
	local := email
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		local = email[:at]
	}
	if email != "" && (strings.EqualFold(pw, email) || strings.EqualFold(pw, local)) {
		return apperr.New(apperr.WeakPassword, "The password must not be your e-mail address or its part before the @.")
	}
	return nil
}
