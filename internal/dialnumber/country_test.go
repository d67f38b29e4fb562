package dialnumber

import (
	"slices"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestCountriesListsEverySupportedRegion(t *testing.T) {
	all := Countries("")
	if got, want := len(all), len(phonenumbers.GetSupportedRegions()); got != want {
		t.Fatalf("%d countries, the library supports %d regions", got, want)
	}
	seen := make(map[string]bool)
	for _, c := range all {
		if !phonenumbers.GetSupportedRegions()[c.ISOCode] {
			t.Errorf("%+v is not a supported region", c)
		}
		if seen[c.ISOCode] {
			t.Errorf("%s listed twice", c.ISOCode)
		}
		seen[c.ISOCode] = true
		if c.Name == "" || c.Name == c.ISOCode {
			t.Errorf("%s has no English name: %q", c.ISOCode, c.Name)
		}
		if c.CallingCode != phonenumbers.GetCountryCodeForRegion(c.ISOCode) || c.CallingCode == 0 {
			t.Errorf("%+v: wrong calling code", c)
		}
	}
}

func TestCountriesSortedByName(t *testing.T) {
	names := isoCodes(Countries(""))
	// People look for Åland among the A's and Côte d'Ivoire before Croatia.
	for _, pair := range [][2]string{{"AF", "AX"}, {"AX", "AL"}, {"CI", "HR"}, {"AU", "AT"}, {"GB", "US"}, {"ZM", "ZW"}} {
		i, j := slices.Index(names, pair[0]), slices.Index(names, pair[1])
		if i < 0 || j < 0 || i >= j {
			t.Errorf("%s (at %d) should come before %s (at %d)", pair[0], i, pair[1], j)
		}
	}
	if names[0] != "AF" {
		t.Errorf("list starts with %s, want Afghanistan", names[0])
	}
}

func TestCountriesFilter(t *testing.T) {
	tests := []struct {
		filter  string
		want    []string // exactly these, in this order; nil to skip
		include []string
		exclude []string
	}{
		{filter: "61", want: []string{"AU", "CX", "CC"}},
		{filter: "+61", want: []string{"AU", "CX", "CC"}},
		{filter: " + 61 ", want: []string{"AU", "CX", "CC"}},
		{filter: "44", want: []string{"GG", "IM", "JE", "GB"}},
		{filter: "+6", include: []string{"AU", "SG", "NZ", "MY"}, exclude: []string{"US", "GB"}},
		{filter: "+1", include: []string{"US", "CA", "JM", "PR"}, exclude: []string{"GB"}},
		{filter: "999", want: []string{}},
		{filter: "aus", want: []string{"AU", "AT"}},
		{filter: "AUS", want: []string{"AU", "AT"}},
		{filter: "de", include: []string{"DE", "BD", "SE", "CV"}, exclude: []string{"FR", "US"}},
		{filter: "United", want: []string{"AE", "GB", "US"}},
		{filter: "united kingdom", want: []string{"GB"}},
		{filter: "cote", want: []string{"CI"}},
		{filter: "Côte d'Ivoire", want: []string{"CI"}},
		{filter: "aland", want: []string{"AX", "NZ"}}, // Åland, New Zealand
		{filter: "saint lucia", want: []string{"LC"}},
		{filter: "st. lucia", want: []string{"LC"}},
		{filter: "trinidad and", want: []string{"TT"}},
		{filter: "gb", want: []string{"GB"}},
		{filter: "zzz", want: []string{}},
		{filter: "nd\nsa", want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			got := isoCodes(Countries(tt.filter))
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Fatalf("Countries(%q) = %v, want %v", tt.filter, got, tt.want)
			}
			for _, iso := range tt.include {
				if !slices.Contains(got, iso) {
					t.Errorf("Countries(%q) = %v, missing %s", tt.filter, got, iso)
				}
			}
			for _, iso := range tt.exclude {
				if slices.Contains(got, iso) {
					t.Errorf("Countries(%q) = %v, should not have %s", tt.filter, got, iso)
				}
			}
		})
	}
}

func TestCountriesEmptyFilters(t *testing.T) {
	total := len(phonenumbers.GetSupportedRegions())
	for _, filter := range []string{"", "   ", "+", " + "} {
		if got := len(Countries(filter)); got != total {
			t.Errorf("Countries(%q) has %d countries, want all %d", filter, got, total)
		}
	}
}

func TestCountriesResultIsTheCallers(t *testing.T) {
	first := Countries("61")
	first[0].Name = "changed"
	if again := Countries("61"); again[0].Name != "Australia" {
		t.Fatalf("changing a result changed the list: %+v", again[0])
	}
}

func TestLookupCountry(t *testing.T) {
	tests := []struct {
		iso  string
		want Country
		ok   bool
	}{
		{"AU", Country{"AU", "Australia", 61}, true},
		{"au", Country{"AU", "Australia", 61}, true},
		{" gb ", Country{"GB", "United Kingdom", 44}, true},
		{"US", Country{"US", "United States", 1}, true},
		{"XK", Country{"XK", "Kosovo", 383}, true},
		{"001", Country{}, false}, // the library's code for non-geographic numbers
		{"XX", Country{}, false},
		{"", Country{}, false},
		{"AUS", Country{}, false},
	}
	for _, tt := range tests {
		got, ok := LookupCountry(tt.iso)
		if got != tt.want || ok != tt.ok {
			t.Errorf("LookupCountry(%q) = %+v, %v; want %+v, %v", tt.iso, got, ok, tt.want, tt.ok)
		}
	}
}

// TestInternationalPrefixesFromMetadata guards the IDD rule against a
// metadata release that drops or renames the prefixes messages show.
func TestInternationalPrefixesFromMetadata(t *testing.T) {
	for iso, want := range map[string]string{"US": "011", "CA": "011", "GB": "00", "DE": "00", "JP": "010", "AU": "0011", "RU": "810"} {
		r, ok := lookupRegion(iso)
		if !ok || r.internationalPrefix == nil || r.dialedPrefix != want {
			t.Errorf("%s: dialed IDD %q, want %q", iso, r.dialedPrefix, want)
		}
	}
}

func isoCodes(cs []Country) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ISOCode)
	}
	return out
}
