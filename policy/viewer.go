package policy

import (
	"context"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// Role is what a user or an API token may do; a user's role is stored with the
// user, an API token's with the token.
type Role string

// The contract's roles.
const (
	PlatformAdmin Role = "PLATFORM_ADMIN"
	TenantAdmin   Role = "TENANT_ADMIN"
	Supervisor    Role = "SUPERVISOR"
	Agent         Role = "AGENT"
	Integration   Role = "INTEGRATION"
)

// Roles returns every role, for tests and tools that want completeness.
func Roles() []Role {
	return []Role{PlatformAdmin, TenantAdmin, Supervisor, Agent, Integration}
}

// Values lists the roles, so ent can store a Role in an enum column.
func (Role) Values() []string {
	return []string{string(PlatformAdmin), string(TenantAdmin), string(Supervisor), string(Agent), string(Integration)}
}

// Valid reports whether r is one of the contract's roles.
func (r Role) Valid() bool {
	switch r {
	case PlatformAdmin, TenantAdmin, Supervisor, Agent, Integration:
		return true
	}
	return false
}

// Viewer is who calls. The server's auth middleware builds it from a session
// token or an API token, reading the role and tenant from the database on each
// request, so a changed role counts from the next request on.
type Viewer struct {
	UserID     string // "" for an API token
	TenantID   string // "" for a platform admin
	Role       Role
	SessionID  string // the session token's id, if the call carries one
	APITokenID string // the API token's id, if the call carries one
}

// IsAPIToken reports whether the call came with an API token, so no user is
// behind it.
func (v *Viewer) IsAPIToken() bool { return v != nil && v.APITokenID != "" }

// signedIn reports whether someone is behind the viewer at all: a user or an
// API token. A viewer with neither is treated as anonymous.
func (v *Viewer) signedIn() bool { return v != nil && (v.UserID != "" || v.APITokenID != "") }

type viewerKey struct{}

// WithViewer returns a context that carries v.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer in ctx, nil when the call is anonymous.
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// GetTenantID is v's tenant, "" for a nil viewer or a platform admin: the
// domain of the viewer's own objects.
func (v *Viewer) GetTenantID() string {
	if v == nil {
		return ""
	}
	return v.TenantID
}

// RequireSignedIn is UNAUTHENTICATED when nobody is behind ctx's viewer. Code
// that must load an object before it can authorize (the object's tenant
// decides) asks it first: the data layer shows an anonymous caller no rows,
// and the NOT_FOUND that follows must not stand in for UNAUTHENTICATED.
func RequireSignedIn(ctx context.Context) error {
	if !ViewerFrom(ctx).signedIn() {
		return apperr.New(apperr.Unauthenticated, "sign in first")
	}
	return nil
}
