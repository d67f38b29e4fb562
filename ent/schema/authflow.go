package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// AuthFlow is one OAuth 2.0 / OpenID Connect authorization-code flow in
// progress: an SSO sign-in or a Microsoft Teams authentication. Its state is
// single-use and short-lived; the PKCE verifier and nonce stay server-side.
type AuthFlow struct{ ent.Schema }

// Mixin of the AuthFlow.
func (AuthFlow) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "afl"}, TenantMixin{}}
}

// Fields of the AuthFlow.
func (AuthFlow) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("SSO_SIGN_IN", "TEAMS").Immutable(),
		// SHA-256 of the state sent to the provider.
		field.String("state_hash").NotEmpty().Unique().Immutable().Sensitive(),
		field.String("nonce").NotEmpty().Immutable().Sensitive(),
		field.String("pkce_verifier").NotEmpty().Immutable().Sensitive(),
		// The agent a TEAMS flow belongs to; empty for SSO sign-in.
		field.String("user_id").Default("").Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Time("consumed_at").Optional().Nillable(),
	}
}
