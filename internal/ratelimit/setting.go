package ratelimit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Setting is a rate limit as an operator writes it: requests per second
// and a burst.
type Setting struct {
	PerSecond float64
	Burst     int
}

// String is the setting as ParseSetting reads it.
func (s Setting) String() string {
	return strconv.FormatFloat(s.PerSecond, 'f', -1, 64) + "," + strconv.Itoa(s.Burst)
}

// maxBurst keeps a typo (a burst of 10000000) from disabling a limit.
const maxBurst = 1_000_000

// ParseSetting reads "RATE,BURST": RATE requests per second (a positive
// number, fractions allowed: 0.5 is one every two seconds) and BURST
// requests at once (a whole number from 1 to 1,000,000).
func ParseSetting(s string) (Setting, error) {
	rate, burst, ok := strings.Cut(strings.TrimSpace(s), ",")
	if !ok {
		return Setting{}, fmt.Errorf("%q is not RATE,BURST (requests per second and burst, such as 5,20)", s)
	}
	perSecond, err := strconv.ParseFloat(strings.TrimSpace(rate), 64)
	if err != nil || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) || perSecond <= 0 {
		return Setting{}, fmt.Errorf("in %q the rate %q is not a positive number of requests per second", s, rate)
	}
	b, err := strconv.Atoi(strings.TrimSpace(burst))
	if err != nil || b < 1 || b > maxBurst {
		return Setting{}, fmt.Errorf("in %q the burst %q is not a whole number from 1 to %d", s, burst, maxBurst)
	}
	return Setting{PerSecond: perSecond, Burst: b}, nil
}
