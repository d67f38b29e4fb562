package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// DialPlan is a rule a dial number must pass under a DIAL_PLAN profile: after
// removing the stripped characters it matches the regular expression whole,
// or does so with the prefix put in front.
type DialPlan struct{ ent.Schema }

// Mixin of the DialPlan.
func (DialPlan) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "dpl"}, TenantMixin{}, TimeMixin{}}
}

// Fields of the DialPlan.
func (DialPlan) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(chars(80)),
		field.String("regular_expression").NotEmpty().MaxLen(chars(255)),
		field.String("prefix").Default("").MaxLen(chars(50)),
		field.String("stripped_chars").Default("").MaxLen(chars(128)),
		field.Bool("active").Default(true),
	}
}

// Edges of the DialPlan.
func (DialPlan) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("agent_profiles", AgentProfile.Type).Ref("dial_plans"),
	}
}

// Indexes of the DialPlan.
func (DialPlan) Indexes() []ent.Index {
	return []ent.Index{
		// Names are unique in a tenant; provisioning looks plans up by name.
		index.Fields("tenant_id", "name").Unique(),
	}
}
