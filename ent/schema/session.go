package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Session is a signed-in user's bearer session token. Only its hash is
// stored. It ends at its absolute expiry, after an idle period, or when
// revoked (sign-out, password reset, deactivation, forced sign-out).
type Session struct{ ent.Schema }

// Mixin of the Session.
func (Session) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "ses"}}
}

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").Immutable(),
		// SHA-256 of the token; the bearer middleware looks sessions up by it.
		field.String("token_hash").NotEmpty().Unique().Immutable().Sensitive(),
		field.Enum("method").Values("PASSWORD", "SSO").Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("last_seen_at"),
		field.Time("expires_at").Immutable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.String("revoked_reason").Optional().MaxLen(chars(128)),
		field.String("client_addr").Default("").MaxLen(64).Immutable(),
		field.String("user_agent").Default("").MaxLen(512).Immutable(),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{
		// Revoking all of a user's sessions (reset, deactivation).
		index.Fields("user_id", "revoked_at"),
	}
}
