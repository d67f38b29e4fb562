package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// TeamMember is a user's membership of a team: the team_members join table
// of Team.members, declared as an entity of its own only so that it can
// carry an index (ent gives a plain many-to-many table its primary key and
// nothing else).
type TeamMember struct{ ent.Schema }

// Annotations of the TeamMember: the key is the pair, as before.
func (TeamMember) Annotations() []schema.Annotation {
	return []schema.Annotation{field.ID("team_id", "user_id")}
}

// Fields of the TeamMember.
func (TeamMember) Fields() []ent.Field {
	return []ent.Field{
		field.String("team_id").MaxLen(40),
		field.String("user_id").MaxLen(40),
	}
}

// Edges of the TeamMember.
func (TeamMember) Edges() []ent.Edge {
	cascade := entsql.OnDelete(entsql.Cascade)
	return []ent.Edge{
		edge.To("team", Team.Type).Field("team_id").Unique().Required().Annotations(cascade),
		edge.To("user", User.Type).Field("user_id").Unique().Required().Annotations(cascade),
	}
}

// Indexes of the TeamMember.
func (TeamMember) Indexes() []ent.Index {
	return []ent.Index{
		// A user's teams: User.teams (the per-request loader's
		// "team_members WHERE user_id IN (…)"), the desktop's agent teams
		// (stationLoginOptions.teams, station login) and the users filter
		// by team. The primary key (team_id, user_id) serves Team.members
		// only; without this every look-up by user scanned the table.
		index.Fields("user_id"),
	}
}
