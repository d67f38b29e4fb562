package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentdesk/agentdesk/policy"
)

// NewHandler builds the GraphQL HTTP handler with explicit transports and
// extensions (never gqlgen's NewDefaultServer).
func NewHandler(r *Resolver, limits Limits) *handler.Server {
	limits = limits.withDefaults()
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))
	srv.AddTransport(transport.Websocket{KeepAlivePingInterval: 10 * time.Second})
	srv.AddTransport(transport.Options{})
	// GET runs queries only: gqlgen's GET transport refuses mutations.
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(preflightedMultipart{transport.MultipartForm{MaxUploadSize: 3 << 20, MaxMemory: 3 << 20}})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(limits.ParserTokens)
	// Suggestions ("did you mean …") would leak the schema to those who may
	// not introspect it.
	srv.SetDisableSuggestion(true)
	srv.Use(requestLimits{limits})
	srv.Use(adminIntrospection{})
	srv.SetErrorPresenter(ErrorPresenter(r.Log))
	srv.SetRecoverFunc(Recover(r.Log))
	return srv
}

// adminIntrospection allows introspection only to signed-in admins: the
// schema is no secret, but there is no reason to hand it to anyone.
type adminIntrospection struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = adminIntrospection{}

func (adminIntrospection) ExtensionName() string                   { return "AdminIntrospection" }
func (adminIntrospection) Validate(graphql.ExecutableSchema) error { return nil }
func (adminIntrospection) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	v := policy.ViewerFrom(ctx)
	oc.DisableIntrospection = v == nil || v.IsAPIToken() || (v.Role != policy.PlatformAdmin && v.Role != policy.TenantAdmin)
	return nil
}
