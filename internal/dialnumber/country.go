package dialnumber

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Country is one entry of the country drop-down of station login: a region
// the phone library has numbering metadata for.
type Country struct {
	ISOCode     string // ISO 3166-1 alpha-2, upper case ("AU")
	Name        string // English name ("Australia")
	CallingCode int    // country calling code without "+" (61)
}

// region is what the package knows about one supported region: its Country,
// how people search for it, and how its people dial abroad.
type region struct {
	country Country
	// searchKey is the lower-cased name without diacritics, plus spellings
	// people type instead of CLDR's ("and" for "&", "saint" for "St."), so
	// that "cote" finds Côte d’Ivoire and "saint lucia" finds St. Lucia.
	searchKey string
	// internationalPrefix matches the region's international (IDD) prefix
	// at the start of a number; nil when the metadata has none.
	internationalPrefix *regexp.Regexp
	// dialedPrefix is the IDD as a person dials it ("011", "0011"), for
	// messages; "" when the metadata only has a pattern.
	dialedPrefix string
}

// numbering is what the package reads from the phone library's metadata:
// every supported region, sorted for the drop-down and indexed by ISO code,
// and the subscriber-number lengths of each calling code. It is built once
// and never changed afterwards, so all goroutines share it.
type numbering struct {
	sorted []*region
	byISO  map[string]*region
	// subscriberLengths are the national-number lengths of fixed-line and
	// mobile numbers, per calling code, ascending; see lengthFits.
	subscriberLengths map[int][]int32
}

// numberingPlans is built on first use: it costs a few milliseconds (names,
// collation, one IDD regexp per region) that processes which never touch
// dial numbers should not pay.
var numberingPlans = sync.OnceValue(buildNumbering)

func buildNumbering() *numbering {
	t := &numbering{byISO: make(map[string]*region), subscriberLengths: make(map[int][]int32)}
	idd := make(map[string]internationalPrefix)
	// The collection is parsed by the library at init; reading it is safe.
	if coll, err := phonenumbers.MetadataCollection(); err == nil {
		for _, m := range coll.GetMetadata() {
			if p, ok := readInternationalPrefix(m); ok {
				idd[m.GetId()] = p
			}
			// Shared calling codes (+1, +7, +44, +61) take the lengths of
			// their main region, as the library's own length check does.
			code := int(m.GetCountryCode())
			if phonenumbers.GetRegionCodeForCountryCode(code) == m.GetId() {
				t.subscriberLengths[code] = readSubscriberLengths(m)
			}
		}
	}
	names := display.English.Regions()
	for iso := range phonenumbers.GetSupportedRegions() {
		name := iso
		if tag, err := language.ParseRegion(iso); err == nil {
			if n := names.Name(tag); n != "" {
				name = n
			}
		}
		r := &region{
			country: Country{
				ISOCode:     iso,
				Name:        name,
				CallingCode: phonenumbers.GetCountryCodeForRegion(iso),
			},
			searchKey: searchKey(name),
		}
		if p, ok := idd[iso]; ok {
			r.internationalPrefix, r.dialedPrefix = p.pattern, p.dialed
		}
		t.sorted = append(t.sorted, r)
		t.byISO[iso] = r
	}
	// Collation, not byte order: "Åland Islands" belongs among the A's and
	// "Côte d’Ivoire" before "Croatia", where people look for them.
	coll := collate.New(language.English)
	slices.SortFunc(t.sorted, func(a, b *region) int {
		if c := coll.CompareString(a.country.Name, b.country.Name); c != 0 {
			return c
		}
		return strings.Compare(a.country.ISOCode, b.country.ISOCode)
	})
	return t
}

type internationalPrefix struct {
	pattern *regexp.Regexp
	dialed  string
}

// readInternationalPrefix takes a region's IDD from the metadata rather
// than from a table of our own: the prefixes are patterns ("0011" and its
// carrier variants in Australia, "0[0-3]\d" in Singapore) and change with
// metadata releases.
func readInternationalPrefix(m *phonenumbers.PhoneMetadata) (internationalPrefix, bool) {
	pattern := m.GetInternationalPrefix()
	if pattern == "" {
		return internationalPrefix{}, false
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)`)
	if err != nil {
		return internationalPrefix{}, false
	}
	dialed := strings.Map(keepDigit, m.GetPreferredInternationalPrefix()) // "8~10" → "810"
	if dialed == "" && strings.Map(keepDigit, pattern) == pattern {
		dialed = pattern
	}
	return internationalPrefix{pattern: re, dialed: dialed}, true
}

// readSubscriberLengths merges the possible lengths of fixed-line and
// mobile numbers. In the metadata an empty list means "as the general
// description" and [-1] means "no such numbers"; entities with neither kind
// (+800 freephone, +882 networks) keep their general lengths.
func readSubscriberLengths(m *phonenumbers.PhoneMetadata) []int32 {
	general := m.GetGeneralDesc().GetPossibleLength()
	var lengths []int32
	for _, desc := range []*phonenumbers.PhoneNumberDesc{m.GetFixedLine(), m.GetMobile()} {
		l := desc.GetPossibleLength()
		if len(l) == 0 {
			l = general
		}
		if len(l) > 0 && l[0] == -1 {
			continue
		}
		lengths = append(lengths, l...)
	}
	if len(lengths) == 0 {
		lengths = append(lengths, general...)
	}
	slices.Sort(lengths)
	return slices.Compact(lengths)
}

func keepDigit(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

// fold makes text comparable ignoring case, accents and the typographic
// apostrophe of CLDR names.
func fold(text string) string {
	stripAccents := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(stripAccents, text)
	if err != nil {
		folded = text
	}
	return strings.ToLower(strings.ReplaceAll(folded, "’", "'"))
}

// searchKey is the folded name, followed by the spellings people type
// instead of CLDR's.
func searchKey(name string) string {
	folded := fold(name)
	alternative := strings.NewReplacer("&", "and", "st. ", "saint ").Replace(folded)
	if alternative == folded {
		return folded
	}
	// The newline keeps a filter from matching across the two spellings.
	return folded + "\n" + alternative
}

// Countries lists the countries of the station-login drop-down, sorted by
// name. The filter (trimmed, case- and accent-insensitive) keeps a country
// when it is a substring of the name, equals the ISO code, or — when it is
// digits with or without a leading "+" — is a prefix of the calling code.
// Calling codes are prefix-free, so "61" and "+61" give exactly the +61
// countries (Australia, Christmas Island, Cocos (Keeling) Islands) while a
// partly typed "+6" already narrows the list to the +6x countries.
// The result is a new slice the caller may change.
func Countries(filter string) []Country {
	filter = strings.TrimSpace(filter)
	var match func(*region) bool
	switch code, isCode := callingCodeFilter(filter); {
	case filter == "" || (isCode && code == ""):
		match = func(*region) bool { return true }
	case isCode:
		match = func(r *region) bool {
			return strings.HasPrefix(strconv.Itoa(r.country.CallingCode), code)
		}
	default:
		key := fold(filter)
		match = func(r *region) bool {
			return strings.EqualFold(r.country.ISOCode, filter) || strings.Contains(r.searchKey, key)
		}
	}
	var out []Country
	for _, r := range numberingPlans().sorted {
		if match(r) {
			out = append(out, r.country)
		}
	}
	return out
}

// callingCodeFilter reports whether filter is a calling code ("61", "+61",
// "+ 61", or a lone "+") and returns its digits.
func callingCodeFilter(filter string) (string, bool) {
	digits := strings.TrimSpace(strings.TrimPrefix(filter, "+"))
	for _, r := range digits {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return digits, digits != "" || filter == "+"
}

// LookupCountry finds a supported region by its ISO code, ignoring case and
// surrounding spaces.
func LookupCountry(iso string) (Country, bool) {
	r, ok := lookupRegion(iso)
	if !ok {
		return Country{}, false
	}
	return r.country, true
}

func lookupRegion(iso string) (*region, bool) {
	r, ok := numberingPlans().byISO[strings.ToUpper(strings.TrimSpace(iso))]
	return r, ok
}
