package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/clientaddr"
	"github.com/agentdesk/agentdesk/internal/demo"
	"github.com/agentdesk/agentdesk/internal/ratelimit"
)

// The demo's platform admin, used when --demo runs without a configured one.
const (
	demoAdminEmail    = "admin@agentdesk.test"
	demoAdminPassword = "demo-admin-passphrase"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env("AGENTDESK_ADDR", "127.0.0.1:8080"), "listen address (AGENTDESK_ADDR)")
	dbURL := fs.String("database", env("AGENTDESK_DATABASE_URL", "sqlite:./agentdesk.db"), "database URL (AGENTDESK_DATABASE_URL)")
	publicURL := fs.String("public-url", env("AGENTDESK_PUBLIC_URL", ""), "URL clients reach the server at (AGENTDESK_PUBLIC_URL; default http://ADDR)")
	smtpURL := fs.String("smtp-url", env("AGENTDESK_SMTP_URL", ""), "smtp://user:pass@host:port; unset: mails are written to the log (AGENTDESK_SMTP_URL)")
	mailFrom := fs.String("mail-from", env("AGENTDESK_MAIL_FROM", "agentdesk <no-reply@agentdesk.invalid>"), "sender address (AGENTDESK_MAIL_FROM)")
	adminEmail := fs.String("bootstrap-admin-email", env("AGENTDESK_BOOTSTRAP_ADMIN_EMAIL", ""), "create this platform admin at start when none exists (AGENTDESK_BOOTSTRAP_ADMIN_EMAIL)")
	origins := fs.String("allowed-origins", env("AGENTDESK_ALLOWED_ORIGINS", ""), "comma-separated browser origins allowed by CORS; empty: none (AGENTDESK_ALLOWED_ORIGINS)")
	trusted := fs.String("trusted-proxies", env("AGENTDESK_TRUSTED_PROXIES", ""), "comma-separated CIDRs of the proxies whose X-Forwarded-For names the client; empty: none (AGENTDESK_TRUSTED_PROXIES)")
	tlsCert := fs.String("tls-cert", env("AGENTDESK_TLS_CERT", ""), "PEM certificate (chain) file: serve HTTPS with --tls-key (AGENTDESK_TLS_CERT)")
	tlsKey := fs.String("tls-key", env("AGENTDESK_TLS_KEY", ""), "PEM private key file of --tls-cert (AGENTDESK_TLS_KEY)")
	defaults := agentdesk.DefaultRateLimit()
	rateAnonymous := fs.String("rate-limit-anonymous", env("AGENTDESK_RATE_LIMIT_ANONYMOUS",
		ratelimit.Setting{PerSecond: defaults.AnonymousPerSecond, Burst: defaults.AnonymousBurst}.String()),
		"RATE,BURST: requests per second and burst per client address without a token; trusted networks are exempt (AGENTDESK_RATE_LIMIT_ANONYMOUS)")
	rateToken := fs.String("rate-limit-token", env("AGENTDESK_RATE_LIMIT_TOKEN",
		ratelimit.Setting{PerSecond: defaults.TokenPerSecond, Burst: defaults.TokenBurst}.String()),
		"RATE,BURST: requests per second and burst per session or API token (AGENTDESK_RATE_LIMIT_TOKEN)")
	adminPassword := env("AGENTDESK_BOOTSTRAP_ADMIN_PASSWORD", "")
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	withDemo := fs.Bool("demo", false, "migrate, and load a demo tenant with agents; prints how to sign in")
	if err := fs.Parse(args); err != nil {
		return err
	}
	trustedProxies, err := clientaddr.Parse(*trusted)
	if err != nil {
		return err
	}
	rateLimit, err := parseRateLimits(*rateAnonymous, *rateToken)
	if err != nil {
		return err
	}
	tlsConfig, err := serverTLS(*tlsCert, *tlsKey, logger)
	if err != nil {
		return err
	}
	// Listen first, so a port chosen by the system (":0") is known for
	// the public URL.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if *publicURL == "" {
		scheme := "http://"
		if tlsConfig != nil {
			scheme = "https://"
		}
		*publicURL = scheme + ln.Addr().String()
	}
	if *withDemo && *adminEmail == "" {
		*adminEmail, adminPassword = demoAdminEmail, demoAdminPassword
	}
	app, err := agentdesk.New(ctx, agentdesk.Config{
		DatabaseURL:            *dbURL,
		PublicURL:              *publicURL,
		Migrate:                *migrate || *withDemo,
		BootstrapAdminEmail:    *adminEmail,
		BootstrapAdminPassword: adminPassword,
		SMTPURL:                *smtpURL,
		MailFrom:               *mailFrom,
		CodeKey:                env("AGENTDESK_CODE_KEY", ""),
		AllowedOrigins:         splitList(*origins),
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
	if *withDemo {
		creds, err := demo.Load(ctx, app)
		if err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		printDemo(stdout, *publicURL, *adminEmail, adminPassword, creds)
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
	logger.Info("agentdesk listening", "addr", ln.Addr().String(), "tls", tlsConfig != nil, "console", *publicURL+"/")
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
