package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentdesk/agentdesk/graph"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// FuzzSchemaArguments builds its documents from the schema itself: it picks
// a field with arguments (every root field, and every field with arguments
// of what a root field returns) and gives each argument a literal made
// from the fuzzer's bytes — strings, huge and tiny numbers, lists,
// objects, enum names, null, block strings, and well-typed values so that
// resolvers run too. The document goes to the real handler, anonymous and
// as the platform admin; whatever it holds, the answer is JSON, never a
// 5xx, never INTERNAL (a panic or an unmapped error), and the server logs
// no error.
func FuzzSchemaArguments(f *testing.F) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	targets := argumentTargets(schema)
	for i := range targets {
		for _, seed := range [][]byte{nil, {2}, {3}, {4}, {5}, {10, 2}, {11, 4}, {13}, {14, 14, 14, 14}} {
			f.Add(uint16(i), seed, i%2 == 0)
		}
	}
	log := &matrixLog{}
	srv := testserver.New(f, loggedTo(log))
	root := srv.RootToken()
	client := srv.HTTP.Client()
	f.Fuzz(func(t *testing.T, target uint16, data []byte, asAdmin bool) {
		tg := targets[int(target)%len(targets)]
		g := &literals{schema: schema, data: data}
		doc := tg.document(g)
		body, _ := json.Marshal(map[string]any{"query": doc})
		req, _ := http.NewRequest(http.MethodPost, srv.HTTP.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if asAdmin {
			req.Header.Set("Authorization", "Bearer "+root)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 {
			t.Fatalf("status %d for %s: %s", res.StatusCode, doc, raw)
		}
		var out struct {
			Errors []struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("not JSON for %s: %s", doc, raw)
		}
		for _, e := range out.Errors {
			if e.Extensions["code"] == "INTERNAL" {
				t.Fatalf("INTERNAL for %s: %s\n%s", doc, raw, log.String())
			}
		}
		if logged := log.String(); logged != "" {
			t.Fatalf("the server logged an error for %s:\n%s", doc, logged)
		}
	})
}

// argumentTarget is a field with arguments, reached from a root field.
type argumentTarget struct {
	operation string               // query, mutation or subscription
	root      *ast.FieldDefinition // the root field
	nested    *ast.FieldDefinition // a field of root's type, or nil
}

// argumentTargets lists, in a stable order, every root field with
// arguments and every field with arguments one level below a root field.
func argumentTargets(s *ast.Schema) []argumentTarget {
	var out []argumentTarget
	for _, r := range []struct {
		op  string
		def *ast.Definition
	}{{"query", s.Query}, {"mutation", s.Mutation}, {"subscription", s.Subscription}} {
		if r.def == nil {
			continue
		}
		for _, f := range r.def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if len(f.Arguments) > 0 {
				out = append(out, argumentTarget{operation: r.op, root: f})
			}
			if t := s.Types[f.Type.Name()]; t != nil && t.Kind == ast.Object {
				for _, nf := range t.Fields {
					if len(nf.Arguments) > 0 {
						out = append(out, argumentTarget{operation: r.op, root: f, nested: nf})
					}
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name() < out[j].name() })
	return out
}

func (a argumentTarget) name() string {
	if a.nested != nil {
		return a.operation + "." + a.root.Name + "." + a.nested.Name
	}
	return a.operation + "." + a.root.Name
}

// document is one operation calling the target with generated literals;
// the root field gets well-typed arguments when only a nested field is the
// target, so that execution reaches it.
func (a argumentTarget) document(g *literals) string {
	var b strings.Builder
	b.WriteString(a.operation + " { " + a.root.Name)
	if a.nested == nil {
		b.WriteString(g.arguments(a.root.Arguments, false))
		b.WriteString(g.selection(a.root.Type.Name(), nil))
	} else {
		b.WriteString(g.arguments(a.root.Arguments, true))
		b.WriteString(g.selection(a.root.Type.Name(), a.nested))
	}
	b.WriteString(" }")
	return b.String()
}

// literals makes GraphQL literals from fuzz bytes.
type literals struct {
	schema *ast.Schema
	data   []byte
	at     int
}

func (g *literals) next() byte {
	if g.at >= len(g.data) {
		return 13 // past the input: well-typed values
	}
	b := g.data[g.at]
	g.at++
	return b
}

// arguments writes "(a: …, b: …)"; required arguments always, optional
// ones when the input says so. wellTyped gives every argument a value of
// its type.
func (g *literals) arguments(args ast.ArgumentDefinitionList, wellTyped bool) string {
	var parts []string
	for _, a := range args {
		if !a.Type.NonNull && g.next()%3 == 0 {
			continue
		}
		v := g.value(a.Type, 0)
		if wellTyped {
			v = g.typed(a.Type, 0)
		}
		parts = append(parts, a.Name+": "+v)
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// selection asks for __typename and, when nested is given, that field
// with generated arguments.
func (g *literals) selection(typeName string, nested *ast.FieldDefinition) string {
	t := g.schema.Types[typeName]
	if t == nil || (t.Kind != ast.Object && t.Kind != ast.Interface && t.Kind != ast.Union) {
		return ""
	}
	sel := "__typename"
	if nested != nil {
		sel += " " + nested.Name + g.arguments(nested.Arguments, false) + g.selection(nested.Type.Name(), nil)
	}
	return " { " + sel + " }"
}

// value is a literal of any kind, meant or not for t.
func (g *literals) value(t *ast.Type, depth int) string {
	switch k := g.next() % 16; {
	case k == 0:
		return "null"
	case k == 1:
		return g.str()
	case k == 2:
		return "99999999999999999999"
	case k == 3:
		return "-99999999999999999999"
	case k == 4:
		return "1.5e999"
	case k == 5:
		return "1e-999"
	case k == 6:
		return fmt.Sprint(int(int8(g.next())))
	case k == 7:
		return fmt.Sprintf("%d.%de%d", g.next(), g.next(), int(int8(g.next())))
	case k == 8:
		return []string{"true", "false"}[g.next()%2]
	case k == 9:
		return g.enum(t)
	case k == 10 && depth < 3:
		n := int(g.next() % 4)
		var items []string
		for range n {
			elem := t
			if t.Elem != nil {
				elem = t.Elem
			}
			items = append(items, g.value(elem, depth+1))
		}
		return "[" + strings.Join(items, ", ") + "]"
	case k == 11 && depth < 3:
		return g.object(t, depth, false)
	case k == 12:
		return `"""` + strings.ReplaceAll(string(g.bytes()), `"""`, "") + `"""`
	default:
		return g.typed(t, depth)
	}
}

// typed is a literal of type t (a plausible one).
func (g *literals) typed(t *ast.Type, depth int) string {
	if t.Elem != nil {
		if depth >= 3 {
			return "[]"
		}
		return "[" + g.typed(t.Elem, depth+1) + "]"
	}
	def := g.schema.Types[t.Name()]
	if def == nil {
		return "null"
	}
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[int(g.next())%len(def.EnumValues)].Name
	case ast.InputObject:
		if depth >= 3 {
			return "{}"
		}
		return g.object(t, depth, true)
	}
	switch def.Name {
	case "Int":
		return fmt.Sprint(int(int8(g.next())))
	case "Float":
		return fmt.Sprintf("%d.5", g.next())
	case "Boolean":
		return []string{"true", "false"}[g.next()%2]
	case "Time":
		return `"2026-11-24T09:00:00Z"`
	case "Upload":
		return `"not a file"`
	}
	return g.str()
}

// enum is an enum value of t when t is an enum (or a made-up name).
func (g *literals) enum(t *ast.Type) string {
	if def := g.schema.Types[t.Name()]; def != nil && def.Kind == ast.Enum && g.next()%2 == 0 {
		return def.EnumValues[int(g.next())%len(def.EnumValues)].Name
	}
	return []string{"ENUM_VALUE", "PLATFORM_ADMIN", "AGENT", "DIAL_NUMBER", "NONE", "null_ish"}[g.next()%6]
}

// object is an object literal: t's input fields (required ones always) or
// made-up keys.
func (g *literals) object(t *ast.Type, depth int, wellTyped bool) string {
	def := g.schema.Types[t.Name()]
	var parts []string
	if def != nil && def.Kind == ast.InputObject {
		for _, f := range def.Fields {
			if !f.Type.NonNull && g.next()%2 == 0 {
				continue
			}
			v := g.value(f.Type, depth+1)
			if wellTyped {
				v = g.typed(f.Type, depth+1)
			}
			parts = append(parts, f.Name+": "+v)
		}
	} else {
		for i := range int(g.next() % 3) {
			parts = append(parts, fmt.Sprintf("k%d: %s", i, g.value(t, depth+1)))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// str is a JSON-escaped string (GraphQL's escapes are JSON's).
func (g *literals) str() string {
	b, _ := json.Marshal(strings.ToValidUTF8(string(g.bytes()), "?"))
	return string(b)
}

func (g *literals) bytes() []byte {
	n := int(g.next() % 24)
	out := make([]byte, 0, n)
	for range n {
		out = append(out, g.next())
	}
	return out
}
