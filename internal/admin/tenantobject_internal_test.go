package admin

import (
	"testing"

	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
)

// TestUniqueNameErr: when the unique (tenant_id, name) index refuses a
// write the check before it missed, the answer is the same CONFLICT on
// name; other constraint errors (a foreign key) are left alone.
func TestUniqueNameErr(t *testing.T) {
	ctx := t.Context()
	db := storetest.Open(t)
	tn := db.Client.Tenant.Create().SetName("A").SetSlug("aa").SetStationTypes([]station.Type{station.Extension}).SaveX(ctx)
	db.Client.Team.Create().SetTenantID(tn.ID).SetName("Sales").SetType(team.TypeAGENT).ExecX(ctx)

	// Written without the check, as a writer racing the check would.
	err := db.Client.Team.Create().SetTenantID(tn.ID).SetName("Sales").SetType(team.TypeAGENT).Exec(ctx)
	if e, ok := apperr.As(uniqueNameErr(err, "team", "Sales")); !ok || e.Code != apperr.Conflict || e.Extensions["field"] != "name" {
		t.Fatalf("unique violation %v became %v", err, uniqueNameErr(err, "team", "Sales"))
	}
	err = db.Client.Team.Create().SetTenantID("ten_missing").SetName("Sales").SetType(team.TypeAGENT).Exec(ctx)
	if err == nil {
		t.Fatal("a team of a missing tenant was written")
	}
	if _, ok := apperr.As(uniqueNameErr(err, "team", "Sales")); ok {
		t.Fatalf("foreign key error %v became a CONFLICT", err)
	}
}
