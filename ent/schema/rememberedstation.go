package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/agentdesk/agentdesk/internal/station"
)

// RememberedStation is what an agent asked the desktop to remember at the
// last station login ("Remember my credentials"), offered at the next one.
type RememberedStation struct{ ent.Schema }

// Mixin of the RememberedStation.
func (RememberedStation) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "rms"}, TimeMixin{}}
}

// Fields of the RememberedStation.
func (RememberedStation) Fields() []ent.Field {
	return []ent.Field{
		// One per agent: unique, and how stationLoginOptions finds it.
		field.String("user_id").Unique().Immutable(),
		field.Enum("station_type").GoType(station.Type("")),
		field.String("dial_number").Default("").MaxLen(43),
		field.String("extension").Default("").MaxLen(10),
		field.String("country").Default("").MaxLen(2),
		field.Bool("international_format").Default(true),
		field.String("team_id").Default(""),
	}
}

// Edges of the RememberedStation.
func (RememberedStation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("remembered_station").Field("user_id").Unique().Required().Immutable(),
	}
}
