package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuditEvent records one admin change, written in the same transaction as
// the change. It deliberately has no foreign key to its tenant: the record of
// a tenant's deletion outlives the tenant.
type AuditEvent struct{ ent.Schema }

// Mixin of the AuditEvent.
func (AuditEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "aud"}}
}

// Fields of the AuditEvent.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		// The tenant the change belongs to; empty for platform-level events.
		field.String("tenant_id").Default("").Immutable(),
		// Who: "user:<id> <email>" or "token:<id> <name>" or "system".
		field.String("actor").NotEmpty().Immutable(),
		// What: the mutation's name, e.g. "createUser".
		field.String("action").NotEmpty().Immutable(),
		field.String("target_type").Default("").Immutable(),
		field.String("target_id").Default("").Immutable(),
		field.Time("at").Immutable().Default(time.Now),
		field.String("summary").Default("").MaxLen(1000).Immutable(),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		// auditEvents(tenantId) pages a tenant's events newest first.
		index.Fields("tenant_id", "id"),
	}
}
