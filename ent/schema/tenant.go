package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/agentdesk/agentdesk/internal/station"
)

// Tenant is one contact-center organisation: who signs in to it (e-mail
// domains, SSO), how its agents may connect (station types, WebRTC, dial-number
// rules) and how their desktop behaves.
type Tenant struct{ ent.Schema }

// Mixin of the Tenant.
func (Tenant) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "ten"}, TimeMixin{}}
}

// Fields of the Tenant.
func (Tenant) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(chars(100)),
		// The desktop URL an admin hands agents ends in the slug.
		field.String("slug").NotEmpty().MaxLen(40).Unique(),
		field.Enum("sso_mode").Values("NONE", "AZURE_SSO").Default("NONE"),
		field.String("sso_issuer_url").Default("").MaxLen(2048),
		field.String("sso_client_id").Default("").MaxLen(255),
		// Write-only through the API; Sensitive keeps it out of String() and logs.
		field.String("sso_client_secret").Default("").MaxLen(1024).Sensitive(),
		// Subset of DIAL_NUMBER, EXTENSION, DESKTOP.
		field.JSON("station_types", []station.Type{}),
		field.Bool("webrtc_enabled").Default(false),
		field.Bool("force_default_dial_number").Default(false),
		// ISO 3166-1 alpha-2; the base for national and IDD dial numbers.
		field.String("default_country").Default("US").MaxLen(2),
		field.Bool("remember_station_credentials").Default(true),
		field.Int("desktop_inactivity_timeout_minutes").Default(60).Range(3, 10000),
		field.Bool("teams_enabled").Default(false),
		field.String("teams_issuer_url").Default("").MaxLen(2048),
		field.String("teams_client_id").Default("").MaxLen(255),
		field.String("teams_client_secret").Default("").MaxLen(1024).Sensitive(),
		// The office egress networks (CIDRs, canonical form): sign-ins and
		// anonymous requests from inside them are not held to the
		// per-address limits (see internal/signin.TrustedNetworks).
		field.Strings("trusted_networks").Optional(),
	}
}

// Edges of the Tenant. Deleting a tenant deletes everything it owns: the
// owning edges cascade (see TenantMixin).
func (Tenant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("email_domains", EmailDomain.Type).Ref("tenant"),
		edge.From("agent_profiles", AgentProfile.Type).Ref("tenant"),
		edge.From("dial_plans", DialPlan.Type).Ref("tenant"),
		edge.From("teams", Team.Type).Ref("tenant"),
		edge.From("users", User.Type).Ref("tenant"),
		edge.From("skill_profiles", SkillProfile.Type).Ref("tenant"),
		edge.From("banners", Banner.Type).Ref("tenant"),
		edge.From("artworks", Artwork.Type).Ref("tenant"),
		edge.From("api_tokens", APIToken.Type).Ref("tenant"),
		edge.From("desktop_sessions", DesktopSession.Type).Ref("tenant"),
		edge.From("auth_flows", AuthFlow.Type).Ref("tenant"),
	}
}
