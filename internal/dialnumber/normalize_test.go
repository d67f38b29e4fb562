package dialnumber

import (
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// TestNormalizeCountries reads one number of each country in every way an
// agent may enter it: the national number with the country chosen, E.164,
// IDD from the US and IDD from another default country.
func TestNormalizeCountries(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want string
	}{
		// United States
		{"US national", Input{Number: "(201) 555-0123", InternationalFormat: true, Country: "US"}, "+12015550123"},
		{"US national, country from default", Input{Number: "201.555.0123", InternationalFormat: true}, "+12015550123"},
		{"US national with trunk 1", Input{Number: "1 201 555 0123", InternationalFormat: true, Country: "US"}, "+12015550123"},
		{"US E.164", Input{Number: "+1 201-555-0123"}, "+12015550123"},
		{"US IDD from US", Input{Number: "011 1 201 555 0123", DefaultCountry: "US"}, "+12015550123"},
		{"US IDD from GB", Input{Number: "00 1 (201) 555-0123", DefaultCountry: "GB"}, "+12015550123"},
		// Canada
		{"CA national", Input{Number: "(506) 234-5678", InternationalFormat: true, Country: "CA"}, "+15062345678"},
		{"CA E.164", Input{Number: "+1.506.234.5678"}, "+15062345678"},
		{"CA IDD from US", Input{Number: "011 1 506 234 5678"}, "+15062345678"},
		{"CA IDD from FR", Input{Number: "00 1 506 234 5678", DefaultCountry: "FR"}, "+15062345678"},
		// United Kingdom
		{"GB national with trunk 0", Input{Number: "020 7946 0018", InternationalFormat: true, Country: "GB"}, "+442079460018"},
		{"GB national mobile", Input{Number: "07400 123456", InternationalFormat: true, Country: "gb"}, "+447400123456"},
		{"GB E.164", Input{Number: "+44 20 7946 0018"}, "+442079460018"},
		{"GB E.164 with (0)", Input{Number: "+44 (0)20 7946 0018"}, "+442079460018"},
		{"GB IDD from US", Input{Number: "011 44 20 7946 0018"}, "+442079460018"},
		{"GB IDD from DE", Input{Number: "0044 20 7946 0018", DefaultCountry: "DE"}, "+442079460018"},
		// Germany
		{"DE national", Input{Number: "030 123456", InternationalFormat: true, Country: "DE"}, "+4930123456"},
		{"DE national mobile", Input{Number: "01512 3456789", InternationalFormat: true, Country: "DE"}, "+4915123456789"},
		{"DE E.164", Input{Number: "+49 30 123456"}, "+4930123456"},
		{"DE IDD from US", Input{Number: "011 49 30 123456"}, "+4930123456"},
		{"DE IDD from AU", Input{Number: "0011 49 30 123456", DefaultCountry: "AU"}, "+4930123456"},
		// France
		{"FR national", Input{Number: "01 23 45 67 89", InternationalFormat: true, Country: "FR"}, "+33123456789"},
		{"FR E.164", Input{Number: "+33 1 23 45 67 89"}, "+33123456789"},
		{"FR IDD from US", Input{Number: "011 33 1 23 45 67 89"}, "+33123456789"},
		{"FR IDD from ES", Input{Number: "00 33 6 12 34 56 78", DefaultCountry: "ES"}, "+33612345678"},
		// India
		{"IN national", Input{Number: "081234 56789", InternationalFormat: true, Country: "IN"}, "+918123456789"},
		{"IN E.164", Input{Number: "+91 81234 56789"}, "+918123456789"},
		{"IN IDD from US", Input{Number: "011 91 81234 56789"}, "+918123456789"},
		{"IN IDD from SG", Input{Number: "001 91 81234 56789", DefaultCountry: "SG"}, "+918123456789"},
		// Australia
		{"AU national", Input{Number: "(02) 1234 5678", InternationalFormat: true, Country: "AU"}, "+61212345678"},
		{"AU national mobile", Input{Number: "0412 345 678", InternationalFormat: true, Country: "AU"}, "+61412345678"},
		{"AU E.164", Input{Number: "+61 412 345 678"}, "+61412345678"},
		{"AU IDD from US", Input{Number: "011 61 412 345 678"}, "+61412345678"},
		{"AU IDD from JP", Input{Number: "010 61 2 1234 5678", DefaultCountry: "JP"}, "+61212345678"},
		{"AU contract example, IDD from US", Input{Number: "01161123456789", DefaultCountry: "US"}, "+61123456789"},
		{"AU contract example, E.164", Input{Number: "+61 1 2345 6789"}, "+61123456789"},
		// Brazil
		{"BR national mobile", Input{Number: "(11) 96123-4567", InternationalFormat: true, Country: "BR"}, "+5511961234567"},
		{"BR E.164", Input{Number: "+55 11 96123-4567"}, "+5511961234567"},
		{"BR IDD from US", Input{Number: "011 55 11 96123 4567"}, "+5511961234567"},
		{"BR IDD from MX", Input{Number: "00 55 11 2345 6789", DefaultCountry: "MX"}, "+551123456789"},
		// Japan
		{"JP national", Input{Number: "03-1234-5678", InternationalFormat: true, Country: "JP"}, "+81312345678"},
		{"JP E.164", Input{Number: "+81 3-1234-5678"}, "+81312345678"},
		{"JP IDD from US", Input{Number: "011 81 3 1234 5678"}, "+81312345678"},
		{"JP IDD from GB", Input{Number: "00 81 90 1234 5678", DefaultCountry: "GB"}, "+819012345678"},
		// Mexico
		{"MX national", Input{Number: "222 123 4567", InternationalFormat: true, Country: "MX"}, "+522221234567"},
		{"MX E.164", Input{Number: "+52 222 123 4567"}, "+522221234567"},
		{"MX IDD from US", Input{Number: "011 52 222 123 4567"}, "+522221234567"},
		{"MX IDD from BR with carrier 21", Input{Number: "0021 52 222 123 4567", DefaultCountry: "BR"}, "+522221234567"},
		// South Africa
		{"ZA national", Input{Number: "071 123 4567", InternationalFormat: true, Country: "ZA"}, "+27711234567"},
		{"ZA E.164", Input{Number: "+27 71 123 4567"}, "+27711234567"},
		{"ZA IDD from US", Input{Number: "011 27 71 123 4567"}, "+27711234567"},
		{"ZA IDD from NL", Input{Number: "00 27 10 123 4567", DefaultCountry: "NL"}, "+27101234567"},
		// Singapore
		{"SG national", Input{Number: "6123 4567", InternationalFormat: true, Country: "SG"}, "+6561234567"},
		{"SG E.164", Input{Number: "+65 8123 4567"}, "+6581234567"},
		{"SG IDD from US", Input{Number: "011 65 6123 4567"}, "+6561234567"},
		{"SG IDD from AU", Input{Number: "0011 65 8123 4567", DefaultCountry: "AU"}, "+6581234567"},
		// Romania
		{"RO national", Input{Number: "021 123 4567", InternationalFormat: true, Country: "RO"}, "+40211234567"},
		{"RO E.164", Input{Number: "+40 712 034 567"}, "+40712034567"},
		{"RO IDD from US", Input{Number: "011 40 21 123 4567"}, "+40211234567"},
		{"RO IDD from DE", Input{Number: "00 40 712 034 567", DefaultCountry: "DE"}, "+40712034567"},
		// Netherlands
		{"NL national", Input{Number: "010 123 4567", InternationalFormat: true, Country: "NL"}, "+31101234567"},
		{"NL national mobile", Input{Number: "06-12345678", InternationalFormat: true, Country: "NL"}, "+31612345678"},
		{"NL E.164", Input{Number: "+31 6 12345678"}, "+31612345678"},
		{"NL IDD from US", Input{Number: "011 31 10 123 4567"}, "+31101234567"},
		{"NL IDD from RO", Input{Number: "00 31 6 1234 5678", DefaultCountry: "RO"}, "+31612345678"},
		// Spain
		{"ES national", Input{Number: "612 34 56 78", InternationalFormat: true, Country: "ES"}, "+34612345678"},
		{"ES E.164", Input{Number: "+34 810 12 34 56"}, "+34810123456"},
		{"ES IDD from US", Input{Number: "011 34 612 34 56 78"}, "+34612345678"},
		{"ES IDD from SG via 002", Input{Number: "002 34 612 34 56 78", DefaultCountry: "SG"}, "+34612345678"},
		// Argentina: mobile numbers written nationally with 0, area code, 15.
		{"AR national mobile", Input{Number: "011 15-2345-6789", InternationalFormat: true, Country: "AR"}, "+5491123456789"},
		{"AR E.164 mobile", Input{Number: "+54 9 11 2345 6789"}, "+5491123456789"},
		// Italy keeps the leading 0 of fixed lines in E.164.
		{"IT national", Input{Number: "02 1234 5678", InternationalFormat: true, Country: "IT"}, "+390212345678"},
		{"IT E.164", Input{Number: "+39 02 1234 5678"}, "+390212345678"},
		// Numbers of no country.
		{"international freephone", Input{Number: "+800 1234 5678"}, "+80012345678"},
		// Separators and spacing people paste.
		{"slashes", Input{Number: "030/123456", InternationalFormat: true, Country: "DE"}, "+4930123456"},
		{"surrounding spaces", Input{Number: "  +44 20 7946 0018\t"}, "+442079460018"},
		{"no-break spaces and en dash", Input{Number: "+44\u00a020\u00a07946\u20130018"}, "+442079460018"},
		{"plus inside parentheses", Input{Number: "(+44) 20 7946 0018"}, "+442079460018"},
		{"exactly MaxLength characters", Input{Number: paddedTo(MaxLength)}, "+12015550123"},
		// The contract's E.164 example: possible, though no area code starts with 1.
		{"contract E.164 example", Input{Number: "+11234567890"}, "+11234567890"},
		// E.164 does not depend on the default country.
		{"E.164 with another default", Input{Number: "+61 412 345 678", DefaultCountry: "JP"}, "+61412345678"},
		{"E.164 with country box on", Input{Number: "+61 412 345 678", InternationalFormat: true, Country: "AU"}, "+61412345678"},
		{"lower-case countries", Input{Number: "0412 345 678", InternationalFormat: true, Country: "au", DefaultCountry: "gb"}, "+61412345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if err != nil {
				t.Fatalf("Normalize(%+v) = error %v, want %s", tt.in, err, tt.want)
			}
			if got != tt.want {
				t.Fatalf("Normalize(%+v) = %s, want %s", tt.in, got, tt.want)
			}
			again, err := Normalize(Input{Number: got})
			if err != nil || again != got {
				t.Fatalf("round trip: Normalize(%q) = %q, %v", got, again, err)
			}
		})
	}
}

func TestNormalizeRefuses(t *testing.T) {
	tests := []struct {
		name   string
		in     Input
		reason string // part of the message the agent reads
	}{
		{"empty", Input{Number: ""}, "Enter a dial number"},
		{"only spaces", Input{Number: "   "}, "Enter a dial number"},
		{"only separators", Input{Number: "(-) /."}, "Enter the digits"},
		{"only plus", Input{Number: "+"}, "Enter the digits"},
		{"44 characters", Input{Number: strings.Repeat("1", MaxLength+1)}, "at most 43 characters"},
		{"44 characters with separators", Input{Number: paddedTo(MaxLength + 1)}, "at most 43 characters"},
		{"short service length", Input{Number: "+61 21234"}, "too short for country code +61"},
		{"vanity number", Input{Number: "1-800-FLOWERS"}, "letters"},
		{"vanity number, box on", Input{Number: "800 FLOWERS", InternationalFormat: true}, "letters"},
		{"extension written out", Input{Number: "+1 201 555 0123 ext 5"}, "letters"},
		{"non-Latin letters", Input{Number: "+7 495 ТЕЛ 1234"}, "letters"},
		{"hash", Input{Number: "+1 201 555 0123#"}, `"#"`},
		{"star", Input{Number: "*67 201 555 0123"}, `"*"`},
		{"RFC 3966 extension", Input{Number: "+12015550123;ext=5"}, `";"`},
		{"plus in the middle", Input{Number: "1+2015550123"}, "+ may only stand at the start"},
		{"second plus", Input{Number: "+1 201 +555 0123"}, "+ may only stand at the start"},
		{"double plus", Input{Number: "++12015550123"}, "+ may only stand at the start"},
		{"invalid UTF-8", Input{Number: "+1 201 \xff555 0123"}, "not a digit"},
		{"E.164 too short", Input{Number: "+61 2"}, "too short"},
		{"E.164 US without area code", Input{Number: "+1 555 0123"}, "include the area code"},
		{"E.164 too long", Input{Number: "+61 2 1234 5678 9999"}, "too long"},
		{"E.164 over 15 digits", Input{Number: "+49 30 1234 5678 9012 3"}, "at most 15 digits"},
		// The library strips one trunk 0 after the country code, and would
		// strip another when the result is read again: no stable E.164.
		{"no stable E.164 form", Input{Number: "+49 000 51400204"}, "check the digits after +49"},
		{"unknown country code", Input{Number: "+999 1234 5678"}, "country code"},
		{"country code 0", Input{Number: "+0 1234 5678"}, "country code"},
		{"national number with box off", Input{Number: "(201) 555-0123"}, "international prefix of United States (011)"},
		{"national number with box off, AU default", Input{Number: "02 1234 5678", DefaultCountry: "AU"}, "Australia (0011)"},
		{"country code without plus", Input{Number: "12015550123"}, "with + and the country code"},
		{"IDD of another country", Input{Number: "00 44 20 7946 0018", DefaultCountry: "US"}, "(011)"},
		{"US IDD from GB", Input{Number: "011 44 20 7946 0018", DefaultCountry: "GB"}, "(00)"},
		{"IDD followed by 0", Input{Number: "011 0 44 20 7946 0018"}, "with + and the country code"},
		{"IDD only", Input{Number: "011"}, "with + and the country code"},
		{"IDD too short", Input{Number: "011 61 2"}, "too short"},
		{"national too short", Input{Number: "02 1234", InternationalFormat: true, Country: "AU"}, "too short for a number in Australia"},
		{"national too long", Input{Number: "02 1234 5678 90", InternationalFormat: true, Country: "AU"}, "too long for a number in Australia"},
		{"national, no such range", Input{Number: "1 2345 6789", InternationalFormat: true, Country: "AU"}, "enter it with +61"},
		{"national, no such range in US", Input{Number: "(123) 456-7890", InternationalFormat: true, Country: "US"}, "not a valid number in United States"},
		{"GB number, DE chosen", Input{Number: "+44 20 7946 0018", InternationalFormat: true, Country: "DE"}, "number of United Kingdom (+44), not of Germany"},
		{"US number, CA chosen", Input{Number: "(201) 555-0123", InternationalFormat: true, Country: "CA"}, "number of United States (+1), not of Canada"},
		{"CA number, US chosen", Input{Number: "+1 506 234 5678", InternationalFormat: true, Country: "US"}, "number of Canada (+1), not of United States"},
		{"US number, AU chosen", Input{Number: "+1 201 555 0123", InternationalFormat: true, Country: "AU"}, "number of United States (+1), not of Australia"},
		{"freephone, AU chosen", Input{Number: "+800 1234 5678", InternationalFormat: true, Country: "AU"}, "international +800 number"},
		{"invalid number with other code, GB chosen", Input{Number: "+61 1 2345 6789", InternationalFormat: true, Country: "GB"}, "+61, which is not the country code of United Kingdom"},
		{"unknown country", Input{Number: "0412 345 678", InternationalFormat: true, Country: "XX"}, `"XX" is not a country`},
		{"non-geographic region is no country", Input{Number: "1234 5678", InternationalFormat: true, Country: "001"}, "not a country"},
		{"unknown default country", Input{Number: "+61 412 345 678", DefaultCountry: "AUS"}, `"AUS" is not a country`},
		{"long unknown country not repeated", Input{Number: "0412 345 678", InternationalFormat: true, Country: "Commonwealth of Australia"}, "The country is not one we know"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if err == nil {
				t.Fatalf("Normalize(%+v) = %s, want an error saying %q", tt.in, got, tt.reason)
			}
			assertCode(t, err, apperr.InvalidDialNumber)
			if e, _ := apperr.As(err); !strings.Contains(e.Message, tt.reason) {
				t.Fatalf("message %q does not say %q", e.Message, tt.reason)
			}
			if got != "" {
				t.Fatalf("refused number came with %q", got)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ e164, international, national string }{
		{"+12015550123", "+1 201-555-0123", "(201) 555-0123"},
		{"+442079460018", "+44 20 7946 0018", "020 7946 0018"},
		{"+61412345678", "+61 412 345 678", "0412 345 678"},
		{"+80012345678", "+800 1234 5678", "1234 5678"},
		{"", "", ""},
		{"not a number", "not a number", "not a number"},
		{"2015550123", "2015550123", "2015550123"},
	}
	for _, tt := range tests {
		if got := FormatInternational(tt.e164); got != tt.international {
			t.Errorf("FormatInternational(%q) = %q, want %q", tt.e164, got, tt.international)
		}
		if got := FormatNational(tt.e164); got != tt.national {
			t.Errorf("FormatNational(%q) = %q, want %q", tt.e164, got, tt.national)
		}
	}
}

// paddedTo spells +1 201 555 0123 with spaces up to n characters.
func paddedTo(n int) string {
	s := "+1 (201)" + strings.Repeat(" ", n-16) + "555-0123"
	if len(s) != n {
		panic("paddedTo: wrong length")
	}
	return s
}

// assertCode fails unless err is an *apperr.Error with code.
func assertCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *apperr.Error", err, err)
	}
	if e.Code != code {
		t.Fatalf("code = %s, want %s (%s)", e.Code, code, e.Message)
	}
	if e.Message == "" {
		t.Fatalf("%s without a message", code)
	}
}

func BenchmarkNormalize(b *testing.B) {
	in := Input{Number: "0412 345 678", InternationalFormat: true, Country: "AU"}
	for b.Loop() {
		if _, err := Normalize(in); err != nil {
			b.Fatal(err)
		}
	}
}
