package dialnumber

import (
	"sync"
	"testing"
)

// TestConcurrentUse runs the package from many goroutines at once, as the
// server does; under -race it proves the shared tables (ours and the phone
// library's) are only read.
func TestConcurrentUse(t *testing.T) {
	inputs := []Input{
		{Number: "0412 345 678", InternationalFormat: true, Country: "AU"},
		{Number: "011 44 20 7946 0018"},
		{Number: "+81 3-1234-5678", DefaultCountry: "JP"},
		{Number: "0021 52 222 123 4567", DefaultCountry: "BR"},
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				in := inputs[(g+i)%len(inputs)]
				if _, err := Normalize(in); err != nil {
					t.Errorf("Normalize(%+v): %v", in, err)
				}
				if len(Countries("+61")) != 3 {
					t.Error("Countries(+61) changed")
				}
				_ = FormatInternational("+61412345678")
				_ = DefaultPlans()[0].Matches("+14155550100")
			}
		})
	}
	wg.Wait()
}
