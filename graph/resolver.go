package graph

import (
	"log/slog"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/desktop"
	"github.com/agentdesk/agentdesk/internal/provision"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/policy"
)

// Resolver holds what the resolvers depend on; server.go fills it in. It is
// never regenerated. Resolvers stay a few lines: authorization and rules live
// in policy and the internal/ packages.
type Resolver struct {
	DB     *ent.Client
	Policy *policy.Enforcer
	Now    func() time.Time
	Log    *slog.Logger
	Admin  *admin.Service
	Auth   *signin.Service
	// Provision imports users and applies tenant specs.
	Provision *provision.Service
	// Desktop runs station login and the desktop session.
	Desktop *desktop.Service
	// LoaderWait is how long the per-request loaders collect keys before
	// they read; 0 means DefaultLoaderWait.
	LoaderWait time.Duration
	// PublicURL is where clients reach the server (artwork URLs).
	PublicURL string
}
