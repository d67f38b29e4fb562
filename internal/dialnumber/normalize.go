package dialnumber

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// MaxLength is the most characters an entered dial number may have (the
// product's field limit), counted after trimming surrounding spaces.
const MaxLength = 43

// maxE164Digits is ITU-T E.164's limit for a whole number, country code
// included. The phone library allows longer national numbers for a few
// countries (German PBX numbers), which could not be dialled internationally.
const maxE164Digits = 15

// fallbackCountry is the default country when neither the tenant nor the
// agent chose one, as in the contract (`defaultCountry` defaults to US).
const fallbackCountry = "US"

// Input is a dial number as an agent or admin entered it, with the context
// needed to read it.
type Input struct {
	Number string
	// InternationalFormat is the station-login check box: when true, Number
	// is the national number of Country; when false, Number is E.164
	// ("+61 2 9374 4000") or dialled with the international prefix of
	// DefaultCountry ("011 61 2 9374 4000" from the US).
	InternationalFormat bool
	// Country is the ISO code picked in the country drop-down; "" means
	// DefaultCountry. Only used when InternationalFormat is true.
	Country string
	// DefaultCountry is the tenant's default country (ISO code): where the
	// agents dial from, so its international prefix is the one stripped from
	// IDD input. "" means US.
	DefaultCountry string
}

// Normalize turns an entered dial number into E.164 ("+61293744000") or
// explains, in an INVALID_DIAL_NUMBER error, what is wrong with it. The
// package documentation describes the rules.
func Normalize(in Input) (string, error) {
	dialed, err := dialedDigits(in.Number)
	if err != nil {
		return "", err
	}
	home, err := countryOrDefault(in.DefaultCountry, fallbackCountry)
	if err != nil {
		return "", err
	}
	if in.InternationalFormat {
		country, err := countryOrDefault(in.Country, home.country.ISOCode)
		if err != nil {
			return "", err
		}
		return normalizeNational(dialed, country)
	}
	return normalizeInternational(dialed, home)
}

func countryOrDefault(iso, fallback string) (*region, error) {
	if strings.TrimSpace(iso) == "" {
		iso = fallback
	}
	r, ok := lookupRegion(iso)
	if !ok {
		if len(iso) > 8 { // not worth repeating back
			return nil, invalidf("The country is not one we know; pick one from the list.")
		}
		return nil, invalidf("%s is not a country we know; pick one from the list.", strconv.Quote(iso))
	}
	return r, nil
}

// dialedDigits checks the characters of an entered number and returns its
// digits, with a "+" in front when the number started with one. Only the
// characters people use to group a number are allowed, so that text which
// is not a phone number (a vanity number, an e-mail address, an extension
// written as "x123") is refused with a reason instead of being guessed at by
// the phone library.
func dialedDigits(entered string) (string, error) {
	s := strings.TrimSpace(entered)
	if s == "" {
		return "", invalidf("Enter a dial number.")
	}
	if n := utf8.RuneCountInString(s); n > MaxLength {
		return "", invalidf("A dial number has at most %d characters; this one has %d.", MaxLength, n)
	}
	var b strings.Builder
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '+':
			if digits > 0 || b.Len() > 0 {
				return "", invalidf("A + may only stand at the start of a dial number, before the country code.")
			}
			b.WriteRune(r)
		case isSeparator(r):
		case unicode.IsLetter(r):
			return "", invalidf("Enter the number with digits only; letters such as in 1-800-FLOWERS are not accepted.")
		case r == utf8.RuneError:
			return "", invalidf("The dial number contains a character that is not a digit.")
		default:
			return "", invalidf("A dial number may contain digits, spaces, ( ) - . / and a leading +, but not %s.", strconv.Quote(string(r)))
		}
	}
	if digits == 0 {
		return "", invalidf("Enter the digits of the dial number.")
	}
	return b.String(), nil
}

// isSeparator reports whether r is one of the characters people group a
// number with. Besides the ASCII ones it allows any Unicode space and dash,
// because numbers copied from web pages and e-mail signatures carry
// non-breaking spaces and en dashes.
func isSeparator(r rune) bool {
	switch r {
	case '(', ')', '-', '.', '/':
		return true
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Pd, r)
}

// normalizeNational reads a number entered with the international-format
// check box on: the national number of country (with or without its trunk
// prefix, "020 7946 0018" in GB), or a number with "+" that must belong to
// country. The library's full validity check applies: the agent chose the
// country, so a number of another country is a mistake worth naming.
func normalizeNational(dialed string, country *region) (string, error) {
	num, err := phonenumbers.Parse(dialed, country.country.ISOCode)
	if err != nil {
		return "", parseError(err, country)
	}
	if !phonenumbers.IsValidNumberForRegion(num, country.country.ISOCode) {
		return "", wrongForCountry(num, country)
	}
	return e164(num)
}

// wrongForCountry explains why num is not a number of country.
func wrongForCountry(num *phonenumbers.PhoneNumber, country *region) error {
	c := country.country
	code := int(num.GetCountryCode())
	if owner := phonenumbers.GetRegionCodeForNumber(num); owner != "" && owner != c.ISOCode {
		if r, ok := lookupRegion(owner); ok {
			return invalidf("This is a number of %s (+%d), not of %s; choose %s in the country list.",
				r.country.Name, code, c.Name, r.country.Name)
		}
		return invalidf("This is an international +%d number, not a number of %s; turn off the international dialing format and enter it with +%d.",
			code, c.Name, code)
	}
	if code != c.CallingCode {
		return invalidf("The number starts with +%d, which is not the country code of %s (+%d).", code, c.Name, c.CallingCode)
	}
	switch lengthFits(num) {
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return invalidf("The number is too short for a number in %s.", c.Name)
	case phonenumbers.TOO_LONG:
		return invalidf("The number is too long for a number in %s.", c.Name)
	case phonenumbers.IS_POSSIBLE:
		// The length is right but no range of the metadata contains it; the
		// metadata can lag behind new allocations, so say how to insist.
		return invalidf("This is not a valid number in %s. If you are sure it is right, turn off the international dialing format and enter it with +%d.",
			c.Name, c.CallingCode)
	}
	return invalidf("This is not a valid number in %s.", c.Name)
}

// normalizeInternational reads a number entered with the check box off: it
// carries its own country code, after a "+" or after the international
// prefix of home. A number in no known range is accepted when its length
// fits (see plausible): the agent typed the country code, so there is no
// country to get wrong, and the product's own example (+61 1 2345 6789)
// lies in no Australian range.
func normalizeInternational(dialed string, home *region) (string, error) {
	if !strings.HasPrefix(dialed, "+") {
		rest, ok := stripInternationalPrefix(dialed, home)
		if !ok {
			return "", notInternational(home)
		}
		dialed = "+" + rest
	}
	num, err := phonenumbers.Parse(dialed, home.country.ISOCode)
	if err != nil {
		return "", parseError(err, nil)
	}
	return e164(num)
}

// stripInternationalPrefix removes home's IDD from the start of digits. As
// in the phone library, what follows must be a country code, and no country
// code starts with 0; where the prefix has optional carrier digits (Hong
// Kong's 00[126-9]?), the longer reading wins, as it does in the library.
func stripInternationalPrefix(digits string, home *region) (string, bool) {
	if home.internationalPrefix == nil {
		return "", false
	}
	loc := home.internationalPrefix.FindStringIndex(digits)
	if loc == nil {
		return "", false
	}
	rest := digits[loc[1]:]
	if rest == "" || rest[0] == '0' {
		return "", false
	}
	return rest, true
}

func notInternational(home *region) error {
	c := home.country
	if home.dialedPrefix == "" {
		return invalidf("Enter the number with + and the country code (for example +%d…), or turn on the international dialing format and choose the country.",
			c.CallingCode)
	}
	return invalidf("Enter the number with + and the country code (for example +%d…) or with the international prefix of %s (%s), or turn on the international dialing format and choose the country.",
		c.CallingCode, c.Name, home.dialedPrefix)
}

// e164 formats an accepted number and makes sure the result is one that
// Normalize reads back unchanged. The library strips a trunk prefix even
// after a country code ("+44 (0)20 …"), and for a few numbers it would
// strip again on the second reading; such a number has no stable E.164 form
// and is refused rather than stored in a form that changes when re-entered.
func e164(num *phonenumbers.PhoneNumber) (string, error) {
	if err := plausible(num); err != nil {
		return "", err
	}
	out := phonenumbers.Format(num, phonenumbers.E164)
	if len(out)-1 > maxE164Digits {
		return "", invalidf("The number is too long: an international number has at most %d digits.", maxE164Digits)
	}
	again, err := phonenumbers.Parse(out, fallbackCountry)
	if err != nil || phonenumbers.Format(again, phonenumbers.E164) != out || plausible(again) != nil {
		return "", invalidf("This is not a valid phone number; check the digits after +%d.", num.GetCountryCode())
	}
	return out, nil
}

// plausible accepts a number the metadata knows as valid, or one in no
// known range whose national number has the length of a fixed-line or
// mobile number of its country code. The second half is what lets E.164
// and IDD input reach numbers the metadata has not caught up with, without
// letting through the short service lengths of a plan (5 digits in
// Australia) or a number missing its area code.
func plausible(num *phonenumbers.PhoneNumber) error {
	if phonenumbers.IsValidNumber(num) {
		return nil
	}
	code := int(num.GetCountryCode())
	switch lengthFits(num) {
	case phonenumbers.IS_POSSIBLE:
		return nil
	case phonenumbers.INVALID_COUNTRY_CODE:
		return invalidf("+%d is not a country calling code.", code)
	case phonenumbers.TOO_SHORT:
		return invalidf("The number is too short for country code +%d.", code)
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return invalidf("The number is too short for country code +%d; include the area code.", code)
	case phonenumbers.TOO_LONG:
		return invalidf("The number is too long for country code +%d.", code)
	}
	return invalidf("The number does not have the length of a +%d number.", code)
}

// lengthFits checks the length of num's national number against the
// subscriber (fixed-line and mobile) lengths of its calling code, after the
// library's general length check.
func lengthFits(num *phonenumbers.PhoneNumber) phonenumbers.ValidationResult {
	if r := phonenumbers.IsPossibleNumberWithReason(num); r != phonenumbers.IS_POSSIBLE {
		return r
	}
	lengths := numberingPlans().subscriberLengths[int(num.GetCountryCode())]
	if len(lengths) == 0 {
		return phonenumbers.IS_POSSIBLE
	}
	n := int32(len(phonenumbers.GetNationalSignificantNumber(num)))
	switch {
	case slices.Contains(lengths, n):
		return phonenumbers.IS_POSSIBLE
	case n < lengths[0]:
		return phonenumbers.TOO_SHORT
	case n > lengths[len(lengths)-1]:
		return phonenumbers.TOO_LONG
	}
	return phonenumbers.INVALID_LENGTH
}

// parseError turns the phone library's parse errors into reasons; country is
// the chosen country, nil when the number carries its own country code.
func parseError(err error, country *region) error {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return invalidf("The number does not start with a known country code.")
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		if country != nil {
			return invalidf("The number is too short for a number in %s.", country.country.Name)
		}
		return invalidf("The number is too short.")
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return invalidf("The number is too long.")
	}
	return invalidf("This is not a valid phone number.")
}

func invalidf(format string, args ...any) error {
	return apperr.New(apperr.InvalidDialNumber, fmt.Sprintf(format, args...))
}

// FormatInternational formats an E.164 number for display
// ("+61 2 9374 4000"). Anything it cannot read is returned unchanged, so a
// stored value is never hidden from an admin.
func FormatInternational(e164 string) string {
	return format(e164, phonenumbers.INTERNATIONAL)
}

// FormatNational formats an E.164 number the way it is written in its own
// country ("(02) 9374 4000"); anything it cannot read is returned unchanged.
func FormatNational(e164 string) string {
	return format(e164, phonenumbers.NATIONAL)
}

func format(e164 string, style phonenumbers.PhoneNumberFormat) string {
	if !strings.HasPrefix(e164, "+") {
		return e164
	}
	num, err := phonenumbers.Parse(e164, fallbackCountry)
	if err != nil {
		return e164
	}
	return phonenumbers.Format(num, style)
}
