package graph_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// The operations of the authorization matrix, built from the schema as the
// server reports it (introspection), one per root field, so a field added to
// the schema is called without anyone writing its case.

// matrixIntrospection asks for what building operations needs: every type's
// fields with their arguments, input fields and enum values.
const matrixIntrospection = `{ __schema {
	queryType { name } mutationType { name } subscriptionType { name }
	types { kind name
		fields(includeDeprecated: true) { name args { ...Value } type { ...Ref } }
		inputFields { ...Value }
		enumValues(includeDeprecated: true) { name }
	}
} }
fragment Value on __InputValue { name defaultValue type { ...Ref } }
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

type matrixSchema struct {
	Schema struct {
		QueryType, MutationType, SubscriptionType *struct{ Name string }
		Types                                     []*matrixType
	} `json:"__schema"`
}

type matrixType struct {
	Kind, Name  string
	Fields      []matrixField
	InputFields []matrixValue
	EnumValues  []struct{ Name string }
}

type matrixField struct {
	Name string
	Args []matrixValue
	Type matrixTypeRef
}

type matrixValue struct {
	Name         string
	DefaultValue *string
	Type         matrixTypeRef
}

type matrixTypeRef struct {
	Kind   string
	Name   *string
	OfType *matrixTypeRef
}

// String is the type in GraphQL notation, as a variable declaration needs.
func (t matrixTypeRef) String() string {
	switch t.Kind {
	case "NON_NULL":
		return t.OfType.String() + "!"
	case "LIST":
		return "[" + t.OfType.String() + "]"
	}
	return *t.Name
}

// named is the type without its list and non-null wrappers.
func (t matrixTypeRef) named() string {
	if t.OfType != nil {
		return t.OfType.named()
	}
	return *t.Name
}

func (t matrixTypeRef) nonNull() bool { return t.Kind == "NON_NULL" }

// required: a value must be given (non-null and no default).
func (v matrixValue) required() bool { return v.Type.nonNull() && v.DefaultValue == nil }

// matrixTypes finds types by name.
type matrixTypes map[string]*matrixType

func (doc matrixSchema) types() matrixTypes {
	idx := matrixTypes{}
	for _, ty := range doc.Schema.Types {
		idx[ty.Name] = ty
	}
	return idx
}

// matrixOp is one root field, ready to be called.
type matrixOp struct {
	Name      string // "Mutation.createTeam": the table's key
	Operation string // query, mutation or subscription
	Field     string
	Document  string
	// Vars point at A's objects; GhostVars are the same with every id of A
	// replaced by an id of the same kind that does not exist (nil when the
	// operation names none of A's ids). A caller of another tenant must get
	// the same answer for both: existence does not leak across tenants.
	Vars, GhostVars map[string]any
	// RefsA: the operation names one of A's objects (an id, the tenant, or
	// its slug), so no other tenant may get past authorization.
	RefsA bool
	// Upload: Vars hold Upload variables sent as multipart files.
	Uploads []string
	// head is the document up to the root field and its arguments, where
	// the selection starts.
	head string
	// nested: the operation reads one edge below the root field (see
	// authz_nested_test.go), and its answer is judged at that edge.
	nested *nestedEdge
	// missing: the operation's ids name nothing (missingMatrixOps).
	missing bool
}

// missingMatrixOps are the root operations that name ids again, with ids of
// the same kinds that do not exist ("Query.team:missing"): for every caller
// the table says what a made-up id gets, and anon and other_admin must get
// the same as for A's objects (checkMissingAgainstReal), so that nobody
// outside A learns which of A's ids exist.
func missingMatrixOps(ops []*matrixOp) []*matrixOp {
	var out []*matrixOp
	for _, op := range ops {
		if op.GhostVars == nil || op.nested != nil || strings.Contains(op.Name, ":") {
			continue
		}
		m := *op
		m.Name += ":missing"
		m.Vars, m.GhostVars, m.RefsA, m.missing = op.GhostVars, nil, false, true
		out = append(out, &m)
	}
	return out
}

// buildMatrixOps makes one operation per field of Query, Mutation and
// Subscription.
func buildMatrixOps(t *testing.T, doc matrixSchema, fx *matrixFixture) []*matrixOp {
	t.Helper()
	idx := doc.types()
	var ops []*matrixOp
	for _, root := range []struct {
		op  string
		typ *struct{ Name string }
	}{{"query", doc.Schema.QueryType}, {"mutation", doc.Schema.MutationType}, {"subscription", doc.Schema.SubscriptionType}} {
		if root.typ == nil {
			continue
		}
		rt := idx[root.typ.Name]
		for _, f := range rt.Fields {
			op, err := buildMatrixOp(idx, fx, root.op, rt.Name, f)
			if err != nil {
				t.Errorf("%s.%s: %v", rt.Name, f.Name, err)
				continue
			}
			ops = append(ops, op)
			for name, change := range matrixVariants[f.Name] {
				v, _ := buildMatrixOp(idx, fx, root.op, rt.Name, f)
				v.Name += ":" + name
				v.RefsA, v.GhostVars = change(fx, v.Vars), nil
				ops = append(ops, v)
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name })
	return ops
}

func buildMatrixOp(idx matrixTypes, fx *matrixFixture, operation, rootType string, f matrixField) (*matrixOp, error) {
	op := &matrixOp{Name: rootType + "." + f.Name, Operation: operation, Field: f.Name}
	real := &matrixValues{idx: idx, fx: fx, field: f.Name, ids: fx.A.ids}
	ghost := &matrixValues{idx: idx, fx: fx, field: f.Name, ids: matrixGhostIDs(fx.A.ids)}
	var decls, args []string
	op.Vars, op.GhostVars = map[string]any{}, map[string]any{}
	for _, a := range f.Args {
		v, ok, err := real.arg(a)
		if err != nil {
			return nil, fmt.Errorf("argument %s: %w", a.Name, err)
		}
		if !ok {
			continue
		}
		gv, _, _ := ghost.arg(a)
		decls = append(decls, fmt.Sprintf("$%s: %s", a.Name, a.Type))
		args = append(args, fmt.Sprintf("%s: $%s", a.Name, a.Name))
		op.Vars[a.Name], op.GhostVars[a.Name] = v, gv
		if a.Type.named() == "Upload" {
			op.Uploads = append(op.Uploads, a.Name)
		}
	}
	op.RefsA = real.refsA
	if !real.usedID {
		op.GhostVars = nil
	}
	var b strings.Builder
	b.WriteString(operation + " Matrix")
	if len(decls) > 0 {
		b.WriteString("(" + strings.Join(decls, ", ") + ")")
	}
	b.WriteString(" { " + f.Name)
	if len(args) > 0 {
		b.WriteString("(" + strings.Join(args, ", ") + ")")
	}
	op.head = b.String()
	op.Document = op.head + matrixSelection(idx, f.Type.named(), 0) + " }"
	return op, nil
}

// matrixSelection asks for __typename and the scalar fields of an object (and the
// nodes of a connection), enough to see whose data came back without
// walking into nested resolvers, whose authorization is not the root
// field's.
func matrixSelection(idx matrixTypes, typeName string, depth int) string {
	ty := idx[typeName]
	if ty == nil || (ty.Kind != "OBJECT" && ty.Kind != "INTERFACE" && ty.Kind != "UNION") {
		return ""
	}
	sel := []string{"__typename"}
	for _, f := range ty.Fields {
		if matrixHasRequiredArg(f) {
			continue
		}
		inner := idx[f.Type.named()]
		switch {
		case inner.Kind == "SCALAR" || inner.Kind == "ENUM":
			sel = append(sel, f.Name)
		case depth == 0 && strings.HasSuffix(typeName, "Connection") && f.Name == "edges":
			sel = append(sel, "edges { node"+matrixSelection(idx, matrixNodeType(idx, inner), 1)+" }")
		}
	}
	return " { " + strings.Join(sel, " ") + " }"
}

func matrixNodeType(idx matrixTypes, edge *matrixType) string {
	for _, f := range edge.Fields {
		if f.Name == "node" {
			return f.Type.named()
		}
	}
	return ""
}

func matrixHasRequiredArg(f matrixField) bool {
	for _, a := range f.Args {
		if a.required() {
			return true
		}
	}
	return false
}

// matrixGhostIDs are ids of the same kinds as A's that name nothing.
func matrixGhostIDs(ids map[string]string) map[string]string {
	out := map[string]string{}
	for k, id := range ids {
		prefix, _, _ := strings.Cut(id, "_")
		out[k] = prefix + "_00000000000000000000000000000000"
	}
	return out
}

// matrixValues makes argument values by convention: ids from the fixture by
// name, input objects from their required fields, plausible scalars.
type matrixValues struct {
	idx   matrixTypes
	fx    *matrixFixture
	field string            // the root field
	ids   map[string]string // A's objects by kind (or their ghosts)
	// refsA: a value names one of A's objects; usedID: an id among them.
	refsA, usedID bool
}

// arg returns the value of a root argument and whether to matrixSend it: required
// arguments always, optional ones only when they name the tenant (so that
// auditEvents(tenantId) asks about A, not about the platform).
func (b *matrixValues) arg(a matrixValue) (any, bool, error) {
	if v, ok := matrixArgOverrides[b.field+"."+a.Name]; ok {
		return v(b), true, nil
	}
	if !a.required() && a.Name != "tenantId" {
		return nil, false, nil
	}
	v, err := b.value(b.field, a.Name, a.Type)
	return v, err == nil, err
}

// value is a value of type t for the argument or input field name of owner
// (the root field or the input type).
func (b *matrixValues) value(owner, name string, t matrixTypeRef) (any, error) {
	if t.Kind == "NON_NULL" {
		return b.value(owner, name, *t.OfType)
	}
	if t.Kind == "LIST" {
		v, err := b.value(owner, strings.TrimSuffix(name, "s"), *t.OfType)
		return []any{v}, err
	}
	ty := b.idx[*t.Name]
	switch ty.Kind {
	case "ENUM":
		if v, ok := matrixEnums[owner+"."+name]; ok {
			return v, nil
		}
		if v, ok := matrixEnums[name]; ok {
			return v, nil
		}
		return ty.EnumValues[0].Name, nil
	case "INPUT_OBJECT":
		obj := map[string]any{}
		for k, v := range matrixInputExtras[ty.Name] {
			obj[k] = v
		}
		for _, f := range ty.InputFields {
			if !f.required() && f.Name != "tenantId" {
				continue
			}
			v, err := b.value(ty.Name, f.Name, f.Type)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", ty.Name, f.Name, err)
			}
			obj[f.Name] = v
		}
		return obj, nil
	}
	switch ty.Name {
	case "ID":
		return b.id(name)
	case "String":
		if v, ok := matrixStrings[owner+"."+name]; ok {
			return v(b), nil
		}
		if v, ok := matrixStrings[name]; ok {
			return v(b), nil
		}
		return "Matrix " + name, nil
	case "Int":
		if v, ok := matrixInts[name]; ok {
			return v, nil
		}
		return 1, nil
	case "Float":
		return 1.5, nil
	case "Boolean":
		return name == "active" || name == "enabled", nil
	case "Time":
		return "2027-01-01T00:00:00Z", nil
	case "Upload":
		return nil, nil // a multipart file part fills it
	}
	return nil, fmt.Errorf("no value for scalar %s: add one to the matrix's conventions", ty.Name)
}

// id is A's object that an id argument names: by its name (teamId, userId,
// userIds, sessionId, tenantId) or, for a bare id, by the root field's
// name (deleteTeam → the team).
func (b *matrixValues) id(name string) (string, error) {
	kind := map[string]string{
		"tenantId": mkTenant, "teamId": mkTeam, "userId": mkUser, "sessionId": mkDesktopSession,
		"agentProfileId": mkAgentProfile, "skillProfileId": mkSkillProfile, "dialPlanId": mkDialPlan,
	}[name]
	if name == "id" {
		kind = matrixIDKind(b.field)
	}
	id, ok := b.ids[kind]
	if kind == "" || !ok {
		return "", fmt.Errorf("no convention says which object the id %q of %s names: add one to the matrix", name, b.field)
	}
	b.refsA, b.usedID = true, true
	return id, nil
}

// matrixIDKind is the kind of object a root field's id argument names, from the
// field's name: tenant, updateTenant, deleteTenant → tenant.
func matrixIDKind(field string) string {
	kinds := []string{mkAgentProfile, mkSkillProfile, mkDialPlan, mkAPIToken, mkBanner, mkTenant, mkTeam, mkUser}
	lower := strings.ToLower(field)
	for _, k := range kinds {
		if strings.HasSuffix(lower, strings.ToLower(k)) {
			return k
		}
	}
	return ""
}

// The conventions' values. Keys are "Owner.name" (owner: the root field or
// the input type) or a bare name.

var matrixStrings = map[string]func(*matrixValues) string{
	// Root arguments that name a person: A's agent.
	"signIn.email":               func(b *matrixValues) string { return b.fx.A.AgentEmail },
	"signIn.password":            func(*matrixValues) string { return matrixPassword },
	"signInOptions.email":        func(b *matrixValues) string { return b.fx.A.AgentEmail },
	"requestPasswordReset.email": func(b *matrixValues) string { return b.fx.A.AgentEmail },
	"resetPassword.email":        func(b *matrixValues) string { return b.fx.A.AgentEmail },
	"resetPassword.code":         func(*matrixValues) string { return "000000" },
	"newPassword":                func(*matrixValues) string { return "a brand new matrix passphrase 42" },
	// Any other e-mail is a new user of A.
	"email":             func(b *matrixValues) string { return "matrix.new@" + b.fx.A.Domain },
	"clientId":          func(*matrixValues) string { return matrixTab },
	"slug":              func(*matrixValues) string { return "matrix-new" },
	"emailDomain":       func(*matrixValues) string { return "matrix-new.test" },
	"regularExpression": func(*matrixValues) string { return `[0-9]{4,15}` },
	"message":           func(*matrixValues) string { return "Matrix banner" },
	"reason":            func(*matrixValues) string { return "Matrix check" },
	"state":             func(*matrixValues) string { return "matrix-state" },
	"code":              func(*matrixValues) string { return "matrix-code" },
	"interactionId":     func(*matrixValues) string { return "matrix-call-1" },
	"dialNumber":        func(*matrixValues) string { return "4155550142" },
	"csv": func(b *matrixValues) string {
		return "email,name,role\nmatrix.import@" + b.fx.A.Domain + ",Matrix Import,AGENT\n"
	},
}

var matrixInts = map[string]int{"proficiency": 5, "capacity": 10, "desktopInactivityTimeoutMinutes": 60}

var matrixEnums = map[string]string{
	"role":                     "AGENT",
	"CreateApiTokenInput.role": "INTEGRATION",
	"stationType":              "EXTENSION",
	"state":                    "AVAILABLE",
}

// matrixInputExtras are optional input fields a plausible input sets.
var matrixInputExtras = map[string]map[string]any{
	"StationLoginInput": {"extension": "4711"},
}

// matrixArgOverrides are root arguments that convention cannot make.
var matrixArgOverrides = map[string]func(*matrixValues) any{
	// applyTenant is keyed by slug: A's own spec, so that A's admin may
	// apply it and nobody else may.
	"applyTenant.spec": func(b *matrixValues) any {
		b.refsA = true
		return map[string]any{"slug": b.fx.A.Slug, "name": b.fx.A.Name, "emailDomains": []string{b.fx.A.Domain}}
	},
	// tenantSpec reads A's whole tenant by slug.
	"tenantSpec.slug": func(b *matrixValues) any {
		b.refsA = true
		return b.fx.A.Slug
	},
}

// matrixVariants call a field a second time where one argument decides who
// may: each is a line "Type.field:variant" of its own. A variant changes the
// conventional variables and says whether they still name A's objects.
var matrixVariants = map[string]map[string]func(fx *matrixFixture, vars map[string]any) (refsA bool){
	"createUser": {
		// A platform admin has no tenant: only a platform admin makes one.
		"platformAdmin": func(_ *matrixFixture, vars map[string]any) bool {
			in := vars["input"].(map[string]any)
			delete(in, "tenantId")
			in["role"], in["email"] = "PLATFORM_ADMIN", "matrix.root@platform.test"
			return false
		},
	},
	"applyTenant": {
		// A spec with a new slug creates a tenant: tenant.create.
		"newTenant": func(_ *matrixFixture, vars map[string]any) bool {
			vars["spec"] = map[string]any{"slug": "matrix-new", "name": "Matrix New Org", "emailDomains": []string{"matrix-new.test"}}
			return false
		},
	},
}
