package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"

	"github.com/agentdesk/agentdesk/policy"
)

// APIToken lets automation call the API with a role in one tenant. Only the
// token's hash is stored; the token itself is shown once at creation.
type APIToken struct{ ent.Schema }

// Mixin of the APIToken.
func (APIToken) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "tok"}, TenantMixin{}}
}

// Fields of the APIToken.
func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		// At most 80 characters, checked by the admin service; MaxLen counts
		// bytes, so it allows 80 characters of up to 4 bytes each.
		field.String("name").NotEmpty().MaxLen(4 * 80),
		// TENANT_ADMIN, SUPERVISOR or INTEGRATION; never PLATFORM_ADMIN.
		field.Enum("role").GoType(policy.Role("")),
		// SHA-256 of the token; the bearer middleware looks tokens up by it.
		field.String("token_hash").NotEmpty().Unique().Sensitive(),
		field.String("created_by").Default(""),
		field.Time("created_at").Immutable().Default(time.Now),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}
