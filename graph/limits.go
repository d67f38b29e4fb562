package graph

import (
	"context"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// Limits bound what one GraphQL request may ask for (OWASP GraphQL cheat
// sheet; ASVS 4.3.1, 4.3.2). Zero values take the defaults.
type Limits struct {
	// MaxDepth is the deepest selection nesting (introspection needs ~13).
	MaxDepth int
	// MaxComplexity bounds the estimated work: 1 per field, a connection's
	// children counted `first` times (20 when not given).
	MaxComplexity int
	// MaxAliases bounds aliased fields, so one request cannot repeat an
	// operation hundreds of times under different names.
	MaxAliases int
	// MaxRootFields bounds the top-level fields of one operation.
	MaxRootFields int
	// ParserTokens bounds the tokens of a document before it is parsed and
	// validated (validation is quadratic in repeated fields).
	ParserTokens int

	// Request bodies, by caller (see bodyCap): AnonymousBody for callers
	// without a token, SignedInBody for the rest, LargeBody for the
	// operations of largeOperations by callers whose role may run one.
	AnonymousBody, SignedInBody, LargeBody int64
}

// DefaultLimits are safe for the console and every client of the contract.
func DefaultLimits() Limits {
	return Limits{
		MaxDepth: 15, MaxComplexity: 5000, MaxAliases: 30, MaxRootFields: 20, ParserTokens: 5000,
		// The public operations fit in a few hundred bytes; a console's
		// largest ordinary document or variables in a few KiB; importUsers
		// takes up to 10 MB of CSV, artwork is at most 2 MiB.
		AnonymousBody: 64 << 10, SignedInBody: 1 << 20, LargeBody: 12 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxComplexity <= 0 {
		l.MaxComplexity = d.MaxComplexity
	}
	if l.MaxAliases <= 0 {
		l.MaxAliases = d.MaxAliases
	}
	if l.MaxRootFields <= 0 {
		l.MaxRootFields = d.MaxRootFields
	}
	if l.ParserTokens <= 0 {
		l.ParserTokens = d.ParserTokens
	}
	if l.AnonymousBody <= 0 {
		l.AnonymousBody = d.AnonymousBody
	}
	if l.SignedInBody <= 0 {
		l.SignedInBody = d.SignedInBody
	}
	if l.LargeBody <= 0 {
		l.LargeBody = d.LargeBody
	}
	return l
}

// onceOnly are operations that guess or spend a secret: a request may call
// each of them once, whatever the aliases, so codes and passwords cannot be
// brute-forced many at a time in one request.
var onceOnly = map[string]bool{
	"signIn": true, "completeSsoSignIn": true, "requestPasswordReset": true, "resetPassword": true,
	"completeTeamsAuthentication": true, "createApiToken": true,
}

// largeOperations may send a body up to Limits.LargeBody, to callers whose
// role may do their action.
var largeOperations = map[string]policy.Action{
	"importUsers":               policy.UserImport,
	"applyTenant":               policy.TenantApply,
	"uploadActivityPageArtwork": policy.ArtworkWrite,
}

// bodyCap is how many bytes a request body of v may have, known before it
// is read: the operation is known only once the body is parsed, so a
// caller whose role may run one of largeOperations is admitted up to
// LargeBody while reading, and requestLimits then refuses any other
// operation over SignedInBody (the body was read into memory once, within
// the admitted cap; never beyond it).
func (l Limits) bodyCap(p *policy.Enforcer, v *policy.Viewer) int64 {
	if v == nil {
		return l.AnonymousBody
	}
	for _, act := range largeOperations {
		if p.RoleMay(v.Role, act) {
			return l.LargeBody
		}
	}
	return l.SignedInBody
}

// requestLimits enforces Limits on every operation after validation and
// before execution.
type requestLimits struct {
	Limits
	policy *policy.Enforcer
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = requestLimits{}

func (requestLimits) ExtensionName() string                   { return "RequestLimits" }
func (requestLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l requestLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := walker{oc: oc, counts: map[string]int{}}
	roots := len(w.fields(oc.Operation.SelectionSet, nil))
	if roots > l.MaxRootFields {
		return limitError(apperr.Validation, fmt.Sprintf("an operation may have at most %d top-level fields", l.MaxRootFields))
	}
	depth, cost := w.measure(oc.Operation.SelectionSet, 1)
	switch {
	case depth > l.MaxDepth:
		return limitError(apperr.DepthLimitExceeded, fmt.Sprintf("the query is nested %d deep; the limit is %d", depth, l.MaxDepth))
	case cost > l.MaxComplexity:
		return limitError(apperr.ComplexityLimitExceeded, fmt.Sprintf("the query costs %d; the limit is %d", cost, l.MaxComplexity))
	case w.aliases > l.MaxAliases:
		return limitError(apperr.Validation, fmt.Sprintf("an operation may use at most %d aliases", l.MaxAliases))
	}
	if oc.Operation.Operation == ast.Mutation {
		for name, n := range w.counts {
			if onceOnly[name] && n > 1 {
				return limitError(apperr.Validation, fmt.Sprintf("%s may be called once per request", name))
			}
		}
	}
	return nil
}

// MutateOperationParameters refuses a body over SignedInBody unless every
// root field of the operation is one of largeOperations that the caller's
// role may run. It runs before gqlgen parses and validates the document,
// so a large body is refused for its size, not for what else is wrong with
// it: the document (small, token-limited) is parsed here for its root
// fields only.
func (l requestLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	b := bodyFrom(ctx)
	if b == nil || b.read <= l.SignedInBody {
		return nil
	}
	v := policy.ViewerFrom(ctx)
	roots, ok := rootFieldNames(params.Query, params.OperationName, l.ParserTokens)
	for _, name := range roots {
		act, large := largeOperations[name]
		ok = ok && large && v != nil && l.policy.RoleMay(v.Role, act)
	}
	if ok {
		return nil
	}
	b.status = http.StatusRequestEntityTooLarge
	return limitError(apperr.Validation, fmt.Sprintf(
		"the request body is over %s: only importUsers, applyTenant and uploadActivityPageArtwork may send more (up to %s)",
		byteSize(l.SignedInBody), byteSize(l.LargeBody)))
}

// rootFieldNames are the names of the top-level fields of the operation
// named opName in query (through fragments); false when the query does not
// parse or has no such operation.
func rootFieldNames(query, opName string, tokenLimit int) ([]string, bool) {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, tokenLimit)
	if err != nil {
		return nil, false
	}
	op := doc.Operations.ForName(opName)
	if op == nil {
		return nil, false
	}
	var names []string
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				names = append(names, s.Name)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if f := doc.Fragments.ForName(s.Name); f != nil && !seen[s.Name] {
					seen[s.Name] = true
					walk(f.SelectionSet)
				}
			}
		}
	}
	walk(op.SelectionSet)
	return names, len(names) > 0
}

func limitError(code apperr.Code, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(code)}}
}

// walker measures a validated operation, following fragments.
type walker struct {
	oc      *graphql.OperationContext
	aliases int
	counts  map[string]int // root mutation name → times
	steps   int
}

// maxSteps stops a pathological document (deeply shared fragments) from
// costing more to measure than the limits protect.
const maxSteps = 100_000

// fields flattens a selection set through fragments into its fields.
func (w *walker) fields(set ast.SelectionSet, out []*ast.Field) []*ast.Field {
	for _, sel := range set {
		w.steps++
		if w.steps > maxSteps {
			return out
		}
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = w.fields(s.SelectionSet, out)
		case *ast.FragmentSpread:
			if f := w.oc.Doc.Fragments.ForName(s.Name); f != nil {
				out = w.fields(f.SelectionSet, out)
			}
		}
	}
	return out
}

// measure returns the depth and cost of a selection set at a level.
func (w *walker) measure(set ast.SelectionSet, level int) (depth, cost int) {
	depth = level - 1
	for _, f := range w.fields(set, nil) {
		if f.Alias != "" && f.Alias != f.Name {
			w.aliases++
		}
		if level == 1 {
			w.counts[f.Name]++
		}
		if w.steps > maxSteps {
			return level + 1<<20, 1 << 30
		}
		d, c := level, 0
		if len(f.SelectionSet) > 0 {
			d, c = w.measure(f.SelectionSet, level+1)
		}
		if d > depth {
			depth = d
		}
		cost += 1 + c*w.multiplier(f)
	}
	return depth, cost
}

// multiplier is how many times a field's children are counted: `first` for
// connections, 1 otherwise.
func (w *walker) multiplier(f *ast.Field) int {
	if f.Definition == nil || f.Definition.Arguments.ForName("first") == nil {
		return 1
	}
	args := f.ArgumentMap(w.oc.Variables)
	if n, ok := args["first"].(int64); ok && n > 0 {
		return int(n)
	}
	if n, ok := args["first"].(int); ok && n > 0 {
		return n
	}
	return defaultPageSize
}
