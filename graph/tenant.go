package graph

import (
	"context"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/artwork"
	"github.com/agentdesk/agentdesk/graph/model"
)

// search is a NameFilter's search text, or "".
func search(f *model.NameFilter) string {
	if f == nil || f.Search == nil {
		return ""
	}
	return *f.Search
}

// activityPage is a tenant's activities page: the artwork's URL, or null
// when none is set.
func (r *Resolver) activityPage(ctx context.Context, tenantID string) (*model.ActivityPage, error) {
	a, err := r.DB.Artwork.Query().Where(artwork.TenantID(tenantID)).Select(artwork.FieldID, artwork.FieldEtag).Only(ctx)
	if ent.IsNotFound(err) {
		return &model.ActivityPage{}, nil
	}
	if err != nil {
		return nil, err
	}
	url := r.PublicURL + "/artwork/" + a.ID + "?v=" + a.Etag[:12]
	return &model.ActivityPage{ArtworkURL: &url}, nil
}
