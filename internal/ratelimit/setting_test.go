package ratelimit

import "testing"

func TestParseSetting(t *testing.T) {
	cases := []struct {
		in   string
		want Setting
		ok   bool
	}{
		{"5,20", Setting{5, 20}, true},
		{" 0.5 , 1 ", Setting{0.5, 1}, true},
		{"1000,1000000", Setting{1000, 1_000_000}, true},
		{"1,1000001", Setting{}, false},
		{"5", Setting{}, false},
		{"", Setting{}, false},
		{"5,", Setting{}, false},
		{",20", Setting{}, false},
		{"0,20", Setting{}, false},
		{"-1,20", Setting{}, false},
		{"NaN,20", Setting{}, false},
		{"Inf,20", Setting{}, false},
		{"5,0", Setting{}, false},
		{"5,-3", Setting{}, false},
		{"5,2.5", Setting{}, false},
		{"5,20,1", Setting{}, false},
	}
	for _, c := range cases {
		got, err := ParseSetting(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSetting(%q) = %+v, %v; want %+v, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	for _, s := range []Setting{{5, 20}, {0.25, 3}, {50, 100}} {
		if back, err := ParseSetting(s.String()); err != nil || back != s {
			t.Errorf("%+v → %q → %+v, %v", s, s.String(), back, err)
		}
	}
}
