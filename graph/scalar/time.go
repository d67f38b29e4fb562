// Package scalar holds the GraphQL scalars agentdesk marshals itself, so
// that a malformed input value is the contract's VALIDATION_ERROR on its
// field rather than an unexplained internal error.
package scalar

import (
	"context"
	"io"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// MarshalTime writes a Time as gqlgen does: RFC 3339 with nanoseconds, null
// for the zero time.
func MarshalTime(t time.Time) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		graphql.MarshalTime(t).MarshalGQL(w)
		return nil
	})
}

// UnmarshalTime reads an RFC 3339 time. gqlgen's own parser returns plain
// errors, which reach clients as INTERNAL; this one names the input field.
func UnmarshalTime(ctx context.Context, v any) (time.Time, error) {
	t, err := graphql.UnmarshalTime(v)
	if err == nil {
		return t, nil
	}
	field := fieldName(ctx)
	msg := "a time must be an RFC 3339 string such as 2026-01-02T15:04:05Z"
	if field != "" {
		msg = field + " must be an RFC 3339 time such as 2026-01-02T15:04:05Z"
	}
	return time.Time{}, apperr.Invalid(field, msg)
}
