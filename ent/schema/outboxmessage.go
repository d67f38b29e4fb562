package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// OutboxMessage is an e-mail waiting to be sent. It is inserted in the same
// transaction as the change that causes it and drained by the mail worker,
// so a message is neither sent for a rolled-back change nor lost on a crash.
type OutboxMessage struct{ ent.Schema }

// Mixin of the OutboxMessage.
func (OutboxMessage) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "msg"}}
}

// Fields of the OutboxMessage.
func (OutboxMessage) Fields() []ent.Field {
	return []ent.Field{
		field.String("to").NotEmpty().MaxLen(254),
		field.String("subject").NotEmpty().MaxLen(998),
		// Bodies may hold one-time codes: never logged.
		field.Text("text_body").Sensitive(),
		field.Text("html_body").Default("").Sensitive(),
		field.Time("created_at").Immutable(),
		field.Time("next_attempt_at"),
		field.Int("attempts").Default(0),
		field.Time("sent_at").Optional().Nillable(),
		// Set when the worker gave up.
		field.Time("failed_at").Optional().Nillable(),
		field.String("last_error").Default("").MaxLen(1000),
	}
}

// Indexes of the OutboxMessage.
func (OutboxMessage) Indexes() []ent.Index {
	return []ent.Index{
		// The worker asks for unsent messages that are due.
		index.Fields("sent_at", "failed_at", "next_attempt_at"),
	}
}
