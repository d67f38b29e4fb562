package graph

import (
	"github.com/agentdesk/agentdesk/graph/model"
)

// search is a NameFilter's search text, or "".
func search(f *model.NameFilter) string {
	if f == nil || f.Search == nil {
		return ""
	}
	return *f.Search
}
