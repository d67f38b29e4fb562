package desktop

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/desktopsession"
	"github.com/agentdesk/agentdesk/ent/interaction"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
)

// maxForceReasonLength is the product's limit for a logout reason.
const maxForceReasonLength = 128

// maxInteractionIDLength is the column's limit for the platform's id.
const maxInteractionIDLength = 128

// SessionsQuery is a tenant's desktop sessions, for supervisors and admins
// (session.read); only the active ones when activeOnly.
func (s *Service) SessionsQuery(ctx context.Context, tenantID string, activeOnly bool) (*ent.DesktopSessionQuery, error) {
	if err := admin.AuthorizeTenantList(ctx, s.Policy, s.DB, policy.SessionRead, tenantID); err != nil {
		return nil, err
	}
	q := s.DB.DesktopSession.Query().Where(desktopsession.TenantID(tenantID))
	if activeOnly {
		q = q.Where(desktopsession.EndedAtIsNil())
	}
	return q, nil
}

// ForceSignOut ends an agent's desktop session for an admin, whatever its
// state, revokes the sign-in token that holds it (the agent is signed out,
// not only logged out of the station), writes the audit event in the same
// transaction and tells the tab (FORCED_SIGN_OUT with the reason). A session
// that has already ended is returned unchanged.
func (s *Service) ForceSignOut(ctx context.Context, sessionID, reason string) (*ent.DesktopSession, error) {
	if err := policy.RequireSignedIn(ctx); err != nil {
		return nil, err
	}
	ses, err := s.DB.DesktopSession.Get(ctx, sessionID)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "not found")
	}
	if err != nil {
		return nil, err
	}
	if err := s.Policy.AuthorizeContext(ctx, policy.SessionForceSignOut, ses.TenantID); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return nil, apperr.Invalid("reason", "Give a reason for the sign-out.")
	case utf8.RuneCountInString(reason) > maxForceReasonLength:
		return nil, apperr.Invalid("reason", fmt.Sprintf("A sign-out reason has at most %d characters.", maxForceReasonLength))
	case strings.ContainsFunc(reason, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return nil, apperr.Invalid("reason", "A sign-out reason is one line of text.")
	}
	if ses.EndedAt != nil {
		return ses, nil
	}
	now := s.now()
	ended := false
	err = admin.Audited(ctx, s.DB, func() time.Time { return now }, func(tx *ent.Tx) (bool, admin.Event, error) {
		db := tx.Client()
		n, err := db.DesktopSession.Update().
			Where(desktopsession.ID(ses.ID), desktopsession.EndedAtIsNil()).
			SetEndedAt(now).SetEndReason(reason).
			Save(ctx)
		if err != nil || n == 0 {
			return false, admin.Event{}, err // n == 0: it ended meanwhile; nothing to record
		}
		if ses.AuthSessionID != "" {
			if err := signin.RevokeSession(ctx, db, ses.AuthSessionID, now, "forced sign-out: "+reason); err != nil {
				return false, admin.Event{}, err
			}
		}
		ended = true
		return true, admin.Event{
			TenantID: ses.TenantID, Action: "forceSignOut", TargetType: "DesktopSession", TargetID: ses.ID,
			Summary: fmt.Sprintf("signed out user %s from the desktop: %s", ses.UserID, reason),
		}, nil
	})
	if err != nil {
		return nil, err
	}
	if ended {
		s.Events.ToClient(ses.UserID, ses.ClientID, Event{Type: ForcedSignOut, At: now, Message: reason})
	}
	return s.DB.DesktopSession.Get(ctx, ses.ID)
}

// RecordInteractionInput is the media platform's report of an interaction.
type RecordInteractionInput struct {
	SessionID     string
	InteractionID string
	Kind          station.InteractionKind
	Active        bool
}

// RecordInteraction records (or updates, by the platform's id within the
// session) an interaction of an active desktop session, for the media
// platform's INTEGRATION token. It counts as the agent's activity.
func (s *Service) RecordInteraction(ctx context.Context, in RecordInteractionInput) (*ent.Interaction, error) {
	if err := policy.RequireSignedIn(ctx); err != nil {
		return nil, err
	}
	ses, err := s.DB.DesktopSession.Get(ctx, in.SessionID)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "not found")
	}
	if err != nil {
		return nil, err
	}
	if err := s.Policy.AuthorizeContext(ctx, policy.InteractionRecord, ses.TenantID); err != nil {
		return nil, err
	}
	switch n := utf8.RuneCountInString(in.InteractionID); {
	case strings.TrimSpace(in.InteractionID) == "":
		return nil, apperr.Invalid("interactionId", "interactionId must not be empty")
	case n > maxInteractionIDLength:
		return nil, apperr.Invalid("interactionId", fmt.Sprintf("interactionId has at most %d characters", maxInteractionIDLength))
	}
	if in.Kind != station.Conversation && in.Kind != station.Monitoring {
		return nil, apperr.Invalid("kind", "kind must be CONVERSATION or MONITORING")
	}
	var out *ent.Interaction
	err = store.WithTx(ctx, s.DB, func(tx *ent.Tx) error {
		db := tx.Client()
		now := s.now()
		// The session must still be active when the interaction is written.
		n, err := db.DesktopSession.Update().
			Where(desktopsession.ID(ses.ID), desktopsession.EndedAtIsNil()).
			SetLastActivityAt(now).
			Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NoDesktopSession, "The desktop session has ended.").With("sessionId", ses.ID)
		}
		existing, err := db.Interaction.Query().
			Where(interaction.DesktopSessionID(ses.ID), interaction.InteractionID(in.InteractionID)).
			Only(ctx)
		switch {
		case ent.IsNotFound(err):
			out, err = db.Interaction.Create().
				SetDesktopSessionID(ses.ID).
				SetInteractionID(in.InteractionID).
				SetKind(in.Kind).
				SetActive(in.Active).
				SetCreatedAt(now).
				SetUpdatedAt(now).
				Save(ctx)
			return err
		case err != nil:
			return err
		case existing.Kind != in.Kind:
			return apperr.Invalid("kind", fmt.Sprintf("interaction %s is a %s; its kind cannot change", in.InteractionID, existing.Kind))
		}
		out, err = db.Interaction.UpdateOne(existing).SetActive(in.Active).SetUpdatedAt(now).Save(ctx)
		return err
	})
	return out, err
}
