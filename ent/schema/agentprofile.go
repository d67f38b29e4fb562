package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/agentdesk/agentdesk/internal/station"
)

// AgentProfile is a desktop profile: which station types its agents may use
// and how their dial numbers are validated.
type AgentProfile struct{ ent.Schema }

// Mixin of the AgentProfile.
func (AgentProfile) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "apr"}, TenantMixin{}, TimeMixin{}}
}

// Fields of the AgentProfile.
func (AgentProfile) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(chars(80)),
		field.String("description").Default("").MaxLen(chars(255)),
		// Subset of the tenant's station types.
		field.JSON("login_voice_options", []station.Type{}),
		field.Enum("dial_number_validation").Values("ANY_FORMAT", "DIAL_PLAN", "PROVISIONED_VALUE").Default("ANY_FORMAT"),
		field.Bool("auto_answer").Default(false),
	}
}

// Edges of the AgentProfile.
func (AgentProfile) Edges() []ent.Edge {
	return []ent.Edge{
		// The plans a DIAL_PLAN profile checks numbers against.
		edge.To("dial_plans", DialPlan.Type),
		edge.From("users", User.Type).Ref("agent_profile"),
	}
}

// Indexes of the AgentProfile.
func (AgentProfile) Indexes() []ent.Index {
	return []ent.Index{
		// Names are unique in a tenant; provisioning looks profiles up by name.
		index.Fields("tenant_id", "name").Unique(),
	}
}
