package admin

import (
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/agentdesk/agentdesk/internal/dialnumber"
)

// NormalizeDefaultDialNumber reads a default dial number an admin entered
// into E.164, for the tenant whose default country is country.
//
// Admin input has no international-format check box, so the rule is:
//   - a leading "+" means E.164 ("+44 20 7946 0018"), read as station login
//     reads it with the box off;
//   - otherwise the number is a national number of the tenant's default
//     country ("(415) 555-0100" in a US tenant), read as station login reads
//     it with the box on and that country chosen;
//   - and when it is not one, a number dialled with the international (IDD)
//     prefix of that country ("011 44 20 7946 0018" from the US), read as
//     station login reads it with the box off.
//
// National first: no national number starts with its own country's IDD, so
// the order never turns a national number into a foreign one. When neither
// reading works, the national reading's reason is returned (with a hint).
// The same reading is used again by the station-login diagnostics.
func NormalizeDefaultDialNumber(raw, country string) (string, error) {
	n := strings.TrimSpace(raw)
	if strings.HasPrefix(n, "+") {
		return dialnumber.Normalize(dialnumber.Input{Number: n, DefaultCountry: country})
	}
	e164, err := dialnumber.Normalize(dialnumber.Input{Number: n, InternationalFormat: true, Country: country, DefaultCountry: country})
	if err == nil {
		return e164, nil
	}
	if idd, iddErr := dialnumber.Normalize(dialnumber.Input{Number: n, DefaultCountry: country}); iddErr == nil {
		return idd, nil
	}
	return "", err
}

// DialNumberReadings remembers NormalizeDefaultDialNumber's answers for one
// country. Reading a number costs tens of microseconds (the phone library's
// patterns), so a bulk change reads its numbers first, in parallel and
// before it takes the database's write lock, and hands them to
// UserRules.UseReadings: the rule is the same, only computed earlier.
type DialNumberReadings struct {
	country string
	m       map[string]dialNumberReading
}

type dialNumberReading struct {
	e164 string
	err  error
}

// ReadDialNumbers reads raws as default dial numbers of country, using
// every CPU.
func ReadDialNumbers(country string, raws []string) *DialNumberReadings {
	unique := slices.Compact(slices.Sorted(slices.Values(raws)))
	readings := make([]dialNumberReading, len(unique))
	workers := min(runtime.GOMAXPROCS(0), len(unique))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(unique); i += workers {
				readings[i].e164, readings[i].err = NormalizeDefaultDialNumber(unique[i], country)
			}
		})
	}
	wg.Wait()
	out := &DialNumberReadings{country: country, m: make(map[string]dialNumberReading, len(unique))}
	for i, raw := range unique {
		out.m[raw] = readings[i]
	}
	return out
}

// UseReadings makes Check take dial numbers from readings when they were
// read for the tenant's country (else it reads them itself).
func (r *UserRules) UseReadings(readings *DialNumberReadings) {
	if readings != nil && readings.country == r.Tenant.DefaultCountry {
		r.readings = readings
	}
}

func (r *UserRules) normalizeDialNumber(raw string) (string, error) {
	if r.readings != nil {
		if got, ok := r.readings.m[raw]; ok {
			return got.e164, got.err
		}
	}
	return NormalizeDefaultDialNumber(raw, r.Tenant.DefaultCountry)
}
