// Package clientaddr decides which address a request comes from: the TCP
// peer, or — only when that peer is a proxy the operator trusts — the
// address the proxies recorded in X-Forwarded-For. Rate limits, sign-in
// throttles and audit events all key on this one answer.
package clientaddr

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the networks whose X-Forwarded-For is believed
// (AGENTDESK_TRUSTED_PROXIES). Empty, the header is never read: anyone can
// send it, so believing it from an untrusted peer would let a client pick
// the address its throttles are counted under.
type TrustedProxies []netip.Prefix

// Parse reads a comma-separated list of CIDRs ("10.0.0.0/8, fd00::/8"); a
// bare address stands for itself (/32 or /128). An entry that is neither is
// an error naming it: a typo must not silently trust nothing, or everything.
func Parse(list string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, raw := range strings.Split(list, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		if p, err := netip.ParsePrefix(entry); err == nil {
			if p.Addr().Is4In6() {
				return nil, fmt.Errorf("trusted proxies: %q: write IPv4 networks as a.b.c.d/n", entry)
			}
			out = append(out, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(entry); err == nil && a.Zone() == "" {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		return nil, fmt.Errorf("trusted proxies: %q is not a CIDR (like 10.0.0.0/8) or an IP address", entry)
	}
	return out, nil
}

// String lists the networks as Parse reads them.
func (t TrustedProxies) String() string {
	s := make([]string, len(t))
	for i, p := range t {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// Trusts reports whether a is inside one of the networks.
func (t TrustedProxies) Trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Of is the client address of r. Without a trusted TCP peer it is the peer.
// From a trusted peer it walks X-Forwarded-For from the right (each proxy
// appends the address it received the request from) and answers the first
// address that is not itself a trusted proxy: everything left of it was
// written by a party nobody vouches for. When the walk meets an entry that
// is not an address, or runs out of entries (every hop trusted), the answer
// is the last address a trusted hop vouched for, so a mangled header never
// lets a client choose its address.
func (t TrustedProxies) Of(r *http.Request) string {
	peer, ok := parseHost(r.RemoteAddr)
	if !ok {
		return hostOnly(r.RemoteAddr)
	}
	if len(t) == 0 || !t.Trusts(peer) {
		return peer.String()
	}
	hops := forwardedFor(r.Header)
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHost(hops[i])
		if !ok {
			break
		}
		client = a
		if !t.Trusts(a) {
			break
		}
	}
	return client.String()
}

// forwardedFor is every X-Forwarded-For entry in order; several header
// lines count as one list joined by commas (RFC 9110, 5.3).
func forwardedFor(h http.Header) []string {
	var hops []string
	for _, line := range h.Values("X-Forwarded-For") {
		for _, e := range strings.Split(line, ",") {
			hops = append(hops, strings.TrimSpace(e))
		}
	}
	return hops
}

// parseHost reads "addr", "addr:port" or "[v6]:port" as an IP address,
// IPv4-mapped IPv6 read as IPv4 and any zone dropped.
func parseHost(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.Unmap().WithZone(""), true
		}
	}
	return netip.Addr{}, false
}

// hostOnly is the host part of a RemoteAddr that is not an IP (a Unix
// socket, a test's made-up peer).
func hostOnly(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}
