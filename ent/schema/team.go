package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Team groups agents. Its type is fixed at creation: an AGENT team has
// members who pick it at station login; a CAPACITY team has none.
type Team struct{ ent.Schema }

// Mixin of the Team.
func (Team) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "tea"}, TenantMixin{}, TimeMixin{}}
}

// Fields of the Team.
func (Team) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(chars(80)),
		field.Enum("type").Values("AGENT", "CAPACITY").Default("AGENT").Immutable(),
		// For CAPACITY teams: how many parallel contacts the team takes.
		field.Int("capacity").Optional().Nillable().Range(1, 100000),
	}
}

// Edges of the Team.
func (Team) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("members", User.Type).Through("memberships", TeamMember.Type),
	}
}

// Indexes of the Team.
func (Team) Indexes() []ent.Index {
	return []ent.Index{
		// Names are unique in a tenant; provisioning looks teams up by name.
		index.Fields("tenant_id", "name").Unique(),
	}
}
