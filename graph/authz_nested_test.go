package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The nested half of the authorization matrix. From every root query field,
// the schema is walked through every object-typed field (through lists and
// connections) up to nestedMaxHops below the root, never into a type that
// is already on the way down; each field reached is one line of the table,
// named by the field and the way to it:
//
//	Tenant.sso via Query.me.tenant
//	User.teams via Query.users
//
// and called through that way as every caller. Its cell says what the
// caller got at that field: the edge hands out objects only to a caller who
// may read them at the top level (graph/edgeauthz.go), so a cell that is ok
// where the top-level read of the same type is refused must carry a note
// saying whose own object it is (checkNestedAgainstTopLevel).
//
// Nested lines only read, so they share one server and one database (the
// fixture's first copy, see TestAuthorizationMatrix) instead of a copy per
// call as the mutations need.

// nestedMaxHops bounds how far below the root field the walk goes: deep
// enough for me → teams → members → tenant, the edges an agent's desktop
// walks; every type's own edges are reached in fewer hops from some root.
const nestedMaxHops = 3

// nestedFirst is the page a nested connection asks for: enough to see
// whose data comes back, cheap enough for the complexity limit.
const nestedFirst = 3

// The outcomes only a nested line has. ok on a nested line means the edge
// answered with an object (or a non-empty list).
const (
	// outcomeNarrow: the edge answered its object, but some of its fields
	// were refused: the narrow view (an agent's own tenant).
	outcomeNarrow = "narrow"
	// outcomeNull: the edge was reached and answered null or an empty list
	// (nothing of the fixture at its end for this caller).
	outcomeNull = "null"
	// outcomeUnreached: a field above the edge refused or answered nothing,
	// so the edge never ran; that refusal is another line's cell.
	outcomeUnreached = "-"
)

// nestedEdge is where a nested operation is judged.
type nestedEdge struct {
	// path: the edge's path in the answer, connection hops written as
	// edges/node (an error's path, without list indices).
	path []string
	// leafType is the object type the edge returns (a connection's nodes).
	leafType string
	// conn: the edge is a connection.
	conn bool
	// parent is the type whose field the edge is.
	parent string
}

// nestedHop is one field on the way from the root field to an edge.
type nestedHop struct {
	field string
	conn  bool // a connection: its objects are at edges.node
	first bool // takes a first argument
}

// buildNestedOps makes one operation per object-typed field reachable from
// the query roots among ops.
func buildNestedOps(idx matrixTypes, roots []*matrixOp) []*matrixOp {
	query := idx["Query"]
	var out []*matrixOp
	for _, root := range roots {
		if root.Operation != "query" || strings.Contains(root.Name, ":") {
			continue
		}
		i := slices.IndexFunc(query.Fields, func(f matrixField) bool { return f.Name == root.Field })
		f := query.Fields[i]
		target, conn, ok := matrixObjectOf(idx, f)
		if !ok {
			continue
		}
		hop := nestedHop{field: f.Name, conn: conn}
		walkNested(idx, root, []nestedHop{hop}, target, map[string]bool{target: true}, &out)
	}
	return out
}

// walkNested adds an operation for every object-typed field of typeName,
// reached from root by hops, and walks on below each.
func walkNested(idx matrixTypes, root *matrixOp, hops []nestedHop, typeName string, onPath map[string]bool, out *[]*matrixOp) {
	for _, f := range idx[typeName].Fields {
		if matrixHasRequiredArg(f) {
			continue
		}
		target, conn, ok := matrixObjectOf(idx, f)
		if !ok {
			continue
		}
		leaf := nestedHop{field: f.Name, conn: conn, first: matrixHasArg(f, "first")}
		*out = append(*out, nestedOp(idx, root, hops, leaf, typeName, target))
		if onPath[target] || len(hops) >= nestedMaxHops {
			continue
		}
		onPath[target] = true
		walkNested(idx, root, append(slices.Clip(hops), leaf), target, onPath, out)
		delete(onPath, target)
	}
}

// nestedOp is the operation that reads leaf (a field of typeName returning
// target) through root and hops.
func nestedOp(idx matrixTypes, root *matrixOp, hops []nestedHop, leaf nestedHop, typeName, target string) *matrixOp {
	var way []string
	var path []string
	for _, h := range hops {
		way = append(way, h.field)
		path = append(path, h.field)
		if h.conn {
			path = append(path, "edges", "node")
		}
	}
	op := *root
	op.Name = fmt.Sprintf("%s.%s via Query.%s", typeName, leaf.field, strings.Join(way, "."))
	op.nested = &nestedEdge{path: append(path, leaf.field), leafType: target, conn: leaf.conn, parent: typeName}
	op.Uploads = nil

	// From the edge up: the edge with its objects' own fields, then each
	// hop around it; the root field's name and arguments are in head.
	var leafType string
	for _, f := range idx[typeName].Fields {
		if f.Name == leaf.field {
			leafType = f.Type.named()
		}
	}
	sel := leaf.field + leaf.args() + matrixSelection(idx, leafType, 0)
	for i := len(hops) - 1; i >= 0; i-- {
		h := hops[i]
		if h.conn {
			sel = "edges { node { " + sel + " } }"
		}
		if i > 0 {
			sel = h.field + h.args() + " { " + sel + " }"
		}
	}
	op.Document = root.head + " { " + sel + " } }"
	return &op
}

func (h nestedHop) args() string {
	if h.first {
		return fmt.Sprintf("(first: %d)", nestedFirst)
	}
	return ""
}

// matrixObjectOf is the object type a field returns, through lists and
// connections, and whether it is a connection; ok is false for scalars,
// enums and the connections' own plumbing.
func matrixObjectOf(idx matrixTypes, f matrixField) (name string, conn, ok bool) {
	ty := idx[f.Type.named()]
	if ty == nil || ty.Kind != "OBJECT" || ty.Name == "PageInfo" {
		return "", false, false
	}
	if strings.HasSuffix(ty.Name, "Connection") {
		for _, e := range ty.Fields {
			if e.Name == "edges" {
				return matrixNodeType(idx, idx[e.Type.named()]), true, true
			}
		}
	}
	return ty.Name, false, true
}

func matrixHasArg(f matrixField, name string) bool {
	return slices.ContainsFunc(f.Args, func(a matrixValue) bool { return a.Name == name })
}

// classifyNested judges a nested operation's answer at its edge: the error
// at the edge, else what the edge answered. errs are the answer's errors
// after the checks every answer gets (INTERNAL, HIDDEN, refused before
// execution), each with its path without list indices.
func classifyNested(e *nestedEdge, data json.RawMessage, errs []nestedError) matrixAnswer {
	var a matrixAnswer
	var childErr string
	for _, er := range errs {
		switch {
		case slices.Equal(er.path, e.path):
			a.message = er.message
			switch er.code {
			case outcomeUnauthenticated, outcomeForbidden, outcomeNotFound:
				a.outcome = er.code
			default:
				a.outcome, a.detail = outcomeOK, er.code
			}
			return a
		case len(er.path) > len(e.path) && slices.Equal(er.path[:len(e.path)], e.path):
			if childErr == "" {
				childErr = er.code + " at " + strings.Join(er.path[len(e.path):], ".")
			}
		}
	}
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		a.problem = fmt.Sprintf("the answer's data is not JSON: %s", data)
		return a
	}
	var leaves []any
	collectNested(tree, e.path, &leaves)
	reached, full := len(leaves) > 0, false
	for _, l := range leaves {
		full = full || nestedFull(l, e.conn)
	}
	switch {
	case childErr != "":
		// A refused field of a non-null type nulls its object on the way
		// up, so the edge may read null; the refusal says it answered.
		a.outcome, a.detail = outcomeNarrow, childErr
	case full:
		a.outcome, a.detail = outcomeOK, "data"
	case reached:
		a.outcome, a.detail = outcomeNull, "nothing at the edge"
	default:
		a.outcome, a.detail = outcomeUnreached, "not reached"
	}
	return a
}

// nestedError is one error of an answer.
type nestedError struct {
	path          []string // without list indices
	code, message string
}

// collectNested gathers every value at path below v, through lists; a null
// on the way ends that branch.
func collectNested(v any, path []string, out *[]any) {
	if len(path) == 0 {
		*out = append(*out, v)
		return
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			collectNested(e, path, out)
		}
	case map[string]any:
		next, ok := v[path[0]]
		if ok {
			collectNested(next, path[1:], out)
		}
	}
}

// nestedFull reports whether an edge's value holds an object.
func nestedFull(v any, conn bool) bool {
	switch v := v.(type) {
	case nil:
		return false
	case []any:
		return len(v) > 0
	case map[string]any:
		if conn {
			edges, _ := v["edges"].([]any)
			return len(edges) > 0
		}
		return true
	}
	return true
}

// matrixTopLevelRead is the root field that reads an object type at the top
// level: the line a nested line of that type is held to.
var matrixTopLevelRead = map[string]string{
	"Tenant": "Query.tenant", "User": "Query.user", "Team": "Query.team",
	"AgentProfile": "Query.agentProfile", "DialPlan": "Query.dialPlan", "SkillProfile": "Query.skillProfile",
	"Banner": "Query.banners", "ApiToken": "Query.apiTokens", "AuditEvent": "Query.auditEvents",
	"DesktopSession": "Query.desktopSessions", "Interaction": "Query.desktopSessions",
}

// checkNestedAgainstTopLevel holds each nested line to the top-level read
// of what it returns (or, for a part of an object such as Tenant.sso, of
// the object it is part of): a caller who gets data through the edge but
// is refused at the top level is either a leak — fix it in edgeauthz.go or
// the policy, never in the table — or reads its own object (an agent's
// teams, its tenant's narrow view), which the line's "# …" note must say.
// other_admin, on its own tenant's objects here, is held to admin's cell.
func checkNestedAgainstTopLevel(t *testing.T, ops []*matrixOp, table map[string]*matrixLine) {
	t.Helper()
	for _, op := range ops {
		e := op.nested
		line := table[op.Name]
		if e == nil || line == nil || line.note != "" {
			continue
		}
		top, ok := matrixTopLevelRead[e.leafType]
		if !ok {
			top, ok = matrixTopLevelRead[e.parent]
		}
		if !ok || table[top] == nil {
			continue
		}
		for _, c := range matrixCallers {
			if got := line.cells[c]; got != outcomeOK && got != outcomeNarrow {
				continue
			}
			as := c
			if c == callerOtherAdmin {
				as = callerAdmin
			}
			if w := table[top].cells[as]; w != outcomeOK {
				t.Errorf("%s: %s gets %s through this edge but %s from %s: a leak (fix graph/edgeauthz.go or the policy), "+
					"or the caller's own object (say whose in a # note on the line in %s)", op.Name, c, line.cells[c], w, top, matrixTable)
			}
		}
	}
}

// checkMissingAgainstReal: anon and other_admin get the same for ids that
// do not exist as for A's objects (see missingMatrixOps).
func checkMissingAgainstReal(t *testing.T, ops []*matrixOp, got map[string]map[string]string) {
	t.Helper()
	for _, op := range ops {
		if !op.missing {
			continue
		}
		real, missing := got[strings.TrimSuffix(op.Name, ":missing")], got[op.Name]
		if real == nil || missing == nil {
			continue // -run chose one of the two
		}
		for _, c := range []string{callerAnon, callerOtherAdmin} {
			r, m := real[c], missing[c]
			if r != m && r != outcomeInternal && m != outcomeInternal {
				t.Errorf("%s as %s: %s for A's objects but %s for ids that do not exist: existence leaks", op.Name, c, r, m)
			}
		}
	}
}
