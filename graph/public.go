package graph

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// What an anonymous caller may see of the schema.
//
// Validation messages describe the schema they validate against ("Field
// "me" of type "User" must have a selection of subfields", "Cannot query
// field …"), so a schema-recovery tool learns the hidden schema from them
// one guess at a time. Anonymous documents are therefore validated against
// the public schema alone — a copy of the full schema cut down, at start,
// to the fields below and the types they reach — and any document that
// names something outside it gets one generic error that names nothing,
// the same bytes whether the name is private or made up.

// publicFields are the fields an anonymous caller may name, by type; nil
// means every field of the type. The roots are the contract's public
// operations (docs/api.md, "Transport"); the object types are
// what they answer with. AuthPayload.user shows the signed-in user's own
// scalars only: the rest is asked for with the token, through `me`.
var publicFields = map[string][]string{
	"Query":         {"signInOptions", "countries"},
	"Mutation":      {"signIn", "completeSsoSignIn", "requestPasswordReset", "resetPassword"},
	"SignInOptions": nil,
	"AuthPayload":   {"token", "expiresAt", "user"},
	"User":          {"id", "email", "name", "role"},
	"Country":       nil,
}

// msgNotPublic is the one answer to an anonymous document that names what
// the public schema does not have. It carries no position either, so two
// such documents get byte-identical answers.
const msgNotPublic = "the document is not valid: it names something that does not exist or needs a signed-in caller"

// namingRules are the validation rules whose errors say that a name is
// unknown: for an anonymous caller they become the msgNotPublic error.
var namingRules = []string{
	"FieldsOnCorrectType", "FieldsOnCorrectTypeWithoutSuggestions",
	"KnownArgumentNames", "KnownArgumentNamesWithoutSuggestions",
	"KnownTypeNames", "KnownTypeNamesWithoutSuggestions",
	"KnownDirectives", "KnownRootType", "FragmentsOnCompositeTypes", "PossibleFragmentSpreads",
	"VariablesAreInputTypes",
}

// publicSchema cuts full down to publicFields and the types they reach
// (argument, input and enum types whole). A public object type reached but
// not listed is an error: what anonymous callers see is decided here, not
// by whatever a field happens to return.
func publicSchema(full *ast.Schema) (*ast.Schema, error) {
	pub := &ast.Schema{
		Types: map[string]*ast.Definition{}, Directives: full.Directives,
		PossibleTypes: map[string][]*ast.Definition{}, Implements: map[string][]*ast.Definition{},
	}
	var add func(name string) error
	add = func(name string) error {
		if pub.Types[name] != nil {
			return nil
		}
		def := full.Types[name]
		if def == nil {
			return fmt.Errorf("public schema: no type %s", name)
		}
		cp := *def
		switch def.Kind {
		case ast.Object, ast.Interface, ast.Union:
			keep, listed := publicFields[name]
			if !listed {
				return fmt.Errorf("public schema: a public field returns %s, which publicFields does not list", name)
			}
			cp.Fields = nil
			for _, f := range def.Fields {
				// __schema and __type live on Query: introspection is
				// refused with its own code after validation.
				if keep == nil || slices.Contains(keep, f.Name) || strings.HasPrefix(f.Name, "__") {
					cp.Fields = append(cp.Fields, f)
				}
			}
			for _, f := range keep {
				if def.Fields.ForName(f) == nil {
					return fmt.Errorf("public schema: %s has no field %s", name, f)
				}
			}
			cp.Interfaces = nil
		}
		pub.Types[name] = &cp
		if def.Kind == ast.Object {
			pub.AddPossibleType(name, &cp)
		}
		for _, f := range cp.Fields {
			if err := add(f.Type.Name()); err != nil {
				return err
			}
			for _, a := range f.Arguments {
				if err := add(a.Type.Name()); err != nil {
					return err
				}
			}
		}
		return nil
	}
	// Built-in scalars and introspection's own types: introspection is
	// refused to anonymous callers after validation, with its own code.
	for name, def := range full.Types {
		if def.BuiltIn {
			pub.Types[name] = def
		}
	}
	for _, name := range []string{"Query", "Mutation"} {
		if err := add(name); err != nil {
			return nil, err
		}
	}
	pub.Query, pub.Mutation = pub.Types["Query"], pub.Types["Mutation"]
	for name := range publicFields {
		if pub.Types[name] == nil {
			return nil, fmt.Errorf("public schema: %s is listed but no public field reaches it", name)
		}
	}
	return pub, nil
}

// publicSurface validates anonymous documents against the public schema
// before gqlgen parses and validates them against the whole one; signed-in
// callers pass untouched.
type publicSurface struct {
	schema     *ast.Schema
	tokenLimit int
	// verdicts caches each query's verdict; a valid query is cached as
	// validVerdict, since the cache cannot hold nil.
	verdicts *lru.LRU[*gqlerror.Error]
}

var validVerdict = &gqlerror.Error{}

func newPublicSurface(full *ast.Schema, tokenLimit int) (*publicSurface, error) {
	pub, err := publicSchema(full)
	if err != nil {
		return nil, err
	}
	return &publicSurface{schema: pub, tokenLimit: tokenLimit, verdicts: lru.New[*gqlerror.Error](1000)}, nil
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*publicSurface)(nil)

func (*publicSurface) ExtensionName() string                   { return "PublicSurface" }
func (*publicSurface) Validate(graphql.ExecutableSchema) error { return nil }

func (p *publicSurface) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if policy.ViewerFrom(ctx) != nil {
		return nil
	}
	v, ok := p.verdicts.Get(ctx, params.Query)
	if !ok {
		v = p.judge(params.Query)
		if v == nil {
			v = validVerdict
		}
		p.verdicts.Add(ctx, params.Query, v)
	}
	if v == validVerdict {
		return nil
	}
	// A copy: the presenter and gqlgen may write to the error they get.
	cp := *v
	cp.Extensions = maps.Clone(v.Extensions)
	return &cp
}

// judge validates an anonymous document against the public schema: nil
// when valid; a parse error or a validation error about public names as
// gqlparser words it; else the generic msgNotPublic error.
func (p *publicSurface) judge(query string) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, p.tokenLimit)
	if err != nil {
		// gqlgen parses again and answers with the same parse error.
		return nil
	}
	errs := validator.ValidateWithRules(p.schema, doc, validationRules())
	if len(errs) == 0 {
		return nil
	}
	for _, e := range errs {
		if slices.Contains(namingRules, e.Rule) {
			return notPublicError()
		}
	}
	first := errs[0]
	first.Rule = ""
	if first.Extensions == nil {
		first.Extensions = map[string]any{}
	}
	first.Extensions["code"] = string(apperr.Validation)
	return first
}

func notPublicError() *gqlerror.Error {
	return &gqlerror.Error{Message: msgNotPublic, Extensions: map[string]any{"code": string(apperr.Validation)}}
}
