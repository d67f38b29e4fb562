package agentdesk

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/agentdesk/agentdesk/graph"
	"github.com/agentdesk/agentdesk/internal/ratelimit"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/policy"
	"github.com/agentdesk/agentdesk/web/console"
	webdesktop "github.com/agentdesk/agentdesk/web/desktop"
)

// The HTTP middleware, outermost first as chain applies it: request id,
// security headers, CORS, body limit, request timeout; on /graphql then
// authentication and rate limits.

func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// writeError answers with a GraphQL error body outside of gqlgen.
func writeError(w http.ResponseWriter, status int, code, message string, ext map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	extra := ""
	for k, v := range ext {
		extra += fmt.Sprintf(`,%q:%v`, k, v)
	}
	_, _ = fmt.Fprintf(w, `{"errors":[{"message":%q,"extensions":{"code":%q%s}}]}`, message, code, extra)
}

// requestID gives every request an id that logs and INTERNAL errors carry.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := uuid.NewString()
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(graph.WithRequestID(r.Context(), id)))
	})
}

// securityHeaders: nothing here may be framed or sniffed, API answers are
// never cached (they carry tokens), the console's page may run only the
// scripts this server serves (no inline script, nothing from another
// origin; its styles may be inline: the editor sets element styles as it
// lays out), and the desktop only its own.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if r.TLS != nil {
			// Served over TLS by agentdesk itself (AGENTDESK_TLS_CERT):
			// browsers keep to HTTPS. Behind a proxy the proxy says so.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		switch {
		case r.URL.Path == "/":
			h.Set("Content-Security-Policy", consoleCSP)
		case webdesktop.IsPage(r.URL.Path):
			// The desktop sets its own caching (hashed assets for a year,
			// the page revalidated).
			h.Set("Content-Security-Policy", webdesktop.CSP)
		case strings.HasPrefix(r.URL.Path, console.AssetPrefix):
			// The editor's web workers run under their own script's policy.
			h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		case strings.HasPrefix(r.URL.Path, "/artwork/"):
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		default:
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// consoleCSP is the console page's policy: everything from this origin
// only ('self' covers the graphql-ws websocket of the same host); images
// may also be data: URLs (the editor's icons).
const consoleCSP = "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// cors answers browsers from the allowed origins only; with none allowed
// (the default) no CORS header is ever sent and browsers keep other sites
// out.
func cors(allowed []string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if origin == "" || !slices.Contains(allowed, origin) {
				next.ServeHTTP(w, r)
				return
			}
			h := w.Header()
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Requested-With, Apollo-Require-Preflight")
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Max-Age", "600")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// limitBody refuses a body over max bytes: at once when its length is
// declared, and by cutting the reader when it is not.
func limitBody(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				writeError(w, http.StatusRequestEntityTooLarge, "VALIDATION_ERROR", fmt.Sprintf("the request body is over %d bytes", max), nil)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, max)
			next.ServeHTTP(w, r)
		})
	}
}

// requestTimeout gives each ordinary request a deadline; subscriptions
// (websocket upgrades) live as long as their connection.
func requestTimeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// authenticate turns the bearer token into the viewer, and records the
// caller's address (the one answer of clientaddr: rate limits, sign-in
// throttles and audit events all read it from the context). Without a
// token the caller is anonymous: the public operations work, nothing else
// is even named (graph/public.go). A token that is unknown, expired or
// revoked is refused by refuseBadToken, after the rate limit has counted it
// against the address.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := signin.Client{Addr: s.trustedProxies.Of(r), UserAgent: r.UserAgent()}
		trusted, err := s.TrustedNetworks.Contains(r.Context(), c.Addr)
		if err != nil {
			// The last networks read stay in use; nothing is refused for it.
			s.log.Warn("reading the trusted networks failed", "request_id", graph.RequestID(r.Context()), "err", err)
		}
		c.Trusted = trusted
		ctx := signin.WithClient(r.Context(), c)
		if token, ok := bearer(r); ok {
			v, err := s.SignIn.Authenticate(ctx, token)
			if err != nil {
				s.log.Error("authenticate", "request_id", graph.RequestID(ctx), "err", err)
				writeError(w, http.StatusInternalServerError, "INTERNAL", "internal error (request "+graph.RequestID(ctx)+")", nil)
				return
			}
			if v != nil {
				ctx = policy.WithViewer(ctx, v)
			} else {
				ctx = context.WithValue(ctx, badTokenKey{}, true)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type badTokenKey struct{}

// refuseBadToken answers UNAUTHENTICATED to a request whose token is not
// valid, before its document is read: a desktop whose session ended learns
// that it must sign in again, and a made-up token learns nothing of the
// schema.
func refuseBadToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bad, _ := r.Context().Value(badTokenKey{}).(bool); bad {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "the token is not valid (unknown, expired or revoked): sign in again", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):]), true
	}
	return "", false
}

// RateLimit is requests per second and burst, per client address for
// anonymous callers and per token for signed-in ones. The buckets live in
// this process: with several instances behind a load balancer the
// effective limit is per instance (N instances let a client reach N times
// the rate); the shared sign-in throttles are what stop guessing.
type RateLimit struct {
	AnonymousPerSecond float64
	AnonymousBurst     int
	TokenPerSecond     float64
	TokenBurst         int
}

// DefaultRateLimit lets a desktop and a console work freely and stops a
// script hammering the public operations.
func DefaultRateLimit() RateLimit {
	return RateLimit{AnonymousPerSecond: 5, AnonymousBurst: 20, TokenPerSecond: 50, TokenBurst: 100}
}

// rateLimit refuses requests past the caller's rate with TOO_MANY_ATTEMPTS
// and retryAfterSeconds, before any work is done. Anonymous requests from a
// tenant's trusted networks (an office behind one address) are not limited
// per address; the limit per token holds once they have signed in.
func rateLimit(cfg Config, next http.Handler) http.Handler {
	rl := cfg.RateLimit
	anonymous := ratelimit.New(rl.AnonymousPerSecond, rl.AnonymousBurst, 0, cfg.Now)
	signedIn := ratelimit.New(rl.TokenPerSecond, rl.TokenBurst, 0, cfg.Now)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ok bool
		var wait time.Duration
		switch v := policy.ViewerFrom(r.Context()); {
		case v == nil:
			c := signin.ClientFrom(r.Context())
			if c.Trusted {
				ok = true
				break
			}
			ok, wait = anonymous.Allow("ip:" + c.Addr)
		case v.IsAPIToken():
			ok, wait = signedIn.Allow("token:" + v.APITokenID)
		default:
			ok, wait = signedIn.Allow("session:" + v.SessionID)
		}
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", fmt.Sprint(secs))
			writeError(w, http.StatusTooManyRequests, "TOO_MANY_ATTEMPTS", "too many requests; try again later",
				map[string]any{"retryAfterSeconds": secs})
			return
		}
		next.ServeHTTP(w, r)
	})
}
