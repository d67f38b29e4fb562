package graph

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Values written in the document (literals) are checked while the
// document is validated, before anything runs.
//
// gqlparser's ValuesOfCorrectType rule checks literals of the built-in
// scalars, enums and input objects, but skips custom scalars entirely
// (Upload, Time): any literal passes. Later, when gqlgen reads a field's
// arguments, gqlparser's ast.Value.Value turns the literal into Go and
// arg2map panics on its error, so `file: 99999999999999999999` or
// `expiresAt: 1.5e999` was a recovered panic (INTERNAL, a stack trace in
// the log) for anyone who could send a document. literalsRule closes that
// gap where gqlparser intends rules to be added (validator rules run over
// the parsed document, before execution):
//
//   - an Upload is never a literal: files come only as multipart variables;
//   - an object literal is never a built-in scalar or an enum (gqlparser
//     lets `first: {}` through, and gqlgen's unmarshalers then fail as
//     INTERNAL, or @include(if: {}) panics);
//   - a literal of any other custom scalar must convert (every number in
//     it within range), so the scalar's own unmarshaler decides on a value
//     it can see, and its VALIDATION_ERROR names the field.
//
// The error names the argument (extensions.field) as the contract's
// VALIDATION_ERROR does.
var literalsRule = core.Rule{Name: "AgentdeskLiterals", RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
	check := func(kind, name string, v *ast.Value) {
		if problem, at := literalProblem(v); problem != "" {
			addError(core.Message(`%s "%s": %s`, kind, name, problem), core.At(at.Position), withField(name))
		}
	}
	observers.OnField(func(_ *core.Walker, f *ast.Field) {
		for _, a := range f.Arguments {
			check("argument", a.Name, a.Value)
		}
	})
	observers.OnDirective(func(_ *core.Walker, d *ast.Directive) {
		for _, a := range d.Arguments {
			check("argument", a.Name, a.Value)
		}
	})
	observers.OnOperation(func(_ *core.Walker, op *ast.OperationDefinition) {
		for _, vd := range op.VariableDefinitions {
			if vd.DefaultValue != nil {
				check("the default of variable", "$"+vd.Variable, vd.DefaultValue)
			}
		}
	})
}}

// literalProblem says what is wrong with a literal, and where; "" when
// nothing is (or when gqlparser's own rules judge it).
func literalProblem(v *ast.Value) (string, *ast.Value) {
	if v == nil || v.Kind == ast.Variable || v.Kind == ast.NullValue {
		return "", nil
	}
	def := v.Definition
	if v.Kind == ast.ObjectValue && def != nil && (def.Kind == ast.Enum || def.Kind == ast.Scalar && builtinScalar(def.Name)) {
		// gqlparser checks an object literal's fields only against input
		// types, and lets it through where a scalar or an enum is expected.
		return fmt.Sprintf("%s cannot be an object", v.ExpectedType.String()), v
	}
	if def != nil && def.Kind == ast.Scalar && !builtinScalar(def.Name) &&
		!(v.Kind == ast.ListValue && v.ExpectedType != nil && v.ExpectedType.Elem != nil) {
		if def.Name == "Upload" {
			return "an Upload must be a file sent as a multipart upload and mapped to a variable, not written in the document", v
		}
		if bad := unreadableNumber(v); bad != nil {
			return fmt.Sprintf("%s is not a number this server can read", bad.Raw), bad
		}
		return "", nil
	}
	// Lists and input objects: each child has its own definition (set by
	// the walker) and is judged on its own.
	for _, c := range v.Children {
		if p, at := literalProblem(c.Value); p != "" {
			return p, at
		}
	}
	return "", nil
}

// unreadableNumber is the first number inside v that does not convert
// (out of range), or nil.
func unreadableNumber(v *ast.Value) *ast.Value {
	switch v.Kind {
	case ast.IntValue:
		if _, err := strconv.ParseInt(v.Raw, 10, 64); err != nil {
			return v
		}
	case ast.FloatValue:
		if _, err := strconv.ParseFloat(v.Raw, 64); err != nil {
			return v
		}
	}
	for _, c := range v.Children {
		if bad := unreadableNumber(c.Value); bad != nil {
			return bad
		}
	}
	return nil
}

func builtinScalar(name string) bool {
	switch name {
	case "Int", "Float", "String", "Boolean", "ID":
		return true
	}
	return false
}

// withField sets extensions.field, as the contract's VALIDATION_ERROR has.
func withField(name string) core.ErrorOption {
	return func(err *gqlerror.Error) {
		if err.Extensions == nil {
			err.Extensions = map[string]any{}
		}
		err.Extensions["field"] = name
	}
}

// namedArguments wraps a rule about values (gqlparser's
// ValuesOfCorrectType) so that each of its errors names, in
// extensions.field, the argument or variable whose value it is about: the
// rule itself sees values, not arguments. Its errors are held back until
// the walker has passed the field, directive or operation that owns the
// value, and matched to the argument by position.
func namedArguments(inner core.Rule) core.Rule {
	return core.Rule{Name: inner.Name, RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		type held struct {
			opts []core.ErrorOption
			at   []gqlerror.Location
		}
		var pending []held
		inner.RuleFunc(observers, func(opts ...core.ErrorOption) {
			var scratch gqlerror.Error
			for _, o := range opts {
				o(&scratch)
			}
			pending = append(pending, held{opts: opts, at: scratch.Locations})
		})
		name := func(arg string, v *ast.Value) {
			kept := pending[:0]
			for _, h := range pending {
				if len(h.at) > 0 && containsPosition(v, h.at[0]) {
					addError(append(h.opts, withField(arg))...)
					continue
				}
				kept = append(kept, h)
			}
			pending = kept
		}
		rest := func() {
			for _, h := range pending {
				addError(h.opts...)
			}
			pending = nil
		}
		observers.OnField(func(_ *core.Walker, f *ast.Field) {
			for _, a := range f.Arguments {
				name(a.Name, a.Value)
			}
		})
		observers.OnDirective(func(_ *core.Walker, d *ast.Directive) {
			for _, a := range d.Arguments {
				name(a.Name, a.Value)
			}
		})
		observers.OnOperation(func(_ *core.Walker, op *ast.OperationDefinition) {
			for _, vd := range op.VariableDefinitions {
				if vd.DefaultValue != nil {
					name("$"+vd.Variable, vd.DefaultValue)
				}
			}
			rest()
		})
		observers.OnFragment(func(*core.Walker, *ast.FragmentDefinition) { rest() })
	}}
}

// containsPosition reports whether loc is where v or a value inside it
// starts.
func containsPosition(v *ast.Value, loc gqlerror.Location) bool {
	if v == nil {
		return false
	}
	if v.Position != nil && v.Position.Line == loc.Line && v.Position.Column == loc.Column {
		return true
	}
	for _, c := range v.Children {
		if c.Position != nil && c.Position.Line == loc.Line && c.Position.Column == loc.Column || containsPosition(c.Value, loc) {
			return true
		}
	}
	return false
}

// validationRules are gqlparser's rules without suggestions ("did you
// mean …" would leak names to callers who may not see them), plus
// literalsRule. Every document is validated with them: gqlgen's own pass
// over the whole schema, and the anonymous pass over the public schema.
func validationRules() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, swap := range []core.Rule{rules.FieldsOnCorrectTypeRuleWithoutSuggestions, rules.ScalarLeafsRuleWithoutSuggestions,
		rules.KnownArgumentNamesRuleWithoutSuggestions, rules.KnownTypeNamesRuleWithoutSuggestions, rules.ValuesOfCorrectTypeRuleWithoutSuggestions} {
		r.RemoveRule(strings.TrimSuffix(swap.Name, "WithoutSuggestions"))
		r.AddRule(swap.Name, swap.RuleFunc)
	}
	values := namedArguments(rules.ValuesOfCorrectTypeRuleWithoutSuggestions)
	r.RemoveRule(values.Name)
	r.AddRule(values.Name, values.RuleFunc)
	r.AddRule(literalsRule.Name, literalsRule.RuleFunc)
	return r
}
