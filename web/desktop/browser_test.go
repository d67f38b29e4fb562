package desktop_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/mail/mailtest"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// TestDesktopInBrowser walks the desktop's screens in headless Chromium
// (e2e/run.mjs, driven by playwright-core) against a real agentdesk on
// loopback, with an in-process SMTP server (the reset code is read from the
// mail) and a local OpenID provider (Microsoft Teams and SSO). Screenshots
// of every screen land in web/desktop/test-artefacts/
// ($AGENTDESK_TEST_ARTEFACTS/desktop when set).
//
// testserver.Chromium skips it without Chromium, node or
// web/desktop/node_modules (`npm ci`), unless AGENTDESK_BROWSER_TESTS=1 (CI).
func TestDesktopInBrowser(t *testing.T) {
	chromium := testserver.Chromium(t, ".")
	if testing.Short() {
		t.Skip("browser tests are not short")
	}

	mails := mailtest.Start(t)
	oidc, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = oidc.Shutdown() })

	clock := &offsetClock{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	publicURL := "http://" + ln.Addr().String()
	app, err := agentdesk.New(context.Background(), agentdesk.Config{
		DatabaseURL:            "sqlite:" + filepath.Join(t.TempDir(), "agentdesk.db"),
		PublicURL:              publicURL,
		Migrate:                true,
		BootstrapAdminEmail:    testserver.AdminEmail,
		BootstrapAdminPassword: testserver.AdminPassword,
		PasswordHash:           &testserver.CheapHash,
		SMTPURL:                mails.URL(),
		MailFrom:               "agentdesk <no-reply@agentdesk.test>",
		Logger:                 slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:                    clock.Now,
		// The inactivity sweep runs when the script asks (after moving the clock).
		DesktopSweepInterval: -1,
		RateLimit:            agentdesk.RateLimit{AnonymousPerSecond: 1000, AnonymousBurst: 1 << 20, TokenPerSecond: 1000, TokenBurst: 1 << 20},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: app.Handler}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = app.Close()
	})

	// The script's handle on what only the test owns: mail, the clock, the
	// sweep and the provider's next user.
	control := http.NewServeMux()
	control.HandleFunc("GET /mail", func(w http.ResponseWriter, r *http.Request) {
		m, err := mails.NextTo(r.URL.Query().Get("to"), 20*time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		text, _, err := m.Parts()
		if err == nil && text == "" {
			err = errors.New("no text/plain part")
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, text)
	})
	control.HandleFunc("POST /clock", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("advance"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		clock.Advance(d)
	})
	control.HandleFunc("POST /sweep", func(w http.ResponseWriter, r *http.Request) {
		res, err := app.Sweeper.SweepOnce(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%+v", res)
	})
	control.HandleFunc("POST /oidc-user", func(w http.ResponseWriter, r *http.Request) {
		email := r.URL.Query().Get("email")
		oidc.QueueUser(&mockoidc.MockUser{Subject: "sub-" + email, Email: email, EmailVerified: true})
	})
	ctl := startHTTP(t, control)

	artifacts := testserver.ArtefactDir(t, ".", "desktop")
	cfg := oidc.Config()
	testserver.RunNode(t, ".", "e2e/run.mjs", []string{
		"AGENTDESK_URL=" + publicURL,
		"AGENTDESK_ADMIN_EMAIL=" + testserver.AdminEmail,
		"AGENTDESK_ADMIN_PASSWORD=" + testserver.AdminPassword,
		"CONTROL_URL=" + ctl,
		"OIDC_ISSUER=" + cfg.Issuer,
		"OIDC_CLIENT_ID=" + cfg.ClientID,
		"OIDC_CLIENT_SECRET=" + cfg.ClientSecret,
		"CHROMIUM=" + chromium,
		"ARTIFACTS=" + artifacts,
		"E2E_ONLY=" + os.Getenv("AGENTDESK_E2E_ONLY"),
	}, 15*time.Minute)
}

func startHTTP(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// offsetClock is the real time plus what the test advanced it by, so
// tokens of the OpenID provider (real time) verify, and inactivity can be
// reached without waiting.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
