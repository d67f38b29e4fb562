package signin

import (
	"context"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/session"
)

// RevokeSession ends one session token inside the caller's transaction
// (desktop sign-out, forced sign-out), so the revocation commits with the
// change that causes it. Revoking a revoked session changes nothing.
func RevokeSession(ctx context.Context, db *ent.Client, sessionID string, at time.Time, reason string) error {
	return db.Session.Update().
		Where(session.ID(sessionID), session.RevokedAtIsNil()).
		SetRevokedAt(at).SetRevokedReason(truncate(reason, 128)).
		Exec(ctx)
}
