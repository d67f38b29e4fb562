package graph

import (
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// preflightHeaders are the headers that make a multipart request one a
// browser sends only after a CORS preflight. Either one, with any value, will
// do: a plain HTML form can set neither.
var preflightHeaders = []string{"X-Requested-With", "Apollo-Require-Preflight"}

// preflightedMultipart is gqlgen's multipart transport (file uploads) that
// first refuses requests without a preflight header. multipart/form-data is
// a "simple" content type, so without this check any web page could make an
// admin's browser upload artwork in their name (CSRF); with it the browser
// must ask first, and the server grants no cross-origin preflight.
type preflightedMultipart struct {
	transport.MultipartForm
}

var _ graphql.Transport = preflightedMultipart{}

func (t preflightedMultipart) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if !hasPreflightHeader(r) {
		sendTransportError(w, http.StatusBadRequest, "multipart requests must carry an X-Requested-With or Apollo-Require-Preflight header")
		return
	}
	// gqlgen refuses an oversized declared length too, but without a code.
	if max := t.MaxUploadSize; max > 0 && r.ContentLength > max {
		sendTransportError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request must be at most %d MiB", max>>20))
		return
	}
	t.MultipartForm.Do(w, r, exec)
}

func hasPreflightHeader(r *http.Request) bool {
	for _, h := range preflightHeaders {
		if _, ok := r.Header[http.CanonicalHeaderKey(h)]; ok {
			return true
		}
	}
	return false
}

// sendTransportError answers before execution, where the error presenter
// does not run, in the same shape: a GraphQL error with a contract code.
func sendTransportError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	transport.SendError(w, status, &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(apperr.Validation)}})
}
