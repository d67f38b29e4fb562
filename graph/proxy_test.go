package graph_test

import (
	"net/http"
	"testing"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/clientaddr"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// TestTrustedProxies: the address rate limits and sign-in records key on is
// X-Forwarded-For's only when the TCP peer (here loopback) is a trusted
// proxy; otherwise every header value counts as the peer.
func TestTrustedProxies(t *testing.T) {
	from := func(addr string) http.Header { return http.Header{"X-Forwarded-For": {addr}} }
	for _, tc := range []struct {
		name    string
		trusted string
		// want is the address recorded for a sign-in sent with
		// "X-Forwarded-For: 198.51.100.1, 127.0.0.9".
		want string
		// shared: two clients behind the proxy share one rate-limit bucket.
		shared bool
	}{
		{name: "no trusted proxies", trusted: "", want: "127.0.0.1", shared: true},
		{name: "another network trusted", trusted: "10.0.0.0/8", want: "127.0.0.1", shared: true},
		{name: "loopback trusted", trusted: "127.0.0.0/8", want: "198.51.100.1", shared: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trusted, err := clientaddr.Parse(tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			s := testserver.New(t, func(c *agentdesk.Config) {
				c.TrustedProxies = trusted
				c.RateLimit = agentdesk.RateLimit{AnonymousPerSecond: 1, AnonymousBurst: 2, TokenPerSecond: 1, TokenBurst: 1 << 20}
			})
			r := s.DoWith("", `mutation($e:String!,$p:String!){ signIn(email:$e, password:$p){ token } }`,
				map[string]any{"e": testserver.AdminEmail, "p": testserver.AdminPassword}, from("198.51.100.1, 127.0.0.9"))
			if len(r.Errors) != 0 {
				t.Fatalf("signIn: %+v", r.Errors)
			}
			got, err := s.App.DB.Client.Session.Query().Only(testserver.Ctx())
			if err != nil {
				t.Fatal(err)
			}
			if got.ClientAddr != tc.want {
				t.Errorf("session recorded client address %q, want %q", got.ClientAddr, tc.want)
			}
			// The sign-in took one of the burst of 2; a second request
			// from the same client empties the bucket.
			if r := s.DoWith("", `{ __typename }`, nil, from("198.51.100.1")); len(r.Errors) != 0 {
				t.Fatalf("within the burst: %+v", r.Errors)
			}
			r = s.DoWith("", `{ __typename }`, nil, from("198.51.100.2"))
			if limited := r.Code() == "TOO_MANY_ATTEMPTS"; limited != tc.shared {
				t.Errorf("another client behind the proxy limited = %v, want %v (%+v)", limited, tc.shared, r.Errors)
			}
		})
	}
}
