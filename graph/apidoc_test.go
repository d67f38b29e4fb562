package graph_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	gqlast "github.com/vektah/gqlparser/v2/ast"

	"github.com/agentdesk/agentdesk/graph"
)

// apiReference is the API reference clients read (README links it).
const apiReference = "../docs/api.md"

// docTable is one markdown table of docs/api.md: the first header cell and
// the first cell of every row.
type docTable struct {
	header string
	line   int
	rows   []docRow
}

type docRow struct {
	first string // the first cell, trimmed
	line  int
}

// docTables reads every markdown table of the page.
func docTables(t *testing.T, path string) []docTable {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tables []docTable
	var cur *docTable
	for i, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "|") {
			cur = nil
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		first := strings.TrimSpace(cells[0])
		switch {
		case cur == nil:
			tables = append(tables, docTable{header: first, line: i + 1})
			cur = &tables[len(tables)-1]
		case strings.HasPrefix(first, "---"):
		default:
			cur.rows = append(cur.rows, docRow{first: first, line: i + 1})
		}
	}
	return tables
}

// codeSpan is the name a first cell starts with: `name(args)` or `NAME`.
var codeSpan = regexp.MustCompile("^`([A-Za-z_][A-Za-z0-9_]*)")

// TestAPIReferenceMatchesSchema keeps docs/api.md true: every operation it
// lists exists in the schema as the kind its table says and every root field
// of the schema is listed once; every error code it lists is a code of
// internal/apperr that non-test code returns, and every such code is listed;
// every setting it lists is read by non-test code.
func TestAPIReferenceMatchesSchema(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	roots := map[string]map[string]bool{} // "query" → field names
	for kind, def := range map[string]*gqlast.Definition{"query": schema.Query, "mutation": schema.Mutation, "subscription": schema.Subscription} {
		roots[kind] = map[string]bool{}
		for _, f := range def.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				roots[kind][f.Name] = true
			}
		}
	}

	codes := apperrCodes(t)
	used := codesReturned(t, codes)
	settings := settingsRead(t)

	documented := map[string]int{}      // "query.name" → line
	documentedCodes := map[string]int{} // code → line
	for _, table := range docTables(t, apiReference) {
		for _, row := range table.rows {
			m := codeSpan.FindStringSubmatch(row.first)
			if m == nil {
				continue
			}
			name := m[1]
			at := apiReference + ":" + strconv.Itoa(row.line)
			switch table.header {
			case "query", "mutation", "subscription":
				if !roots[table.header][name] {
					t.Errorf("%s: %s %s is not a %s field of the schema", at, table.header, name, table.header)
				}
				key := table.header + "." + name
				if prev, ok := documented[key]; ok {
					t.Errorf("%s: %s is listed twice (also line %d)", at, key, prev)
				}
				documented[key] = row.line
			case "code":
				if _, ok := codes[name]; !ok {
					t.Errorf("%s: error code %s is not a code of internal/apperr", at, name)
				} else if !used[name] {
					t.Errorf("%s: error code %s is defined but no non-test code returns it", at, name)
				}
				documentedCodes[name] = row.line
			case "variable":
				if !settings[name] {
					t.Errorf("%s: setting %s is not read by any non-test Go code", at, name)
				}
			}
		}
	}
	for kind, fields := range roots {
		for name := range fields {
			if _, ok := documented[kind+"."+name]; !ok {
				t.Errorf("%s %s is in the schema but not in %s: add a row to the %s table of its area", kind, name, apiReference, kind)
			}
		}
	}
	for code := range codes {
		if _, ok := documentedCodes[code]; !ok {
			t.Errorf("error code %s (internal/apperr) is not in %s's error codes", code, apiReference)
		}
	}
	if len(documented) == 0 || len(documentedCodes) == 0 {
		t.Fatalf("%s: no operation or code tables found; the test reads tables whose first header is query, mutation, subscription, code or variable", apiReference)
	}
}

// apperrCodes are the Code constants of internal/apperr: value → constant name.
func apperrCodes(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../internal/apperr/apperr.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				v, _ := strconv.Unquote(lit.Value)
				codes[v] = name.Name
			}
		}
	}
	if len(codes) < 10 {
		t.Fatalf("found %d codes in internal/apperr/apperr.go; has the Code block moved?", len(codes))
	}
	return codes
}

// goSources calls fn with the text of every non-test, non-generated Go file
// of the module outside internal/apperr.
func goSources(t *testing.T, fn func(path, src string)) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", ".git", "testdata", "apperr":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fn(path, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// codesReturned are the codes some non-test code names, as apperr.Name.
func codesReturned(t *testing.T, codes map[string]string) map[string]bool {
	t.Helper()
	used := map[string]bool{}
	goSources(t, func(_, src string) {
		for code, name := range codes {
			if strings.Contains(src, "apperr."+name) {
				used[code] = true
			}
		}
	})
	return used
}

var settingName = regexp.MustCompile(`AGENTDESK_[A-Z0-9_]+`)

// settingsRead are the AGENTDESK_* names that non-test code mentions.
func settingsRead(t *testing.T) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	goSources(t, func(_, src string) {
		for _, m := range settingName.FindAllString(src, -1) {
			seen[m] = true
		}
	})
	return seen
}
