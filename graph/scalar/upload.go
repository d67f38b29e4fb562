package scalar

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// MarshalUpload writes an Upload as gqlgen does (no field of the schema
// returns one).
func MarshalUpload(u graphql.Upload) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		graphql.MarshalUpload(u).MarshalGQL(w)
		return nil
	})
}

// UnmarshalUpload accepts only a file of a multipart request (the GraphQL
// multipart request spec): anything else in an Upload variable — a string,
// a number, an object — is a VALIDATION_ERROR naming the argument, where
// gqlgen's own parser returns a plain error that reaches clients as
// INTERNAL. Literals in the document never get here: the validation rule
// in graph/literals.go refuses them first.
func UnmarshalUpload(ctx context.Context, v any) (graphql.Upload, error) {
	if u, ok := v.(graphql.Upload); ok {
		return u, nil
	}
	field := fieldName(ctx)
	msg := "a file must be sent as a multipart upload and mapped to its variable"
	if field != "" {
		msg = field + " must be a file sent as a multipart upload and mapped to its variable"
	}
	return graphql.Upload{}, apperr.Invalid(field, msg)
}

// fieldName is the argument or input field being read, "" when unknown.
func fieldName(ctx context.Context) string {
	if pc := graphql.GetPathContext(ctx); pc != nil && pc.Field != nil {
		return *pc.Field
	}
	return ""
}
