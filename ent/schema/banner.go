package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Banner is a notice across the top of every agent's desktop (for example
// "some features are unavailable") until an admin resolves it.
type Banner struct{ ent.Schema }

// Mixin of the Banner.
func (Banner) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "ban"}, TenantMixin{}}
}

// Fields of the Banner.
func (Banner) Fields() []ent.Field {
	return []ent.Field{
		// At most 280 characters, checked by admin.BannerMessage; MaxLen
		// counts bytes, so it allows 280 characters of up to 4 bytes each.
		field.String("message").NotEmpty().MaxLen(4 * 280),
		field.Enum("severity").Values("INFO", "WARNING").Default("INFO"),
		field.Time("created_at").Immutable().Default(time.Now),
		field.Time("resolved_at").Optional().Nillable(),
	}
}

// Indexes of the Banner.
func (Banner) Indexes() []ent.Index {
	return []ent.Index{
		// Agents see the unresolved banners of their tenant; banners(tenantId)
		// pages them by id (all of them: TenantMixin's index).
		index.Fields("tenant_id", "resolved_at", "id"),
	}
}
