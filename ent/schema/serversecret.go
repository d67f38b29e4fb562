package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// ServerSecret is a random secret the server makes for itself on first start
// and keeps across restarts, for settings an operator did not configure
// (the key of the password-reset code MACs when AGENTDESK_CODE_KEY is unset).
// The id is the secret's name.
type ServerSecret struct{ ent.Schema }

// Fields of the ServerSecret.
func (ServerSecret) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").NotEmpty().MaxLen(40).Immutable(),
		field.Bytes("value").NotEmpty().Immutable().Sensitive(),
		field.Time("created_at").Immutable(),
	}
}
