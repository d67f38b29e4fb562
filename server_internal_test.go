package agentdesk

import (
	"net/url"
	"testing"
)

// Identity providers need absolute redirect URLs, with or without a
// configured public URL.
func TestTeamsRedirectURLIsAbsolute(t *testing.T) {
	for _, public := range []string{"", "https://desk.example.com"} {
		got := withDefaults(Config{PublicURL: public}).TeamsRedirectURL
		u, err := url.Parse(got)
		if err != nil || !u.IsAbs() || u.Path != "/desktop/teams-callback" {
			t.Errorf("PublicURL %q: TeamsRedirectURL = %q, want an absolute URL of /desktop/teams-callback", public, got)
		}
	}
}
