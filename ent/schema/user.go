package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/policy"
)

// User is a person who signs in: an agent, a supervisor, a tenant admin, or
// a platform admin (the only kind without a tenant).
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "usr"}, TimeMixin{}}
}

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		// Empty only for platform admins.
		field.String("tenant_id").Optional().Nillable().Immutable(),
		// Stored lower-case, so the unique index makes e-mails unique
		// case-insensitively on every database.
		field.String("email").NotEmpty().MaxLen(254).Unique(),
		field.String("name").NotEmpty().MaxLen(chars(100)),
		// INTEGRATION is a role of API tokens only; user input is checked.
		field.Enum("role").GoType(policy.Role("")),
		field.Bool("active").Default(true),
		field.Bool("contact_center_enabled").Default(true),
		// argon2id in PHC format; empty until the user sets a password.
		field.String("password_hash").Optional().Nillable().Sensitive(),
		field.Time("password_changed_at").Optional().Nillable(),
		field.String("agent_profile_id").Optional().Nillable(),
		field.String("skill_profile_id").Optional().Nillable(),
		// E.164, parsed with the tenant's default country.
		field.String("default_dial_number").Optional().Nillable().MaxLen(16),
		field.String("default_extension").Optional().Nillable().MaxLen(10),
		field.Enum("teams_auth_status").GoType(station.TeamsAuthStatus("")).Default(string(station.TeamsNotStarted)),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	cascade := entsql.OnDelete(entsql.Cascade)
	return []ent.Edge{
		edge.To("tenant", Tenant.Type).Field("tenant_id").Unique().Immutable().Annotations(cascade),
		edge.To("agent_profile", AgentProfile.Type).Field("agent_profile_id").Unique(),
		edge.To("skill_profile", SkillProfile.Type).Field("skill_profile_id").Unique(),
		edge.From("teams", Team.Type).Ref("members"),
		edge.From("sessions", Session.Type).Ref("user"),
		edge.From("reset_codes", PasswordResetCode.Type).Ref("user"),
		edge.To("remembered_station", RememberedStation.Type).Unique().Annotations(cascade),
		edge.From("desktop_sessions", DesktopSession.Type).Ref("user"),
	}
}

// Indexes of the User.
func (User) Indexes() []ent.Index {
	return []ent.Index{
		// users(tenantId) pages a tenant's users by id, and
		// users(tenantId, role) those of one role: each page reads its
		// rows in order instead of sorting the tenant's users.
		index.Fields("tenant_id", "id"),
		index.Fields("tenant_id", "role", "id"),
		// A default dial number belongs to one user of a tenant (NULLs are
		// distinct, so users without one do not collide).
		index.Fields("tenant_id", "default_dial_number").Unique(),
		// "Deleting a profile in use" asks whether any user holds it.
		index.Fields("agent_profile_id"),
	}
}
