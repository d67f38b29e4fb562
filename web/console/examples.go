package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Example is one ready-made tab of the console: the GraphQL blocks of one
// README section of "Using the API", with its JSON block as variables.
type Example struct {
	Title     string `json:"title"`
	Query     string `json:"query"`
	Variables string `json:"variables,omitempty"`
}

// ExampleSections are the README sections the console opens with, in the
// order a first-time admin runs them.
var ExampleSections = []string{
	"An admin configures a tenant",
	"A script provisions a tenant",
	"An agent signs in to the desktop",
}

var (
	fencedBlock    = regexp.MustCompile("(?s)```(graphql|json)\n(.*?)```")
	operationStart = regexp.MustCompile(`(?m)^(query|mutation|subscription)\b`)
	firstField     = regexp.MustCompile(`\{\s*([A-Za-z_][A-Za-z0-9_]*)`)
	nextHeading    = regexp.MustCompile(`(?m)^#{2,3} `)
)

// Examples reads the example tabs out of the README, so the console shows
// exactly the operations the README documents (and TestReadmeOperationsValidate
// checks). The README's operations are anonymous, and a document of several
// anonymous operations is not valid GraphQL, so each gets a name after its
// first field (signIn → SignIn), which GraphiQL's run button then offers.
func Examples(readme string) []Example {
	var out []Example
	for _, title := range ExampleSections {
		body, ok := section(readme, title)
		if !ok {
			continue
		}
		ex := Example{Title: title}
		var ops []string
		used := map[string]int{}
		for _, b := range fencedBlock.FindAllStringSubmatch(body, -1) {
			switch b[1] {
			case "graphql":
				ops = append(ops, nameOperations(b[2], used)...)
			case "json":
				if ex.Variables == "" {
					ex.Variables = strings.TrimSpace(b[2])
				}
			}
		}
		if len(ops) == 0 {
			continue
		}
		ex.Query = "# " + title + " (from the README)\n\n" + strings.Join(ops, "\n\n") + "\n"
		if ex.Variables == "" {
			ex.Variables = variablesSkeleton(ex.Query)
		}
		out = append(out, ex)
	}
	return out
}

// section is the text under a "### title" heading up to the next heading
// of level 2 or 3.
func section(readme, title string) (string, bool) {
	_, rest, ok := strings.Cut(readme, "\n### "+title+"\n")
	if !ok {
		return "", false
	}
	if i := nextHeading.FindStringIndex(rest); i != nil {
		rest = rest[:i[0]]
	}
	return rest, true
}

// nameOperations splits a block into its operations (each starts a line)
// and names each one.
func nameOperations(block string, used map[string]int) []string {
	idx := operationStart.FindAllStringSubmatchIndex(block, -1)
	var ops []string
	for i, at := range idx {
		end := len(block)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		op := strings.TrimSpace(block[at[0]:end])
		keyword := block[at[2]:at[3]]
		name := "Example"
		if m := firstField.FindStringSubmatch(op); m != nil {
			r := []rune(m[1])
			r[0] = unicode.ToUpper(r[0])
			name = string(r)
		}
		used[name]++
		if n := used[name]; n > 1 {
			name += strconv.Itoa(n)
		}
		rest := strings.TrimLeft(op[len(keyword):], " ")
		if !strings.HasPrefix(rest, "(") {
			rest = " " + rest
		}
		ops = append(ops, keyword+" "+name+rest)
	}
	return ops
}

var variableDefinition = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)\s*:`)

// variablesSkeleton lists the variables a tab's operations declare, empty,
// for the admin to fill in with the ids earlier operations returned.
func variablesSkeleton(query string) string {
	var names []string
	seen := map[string]bool{}
	for _, m := range variableDefinition.FindAllStringSubmatch(query, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, fmt.Sprintf("  %q: \"\"", m[1]))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "{\n" + strings.Join(names, ",\n") + "\n}"
}

// ExamplesHandler serves the examples as JSON for the console page.
func ExamplesHandler(readme string) http.Handler {
	body, err := json.Marshal(Examples(readme))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	})
}
