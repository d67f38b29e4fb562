package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/agentdesk/agentdesk/internal/station"
)

// Interaction is a conversation or a monitoring task on a desktop session,
// reported by the media platform (INTEGRATION role). An active one blocks
// sign-out, and it comes along when another tab takes the session over.
type Interaction struct{ ent.Schema }

// Mixin of the Interaction.
func (Interaction) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "int"}, TimeMixin{}}
}

// Fields of the Interaction.
func (Interaction) Fields() []ent.Field {
	return []ent.Field{
		field.String("desktop_session_id").Immutable(),
		// The media platform's id of the interaction.
		field.String("interaction_id").NotEmpty().MaxLen(128).Immutable(),
		field.Enum("kind").GoType(station.InteractionKind("")).Immutable(),
		field.Bool("active").Default(true),
	}
}

// Edges of the Interaction.
func (Interaction) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("desktop_session", DesktopSession.Type).Field("desktop_session_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Interaction.
func (Interaction) Indexes() []ent.Index {
	return []ent.Index{
		// recordInteraction upserts by the platform's id within a session.
		index.Fields("desktop_session_id", "interaction_id").Unique(),
	}
}
