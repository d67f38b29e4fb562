package dialnumber

import (
	"regexp"
	"testing"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

var e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// FuzzNormalize checks the promises of Normalize on any input: no panic,
// every refusal is an INVALID_DIAL_NUMBER with a message, every accepted
// number is E.164 and reads back unchanged. The seed corpus is in
// testdata/fuzz/FuzzNormalize.
func FuzzNormalize(f *testing.F) {
	f.Add("+61 2 9374 4000", false, "", "")
	f.Add("01161123456789", false, "", "US")
	f.Add("020 7946 0018", true, "GB", "US")
	f.Fuzz(func(t *testing.T, number string, internationalFormat bool, country, defaultCountry string) {
		in := Input{Number: number, InternationalFormat: internationalFormat, Country: country, DefaultCountry: defaultCountry}
		checkNormalize(t, in)
		// Random strings are rarely ISO codes; map them onto real regions
		// too, so that every region's metadata gets fuzzed.
		in.Country, in.DefaultCountry = someRegion(country), someRegion(defaultCountry)
		checkNormalize(t, in)
	})
}

// checkNormalize asserts the promises of Normalize for one input.
func checkNormalize(t *testing.T, in Input) {
	t.Helper()
	got, err := Normalize(in)
	if err != nil {
		if got != "" {
			t.Fatalf("Normalize(%+v) = %q with error %v", in, got, err)
		}
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.InvalidDialNumber || e.Message == "" {
			t.Fatalf("Normalize(%+v): error %#v is not an INVALID_DIAL_NUMBER with a message", in, err)
		}
		return
	}
	if !e164Pattern.MatchString(got) {
		t.Fatalf("Normalize(%+v) = %q, not E.164", in, got)
	}
	again, err := Normalize(Input{Number: got})
	if err != nil || again != got {
		t.Fatalf("Normalize(%+v) = %q, which reads back as %q, %v", in, got, again, err)
	}
	// Any other default country reads E.164 the same way.
	if other, err := Normalize(Input{Number: got, DefaultCountry: "JP"}); err != nil || other != got {
		t.Fatalf("%q from JP reads as %q, %v", got, other, err)
	}
	_ = FormatInternational(got)
	_ = FormatNational(got)
}

// someRegion is iso when it is a known region or empty, else a region
// picked by a hash of iso.
func someRegion(iso string) string {
	if _, ok := LookupCountry(iso); ok || iso == "" {
		return iso
	}
	all := Countries("")
	h := uint(0)
	for i := 0; i < len(iso); i++ {
		h = h*31 + uint(iso[i])
	}
	return all[h%uint(len(all))].ISOCode
}

// FuzzPlanMatches feeds arbitrary plans and numbers to the dial-plan code:
// no panic, and a plan that fails ValidatePlan matches nothing.
func FuzzPlanMatches(f *testing.F) {
	f.Add(`1[2-9][0-9]{2}[2-9][0-9]{6}`, "", "()-. +", "+14155550100")
	f.Add(`1)|(.*`, "", "", "+14155550100")
	f.Add(`(a+)+$`, "9", "+", "+61412345678")
	f.Add(`((((1{1000}){1000}){1000}){1000})`, "", "", "+1")
	f.Add(`.*`, "", "", "")
	f.Fuzz(func(t *testing.T, expr, prefix, strippedChars, number string) {
		p := Plan{Name: "fuzz", RegularExpression: expr, Prefix: prefix, StrippedChars: strippedChars, Active: true}
		err := ValidatePlan(p)
		matched := p.Matches(number)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Validation {
				t.Fatalf("ValidatePlan(%+v) = %v, want a VALIDATION_ERROR", p, err)
			}
			if _, compileErr := compilePlan(expr); compileErr != nil && matched {
				t.Fatalf("plan with an invalid expression %q matched %q", expr, number)
			}
		}
		_ = Check(DialPlan, number, []Plan{p}, "")
	})
}
