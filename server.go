// Package agentdesk assembles the service: it opens the store, builds the
// enforcer, the domain services, the GraphQL schema and the background
// workers, and returns one http.Handler. It holds no rules of its own.
package agentdesk

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/graph"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/clientaddr"
	"github.com/agentdesk/agentdesk/internal/desktop"
	"github.com/agentdesk/agentdesk/internal/mail"
	"github.com/agentdesk/agentdesk/internal/oidcflow"
	"github.com/agentdesk/agentdesk/internal/provision"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
	"github.com/agentdesk/agentdesk/web/console"
	webdesktop "github.com/agentdesk/agentdesk/web/desktop"
)

// Config is everything the service needs; cmd/agentdesk fills it from flags
// and the environment, tests fill it directly.
type Config struct {
	// DatabaseURL is "sqlite:<path>" or "postgres://user:pass@host:port/db?sslmode=…" (see store.Open and store.PoolSettings).
	DatabaseURL string
	// PublicURL is where clients reach the server (no trailing slash).
	PublicURL string
	// Migrate applies pending migrations at start; without it the server
	// refuses a database that is behind.
	Migrate bool
	// BootstrapAdminEmail/Password create a platform admin at start when
	// none exists.
	BootstrapAdminEmail    string
	BootstrapAdminPassword string
	// SignIn holds session lifetimes, throttles and the SSO redirect URL
	// (zero fields take signin's defaults; the redirect URL defaults to
	// PublicURL + "/sso/callback").
	SignIn signin.Config
	// CodeKey (AGENTDESK_CODE_KEY) is the HMAC key of password-reset codes,
	// at least 32 bytes; unset, one is generated and kept in the database
	// (see signin.ResolveCodeKey).
	CodeKey string
	// SMTPURL (AGENTDESK_SMTP_URL) is smtp://user:pass@host:port (STARTTLS
	// when offered) or smtps://…; unset, mail is written to the log.
	SMTPURL string
	// MailFrom (AGENTDESK_MAIL_FROM) is the sender address; required with
	// SMTPURL.
	MailFrom string
	// MailSender, when set, delivers mail instead of SMTPURL or the log
	// (tests capture mail with it).
	MailSender mail.Sender
	// Outbox tunes the mail outbox worker.
	Outbox mail.WorkerConfig
	// ShutdownTimeout bounds how long Close spends sending the mail still
	// due (default 10 s).
	ShutdownTimeout time.Duration
	// PasswordHash are the argon2id parameters (default OWASP's); tests use
	// cheaper ones.
	PasswordHash *signin.Params
	// MaxConcurrentHashes bounds memory under a burst of sign-ins.
	MaxConcurrentHashes int
	// Limits bound what one GraphQL request may ask for.
	Limits graph.Limits
	// MaxBodyBytes caps any request body, on every path (default 12 MiB);
	// /graphql caps bodies further by caller and operation (Limits: 64 KiB
	// anonymous, 1 MiB signed in, 12 MiB for importUsers, applyTenant and
	// artwork uploads).
	MaxBodyBytes int64
	// RequestTimeout bounds one request (not subscriptions).
	RequestTimeout time.Duration
	// AllowedOrigins may call the API from a browser (CORS); empty: none.
	AllowedOrigins []string
	// RateLimit bounds requests per client address (anonymous) and per
	// token (signed in).
	RateLimit RateLimit
	// TrustedNetworksTTL is how long the tenants' trusted networks are
	// cached before they are read again (signin.DefaultTrustedNetworksTTL).
	TrustedNetworksTTL time.Duration
	// DesktopSweepInterval is how often idle desktop sessions are looked
	// for (default desktop.DefaultSweepInterval); negative turns the
	// background sweep off (tests that sweep by hand).
	DesktopSweepInterval time.Duration
	// TeamsRedirectURL is the desktop page a Teams identity provider sends
	// the agent back to; default PublicURL + "/desktop/teams-callback".
	TeamsRedirectURL string
	// TrustedProxies (AGENTDESK_TRUSTED_PROXIES) are the load balancers
	// whose X-Forwarded-For names the client; empty, the TCP peer is the
	// client (see clientaddr).
	TrustedProxies clientaddr.TrustedProxies
	// HTTPClient calls identity providers; nil means a 10-second timeout.
	HTTPClient *http.Client

	// ObserveStatements, when set, sees every SQL statement the server
	// sends (store.ObserveStatements); tests count statements per request.
	ObserveStatements func(ctx context.Context, statement string)
	// LoaderWait is how long the per-request loaders collect keys before
	// they read (default graph.DefaultLoaderWait).
	LoaderWait time.Duration

	Logger *slog.Logger
	Now    func() time.Time
	Rand   io.Reader
}

// Server is the assembled service.
type Server struct {
	Handler http.Handler
	DB      *store.DB
	SignIn  *signin.Service
	Admin   *admin.Service
	Desktop *desktop.Service
	// Sweeper ends idle desktop sessions; it runs in the background unless
	// DesktopSweepInterval is negative.
	Sweeper *desktop.Sweeper
	// Provision imports users and applies tenant specs.
	Provision *provision.Service
	// Outbox is where mail waits until its worker sends it.
	Outbox mail.Outbox
	// Events carries desktop events to the tabs subscribed here: within
	// this process on SQLite, across processes on PostgreSQL.
	Events     desktop.EventBroker
	stopEvents func()
	// TrustedNetworks are the tenants' office networks, exempt from the
	// per-address limits.
	TrustedNetworks *signin.TrustedNetworks
	log             *slog.Logger

	trustedProxies  clientaddr.TrustedProxies
	shutdownTimeout time.Duration
	// The background work, stopped by Close in this order: the desktop
	// sweeper, reset requests (which enqueue mail), then the mail worker.
	sweepWork, signInWork, mailWork background
}

// New builds the service from cfg.
func New(ctx context.Context, cfg Config) (*Server, error) {
	cfg = withDefaults(cfg)
	var opts []store.Option
	if cfg.ObserveStatements != nil {
		opts = append(opts, store.ObserveStatements(cfg.ObserveStatements))
	}
	db, err := store.Open(cfg.DatabaseURL, opts...)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) {
		db.Close()
		return nil, err
	}
	if cfg.Migrate {
		if applied, err := db.Migrate(ctx); err != nil {
			return fail(err)
		} else if len(applied) > 0 {
			cfg.Logger.Info("applied migrations", "versions", applied)
		}
	}
	if err := db.CheckCurrent(ctx); err != nil {
		return fail(err)
	}
	enforcer, err := policy.New()
	if err != nil {
		return fail(err)
	}
	hasher := newHasher(cfg)
	outbox, err := newOutbox(db.Client, cfg)
	if err != nil {
		return fail(err)
	}
	// One discovery cache for single sign-on and Teams.
	providers := oidcflow.NewProviders(cfg.HTTPClient, cfg.SignIn.ProviderCacheTTL, cfg.Now)
	signIn, err := newSignIn(ctx, db.Client, hasher, outbox, providers, cfg)
	if err != nil {
		return fail(err)
	}
	adm := newAdmin(db.Client, enforcer, hasher, signIn, cfg)
	if err := bootstrapAdmin(ctx, db.Client, hasher, cfg); err != nil {
		return fail(err)
	}
	prov := &provision.Service{Admin: adm}
	trusted := signin.NewTrustedNetworks(db.Client, cfg.TrustedNetworksTTL, cfg.Now)
	// A tenant change made through this process takes effect at once.
	db.Client.Tenant.Use(signin.TrustedNetworksHook(trusted))
	var desk *desktop.Service
	events, stopEvents, err := newEventBroker(ctx, db, cfg, func(ctx context.Context, tabs []desktop.Tab, since time.Time) ([]desktop.TabEvent, error) {
		return desk.MissedEvents(ctx, tabs, since)
	})
	if err != nil {
		return fail(err)
	}
	// Banner changes reach the desktops whoever makes them.
	db.Client.Banner.Use(desktop.BannerHook(events, cfg.Now))
	desk = &desktop.Service{
		DB: db.Client, Policy: enforcer, Now: cfg.Now, Rand: cfg.Rand, Events: events, Log: cfg.Logger,
		Teams: desktop.TeamsConfig{Providers: providers, RedirectURL: cfg.TeamsRedirectURL},
	}
	resolver := &graph.Resolver{
		DB: db.Client, Policy: enforcer, Now: cfg.Now, Log: cfg.Logger,
		Admin: adm, Auth: signIn, Desktop: desk, Provision: prov, PublicURL: cfg.PublicURL,
		LoaderWait: cfg.LoaderWait,
	}
	s := &Server{
		DB: db, SignIn: signIn, Admin: adm, Desktop: desk, Provision: prov, Outbox: outbox, log: cfg.Logger,
		TrustedNetworks: trusted,
		Sweeper:         &desktop.Sweeper{Service: desk, Interval: cfg.DesktopSweepInterval},
		shutdownTimeout: cfg.ShutdownTimeout, trustedProxies: cfg.TrustedProxies,
		Events: events, stopEvents: stopEvents,
	}
	gql, err := graph.NewHandler(resolver, cfg.Limits)
	if err != nil {
		return fail(err)
	}
	s.Handler = s.routes(gql, cfg)
	if cfg.DesktopSweepInterval >= 0 {
		s.sweepWork = startBackground(s.Sweeper.Run)
	}
	s.signInWork = startBackground(signIn.Run)
	s.mailWork = startBackground(outbox.Worker.Run)
	return s, nil
}

// Close stops the background work, letting in-flight work finish: reset
// requests already received are carried out, then the mail worker stops and
// the mail still due is sent (within ShutdownTimeout). Then it closes the
// database. Stop serving requests before calling it.
func (s *Server) Close() error {
	s.sweepWork.stop()
	s.signInWork.stop()
	s.mailWork.stop()
	ctx, cancel := context.WithTimeout(context.Background(), s.shutdownTimeout)
	defer cancel()
	var flushErr error
	if err := s.Outbox.Worker.Flush(ctx); err != nil {
		flushErr = fmt.Errorf("sending the mail outbox at shutdown: %w", err)
	}
	s.stopEvents()
	return errors.Join(flushErr, s.DB.Close())
}

// newEventBroker picks the desktop events' broker by the database: on
// SQLite one process owns the database and its tabs are all here; on
// PostgreSQL other processes may serve the same tenants, and events cross
// over LISTEN/NOTIFY. stop ends the listener.
func newEventBroker(ctx context.Context, db *store.DB, cfg Config, missed desktop.MissedEventsFunc) (desktop.EventBroker, func(), error) {
	if db.PG == nil {
		return desktop.NewBroker(desktop.DefaultEventBuffer), func() {}, nil
	}
	b, err := desktop.StartPostgresBroker(ctx, desktop.PostgresBrokerConfig{
		Conn: db.PG, DB: db.SQL, Buffer: desktop.DefaultEventBuffer, Missed: missed,
		Log: cfg.Logger, Now: cfg.Now, Rand: cfg.Rand,
	})
	if err != nil {
		return nil, nil, err
	}
	return b, b.Close, nil
}

// background is one goroutine of background work.
type background struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func startBackground(run func(context.Context)) background {
	ctx, cancel := context.WithCancel(context.Background())
	b := background{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		run(ctx)
	}()
	return b
}

// stop cancels the work and waits for it to return; on work never
// started it does nothing.
func (b background) stop() {
	if b.done == nil {
		return
	}
	b.cancel()
	<-b.done
}

// newOutbox builds the mail outbox on the database and its worker, which
// sends through cfg.MailSender, else SMTP when configured, else the log.
func newOutbox(db *ent.Client, cfg Config) (mail.Outbox, error) {
	sender := cfg.MailSender
	switch {
	case sender != nil:
	case cfg.SMTPURL != "":
		if cfg.MailFrom == "" {
			return mail.Outbox{}, errors.New("AGENTDESK_MAIL_FROM is required with AGENTDESK_SMTP_URL")
		}
		var err error
		if sender, err = mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom, mail.WithClock(cfg.Now)); err != nil {
			return mail.Outbox{}, err
		}
	default:
		cfg.Logger.Warn("no SMTP server configured (AGENTDESK_SMTP_URL): mail, reset codes included, is written to this log")
		sender = mail.NewLogSender(cfg.Logger)
	}
	st := mail.NewEntStore(db, cfg.Now)
	return mail.Outbox{Store: st, Worker: mail.NewWorker(st, sender, cfg.Outbox, cfg.Now, cfg.Logger)}, nil
}

// newHasher hashes passwords with cfg's parameters (OWASP's by default).
func newHasher(cfg Config) *signin.Hasher {
	params := signin.DefaultParams()
	if cfg.PasswordHash != nil {
		params = *cfg.PasswordHash
	}
	return signin.NewHasher(params, cfg.MaxConcurrentHashes, cfg.Rand)
}

// newAdmin builds the admin service; invitations go through signIn.
func newAdmin(db *ent.Client, enforcer *policy.Enforcer, hasher *signin.Hasher, signIn *signin.Service, cfg Config) *admin.Service {
	return &admin.Service{
		DB: db, Policy: enforcer, Now: cfg.Now,
		HashPassword:  hasher.Hash,
		CheckPassword: signin.CheckNewPasswordFor,
		Rand:          cfg.Rand,
		Invitations:   signIn,
	}
}

// newSignIn builds the sign-in service with its code key and SSO redirect URL.
func newSignIn(ctx context.Context, db *ent.Client, hasher *signin.Hasher, outbox mail.Outbox, providers *oidcflow.Providers, cfg Config) (*signin.Service, error) {
	key, err := signin.ResolveCodeKey(ctx, db, cfg.CodeKey, cfg.Rand, cfg.Now())
	if err != nil {
		return nil, err
	}
	sc := cfg.SignIn
	if sc.SSORedirectURL == "" {
		sc.SSORedirectURL = publicBase(cfg) + "/sso/callback"
	}
	return signin.NewService(signin.Deps{
		DB: db, Hasher: hasher, Mail: outbox, CodeKey: key, Providers: providers,
		Now: cfg.Now, Rand: cfg.Rand, Log: cfg.Logger,
	}, sc)
}

// publicBase is where clients reach the server, for the absolute URLs
// identity providers need: PublicURL, or where `serve` listens by default.
func publicBase(cfg Config) string {
	if cfg.PublicURL == "" {
		return "http://127.0.0.1:8080"
	}
	return cfg.PublicURL
}

func withDefaults(cfg Config) Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.MaxBodyBytes == 0 {
		// importUsers takes up to 10 MB of CSV.
		cfg.MaxBodyBytes = 12 << 20
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.RateLimit == (RateLimit{}) {
		cfg.RateLimit = DefaultRateLimit()
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.TeamsRedirectURL == "" {
		cfg.TeamsRedirectURL = publicBase(cfg) + "/desktop/teams-callback"
	}
	return cfg
}

func (s *Server) routes(gql http.Handler, cfg Config) http.Handler {
	mux := http.NewServeMux()
	m := newMetrics()
	mux.Handle("/graphql", m.instrument("graphql", s.authenticate(rateLimit(cfg, refuseBadToken(gql)))))
	mux.Handle("GET /metrics", m.handler())
	mux.Handle("GET /artwork/{id}", m.instrument("artwork", &admin.ArtworkHandler{DB: s.DB.Client, Log: s.log}))
	// The console: its page at "/", its built files, and the README's
	// operations as its example tabs.
	mux.Handle("GET /{$}", console.Index())
	mux.Handle("GET "+console.AssetPrefix, console.Assets())
	mux.Handle("GET /console/examples.json", console.ExamplesHandler(readme))
	// The reference agent desktop at /desktop/{tenantSlug}, with its SSO
	// and Teams redirect targets.
	webdesktop.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.DB.Ping(ctx); err != nil {
			s.log.Error("readiness: database unreachable", "err", err)
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	return chain(mux,
		requestID,
		securityHeaders,
		cors(cfg.AllowedOrigins),
		limitBody(cfg.MaxBodyBytes),
		requestTimeout(cfg.RequestTimeout),
	)
}

// bootstrapAdmin creates the first platform admin when configured and none
// exists, so a fresh install can be signed in to.
func bootstrapAdmin(ctx context.Context, db *ent.Client, hasher *signin.Hasher, cfg Config) error {
	ctx = policy.System(ctx, "bootstrap platform admin at start")
	if cfg.BootstrapAdminEmail == "" {
		return nil
	}
	exists, err := db.User.Query().Where(user.RoleEQ(policy.PlatformAdmin)).Exist(ctx)
	if err != nil || exists {
		return err
	}
	_, err = CreatePlatformAdmin(ctx, db, hasher, cfg.Now(), cfg.BootstrapAdminEmail, "Platform admin", cfg.BootstrapAdminPassword)
	if err == nil {
		cfg.Logger.Info("created the bootstrap platform admin", "email", signin.NormalizeEmail(cfg.BootstrapAdminEmail))
	}
	return err
}

// CreatePlatformAdmin creates a platform admin with a password that passes
// the new-password rules; `agentdesk admin create` uses it too.
func CreatePlatformAdmin(ctx context.Context, db *ent.Client, hasher *signin.Hasher, now time.Time, email, name, password string) (*ent.User, error) {
	ctx = policy.System(ctx, "platform admin from the command line or the bootstrap: e-mails are unique on the whole platform")
	email = signin.NormalizeEmail(email)
	if !strings.Contains(email, "@") {
		return nil, fmt.Errorf("admin e-mail %q is not an address", email)
	}
	if err := signin.CheckNewPasswordFor(password, email); err != nil {
		return nil, fmt.Errorf("admin password: %w", err)
	}
	hash, err := hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	u, err := db.User.Create().SetEmail(email).SetName(name).SetRole(policy.PlatformAdmin).
		SetPasswordHash(hash).SetPasswordChangedAt(now).SetContactCenterEnabled(false).Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, errors.New("a user with this e-mail exists already")
	}
	return u, err
}
