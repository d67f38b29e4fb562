package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/graph/model"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/provision"
)

// userUpdate turns the GraphQL input, which tells an omitted field from a
// null one, into admin's plain update.
func userUpdate(in model.UpdateUserInput) admin.UserUpdate {
	return admin.UserUpdate{
		Name: in.Name, Role: in.Role, Active: in.Active, ContactCenterEnabled: in.ContactCenterEnabled,
		AgentProfileID:    clearable(in.AgentProfileID),
		TeamIDs:           in.TeamIds,
		DefaultDialNumber: clearable(in.DefaultDialNumber),
		DefaultExtension:  clearable(in.DefaultExtension),
		SkillProfileID:    clearable(in.SkillProfileID),
	}
}

func clearable(o graphql.Omittable[*string]) admin.Clearable {
	v, set := o.ValueOK()
	if !set {
		return admin.Clearable{}
	}
	return admin.Clearable{Set: true, Value: v}
}

// optional turns ent's not-found on an optional edge into null.
func optional[T any](v *T, err error) (*T, error) {
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

// isSet is an optional Boolean argument's value, false when left out.
func isSet(b *bool) bool { return b != nil && *b }

func importResult(res *provision.ImportReport) *model.ImportResult {
	out := &model.ImportResult{Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged, Invited: res.Invited,
		Failed: res.Failed, DryRun: res.DryRun, Errors: make([]*model.ImportError, len(res.Errors))}
	for i, e := range res.Errors {
		out.Errors[i] = &model.ImportError{Row: e.Row, Message: e.Message}
		if e.Field != "" {
			field := e.Field
			out.Errors[i].Field = &field
		}
	}
	return out
}
