package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Skill is one skill of a skill profile with a proficiency from 0 to 10.
type Skill struct {
	Name        string `json:"name"`
	Proficiency int    `json:"proficiency"`
}

// SkillProfile is a named set of skills assigned to agents for routing.
type SkillProfile struct{ ent.Schema }

// Mixin of the SkillProfile.
func (SkillProfile) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "skp"}, TenantMixin{}, TimeMixin{}}
}

// Fields of the SkillProfile.
func (SkillProfile) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(chars(80)),
		field.JSON("skills", []Skill{}),
	}
}

// Edges of the SkillProfile.
func (SkillProfile) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("users", User.Type).Ref("skill_profile"),
	}
}

// Indexes of the SkillProfile.
func (SkillProfile) Indexes() []ent.Index {
	return []ent.Index{
		// Names are unique in a tenant; provisioning looks them up by name.
		index.Fields("tenant_id", "name").Unique(),
	}
}
