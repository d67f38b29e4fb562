package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	yamlast "github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
	"github.com/vektah/gqlparser/v2"
	gqlast "github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/agentdesk/agentdesk/graph"
)

// specFile is a tenant spec read from a YAML or JSON file (JSON is YAML),
// with the positions of its nodes, so that an error about an entry
// (users[3].email) can name the line and column where the entry is.
type specFile struct {
	path string
	ast  *yamlast.File
	// spec is the file as the API's variables: JSON values, checked against
	// TenantSpecInput.
	spec map[string]any
}

// readSpecFile reads and checks a spec file: YAML syntax, then the shape of
// TenantSpecInput as the API's schema defines it (unknown keys, missing
// required keys, enum values, types), so both --server and --database see
// only specs the API would take. The error is a *positionedError.
func readSpecFile(path string) (*specFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &specFile{path: path}
	if f.ast, err = parser.ParseBytes(data, 0); err != nil {
		return nil, f.yamlError(err)
	}
	var raw any
	if err := yaml.UnmarshalWithOptions(data, &raw); err != nil {
		return nil, f.yamlError(err)
	}
	// Through JSON: the values the API would receive (numbers, strings,
	// lists, objects with string keys).
	js, err := json.Marshal(raw)
	if err != nil {
		return nil, &positionedError{file: path, msg: "the spec is not a mapping of names to values: " + err.Error()}
	}
	if err := json.Unmarshal(js, &f.spec); err != nil || f.spec == nil {
		return nil, &positionedError{file: path, line: 1, col: 1, msg: "the spec must be a mapping (slug: …, name: …, emailDomains: […])"}
	}
	if err := f.checkShape(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *specFile) yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p := ye.GetToken().Position
		return &positionedError{file: f.path, line: p.Line, col: p.Column, msg: ye.GetMessage()}
	}
	return &positionedError{file: f.path, msg: err.Error()}
}

// checkShape validates the spec as the API's variables with gqlparser, the
// validator gqlgen runs on the server: the same rules, the same messages.
func (f *specFile) checkShape() error {
	schema := apiSchema()
	doc, errs := gqlparser.LoadQuery(schema, applyOperation)
	if errs != nil {
		return fmt.Errorf("the apply operation does not match the schema: %v", errs)
	}
	_, err := validator.VariableValues(schema, doc.Operations[0], map[string]any{"spec": f.spec})
	if err == nil {
		return nil
	}
	var ge *gqlerror.Error
	if !errors.As(err, &ge) {
		return &positionedError{file: f.path, msg: err.Error()}
	}
	var path []any
	for _, el := range ge.Path {
		switch el := el.(type) {
		case gqlast.PathName:
			path = append(path, string(el))
		case gqlast.PathIndex:
			path = append(path, int(el))
		}
	}
	// variable.spec.users[3].role → users[3].role
	if len(path) >= 2 && path[0] == "variable" && path[1] == "spec" {
		path = path[2:]
	}
	msg := ge.Message
	if strings.HasPrefix(msg, "cannot use float64 as") || strings.HasPrefix(msg, "cannot use bool as") {
		// YAML reads 4711 as a number and yes as a boolean.
		msg += ": put the value in quotes ('4711') to give it as text"
	}
	return f.errorAt(path, pathString(path)+": "+msg)
}

// errorAt is msg at the node that path names, or at the nearest node
// above it that the file has (a key left out is reported at its object).
func (f *specFile) errorAt(path []any, msg string) *positionedError {
	e := &positionedError{file: f.path, msg: msg}
	if len(f.ast.Docs) == 0 || f.ast.Docs[0].Body == nil {
		return e
	}
	node := f.ast.Docs[0].Body
	tk := firstToken(node)
	for _, step := range path {
		next, at := child(node, step)
		if next == nil {
			break
		}
		node, tk = next, at
	}
	if tk != nil {
		e.line, e.col = tk.Position.Line, tk.Position.Column
	}
	return e
}

// child is the node under a mapping key or at a sequence index, and the
// token that marks it (the key, or the entry's first token).
func child(node yamlast.Node, step any) (yamlast.Node, *token.Token) {
	switch n := node.(type) {
	case *yamlast.TagNode:
		return child(n.Value, step)
	case *yamlast.AnchorNode:
		return child(n.Value, step)
	case *yamlast.DocumentNode:
		return child(n.Body, step)
	case *yamlast.MappingValueNode:
		return child(&yamlast.MappingNode{Values: []*yamlast.MappingValueNode{n}}, step)
	case *yamlast.MappingNode:
		name, ok := step.(string)
		if !ok {
			return nil, nil
		}
		for _, mv := range n.Values {
			if keyName(mv.Key) == name {
				return mv.Value, mv.Key.GetToken()
			}
		}
	case *yamlast.SequenceNode:
		i, ok := step.(int)
		if !ok || i < 0 || i >= len(n.Values) {
			return nil, nil
		}
		v := n.Values[i]
		return v, firstToken(v)
	}
	return nil, nil
}

func keyName(k yamlast.MapKeyNode) string {
	if s, ok := k.(*yamlast.StringNode); ok {
		return s.Value
	}
	return k.GetToken().Value
}

// firstToken is where an entry starts: a mapping entry's first key.
func firstToken(n yamlast.Node) *token.Token {
	switch v := n.(type) {
	case *yamlast.MappingNode:
		if len(v.Values) > 0 && !v.IsFlowStyle {
			return v.Values[0].Key.GetToken()
		}
	case *yamlast.MappingValueNode:
		return v.Key.GetToken()
	}
	return n.GetToken()
}

// parseFieldPath splits an API error's field (users[3].email) into the
// steps of errorAt.
func parseFieldPath(field string) []any {
	var path []any
	for _, part := range strings.Split(field, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			path = append(path, name)
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			if !ok {
				break
			}
			if i, err := strconv.Atoi(idx); err == nil {
				path = append(path, i)
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return path
}

// pathString is the inverse of parseFieldPath.
func pathString(path []any) string {
	var b strings.Builder
	for _, step := range path {
		switch s := step.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, s)
		}
	}
	if b.Len() == 0 {
		return "spec"
	}
	return b.String()
}

// apiSchema is the API's schema, as built into this binary.
var apiSchema = sync.OnceValue(func() *gqlast.Schema { return graph.NewExecutableSchema(graph.Config{}).Schema() })

// positionedError is an error in a spec file, printed the way compilers
// print theirs, so editors can jump to it: FILE:LINE:COLUMN: message.
type positionedError struct {
	file      string
	line, col int
	msg       string
}

func (e *positionedError) Error() string {
	if e.line == 0 {
		return e.file + ": " + e.msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.file, e.line, e.col, e.msg)
}
