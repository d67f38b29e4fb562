package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// TestAuthorizationMatrix calls every field of Query, Mutation and
// Subscription, as the schema itself reports them, as each kind of caller,
// and compares who gets past authorization with the reviewed expectation in
// testdata/authz_matrix.txt. A field without a line there, or a line
// without its field, fails. So does INTERNAL (a panic or a resolver that is
// not written), any answer to another tenant or to nobody that carries
// something of tenant A, and an answer to another tenant that differs
// between A's objects and objects that do not exist.
//
//	go test ./graph -run TestAuthorizationMatrix -update
//
// rewrites the table from what the server answers; every changed line must
// then be checked against the roles of api-contract.md and policy.csv
// before it is committed: the table is the contract's, not the code's.

var (
	updateMatrix = flag.Bool("update", false,
		"TestAuthorizationMatrix: rewrite "+matrixTable+" from the server's answers (review every changed line against the contract)")
	matrixPendingOK = flag.Bool("pending-ok", false,
		"TestAuthorizationMatrix: report INTERNAL (an unimplemented resolver) as pending instead of failing; for local work only")
)

const matrixTable = "testdata/authz_matrix.txt"

// matrixNotPublicMessage is the message of the generic refusal of an
// anonymous document that names what is not public (graph/public.go).
const matrixNotPublicMessage = "the document is not valid: it names something that does not exist or needs a signed-in caller"

// The callers, in the table's column order.
const (
	callerAnon        = "anon"        // no token
	callerAgent       = "agent"       // AGENT of A
	callerSupervisor  = "supervisor"  // SUPERVISOR of A
	callerAdmin       = "admin"       // TENANT_ADMIN of A
	callerOtherAdmin  = "other_admin" // TENANT_ADMIN of B, on A's objects
	callerIntegration = "integration" // INTEGRATION API token of A
	callerPlatform    = "platform"    // PLATFORM_ADMIN
)

var matrixCallers = []string{callerAnon, callerAgent, callerSupervisor, callerAdmin, callerOtherAdmin, callerIntegration, callerPlatform}

// The outcomes a table cell may hold. ok is anything past authorization:
// data, or an error of the operation itself (VALIDATION_ERROR,
// INVALID_CREDENTIALS, NO_DESKTOP_SESSION, …).
const (
	outcomeOK              = "ok"
	outcomeUnauthenticated = "UNAUTHENTICATED"
	outcomeForbidden       = "FORBIDDEN"
	outcomeNotFound        = "NOT_FOUND"
	// outcomeHidden: the field is not in the public schema that anonymous
	// documents are validated against (graph/public.go), so the document
	// was refused, before anything ran, with the one generic
	// VALIDATION_ERROR that names nothing.
	outcomeHidden = "HIDDEN"
	// outcomeInternal is never expected: a panic or an unwritten resolver.
	outcomeInternal = "INTERNAL"
	// outcomePending marks, in a table written with -update -pending-ok, a
	// cell whose resolver is not written yet. The strict test refuses it.
	outcomePending = "PENDING"
)

// matrixAnswer is what one call came back with.
type matrixAnswer struct {
	outcome   string // one of the outcomes
	detail    string // the error code behind ok, or "data"
	message   string // the first error's message, for failures
	requestID string // of an INTERNAL error: its server logged the cause
	body      []byte // everything the caller received
	problem   string // the call itself went wrong: the matrix must be fixed
}

func TestAuthorizationMatrix(t *testing.T) {
	fx := buildMatrixFixture(t)
	reads, doc := introspectMatrixSchema(t, fx)
	ops := buildMatrixOps(t, doc, fx)
	if t.Failed() {
		t.FailNow()
	}
	ops = append(ops, buildNestedOps(doc.types(), ops)...)
	ops = append(ops, missingMatrixOps(ops)...)
	// Queries only read: they share reads, the server that answered the
	// introspection, and its database. Operations on ids that do not exist
	// change nothing that another caller's answer depends on: they share
	// a second server, apart from the readers. Every other call gets a
	// copy of its own (runMatrixRow).
	missingWrites, err := startMatrixServer(t, fx)
	if err != nil {
		t.Fatal(err)
	}
	sharedFor := func(op *matrixOp) *matrixServer {
		switch {
		case op.Operation == "query":
			return reads
		case op.missing:
			return missingWrites
		}
		return nil
	}
	table, err := readMatrixTable(matrixTable, *matrixPendingOK || *updateMatrix)
	if err != nil && !(*updateMatrix && errors.Is(err, os.ErrNotExist)) {
		t.Fatal(err)
	}

	var mu sync.Mutex
	got := map[string]map[string]string{}
	t.Run("field", func(t *testing.T) {
		for _, op := range ops {
			t.Run(op.Name, func(t *testing.T) {
				t.Parallel()
				row := runMatrixRow(t, fx, op, table[op.Name], sharedFor(op))
				mu.Lock()
				got[op.Name] = row
				mu.Unlock()
			})
		}
	})

	checkMissingAgainstReal(t, ops, got)
	if *updateMatrix {
		if err := writeMatrixTable(matrixTable, ops, got, table); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: review every changed line against api-contract.md and policy/policy.csv", matrixTable)
		if table, err = readMatrixTable(matrixTable, true); err != nil {
			t.Fatal(err)
		}
	}
	checkNestedAgainstTopLevel(t, ops, table)
	if *updateMatrix {
		return
	}
	fields := map[string]bool{}
	for _, op := range ops {
		fields[op.Name] = true
	}
	for name := range table {
		if !fields[name] {
			t.Errorf("%s: the table has a line for %s, which the schema no longer has", matrixTable, name)
		}
	}
}

// runMatrixRow calls one field as every caller and checks the answers. It
// returns the row's outcomes.
//
// Each call of a mutation or subscription that the table expects to get
// past authorization runs on its own server and its own copy of the
// fixture, so that what one caller changed (a deleted tenant, a revoked
// token, an ended desktop session) cannot change another caller's answer.
// The calls the table expects to be refused change nothing, so they share
// one more copy: should one of them not be refused, the row fails for it
// whatever the others then see. Servers start at once: a start is a few
// milliseconds of CPU and some waiting on the disk (and a CREATE DATABASE
// on PostgreSQL, which is most of the matrix's time there). Calls that
// change nothing run on shared, when given.
func runMatrixRow(t *testing.T, fx *matrixFixture, op *matrixOp, want *matrixLine, shared *matrixServer) map[string]string {
	type call struct {
		caller string
		ghost  bool // with GhostVars: the existence probe
		server *matrixServer
		answer matrixAnswer
	}
	var calls []*call
	for _, c := range matrixCallers {
		calls = append(calls, &call{caller: c})
		if c == callerOtherAdmin && op.GhostVars != nil {
			calls = append(calls, &call{caller: c, ghost: true})
		}
	}
	servers := make([]*matrixServer, len(calls))
	errs := make([]error, len(servers))
	refusals := -1 // the call whose server the expected refusals share
	var wg sync.WaitGroup
	for i, c := range calls {
		switch {
		case shared != nil:
			servers[i] = shared
			continue
		case matrixExpectsRefusal(want, c.caller):
			if refusals >= 0 {
				continue
			}
			refusals = i
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], errs[i] = startMatrixServer(t, fx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i := range calls {
		if servers[i] == nil {
			servers[i] = servers[refusals]
		}
	}
	for i, c := range calls {
		c.server = servers[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			vars := op.Vars
			if c.ghost {
				vars = op.GhostVars
			}
			c.answer = callMatrixOp(c.server.Server, fx.tokens[c.caller], op, vars)
			if c.answer.outcome == outcomeInternal {
				c.answer.message += c.server.logged(c.answer.requestID)
			}
		}()
	}
	wg.Wait()

	row := map[string]string{}
	var detail []string
	for _, c := range calls {
		a := c.answer
		who := c.caller
		if c.ghost {
			who += " (ids that do not exist)"
			onA := row[callerOtherAdmin]
			if a.outcome != onA && a.outcome != outcomeInternal && onA != outcomeInternal {
				t.Errorf("%s as %s: %s for A's objects but %s for objects that do not exist: existence leaks across tenants",
					op.Name, c.caller, onA, a.outcome)
			}
		} else {
			row[c.caller] = a.outcome
			d := a.outcome
			if a.outcome == outcomeOK {
				d += "(" + a.detail + ")"
			}
			detail = append(detail, c.caller+"="+d)
		}
		switch {
		case a.problem != "":
			t.Errorf("%s as %s: %s", op.Name, who, a.problem)
			continue
		case a.outcome == outcomeInternal && *matrixPendingOK:
			t.Logf("%s as %s: pending: %s", op.Name, who, matrixPendingCause(a.message))
		case a.outcome == outcomeInternal:
			t.Errorf("%s as %s: INTERNAL: %s (a panic, or a resolver that is not written)", op.Name, who, a.message)
		}
		if c.caller == callerOtherAdmin && !c.ghost && op.RefsA && a.outcome == outcomeOK {
			t.Errorf("%s as %s: got past authorization on tenant A's objects (%s)", op.Name, who, a.detail)
		}
		if c.caller == callerOtherAdmin || c.caller == callerAnon {
			for _, s := range fx.secretsA {
				if bytes.Contains(bytes.ToLower(a.body), []byte(strings.ToLower(s))) {
					t.Errorf("%s as %s: the answer carries %q of tenant A: %s", op.Name, who, s, a.body)
				}
			}
		}
	}
	t.Logf("%s: %s", op.Name, strings.Join(detail, " "))

	if *updateMatrix {
		return row
	}
	if want == nil {
		t.Errorf("%s has no line in %s: run `go test ./graph -run TestAuthorizationMatrix -update` and review it against the contract", op.Name, matrixTable)
		return row
	}
	for _, c := range matrixCallers {
		g, w := row[c], want.cells[c]
		if g == w || g == outcomeInternal { // INTERNAL has its own error above
			continue
		}
		t.Errorf("%s as %s: got %s, the table expects %s", op.Name, c, g, w)
	}
	return row
}

// matrixExpectsRefusal reports whether the reviewed table expects caller
// to be refused (never while -update rewrites the table: then every call
// gets its own copy).
func matrixExpectsRefusal(want *matrixLine, caller string) bool {
	if *updateMatrix || want == nil {
		return false
	}
	switch want.cells[caller] {
	case outcomeHidden, outcomeUnauthenticated, outcomeForbidden, outcomeNotFound:
		return true
	}
	return false
}

// matrixPendingCause is the short cause of an INTERNAL answer: the panic, or the
// error, its server logged.
func matrixPendingCause(message string) string {
	for _, key := range []string{"panic=", "err="} {
		if _, rest, ok := strings.Cut(message, key); ok {
			rest, _, _ = strings.Cut(rest, "\n")
			return rest
		}
	}
	return message
}

// matrixServer is a test server on a copy of the fixture, with its log kept
// so that an INTERNAL answer can say what went wrong.
type matrixServer struct {
	*testserver.Server
	log *matrixLog
}

func startMatrixServer(t *testing.T, fx *matrixFixture) (*matrixServer, error) {
	copied, err := storetest.Clone(t, fx.template)
	if err != nil {
		return nil, err
	}
	log := &matrixLog{}
	s, err := testserver.Start(t, testserver.OnDatabase(copied), func(c *agentdesk.Config) {
		c.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelError}))
	})
	if err != nil {
		return nil, err
	}
	return &matrixServer{Server: s, log: log}, nil
}

// logged is what the server logged about a request, without stacks.
func (s *matrixServer) logged(requestID string) string {
	if requestID == "" {
		return ""
	}
	var out []string
	for _, line := range strings.Split(s.log.String(), "\n") {
		if strings.Contains(line, requestID) {
			line, _, _ = strings.Cut(line, " stack=")
			out = append(out, line)
		}
	}
	return "\n\t" + strings.Join(out, "\n\t")
}

// matrixLog is a bytes.Buffer for a logger that many goroutines write to.
type matrixLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *matrixLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *matrixLog) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// introspectMatrixSchema asks the real handler for the schema as the platform
// admin (introspection is for admins only). It returns the server, which
// has changed nothing, for the calls that only read.
func introspectMatrixSchema(t *testing.T, fx *matrixFixture) (*matrixServer, matrixSchema) {
	t.Helper()
	s, err := startMatrixServer(t, fx)
	if err != nil {
		t.Fatal(err)
	}
	var doc matrixSchema
	s.MustDo(fx.tokens[callerPlatform], matrixIntrospection, nil, &doc)
	if doc.Schema.QueryType == nil || doc.Schema.MutationType == nil {
		t.Fatal("introspection: no Query or Mutation type")
	}
	return s, doc
}

// callMatrixOp sends op with vars as the bearer of token ("" anonymous): a
// subscription over graphql-ws, an operation with an Upload as a multipart
// request, anything else as a JSON POST.
func callMatrixOp(s *testserver.Server, token string, op *matrixOp, vars map[string]any) matrixAnswer {
	ctx, cancel := context.WithTimeout(testserver.Ctx(), 30*time.Second)
	defer cancel()
	var body []byte
	var err error
	switch {
	case op.Operation == "subscription":
		return subscribeMatrixOp(ctx, s, token, op, vars)
	case len(op.Uploads) > 0:
		body, err = matrixPostMultipart(ctx, s, token, op, vars)
	default:
		body, err = matrixPostJSON(ctx, s, token, op.Document, vars)
	}
	if err != nil {
		return matrixAnswer{problem: err.Error()}
	}
	return classifyMatrixAnswer(op, body)
}

func matrixPostJSON(ctx context.Context, s *testserver.Server, token, document string, vars map[string]any) ([]byte, error) {
	payload, err := json.Marshal(map[string]any{"query": document, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return matrixSend(s, req, token)
}

// matrixPostMultipart sends the GraphQL multipart request: the operation, the map
// of files to variables, and matrixPNG for each Upload, with the header that
// tells the server this is no browser form.
func matrixPostMultipart(ctx context.Context, s *testserver.Server, token string, op *matrixOp, vars map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	operations, err := json.Marshal(map[string]any{"query": op.Document, "variables": vars})
	if err != nil {
		return nil, err
	}
	files := map[string][]string{}
	for i, name := range op.Uploads {
		files[fmt.Sprint(i)] = []string{"variables." + name}
	}
	fileMap, err := json.Marshal(files)
	if err != nil {
		return nil, err
	}
	_ = w.WriteField("operations", string(operations))
	_ = w.WriteField("map", string(fileMap))
	for i := range op.Uploads {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%d"; filename="matrix.png"`, i))
		h.Set("Content-Type", "image/png")
		part, err := w.CreatePart(h)
		if err != nil {
			return nil, err
		}
		_, _ = part.Write(matrixPNG)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.HTTP.URL+"/graphql", &buf)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	return matrixSend(s, req, token)
}

func matrixSend(s *testserver.Server, req *http.Request, token string) ([]byte, error) {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.HTTP.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// subscribeMatrixOp runs a subscription over graphql-transport-ws (gqlgen's
// websocket transport) and reads until the first answer: an error, an
// event, or — when the subscription was accepted and has nothing to say
// yet — the server's "complete" after the client ends it.
//
// A refusal arrives at once, while the resolver runs; an accepted
// subscription stays silent. So after a short wait without a message the
// client ends the subscription: if the resolver had still been on its way
// to a refusal, the refusal (not a "complete") is what comes back, so the
// wait decides nothing by itself.
func subscribeMatrixOp(ctx context.Context, s *testserver.Server, token string, op *matrixOp, vars map[string]any) matrixAnswer {
	header := http.Header{}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	url := "ws" + strings.TrimPrefix(s.HTTP.URL, "http") + "/graphql"
	conn, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient: s.HTTP.Client(), HTTPHeader: header, Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		detail := ""
		if res != nil {
			b, _ := io.ReadAll(res.Body)
			detail = fmt.Sprintf(" (HTTP %d: %s)", res.StatusCode, b)
		}
		return matrixAnswer{problem: fmt.Sprintf("websocket: %v%s", err, detail)}
	}
	defer conn.CloseNow()

	type wsMessage struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	// One reader; a read that ends (error or close) ends the channel.
	messages := make(chan wsMessage)
	go func() {
		defer close(messages)
		for {
			var m wsMessage
			if err := wsjson.Read(ctx, conn, &m); err != nil {
				return
			}
			messages <- m
		}
	}()
	write := func(m wsMessage) error { return wsjson.Write(ctx, conn, m) }
	var received bytes.Buffer
	next := func(wait <-chan time.Time) (wsMessage, bool, bool) {
		for {
			select {
			case m, ok := <-messages:
				if !ok {
					return m, false, false
				}
				b, _ := json.Marshal(m)
				received.Write(b)
				received.WriteByte('\n')
				if m.Type == "ping" {
					_ = write(wsMessage{Type: "pong"})
					continue
				}
				return m, true, false
			case <-wait:
				return wsMessage{}, false, true
			}
		}
	}

	if err := write(wsMessage{Type: "connection_init", Payload: json.RawMessage(`{}`)}); err != nil {
		return matrixAnswer{problem: "websocket: " + err.Error()}
	}
	if m, ok, _ := next(nil); !ok || m.Type != "connection_ack" {
		return matrixAnswer{problem: fmt.Sprintf("websocket: no connection_ack: %s", received.String())}
	}
	payload, _ := json.Marshal(map[string]any{"query": op.Document, "variables": vars})
	if err := write(wsMessage{ID: "1", Type: "subscribe", Payload: payload}); err != nil {
		return matrixAnswer{problem: "websocket: " + err.Error()}
	}
	m, ok, silent := next(time.After(300 * time.Millisecond))
	if silent {
		if err := write(wsMessage{ID: "1", Type: "complete"}); err != nil {
			return matrixAnswer{problem: "websocket: " + err.Error()}
		}
		m, ok, _ = next(nil)
	}
	if !ok {
		return matrixAnswer{problem: fmt.Sprintf("websocket: closed before an answer: %s", received.String())}
	}
	var a matrixAnswer
	switch m.Type {
	case "next":
		a = classifyMatrixAnswer(op, m.Payload)
	case "error":
		a = classifyMatrixAnswer(op, []byte(`{"errors":`+string(m.Payload)+`}`))
	case "complete":
		a = matrixAnswer{outcome: outcomeOK, detail: "subscribed"}
	default:
		a = matrixAnswer{problem: fmt.Sprintf("websocket: unexpected %q message: %s", m.Type, received.String())}
	}
	a.body = received.Bytes()
	return a
}

// classifyMatrixAnswer reads a GraphQL response: who got past authorization?
func classifyMatrixAnswer(op *matrixOp, body []byte) matrixAnswer {
	a := matrixAnswer{body: body}
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		a.problem = fmt.Sprintf("the answer is not GraphQL JSON: %s", body)
		return a
	}
	if len(res.Errors) == 0 && op.nested == nil {
		a.outcome, a.detail = outcomeOK, "data"
		return a
	}
	code := func(i int) string { c, _ := res.Errors[i].Extensions["code"].(string); return c }
	root := -1
	var errs []nestedError
	for i, e := range res.Errors {
		if code(i) == outcomeInternal {
			a.outcome, a.message = outcomeInternal, e.Message
			a.requestID, _ = e.Extensions["requestId"].(string)
			return a
		}
		if len(e.Path) == 0 && code(i) == "VALIDATION_ERROR" && e.Message == matrixNotPublicMessage {
			a.outcome, a.message = outcomeHidden, e.Message
			return a
		}
		if len(e.Path) == 0 {
			// Refused before execution: the matrix's own operation is wrong
			// (or a limit of the server caught it), so it says nothing
			// about authorization.
			a.problem = fmt.Sprintf("refused before execution: %s %s\n%s\n%v", code(i), e.Message, op.Document, op.Vars)
			return a
		}
		if p, _ := e.Path[0].(string); p == op.Field && root < 0 {
			root = i
		}
		ne := nestedError{code: code(i), message: e.Message}
		for _, p := range e.Path {
			if s, ok := p.(string); ok {
				ne.path = append(ne.path, s)
			}
		}
		errs = append(errs, ne)
	}
	if op.nested != nil {
		n := classifyNested(op.nested, res.Data, errs)
		n.body = body
		return n
	}
	if root < 0 {
		// Only nested fields failed: the root field itself answered.
		a.outcome, a.detail = outcomeOK, "nested "+code(0)
		return a
	}
	a.message = res.Errors[root].Message
	switch c := code(root); c {
	case outcomeUnauthenticated, outcomeForbidden, outcomeNotFound:
		a.outcome = c
	default:
		a.outcome, a.detail = outcomeOK, c
	}
	return a
}

// matrixLine is one line of the table.
type matrixLine struct {
	cells map[string]string
	note  string // a "# …" comment after the cells, kept by -update
}

// readMatrixTable reads "Type.field  caller=OUTCOME … # note" lines.
// PENDING cells are accepted only when allowPending.
func readMatrixTable(path string, allowPending bool) (map[string]*matrixLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	table := map[string]*matrixLine{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text, note, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		// The name runs up to the first cell: a nested line's name has
		// spaces ("Tenant.sso via Query.me.tenant").
		first := slices.IndexFunc(fields, func(f string) bool {
			caller, _, ok := strings.Cut(f, "=")
			return ok && slices.Contains(matrixCallers, caller)
		})
		if first < 1 {
			return nil, fmt.Errorf("%s:%d: no name, or no caller=outcome cells", path, n)
		}
		name := strings.Join(fields[:first], " ")
		if table[name] != nil {
			return nil, fmt.Errorf("%s:%d: a second line for %s", path, n, name)
		}
		line := &matrixLine{cells: map[string]string{}, note: strings.TrimSpace(note)}
		for _, cell := range fields[first:] {
			caller, outcome, ok := strings.Cut(cell, "=")
			switch {
			case !ok || !slices.Contains(matrixCallers, caller):
				return nil, fmt.Errorf("%s:%d: %q is not caller=outcome for one of %v", path, n, cell, matrixCallers)
			case line.cells[caller] != "":
				return nil, fmt.Errorf("%s:%d: %s twice", path, n, caller)
			case outcome == outcomePending && !allowPending:
				return nil, fmt.Errorf("%s:%d: %s as %s is PENDING: its resolver was not reviewed", path, n, name, caller)
			case !slices.Contains([]string{outcomeOK, outcomeHidden, outcomeUnauthenticated, outcomeForbidden, outcomeNotFound, outcomePending,
				outcomeNarrow, outcomeNull, outcomeUnreached}, outcome):
				return nil, fmt.Errorf("%s:%d: unknown outcome %q", path, n, outcome)
			}
			line.cells[caller] = outcome
		}
		if len(line.cells) != len(matrixCallers) {
			return nil, fmt.Errorf("%s:%d: %s must name every caller: %v", path, n, name, matrixCallers)
		}
		table[name] = line
	}
	return table, sc.Err()
}

const matrixTableHeader = `# Who gets past authorization, per root field of the schema: the reviewed
# expectation of TestAuthorizationMatrix (graph/authz_matrix_test.go).
#
# Callers: anon (no token), agent / supervisor / admin (AGENT, SUPERVISOR and
# TENANT_ADMIN of tenant A), other_admin (TENANT_ADMIN of tenant B, calling
# on A's objects), integration (an INTEGRATION API token of A), platform
# (PLATFORM_ADMIN). Arguments name A's objects (see the test's conventions).
#
# ok: past authorization (data, or an error of the operation itself such as
# VALIDATION_ERROR or NO_DESKTOP_SESSION); else UNAUTHENTICATED, FORBIDDEN or
# NOT_FOUND. HIDDEN: an anonymous document naming a field outside the public
# schema (graph/public.go), refused before it runs with the one generic
# VALIDATION_ERROR that names nothing; only the contract's public operations
# may be anything else for anon. Check each line against the roles of api-contract.md and
# policy/policy.csv; "# …" after a line notes why it is so and survives
# -update. "Type.field:missing" calls the field with ids that name nothing:
# anon and other_admin must get there what they get for A's objects.
`

const matrixNestedHeader = `# Nested fields: "Type.field via Query.root.way" is the object-typed field
# Type.field read through that root field and way (authz_nested_test.go).
# ok: it answered an object; narrow: it answered one, but some of its
# fields were refused (an agent's own tenant); null: it was reached and
# answered nothing; -: a field above it refused or answered nothing (that
# refusal is another line's cell). A caller who gets ok or narrow here but
# is refused at the top level (Query.tenant for a Tenant, …) needs a "# …"
# note saying whose own object it reads; anything else is a leak, to be
# fixed in graph/edgeauthz.go or the policy, never here.
`

// writeMatrixTable writes the observed rows. A cell left INTERNAL under
// -pending-ok keeps its reviewed value, or becomes PENDING; a row that did
// not run (-run named others) keeps its line.
func writeMatrixTable(path string, ops []*matrixOp, got map[string]map[string]string, old map[string]*matrixLine) error {
	var names []string
	width := 0
	for _, op := range ops {
		names = append(names, op.Name)
		width = max(width, len(op.Name))
	}
	// Root fields first, then the nested lines by the way to them, so that
	// everything read through one root field stands together.
	key := func(name string) string {
		if field, way, ok := strings.Cut(name, " via "); ok {
			return "~" + way + " " + field
		}
		return name
	}
	sort.Slice(names, func(i, j int) bool { return key(names[i]) < key(names[j]) })
	var b strings.Builder
	b.WriteString(matrixTableHeader)
	nested := false
	for _, name := range names {
		if strings.Contains(name, " via ") && !nested {
			nested = true
			b.WriteString("\n" + matrixNestedHeader)
		}
		row := got[name]
		if row == nil && old[name] != nil {
			row = old[name].cells
		}
		if row == nil {
			return fmt.Errorf("no answers for %s, and no line to keep", name)
		}
		line := fmt.Sprintf("%-*s", width, name)
		for _, c := range matrixCallers {
			o := row[c]
			if o == outcomeInternal {
				o = outcomePending
				if l := old[name]; l != nil && l.cells[c] != "" {
					o = l.cells[c]
				}
			}
			line += fmt.Sprintf(" %s=%-*s", c, len(outcomeUnauthenticated), o)
		}
		line = strings.TrimRight(line, " ")
		if l := old[name]; l != nil && l.note != "" {
			line += " # " + l.note
		}
		b.WriteString("\n" + line)
	}
	b.WriteString("\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
