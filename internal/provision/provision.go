// Package provision owns bulk provisioning: importing a tenant's users from
// CSV (importUsers) and applying a whole-tenant spec (applyTenant). It adds
// no rules of its own for what it writes: tenants, profiles, dial plans,
// teams, skill profiles and users are checked and written by internal/admin,
// the same code the single-object operations use. What lives here is the
// reading of the inputs, the name look-ups, the all-or-nothing transaction
// and the report.
package provision

import (
	"context"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/admin"
)

// Service runs imports and applies.
type Service struct {
	Admin *admin.Service
}

// Options are how an import or an apply runs.
type Options struct {
	// DryRun reports what the change would do and writes nothing.
	DryRun bool
	// Invite mails each user the change creates an invitation to set its
	// password (admin.Service.WriteUserPlan); users of SSO tenants need none.
	Invite bool
	// Prune (applyTenant only) deletes the dial plans, profiles, skill
	// profiles and teams a spec leaves out and deactivates its users that
	// it leaves out (see pruneUsers).
	Prune bool
}

// inTx runs fn as one audited change (admin.Audited): a dry run, or a
// change with errors, says not to commit and keeps nothing.
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) (commit bool, ev admin.Event, err error)) error {
	return admin.Audited(ctx, s.Admin.DB, s.Admin.Now, fn)
}
