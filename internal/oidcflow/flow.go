// Package oidcflow owns the OpenID Connect authorization-code flow that
// both single sign-on (internal/signin) and the Microsoft Teams
// authentication of the desktop (internal/desktop) run: fresh state, nonce
// and PKCE verifier; a flow row that keeps the state hashed and the nonce
// and verifier on the server; the code exchange; the ID-token check; and a
// cache of each issuer's discovery document and keys.
package oidcflow

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/authflow"
	"github.com/agentdesk/agentdesk/ent/predicate"
	"github.com/agentdesk/agentdesk/internal/randtoken"
)

// Input bounds: a state is 43 characters; an authorization code is
// opaque, and Azure AD's are over a thousand characters, so 4 KiB.
const (
	MaxStateLen = 128
	MaxCodeLen  = 4096
)

// ErrInvalidFlow is a state that is unknown, expired, already used or
// another's; callers answer each alike.
var ErrInvalidFlow = errors.New("oidcflow: state unknown, expired or already used")

// Client is one client registration at an issuer.
type Client struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	Scopes       []string
}

// Flows runs flows on a database with a discovery cache.
type Flows struct {
	DB        *ent.Client
	Providers *Providers
	Rand      io.Reader        // crypto/rand when nil
	Now       func() time.Time // time.Now when nil
}

// Row is what a new flow row records besides its secrets.
type Row struct {
	Kind     authflow.Kind
	TenantID string
	UserID   string // "" when the flow is not yet anyone's (sign-in)
	Lifetime time.Duration
}

// Started is a begun flow: send the browser to AuthorizationURL; State
// comes back with the code.
type Started struct {
	AuthorizationURL string
	State            string
}

func (f *Flows) now() time.Time {
	if f.Now == nil {
		return time.Now()
	}
	return f.Now()
}

// Begin starts a flow at c's issuer: it discovers the issuer (cached),
// makes a state, a nonce and a PKCE verifier (256 random bits each, in
// base64url: 43 characters, a valid RFC 7636 verifier), stores the flow row
// with the state hashed, and returns the authorization URL (S256 challenge,
// nonce, and opts such as a login hint).
func (f *Flows) Begin(ctx context.Context, c Client, row Row, opts ...oauth2.AuthCodeOption) (*Started, error) {
	p, err := f.Providers.Get(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidcflow: discovery of %s: %w", c.Issuer, err)
	}
	var state, nonce, verifier string
	for _, v := range []*string{&state, &nonce, &verifier} {
		if *v, err = randtoken.New(f.Rand, ""); err != nil {
			return nil, err
		}
	}
	now := f.now()
	create := f.DB.AuthFlow.Create().
		SetTenantID(row.TenantID).
		SetKind(row.Kind).
		SetStateHash(randtoken.Hash(state)).
		SetNonce(nonce).
		SetPkceVerifier(verifier).
		SetCreatedAt(now).
		SetExpiresAt(now.Add(row.Lifetime))
	if row.UserID != "" {
		create.SetUserID(row.UserID)
	}
	if err := create.Exec(ctx); err != nil {
		return nil, err
	}
	opts = append([]oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}, opts...)
	return &Started{AuthorizationURL: oauth2Config(c, p).AuthCodeURL(state, opts...), State: state}, nil
}

// Consume uses up the flow of kind named by state, also matching where,
// with one conditional UPDATE, so of two submits of one state only one goes
// on. An expired flow is refused unless allowExpired (a cancel may end a
// flow late). Anything else is ErrInvalidFlow.
func (f *Flows) Consume(ctx context.Context, kind authflow.Kind, state string, allowExpired bool, where ...predicate.AuthFlow) (*ent.AuthFlow, error) {
	if state == "" || len(state) > MaxStateLen {
		return nil, ErrInvalidFlow
	}
	now := f.now()
	match := append([]predicate.AuthFlow{authflow.StateHash(randtoken.Hash(state)), authflow.KindEQ(kind)}, where...)
	update := append([]predicate.AuthFlow{authflow.ConsumedAtIsNil()}, match...)
	if !allowExpired {
		update = append(update, authflow.ExpiresAtGT(now))
	}
	n, err := f.DB.AuthFlow.Update().Where(update...).SetConsumedAt(now).Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrInvalidFlow
	}
	return f.DB.AuthFlow.Query().Where(match...).WithTenant().Only(ctx)
}

// Finish exchanges code for tokens at c's issuer with the flow's PKCE
// verifier and returns the verified ID token: signed by the issuer's
// published keys, issued by c.Issuer, for c.ClientID, not expired, and
// carrying the flow's nonce.
func (f *Flows) Finish(ctx context.Context, c Client, flow *ent.AuthFlow, code string) (*oidc.IDToken, error) {
	if code == "" || len(code) > MaxCodeLen {
		return nil, fmt.Errorf("oidcflow: a code of %d bytes", len(code))
	}
	p, err := f.Providers.Get(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	ctx = oidc.ClientContext(ctx, f.Providers.client)
	tok, err := oauth2Config(c, p).Exchange(ctx, code, oauth2.VerifierOption(flow.PkceVerifier))
	if err != nil {
		return nil, fmt.Errorf("code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, errors.New("the token response has no ID token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: c.ClientID, Now: f.now}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("ID token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		return nil, errors.New("ID token: nonce does not match the flow's")
	}
	return idt, nil
}

func oauth2Config(c Client, p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  c.RedirectURL,
		Scopes:       c.Scopes,
	}
}

// Providers keeps each issuer's discovery document and signing keys (an
// *oidc.Provider) for a TTL, so a flow step costs no discovery round trip,
// while a changed configuration or rotated keys are picked up in bounded
// time (go-oidc also refetches the keys when a token names an unknown one).
// Safe for concurrent use.
type Providers struct {
	client *http.Client
	ttl    time.Duration
	now    func() time.Time

	mu sync.Mutex
	m  map[string]cachedProvider
}

type cachedProvider struct {
	p       *oidc.Provider
	fetched time.Time
}

// maxProviders bounds the cache; it holds one entry per issuer in use.
const maxProviders = 1000

// NewProviders returns a cache that discovers through client (one with a
// 10 s timeout when nil) and keeps a provider for ttl (1 h when ≤ 0).
func NewProviders(client *http.Client, ttl time.Duration, now func() time.Time) *Providers {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if ttl <= 0 {
		ttl = time.Hour
	}
	if now == nil {
		now = time.Now
	}
	return &Providers{client: client, ttl: ttl, now: now, m: make(map[string]cachedProvider)}
}

// Get is issuer's provider, discovered at most once per TTL.
func (c *Providers) Get(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	e, ok := c.m[issuer]
	c.mu.Unlock()
	if ok && c.now().Sub(e.fetched) < c.ttl {
		return e.p, nil
	}
	// Fetched outside the lock: one slow issuer must not hold up the
	// others. Two flows may then both fetch; the later one is kept.
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.client), issuer)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxProviders {
		now := c.now()
		for k, v := range c.m {
			if now.Sub(v.fetched) >= c.ttl {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < maxProviders {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[issuer] = cachedProvider{p: p, fetched: c.now()}
	return p, nil
}
