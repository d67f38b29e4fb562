package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/store"
)

type requestIDKey struct{}

// WithRequestID stores the request id that errors and logs carry.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// AsAppError maps any error to the contract: an *apperr.Error as it is,
// ent's storage errors to their codes, anything else to nil (internal).
// This is the one place storage errors become API codes.
func AsAppError(err error) *apperr.Error {
	if e, ok := apperr.As(err); ok {
		return e
	}
	if v, ok := store.AsViolation(err); ok {
		// The engines' own verdicts, in the same words on SQLite and
		// PostgreSQL (store.AsViolation); the domain packages map the
		// indexes they expect (a dial number in use) to their own codes
		// before the error gets here.
		switch v.Kind {
		case store.InvalidValue:
			return apperr.New(apperr.Validation, "a value cannot be stored (for example it contains a NUL character)")
		case store.Contention:
			return apperr.New(apperr.Conflict, "the database was busy with other changes; try again")
		default:
			return apperr.New(apperr.Conflict, "this conflicts with an existing record")
		}
	}
	var ve *ent.ValidationError
	switch {
	case ent.IsNotFound(err):
		return apperr.New(apperr.NotFound, "not found")
	case errors.As(err, &ve):
		field := camel(ve.Name)
		return apperr.Invalid(field, fmt.Sprintf("%s is not valid", field))
	case ent.IsConstraintError(err):
		return apperr.New(apperr.Conflict, "this conflicts with an existing record")
	}
	return nil
}

// camel turns ent's snake_case field names into the API's camelCase.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// ErrorPresenter turns every error into one with a contract code in
// extensions.code. Unexpected errors are logged with the request id and
// reach the client as INTERNAL with nothing of their text.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := graphql.DefaultErrorPresenter(ctx, err)
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Err == nil {
			// gqlgen's own parse, validation and limit errors.
			code, _ := gqlErr.Extensions["code"].(string)
			switch code {
			case string(apperr.ComplexityLimitExceeded), string(apperr.DepthLimitExceeded), string(apperr.TooManyAttempts),
				string(apperr.Validation), string(apperr.Unauthenticated), string(apperr.Forbidden):
			default:
				// out may be gqlErr itself: read its extensions before
				// replacing them.
				ext := gqlErr.Extensions
				out.Extensions = map[string]any{"code": string(apperr.Validation)}
				for k, v := range ext {
					if k != "code" {
						out.Extensions[k] = v
					}
				}
			}
			return out
		}
		if ae := AsAppError(err); ae != nil {
			out.Message = ae.Message
			out.Extensions = map[string]any{"code": string(ae.Code)}
			for k, v := range ae.Extensions {
				out.Extensions[k] = v
			}
			if ae.Unwrap() != nil {
				log.DebugContext(ctx, "request refused", "request_id", RequestID(ctx), "code", ae.Code, "cause", ae.Unwrap())
			}
			return out
		}
		rid := RequestID(ctx)
		if errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled) {
			// The client went away mid-request: nobody reads this answer,
			// and nothing is wrong with the server.
			log.InfoContext(ctx, "request canceled by the client", "request_id", rid, "path", out.Path.String())
		} else {
			log.ErrorContext(ctx, "internal error", "request_id", rid, "path", out.Path.String(), "err", err)
		}
		out.Message = "internal error (request " + rid + ")"
		out.Extensions = map[string]any{"code": string(apperr.Internal), "requestId": rid}
		return out
	}
}

// Recover turns a resolver panic into an internal error that is logged
// with its stack by the presenter.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", RequestID(ctx), "panic", v, "stack", string(debug.Stack()))
		return fmt.Errorf("panic: %v", v)
	}
}
