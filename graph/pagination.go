package graph

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/intercept"
	"github.com/agentdesk/agentdesk/graph/model"
	"github.com/agentdesk/agentdesk/internal/apperr"
)

const (
	defaultPageSize = 20
	maxPageSize     = 100
	cursorPrefix    = "c:"
)

// page is one page of a Relay connection. IDs are time-ordered (UUIDv7), so
// paging by id pages in creation order and a cursor is just the last id.
type page[T any] struct {
	nodes   []T
	ids     []string
	hasNext bool
	total   int
}

// entQuery is what every generated ent query builder offers.
type entQuery[T any, Q any] interface {
	ent.Query
	Clone() Q
	Count(context.Context) (int, error)
	All(context.Context) ([]T, error)
}

// pageOrder is the direction paginate walks the ids in.
type pageOrder int

const (
	// oldestFirst is the default: ascending ids, creation order.
	oldestFirst pageOrder = iota
	// newestFirst walks ids descending, for logs read from the latest entry.
	// Cursors stay stable: a row added while a client pages sorts before
	// every cursor it holds, so it neither shifts nor repeats later pages.
	newestFirst
)

// paginate runs q as one page after the cursor, ordered by id (ascending
// unless order says newestFirst), and counts the whole result.
func paginate[T any, Q entQuery[T, Q]](ctx context.Context, q Q, first *int, after *string, id func(T) string, order ...pageOrder) (page[T], error) {
	desc := len(order) > 0 && order[0] == newestFirst
	n := defaultPageSize
	if first != nil {
		n = *first
	}
	if n < 0 || n > maxPageSize {
		return page[T]{}, apperr.Invalid("first", "first must be between 0 and 100")
	}
	afterID := ""
	if after != nil && *after != "" {
		var err error
		if afterID, err = decodeCursor(*after); err != nil {
			return page[T]{}, err
		}
	}
	total, err := q.Clone().Count(ctx)
	if err != nil {
		return page[T]{}, err
	}
	gq, err := intercept.NewQuery(q)
	if err != nil {
		return page[T]{}, err
	}
	switch {
	case afterID != "" && desc:
		gq.WhereP(sql.FieldLT("id", afterID))
	case afterID != "":
		gq.WhereP(sql.FieldGT("id", afterID))
	}
	if desc {
		gq.Order(sql.OrderByField("id", sql.OrderDesc()).ToFunc())
	} else {
		gq.Order(sql.OrderByField("id").ToFunc())
	}
	gq.Limit(n + 1)
	nodes, err := q.All(ctx)
	if err != nil {
		return page[T]{}, err
	}
	p := page[T]{total: total}
	if len(nodes) > n {
		p.hasNext = true
		nodes = nodes[:n]
	}
	p.nodes = nodes
	for _, node := range nodes {
		p.ids = append(p.ids, id(node))
	}
	return p, nil
}

// pageOfIDs is one page of ids already read in full and in id order (a
// team's member ids), paged like paginate pages a query. Its nodes are
// left for the caller to fill in, one per id.
func pageOfIDs[T any](ids []string, first *int, after *string) (page[T], error) {
	n := defaultPageSize
	if first != nil {
		n = *first
	}
	if n < 0 || n > maxPageSize {
		return page[T]{}, apperr.Invalid("first", "first must be between 0 and 100")
	}
	p := page[T]{total: len(ids)}
	if after != nil && *after != "" {
		afterID, err := decodeCursor(*after)
		if err != nil {
			return page[T]{}, err
		}
		i, _ := slices.BinarySearch(ids, afterID)
		for i < len(ids) && ids[i] <= afterID {
			i++
		}
		ids = ids[i:]
	}
	if len(ids) > n {
		p.hasNext = true
		ids = ids[:n]
	}
	p.ids = ids
	p.nodes = make([]T, len(ids))
	return p, nil
}

// edges builds a connection's edges and page info with newEdge.
func edges[T any, E any](p page[T], newEdge func(cursor string, node T) E) ([]E, *model.PageInfo) {
	out := make([]E, len(p.nodes))
	info := &model.PageInfo{HasNextPage: p.hasNext}
	for i, node := range p.nodes {
		c := encodeCursor(p.ids[i])
		out[i] = newEdge(c, node)
		info.EndCursor = &c
	}
	return out, info
}

func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + id))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) || len(b) > 64 {
		return "", apperr.Invalid("after", "after is not a cursor from this API")
	}
	return strings.TrimPrefix(string(b), cursorPrefix), nil
}
