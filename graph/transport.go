package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// The HTTP side of /graphql, in front of gqlgen's transports: which
// requests reach them, how much of a body is read, and every refusal as a
// small JSON error with extensions.code (the contract promises a code on
// every error; gqlgen's transports answer some refusals with a bare
// message, and its JSON transport echoed a malformed body whole).

// maxRefusalMessage bounds the message of a transport refusal.
const maxRefusalMessage = 200

// gateway checks method, media type and body size, then hands the request
// to gqlgen. It runs after authentication, so the body cap follows the
// caller (Limits.bodyCap).
type gateway struct {
	gql    http.Handler
	limits Limits
	policy *policy.Enforcer
}

func (g gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") != "" {
		// graphql-ws: messages, not a request body.
		g.gql.ServeHTTP(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodOptions:
	case http.MethodPost:
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/json" && mt != "multipart/form-data" {
			sendTransportError(w, http.StatusUnsupportedMediaType,
				"a GraphQL request is POSTed as application/json (multipart/form-data for uploads)")
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		sendTransportError(w, http.StatusMethodNotAllowed, "use POST (or GET for queries)")
		return
	}
	max := g.limits.bodyCap(g.policy, policy.ViewerFrom(r.Context()))
	if r.ContentLength > max {
		sendTransportError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %s", byteSize(max)))
		return
	}
	b := &requestBody{max: max}
	if r.Body != nil {
		r.Body = &cappedBody{ReadCloser: http.MaxBytesReader(w, r.Body, max), b: b}
	}
	rw := &refusalWriter{ResponseWriter: w, body: b}
	g.gql.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), requestBodyKey{}, b)))
	rw.finish()
}

// requestBody is what /graphql knows of the request body while gqlgen
// reads it.
type requestBody struct {
	max      int64 // the caller's cap
	read     int64 // bytes read so far
	exceeded bool  // the reader stopped at max
	// status, when set, is the HTTP status of the answer (an operation
	// refused for its body size after parsing: 413).
	status int
}

type requestBodyKey struct{}

func bodyFrom(ctx context.Context) *requestBody {
	b, _ := ctx.Value(requestBodyKey{}).(*requestBody)
	return b
}

// cappedBody counts what is read and notes when the cap stopped it.
type cappedBody struct {
	io.ReadCloser
	b *requestBody
}

func (c *cappedBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.b.read += int64(n)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		c.b.exceeded = true
	}
	return n, err
}

// refusalWriter holds back an answer with a status of 400 or more and,
// when it is done, sends it as a coded error of at most a few hundred
// bytes: gqlgen's multipart and GET transports refuse with a bare message.
// A body stopped at its cap answers 413 whatever the transport made of it.
type refusalWriter struct {
	http.ResponseWriter
	body    *requestBody
	status  int
	held    bytes.Buffer
	holding bool
}

func (w *refusalWriter) WriteHeader(status int) {
	if w.status != 0 {
		return
	}
	switch {
	case w.body.exceeded:
		status = http.StatusRequestEntityTooLarge
	case w.body.status != 0 && status < 400:
		status = w.body.status
	}
	w.status = status
	if status >= 400 {
		w.holding = true
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *refusalWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.holding {
		if w.held.Len() < 64<<10 {
			w.held.Write(p)
		}
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

func (w *refusalWriter) finish() {
	if !w.holding {
		return
	}
	var res struct {
		Errors []*gqlerror.Error `json:"errors"`
	}
	_ = json.Unmarshal(w.held.Bytes(), &res)
	if len(res.Errors) == 0 {
		res.Errors = []*gqlerror.Error{{Message: http.StatusText(w.status)}}
	}
	for _, e := range res.Errors {
		if w.status == http.StatusRequestEntityTooLarge && w.body.exceeded {
			e.Message = fmt.Sprintf("the request body is over %s", byteSize(w.body.max))
		}
		e.Message = shorten(e.Message)
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		if _, ok := e.Extensions["code"].(string); !ok || e.Extensions["code"] == errcode.ValidationFailed || e.Extensions["code"] == errcode.ParseFailed {
			e.Extensions["code"] = string(apperr.Validation)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Del("Content-Length")
	w.ResponseWriter.WriteHeader(w.status)
	_ = json.NewEncoder(w.ResponseWriter).Encode(res)
}

func shorten(msg string) string {
	if len(msg) <= maxRefusalMessage {
		return msg
	}
	return strings.ToValidUTF8(msg[:maxRefusalMessage], "") + "…"
}

// jsonPOST is gqlgen's POST transport with two changes: a body that does
// not decode is answered with a short message (gqlgen's echoed the body
// whole), and a body stopped at its cap with 413.
type jsonPOST struct{}

var _ graphql.Transport = jsonPOST{}

func (jsonPOST) Supports(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && r.Header.Get("Upgrade") == "" && mt == "application/json"
}

func (jsonPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	w.Header().Set("Content-Type", "application/json")
	start := graphql.Now()
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			sendTransportError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %s", byteSize(tooLarge.Limit)))
			return
		}
		sendTransportError(w, http.StatusBadRequest, "the request body could not be read")
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		sendTransportError(w, http.StatusBadRequest, shorten(
			`the body is not a GraphQL request ({"query": "…", "variables": {…}} as one JSON object): `+err.Error()))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	oc, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity
		}
		w.WriteHeader(status)
		writeJSON(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeJSON(w, responses(ctx))
}

func writeJSON(w io.Writer, res *graphql.Response) {
	b, err := json.Marshal(res)
	if err != nil {
		// Data is raw JSON gqlgen made; it always marshals.
		panic(fmt.Errorf("marshal a GraphQL response: %w", err))
	}
	_, _ = w.Write(b)
}

// byteSize writes a cap for people: 64 KiB, 1 MiB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
