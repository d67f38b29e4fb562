package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// PasswordResetCode is a six-digit code sent by e-mail, stored as an HMAC.
// It is consumed with a conditional update so two submits cannot both win.
type PasswordResetCode struct{ ent.Schema }

// Mixin of the PasswordResetCode.
func (PasswordResetCode) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "prc"}}
}

// Fields of the PasswordResetCode.
func (PasswordResetCode) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").Immutable(),
		field.String("code_mac").NotEmpty().Immutable().Sensitive(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Int("attempts_left"),
		// Set when used, or when a newer request voids it.
		field.Time("consumed_at").Optional().Nillable(),
	}
}

// Edges of the PasswordResetCode.
func (PasswordResetCode) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the PasswordResetCode.
func (PasswordResetCode) Indexes() []ent.Index {
	return []ent.Index{
		// resetPassword finds the user's live code; requests count recent ones.
		index.Fields("user_id", "consumed_at"),
	}
}
