package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/provision"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/policy"
)

// BenchmarkImportInvitations writes one full chunk — 5,000 new users in
// one transaction, as `agentdesk import users --database` does — without
// and with invitations, side by side in one run. With them, each created
// user also gets a code (HMAC-stored) and a welcome message in the mail
// outbox, in the same transaction; nothing is sent during the import (the
// server's mail worker sends after the commit), so the difference is all
// the invitations cost the import.
func BenchmarkImportInvitations(b *testing.B) {
	if storetest.Dialect() != "sqlite3" {
		b.Log("on PostgreSQL")
	}
	text := usersCSV("inv", provision.MaxImportRows, nil)
	for _, c := range []struct {
		name   string
		invite bool
	}{{"plain", false}, {"invite", true}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dbURL := importTenant(b, "inv")
				off, err := agentdesk.OpenOffline(context.Background(), agentdesk.Config{DatabaseURL: dbURL, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				ctx := policy.WithViewer(context.Background(), &policy.Viewer{UserID: "bench", Role: policy.PlatformAdmin})
				tn, err := off.DB.Client.Tenant.Query().Where(tenant.Slug("inv")).Only(ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				rep, err := off.Provision.ImportUsers(ctx, tn.ID, text, provision.Options{Invite: c.invite})
				b.StopTimer()
				off.Close()
				if err != nil || rep.Created != provision.MaxImportRows || (c.invite && rep.Invited != provision.MaxImportRows) {
					b.Fatalf("import: %+v %v", rep, err)
				}
				b.StartTimer()
			}
		})
	}
}
