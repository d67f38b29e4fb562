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

// DesktopSession is an agent's signed-in desktop: the station chosen at
// station login, the team, the availability state, and the browser tab that
// holds it. An agent has at most one active session; a number or extension
// is held by at most one active session in a tenant. Both rules are partial
// unique indexes, so two concurrent logins cannot both win.
type DesktopSession struct{ ent.Schema }

// Mixin of the DesktopSession.
func (DesktopSession) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "dsk"}, TenantMixin{}}
}

// Fields of the DesktopSession.
func (DesktopSession) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").Immutable(),
		// The sign-in session (bearer token) that logged the station in;
		// sign-out revokes it.
		field.String("auth_session_id").Default(""),
		// The browser tab that holds the session now.
		field.String("client_id").NotEmpty().MaxLen(128),
		// Tabs the session was taken over from: their next call is told so.
		field.Strings("superseded_client_ids").Optional(),
		field.Enum("role").GoType(policy.Role("")).Default(string(policy.Agent)),
		field.Enum("station_type").GoType(station.Type("")),
		// E.164, for DIAL_NUMBER.
		field.String("dial_number").Optional().Nillable().MaxLen(16),
		field.String("extension").Optional().Nillable().MaxLen(10),
		// "webrtc-<agentId>" for DESKTOP, as the media platform names it.
		field.String("device_id").Optional().Nillable(),
		field.String("team_id"),
		field.Enum("state").GoType(station.AgentState("")).Default(string(station.Idle)),
		field.String("idle_code").Default("").MaxLen(chars(80)),
		field.Time("state_changed_at"),
		field.Time("started_at").Immutable(),
		field.Time("last_activity_at"),
		field.Time("inactivity_warned_at").Optional().Nillable(),
		field.Time("ended_at").Optional().Nillable(),
		// "User requested logout", "Inactivity Logout", a forced reason (≤ 128).
		field.String("end_reason").Default("").MaxLen(chars(128)),
	}
}

// Edges of the DesktopSession.
func (DesktopSession) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable().Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.From("interactions", Interaction.Type).Ref("desktop_session"),
	}
}

// Indexes of the DesktopSession.
func (DesktopSession) Indexes() []ent.Index {
	active := entsql.IndexWhere("ended_at IS NULL")
	return []ent.Index{
		// One active desktop session per agent; station login and every
		// desktop call look it up by user.
		index.Fields("user_id").Unique().Annotations(active).StorageKey("desktopsession_active_user"),
		// A dial number is held by one active session in a tenant.
		index.Fields("tenant_id", "dial_number").Unique().Annotations(active).StorageKey("desktopsession_active_dial_number"),
		// An extension is held by one active session in a tenant.
		index.Fields("tenant_id", "extension").Unique().Annotations(active).StorageKey("desktopsession_active_extension"),
		// desktopSessions(tenantId) pages a tenant's active sessions by id
		// (all of them, activeOnly: false, by TenantMixin's index).
		index.Fields("tenant_id", "id").Annotations(active).StorageKey("desktopsession_active_tenant"),
		// The inactivity sweep scans active sessions by last activity.
		index.Fields("ended_at", "last_activity_at"),
	}
}
