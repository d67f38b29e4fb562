package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Artwork is the illustration an admin sets as the background of the agents'
// activities page. A tenant has at most one current artwork; replaced ones
// are deleted.
type Artwork struct{ ent.Schema }

// Mixin of the Artwork.
func (Artwork) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: "art"}, TenantMixin{}}
}

// Fields of the Artwork.
func (Artwork) Fields() []ent.Field {
	return []ent.Field{
		// Sniffed from the content, never taken from the upload's name.
		field.String("content_type").NotEmpty(),
		field.Bytes("data").MaxLen(2 << 20),
		field.Int("size"),
		// Strong ETag: hex SHA-256 of data.
		field.String("etag").NotEmpty(),
		field.Time("created_at").Immutable().Default(time.Now),
	}
}

// Indexes of the Artwork.
func (Artwork) Indexes() []ent.Index {
	return []ent.Index{
		// One current artwork per tenant.
		index.Fields("tenant_id").Unique().StorageKey("artwork_one_per_tenant"),
	}
}
