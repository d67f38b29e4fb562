// Package schema holds the ent schema of agentdesk: one file per entity, and
// the mixins every tenant-owned entity shares.
package schema

import (
	"strings"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"
	"github.com/google/uuid"
)

// NewID returns an opaque, time-ordered identifier with a type prefix
// ("usr_0190…"). Time order (UUIDv7) keeps b-tree inserts local and lets
// cursors page in creation order; the prefix makes IDs in logs readable.
func NewID(prefix string) string {
	return prefix + "_" + strings.ReplaceAll(uuid.Must(uuid.NewV7()).String(), "-", "")
}

// chars is the byte limit of a text the API limits to n characters: ent
// counts bytes, and a character takes up to 4 in UTF-8. The API checks the
// character count; this bound only backs it up.
func chars(n int) int { return 4 * n }

// IDMixin gives an entity an opaque string ID with a type prefix.
type IDMixin struct {
	mixin.Schema
	Prefix string
}

// Fields of the IDMixin.
func (m IDMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").
			Immutable().
			NotEmpty().
			MaxLen(40).
			DefaultFunc(func() string { return NewID(m.Prefix) }),
	}
}

// TimeMixin records when a row was created and last updated. The clock is the
// application's: callers that need a controlled time set the fields.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Immutable().Default(time.Now),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now),
	}
}

// TenantMixin makes an entity owned by one tenant: a required, immutable
// tenant_id with its edge, indexed because every list query filters by it.
type TenantMixin struct{ mixin.Schema }

// Fields of the TenantMixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("tenant_id").Immutable().NotEmpty(),
	}
}

// Edges of the TenantMixin.
func (TenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		// Deleting a tenant deletes what it owns.
		edge.To("tenant", Tenant.Type).Field("tenant_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the TenantMixin.
func (TenantMixin) Indexes() []ent.Index {
	return []ent.Index{
		// Every tenant-scoped list (teams, profiles, dial plans, tokens…)
		// filters by tenant and pages by id (graph/pagination.go), so a
		// page reads its rows in order instead of sorting all of them.
		index.Fields("tenant_id", "id"),
	}
}
