package graph

import (
	"github.com/agentdesk/agentdesk/graph/model"
	"github.com/agentdesk/agentdesk/internal/admin"
)

// teamUpdate turns updateTeam's input into the admin service's: gqlgen's
// Omittable tells an omitted capacity (keep) from null (clear), and
// internal/admin knows nothing of GraphQL.
func teamUpdate(in model.UpdateTeamInput) admin.TeamUpdate {
	capacity, set := in.Capacity.ValueOK()
	return admin.TeamUpdate{Name: in.Name, SetCapacity: set, Capacity: capacity}
}
