package agentdesk_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentdesk/agentdesk/graph"
)

// TestReadmeOperationsValidate keeps the README honest: every GraphQL
// block in it must be a valid operation of the schema.
func TestReadmeOperationsValidate(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 4 {
		t.Fatalf("found %d graphql blocks in the README", len(blocks))
	}
	// A block may hold several operations, each starting a line.
	start := regexp.MustCompile(`(?m)^(query|mutation)\b`)
	n := 0
	for _, b := range blocks {
		idx := start.FindAllStringIndex(b[1], -1)
		for i, at := range idx {
			end := len(b[1])
			if i+1 < len(idx) {
				end = idx[i+1][0]
			}
			op := b[1][at[0]:end]
			n++
			doc, errs := gqlparser.LoadQuery(schema, op)
			if errs != nil {
				t.Errorf("README operation does not validate: %v\n%s", errs, op)
				continue
			}
			for _, o := range doc.Operations {
				if o.Operation != ast.Query && o.Operation != ast.Mutation {
					t.Errorf("unexpected operation type %s", o.Operation)
				}
			}
		}
	}
	if n < 15 {
		t.Fatalf("found only %d operations in the README", n)
	}
}
