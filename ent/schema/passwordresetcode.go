package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// PasswordResetCode is one password-reset request: a six-digit code sent by
// e-mail, stored as an HMAC. It is consumed with a conditional update so two
// submits cannot both win.
//
// A request for an address that gets no code (unknown, deactivated, signing
// in with SSO) still writes a row, without a user and with a MAC no code
// matches: the request and every later resetPassword then do the same work
// and give the same answers whether the account exists or not.
type PasswordResetCode struct{ ent.Schema }

// Mixin of the PasswordResetCode.
func (PasswordResetCode) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "prc"}}
}

// Fields of the PasswordResetCode.
func (PasswordResetCode) Fields() []ent.Field {
	return []ent.Field{
		// Empty for a request that matched no account that may reset.
		field.String("user_id").Optional().Nillable().Immutable(),
		// HMAC of the normalised e-mail address the request named, so rows
		// of unknown addresses do not keep the addresses attackers typed.
		field.String("email_mac").NotEmpty().Immutable().Sensitive(),
		field.String("code_mac").NotEmpty().Immutable().Sensitive(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Int("attempts_left"),
		// Set when used, or when a newer request voids it.
		field.Time("consumed_at").Optional().Nillable(),
		// An invitation: the code an admin's createUser, importUsers or
		// applyTenant (invite: true) or resendInvitation mailed to a new
		// user to set a first password, valid for days instead of minutes.
		// It is used like a reset code (resetPassword); the flag tells the
		// user's pending invitation from its reset requests.
		field.Bool("invitation").Default(false).Immutable(),
	}
}

// Edges of the PasswordResetCode.
func (PasswordResetCode) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).Field("user_id").Unique().Immutable().Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the PasswordResetCode.
func (PasswordResetCode) Indexes() []ent.Index {
	return []ent.Index{
		// resetPassword reads an address's latest request; requestPasswordReset
		// voids the live ones and counts the recent ones (the rate limit).
		index.Fields("email_mac", "created_at"),
		// The periodic clean-up deletes long-expired requests.
		index.Fields("expires_at"),
		// Deleting a user cascades to its codes; a user's invitation and the
		// station-login diagnostics read its latest invitation.
		index.Fields("user_id", "invitation", "created_at"),
	}
}
