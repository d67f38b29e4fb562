package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/clientaddr"
	"github.com/agentdesk/agentdesk/internal/demo"
	"github.com/agentdesk/agentdesk/internal/ratelimit"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
)

// The demo's platform admin, used when --demo runs without a configured one.
const (
	demoAdminEmail    = "admin@agentdesk.test"
	demoAdminPassword = "demo-admin-passphrase"
)

var serveCommand = &command{
	name:    "serve",
	summary: "run the server (--demo loads a demo tenant)",
	usage:   "[flags]",
	about: `Serves the GraphQL API at /graphql, the console at /, the agent desktop at
/desktop/SLUG, /healthz and /readyz. It refuses a database with pending
migrations unless --migrate is given. SIGTERM finishes in-flight requests
and sends the mail still due before exiting.`,
	envOnly: []envSetting{
		{"AGENTDESK_BOOTSTRAP_ADMIN_PASSWORD", "the password of --bootstrap-admin-email (a secret: never a flag)"},
		{"AGENTDESK_CODE_KEY", "HMAC key of reset and invitation codes, at least 32 bytes; unset, one is generated and kept in the database (every instance of one database must agree)"},
	},
	flags: serveFlags,
}

func serveFlags(fs *flagSet) func(context.Context, *invocation) error {
	addr := fs.envString("addr", "AGENTDESK_ADDR", "127.0.0.1:8080", "listen `address` (host:port; :0 picks a free port)")
	dbURL := fs.database()
	publicURL := fs.envString("public-url", "AGENTDESK_PUBLIC_URL", "", "`URL` clients reach the server at (default http://ADDR, or https:// with TLS)")
	smtpURL := fs.envString("smtp-url", "AGENTDESK_SMTP_URL", "", "mail server `URL`: smtp://user:pass@host:port (STARTTLS when offered) or smtps://…; unset: mail is written to the log")
	mailFrom := fs.envString("mail-from", "AGENTDESK_MAIL_FROM", "agentdesk <no-reply@agentdesk.invalid>", "sender `address` of mail")
	adminEmail := fs.envString("bootstrap-admin-email", "AGENTDESK_BOOTSTRAP_ADMIN_EMAIL", "", "create a platform admin with this e-mail `address` at start when none exists (password from AGENTDESK_BOOTSTRAP_ADMIN_PASSWORD)")
	origins := fs.envString("allowed-origins", "AGENTDESK_ALLOWED_ORIGINS", "", "comma-separated browser `origins` allowed by CORS; empty: none")
	trusted := fs.envString("trusted-proxies", "AGENTDESK_TRUSTED_PROXIES", "", "comma-separated `CIDRs` of the proxies whose X-Forwarded-For names the client; empty: none")
	tlsCert := fs.envString("tls-cert", "AGENTDESK_TLS_CERT", "", "PEM certificate (chain) `file`: serve HTTPS with --tls-key (reloaded when it changes)")
	tlsKey := fs.envString("tls-key", "AGENTDESK_TLS_KEY", "", "PEM private key `file` of --tls-cert")
	defaults := agentdesk.DefaultRateLimit()
	rateAnonymous := fs.envString("rate-limit-anonymous", "AGENTDESK_RATE_LIMIT_ANONYMOUS",
		ratelimit.Setting{PerSecond: defaults.AnonymousPerSecond, Burst: defaults.AnonymousBurst}.String(),
		"requests per second and burst (`RATE,BURST`) per client address without a token; trusted networks are exempt")
	rateToken := fs.envString("rate-limit-token", "AGENTDESK_RATE_LIMIT_TOKEN",
		ratelimit.Setting{PerSecond: defaults.TokenPerSecond, Burst: defaults.TokenBurst}.String(),
		"requests per second and burst (`RATE,BURST`) per session or API token")
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	withDemo := fs.Bool("demo", false, "migrate, and load a demo tenant with agents and a platform admin; prints how to sign in")
	return func(ctx context.Context, c *invocation) error {
		if len(c.args) > 0 {
			return usageErrorf("serve", "serve takes no arguments (got %q)", c.args[0])
		}
		adminPassword := env("AGENTDESK_BOOTSTRAP_ADMIN_PASSWORD", "")
		return serve(ctx, c.stdout, c.log, serveOptions{
			addr: *addr, dbURL: *dbURL, publicURL: *publicURL, smtpURL: *smtpURL, mailFrom: *mailFrom,
			adminEmail: *adminEmail, adminPassword: adminPassword, origins: *origins, trusted: *trusted,
			tlsCert: *tlsCert, tlsKey: *tlsKey, rateAnonymous: *rateAnonymous, rateToken: *rateToken,
			migrate: *migrate, demo: *withDemo,
		})
	}
}

// serveOptions are serve's settings, read from flags and the environment.
type serveOptions struct {
	addr, dbURL, publicURL, smtpURL, mailFrom string
	adminEmail, adminPassword                 string
	origins, trusted, tlsCert, tlsKey         string
	rateAnonymous, rateToken                  string
	migrate, demo                             bool
}

func serve(ctx context.Context, stdout io.Writer, logger *slog.Logger, o serveOptions) error {
	trustedProxies, err := clientaddr.Parse(o.trusted)
	if err != nil {
		return err
	}
	rateLimit, err := parseRateLimits(o.rateAnonymous, o.rateToken)
	if err != nil {
		return err
	}
	tlsConfig, err := serverTLS(o.tlsCert, o.tlsKey, logger)
	if err != nil {
		return err
	}
	// Listen first, so a port chosen by the system (":0") is known for
	// the public URL.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return listenError(o.addr, err)
	}
	defer ln.Close()
	publicURL := o.publicURL
	if publicURL == "" {
		scheme := "http://"
		if tlsConfig != nil {
			scheme = "https://"
		}
		publicURL = scheme + ln.Addr().String()
	}
	adminEmail, adminPassword := o.adminEmail, o.adminPassword
	if o.demo && adminEmail == "" {
		adminEmail, adminPassword = demoAdminEmail, demoAdminPassword
	}
	app, err := agentdesk.New(ctx, agentdesk.Config{
		DatabaseURL:            o.dbURL,
		PublicURL:              publicURL,
		Migrate:                o.migrate || o.demo,
		BootstrapAdminEmail:    adminEmail,
		BootstrapAdminPassword: adminPassword,
		SMTPURL:                o.smtpURL,
		MailFrom:               o.mailFrom,
		CodeKey:                env("AGENTDESK_CODE_KEY", ""),
		AllowedOrigins:         splitList(o.origins),
		TrustedProxies:         trustedProxies,
		RateLimit:              rateLimit,
		Logger:                 logger,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := app.Close(); err != nil {
			logger.Error("close", "err", err)
		}
	}()
	if o.demo {
		creds, err := demo.Load(ctx, app)
		if err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		printDemo(stdout, publicURL, adminEmail, adminPassword, creds)
	}
	if err := warnWithoutAdmin(ctx, app.DB.Client, o.dbURL, logger); err != nil {
		return err
	}

	srv := &http.Server{
		Handler:           app.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Longer than the handler's 30 s request deadline, so a slow
		// request still gets its error written. Hijacking a connection for
		// a websocket clears both deadlines, so subscriptions live on
		// (TestSubscriptionOutlivesServerTimeouts).
		WriteTimeout:   45 * time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		TLSConfig:      tlsConfig,
	}
	logger.Info("agentdesk listening", "addr", ln.Addr().String(), "tls", tlsConfig != nil, "console", publicURL+"/")
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			// The certificate comes from TLSConfig.GetCertificate.
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// SIGTERM: stop accepting, finish in-flight requests, then Close stops
	// the workers and flushes the mail outbox.
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listenError explains a listen failure: a busy port is the usual one, and
// the fix is another address.
func listenError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot listen on %s: another process is using that address; stop it, or choose another address with --addr or AGENTDESK_ADDR (%w)", addr, err)
	}
	return fmt.Errorf("cannot listen on %s (set the address with --addr or AGENTDESK_ADDR): %w", addr, err)
}

// warnWithoutAdmin logs a warning when the database has no platform admin:
// then nobody can sign in to the console to create tenants, and the way
// out is `agentdesk admin create`.
func warnWithoutAdmin(ctx context.Context, db *ent.Client, dbURL string, logger *slog.Logger) error {
	exists, err := db.User.Query().Where(user.RoleEQ(policy.PlatformAdmin)).
		Exist(policy.System(ctx, "serve warns when no platform admin exists"))
	if err != nil || exists {
		return err
	}
	logger.Warn("this database has no platform admin, so nobody can sign in to the console; create one with:  agentdesk admin create --email you@example.com --database " +
		store.Redact(dbURL) + "  (it asks for the password), or start serve with --bootstrap-admin-email and AGENTDESK_BOOTSTRAP_ADMIN_PASSWORD")
	return nil
}

// parseRateLimits reads the two RATE,BURST settings, naming the one that
// is wrong.
func parseRateLimits(anonymous, token string) (agentdesk.RateLimit, error) {
	a, err := ratelimit.ParseSetting(anonymous)
	if err != nil {
		return agentdesk.RateLimit{}, fmt.Errorf("AGENTDESK_RATE_LIMIT_ANONYMOUS (--rate-limit-anonymous): %w", err)
	}
	t, err := ratelimit.ParseSetting(token)
	if err != nil {
		return agentdesk.RateLimit{}, fmt.Errorf("AGENTDESK_RATE_LIMIT_TOKEN (--rate-limit-token): %w", err)
	}
	return agentdesk.RateLimit{AnonymousPerSecond: a.PerSecond, AnonymousBurst: a.Burst,
		TokenPerSecond: t.PerSecond, TokenBurst: t.Burst}, nil
}

func printDemo(w io.Writer, publicURL, adminEmail, adminPassword string, creds demo.Credentials) {
	fmt.Fprintf(w, "\nagentdesk demo is ready. GraphQL console: %s/\n", publicURL)
	fmt.Fprintf(w, "Sign in with the signIn mutation, then send the token as the header  Authorization: Bearer <token>\n\n")
	fmt.Fprintf(w, "  platform admin: %s  password: %s\n\n", adminEmail, adminPassword)
	fmt.Fprintln(w, creds.String())
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
