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
	"errors"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/store"
)

// Service runs imports and applies.
type Service struct {
	Admin *admin.Service
}

// errRollBack ends a transaction that must not commit (a dry run, or a
// change with errors) without being an error for the caller.
var errRollBack = errors.New("provision: roll back")

// inTx runs fn in one transaction. When fn says commit, the audit event it
// returns is written in the same transaction; otherwise everything fn wrote
// is rolled back. Running a dry run as the real change rolled back is what
// makes its report equal to what the change would do.
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) (commit bool, ev admin.Event, err error)) error {
	err := store.WithTx(ctx, s.Admin.DB, func(tx *ent.Tx) error {
		commit, ev, err := fn(tx)
		if err != nil {
			return err
		}
		if !commit {
			return errRollBack
		}
		return admin.WriteAudit(ctx, tx.Client(), s.Admin.Now(), ev)
	})
	if errors.Is(err, errRollBack) {
		return nil
	}
	return err
}
