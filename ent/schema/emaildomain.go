package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// EmailDomain is one e-mail domain whose addresses sign in to a tenant. A
// domain belongs to at most one tenant, which is how sign-in finds the tenant
// from an e-mail address.
type EmailDomain struct{ ent.Schema }

// Mixin of the EmailDomain.
func (EmailDomain) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "dom"}, TenantMixin{}}
}

// Fields of the EmailDomain.
func (EmailDomain) Fields() []ent.Field {
	return []ent.Field{
		// Lower-case, no trailing dot. Unique across tenants: signInOptions
		// looks the tenant up by it.
		field.String("domain").NotEmpty().MaxLen(253).Unique(),
	}
}
