package dialnumber

import (
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestEveryRegionExampleNumbers is the guard against US-only thinking: for
// every supported region, the library's example fixed-line, mobile and VoIP
// numbers are accepted in every way an agent may enter them.
func TestEveryRegionExampleNumbers(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.VOIP}
	checked := 0
	for _, c := range Countries("") {
		for _, typ := range types {
			example := phonenumbers.GetExampleNumberForType(c.ISOCode, typ)
			if example == nil {
				continue
			}
			want := phonenumbers.Format(example, phonenumbers.E164)
			international := phonenumbers.Format(example, phonenumbers.INTERNATIONAL)
			entries := []Input{
				{Number: international, InternationalFormat: true, Country: c.ISOCode},
				{Number: international},
				{Number: "011 " + strings.TrimPrefix(international, "+"), DefaultCountry: "US"},
				{Number: "0011 " + strings.TrimPrefix(international, "+"), DefaultCountry: "AU"},
			}
			// The library's national format does not always parse back (its
			// Argentine mobile format drops the area code); such a format is
			// not one people write, so it is no test of ours.
			national := phonenumbers.Format(example, phonenumbers.NATIONAL)
			if n, err := phonenumbers.Parse(national, c.ISOCode); err == nil && phonenumbers.Format(n, phonenumbers.E164) == want {
				entries = append(entries, Input{Number: national, InternationalFormat: true, Country: c.ISOCode})
			} else {
				t.Logf("%s %v: the library does not read its national format %q back", c.ISOCode, typ, national)
			}
			for _, in := range entries {
				got, err := Normalize(in)
				if err != nil || got != want {
					t.Errorf("%s %v example: Normalize(%+v) = %q, %v; want %s", c.ISOCode, typ, in, got, err, want)
				}
				checked++
			}
		}
	}
	t.Logf("%d entries of example numbers accepted", checked)
}

// TestEveryRegionDialsAbroad dials a London number from every region with
// the region's international prefix as the metadata spells it.
func TestEveryRegionDialsAbroad(t *testing.T) {
	const want = "+442079460018"
	checked := 0
	for _, c := range Countries("") {
		r, _ := lookupRegion(c.ISOCode)
		if r.dialedPrefix == "" {
			continue // the metadata has only a pattern (Brazil's carrier codes)
		}
		in := Input{Number: r.dialedPrefix + " 44 20 7946 0018", DefaultCountry: c.ISOCode}
		if got, err := Normalize(in); err != nil || got != want {
			t.Errorf("%s: Normalize(%+v) = %q, %v; want %s", c.ISOCode, in, got, err, want)
		}
		checked++
	}
	if checked < 200 {
		t.Fatalf("only %d regions have a dialable international prefix", checked)
	}
}
