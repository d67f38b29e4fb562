package clientaddr

import (
	"net/http"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "", want: ""},
		{in: " , ,", want: ""},
		{in: "10.0.0.0/8", want: "10.0.0.0/8"},
		{in: "10.1.2.3/8", want: "10.0.0.0/8"}, // host bits are masked
		{in: "10.0.0.0/8, 192.168.1.7 ,fd00::/8", want: "10.0.0.0/8,192.168.1.7/32,fd00::/8"},
		{in: "::1", want: "::1/128"},
		{in: "::ffff:10.0.0.1", want: "10.0.0.1/32"},
		{in: "10.0.0.0/33", err: `"10.0.0.0/33" is not a CIDR`},
		{in: "10.0.0.0/8,proxy.internal", err: `"proxy.internal" is not a CIDR`},
		{in: "10.0.0.0/8;172.16.0.0/12", err: "is not a CIDR"},
		{in: "fe80::1%eth0", err: "is not a CIDR"},
		{in: "::ffff:10.0.0.0/104", err: "write IPv4 networks as a.b.c.d/n"},
	} {
		got, err := Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) = %v, %v; want error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tc.in, got.String(), err, tc.want)
		}
	}
}

func TestOf(t *testing.T) {
	lb, err := Parse("10.0.0.0/8, 2001:db8:1::/48")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		trusted TrustedProxies
		peer    string
		xff     []string
		want    string
	}{
		{name: "no proxies trusted: the header is ignored", trusted: nil,
			peer: "10.0.0.5:4000", xff: []string{"203.0.113.9"}, want: "10.0.0.5"},
		{name: "untrusted peer: the header is ignored (a client spoofing it)", trusted: lb,
			peer: "198.51.100.7:5000", xff: []string{"203.0.113.9"}, want: "198.51.100.7"},
		{name: "trusted peer: the address it recorded", trusted: lb,
			peer: "10.0.0.5:4000", xff: []string{"203.0.113.9"}, want: "203.0.113.9"},
		{name: "trusted peer without the header: the peer", trusted: lb,
			peer: "10.0.0.5:4000", want: "10.0.0.5"},
		{name: "a chain of trusted proxies: the right-most untrusted address", trusted: lb,
			peer: "10.0.0.5:4000", xff: []string{"203.0.113.9, 10.2.2.2, 10.1.1.1"}, want: "203.0.113.9"},
		{name: "what the client wrote left of the first untrusted hop is not believed", trusted: lb,
			peer: "10.0.0.5:4000", xff: []string{"1.2.3.4, 10.9.9.9, 203.0.113.9, 10.1.1.1"}, want: "203.0.113.9"},
		{name: "several header lines are one list", trusted: lb,
			peer: "10.0.0.5:4000", xff: []string{"1.2.3.4", "203.0.113.9", "10.1.1.1"}, want: "203.0.113.9"},
		{name: "every hop trusted: the left-most of them", trusted: lb,
			peer: "10.0.0.5:4000", xff: []string{"10.3.3.3, 10.1.1.1"}, want: "10.3.3.3"},
		{name: "a malformed entry where the client should be: the last vouched address", trusted: lb,
			peer: "10.0.0.5:4000", xff: []string{"203.0.113.9, not-an-ip, 10.1.1.1"}, want: "10.1.1.1"},
		{name: "a malformed right-most entry: the peer", trusted: lb,
			peer: "10.0.0.5:4000", xff: []string{"203.0.113.9, 999.1.1.1"}, want: "10.0.0.5"},
		{name: "an empty entry stops the walk like a malformed one", trusted: lb,
			peer: "10.0.0.5:4000", xff: []string{"203.0.113.9,,"}, want: "10.0.0.5"},
		{name: "entries with ports and brackets", trusted: lb,
			peer: "10.0.0.5:4000", xff: []string{"[2001:db8:2::7]:443, 10.1.1.1:8080"}, want: "2001:db8:2::7"},
		{name: "IPv6 peer inside a trusted network", trusted: lb,
			peer: "[2001:db8:1::10]:4000", xff: []string{"203.0.113.9"}, want: "203.0.113.9"},
		{name: "IPv4-mapped IPv6 peer counts as IPv4", trusted: lb,
			peer: "[::ffff:10.0.0.5]:4000", xff: []string{"::ffff:203.0.113.9"}, want: "203.0.113.9"},
		{name: "a peer that is not an IP: as it is, header ignored", trusted: lb,
			peer: "pipe", xff: []string{"203.0.113.9"}, want: "pipe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodGet, "/", nil)
			if err != nil {
				t.Fatal(err)
			}
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tc.trusted.Of(r); got != tc.want {
				t.Errorf("Of = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzOf(f *testing.F) {
	lb, _ := Parse("10.0.0.0/8")
	f.Add("10.0.0.5:1", "203.0.113.9, 10.1.1.1")
	f.Add("198.51.100.7:1", "1.2.3.4")
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := &http.Request{RemoteAddr: peer, Header: http.Header{"X-Forwarded-For": {xff}}}
		got := lb.Of(r)
		// From an untrusted peer the answer never comes from the header.
		if a, ok := parseHost(peer); ok && !lb.Trusts(a) && got != a.String() {
			t.Fatalf("untrusted peer %q: got %q", peer, got)
		}
	})
}
