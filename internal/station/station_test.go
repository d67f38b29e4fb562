package station

import (
	"slices"
	"testing"
)

func TestAllowed(t *testing.T) {
	all := []Type{Desktop, Extension, DialNumber}
	cases := []struct {
		tenant, profile []Type
		webRTC          bool
		want            []Type
	}{
		{all, all, true, []Type{DialNumber, Extension, Desktop}},
		{all, all, false, []Type{DialNumber, Extension}},
		{[]Type{Extension}, all, true, []Type{Extension}},
		{all, []Type{Desktop}, true, []Type{Desktop}},
		{all, []Type{Desktop}, false, nil},
		{[]Type{DialNumber}, []Type{Extension}, true, nil},
		{all, nil, true, nil},
		{nil, all, true, nil},
	}
	for _, c := range cases {
		if got := Allowed(c.tenant, c.profile, c.webRTC); !slices.Equal(got, c.want) {
			t.Errorf("Allowed(%v, %v, %v) = %v, want %v", c.tenant, c.profile, c.webRTC, got, c.want)
		}
	}
}
