package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// NewHandler builds the GraphQL HTTP handler with explicit transports and
// extensions (never gqlgen's NewDefaultServer), behind the gateway that
// caps bodies by caller and codes every transport refusal. It fails only
// when the public schema cannot be cut from the full one (publicFields
// names what the schema lacks).
func NewHandler(r *Resolver, limits Limits) (http.Handler, error) {
	limits = limits.withDefaults()
	es := NewExecutableSchema(Config{Resolvers: r})
	public, err := newPublicSurface(es.Schema(), limits.ParserTokens)
	if err != nil {
		return nil, err
	}
	srv := handler.New(es)
	srv.AddTransport(transport.Websocket{KeepAlivePingInterval: 10 * time.Second, InitFunc: websocketInit(r)})
	srv.AddTransport(transport.Options{})
	// GET runs queries only: gqlgen's GET transport refuses mutations.
	srv.AddTransport(transport.GET{})
	srv.AddTransport(jsonPOST{})
	srv.AddTransport(preflightedMultipart{transport.MultipartForm{MaxUploadSize: 3 << 20, MaxMemory: 3 << 20}})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(limits.ParserTokens)
	// Suggestions ("did you mean …") would leak the schema to those who may
	// not introspect it.
	srv.SetDisableSuggestion(true)
	srv.SetValidationRulesFn(validationRules)
	// Extensions run in this order: the body-size check first, then the
	// anonymous validation, then limits and introspection after parsing.
	srv.Use(requestLimits{Limits: limits, policy: r.Policy})
	srv.Use(public)
	srv.Use(adminIntrospection{})
	// Every operation gets its own loaders for the schema's edges, and every
	// object an edge returns is authorized like the same object read at the
	// top level.
	srv.Use(perOperationLoaders{db: r.DB, wait: r.LoaderWait, invitations: r.Admin.PendingInvitations})
	srv.Use(edgeAuthorization{policy: r.Policy})
	srv.SetErrorPresenter(ErrorPresenter(r.Log))
	srv.SetRecoverFunc(Recover(r.Log))
	return gateway{gql: srv, limits: limits, policy: r.Policy}, nil
}

// websocketInit authenticates a graphql-ws connection. Browsers cannot set
// headers on a websocket, so the desktop sends its bearer token in the
// connection_init payload ({"Authorization": "Bearer <token>"}). Without a
// token the connection stays as the upgrade request made it (anonymous, or
// the viewer of an Authorization header); a token that is not valid closes
// the connection, so a client does not mistake it for a working one.
func websocketInit(r *Resolver) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		token := strings.TrimSpace(p.Authorization())
		const prefix = "Bearer "
		if len(token) > len(prefix) && strings.EqualFold(token[:len(prefix)], prefix) {
			token = strings.TrimSpace(token[len(prefix):])
		}
		if token == "" {
			return ctx, nil, nil
		}
		v, err := r.Auth.Authenticate(ctx, token)
		if err != nil {
			r.Log.ErrorContext(ctx, "websocket authenticate", "request_id", RequestID(ctx), "err", err)
			return ctx, nil, errors.New("internal error")
		}
		if v == nil {
			return ctx, nil, errors.New("UNAUTHENTICATED: the token is not valid; sign in again")
		}
		return policy.WithViewer(ctx, v), nil, nil
	}
}

// adminIntrospection allows introspection only to signed-in admins: the
// schema is no secret, but there is no reason to hand it to anyone. A
// document that introspects is refused before it runs, with the code that
// tells the caller what to do: UNAUTHENTICATED without a token, FORBIDDEN
// with one that is not an admin's (gqlgen's own "introspection disabled"
// would reach clients as INTERNAL).
type adminIntrospection struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = adminIntrospection{}

func (adminIntrospection) ExtensionName() string                   { return "AdminIntrospection" }
func (adminIntrospection) Validate(graphql.ExecutableSchema) error { return nil }
func (adminIntrospection) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	v := policy.ViewerFrom(ctx)
	admin := v != nil && !v.IsAPIToken() && (v.Role == policy.PlatformAdmin || v.Role == policy.TenantAdmin)
	oc.DisableIntrospection = !admin
	if admin || oc.Operation == nil || !introspects(oc) {
		return nil
	}
	if v == nil {
		return limitError(apperr.Unauthenticated, "introspection needs an admin token: sign in as an admin and send its token")
	}
	return limitError(apperr.Forbidden, "introspection needs an admin token: this token is not a signed-in admin's")
}

// introspects reports whether the operation asks for __schema or __type
// (not __typename, which any caller may ask).
func introspects(oc *graphql.OperationContext) bool {
	w := walker{oc: oc, counts: map[string]int{}}
	for _, f := range w.fields(oc.Operation.SelectionSet, nil) {
		if f.Name == "__schema" || f.Name == "__type" {
			return true
		}
	}
	return false
}
