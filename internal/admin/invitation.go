package admin

import (
	"context"
	"fmt"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/policy"
)

// Inviter mails invitations: a welcome message with a code that sets the
// first password (signin.Service). Invite runs in the caller's transaction
// and returns the users it invited (not those of SSO tenants); Kick sends
// the mail after the commit.
type Inviter interface {
	Invite(ctx context.Context, db *ent.Client, users []*ent.User) ([]*ent.User, error)
	Kick()
}

// errNoInviter answers invite: true where the service was built without
// mail (a tool that has no outbox).
func errNoInviter() error {
	return apperr.Invalid("invite", "This agentdesk cannot send invitations (no mail is configured here); leave invite out and use resendInvitation on the server.")
}

// WriteUserPlan stores plan's users (WriteUsers) in the caller's
// transaction and, when invite is set, invites the users it created. It
// returns what was written and how many were invited; after the commit,
// call KickMail.
func (s *Service) WriteUserPlan(ctx context.Context, db *ent.Client, tenantID string, plan *UserPlan, invite bool) ([]WrittenUser, int, error) {
	if invite && s.Invitations == nil {
		return nil, 0, errNoInviter()
	}
	written, err := WriteUsers(ctx, db, tenantID, s.Now(), plan.Writes)
	if err != nil || !invite {
		return written, 0, err
	}
	var created []*ent.User
	for _, w := range written {
		if w.Outcome == Created {
			created = append(created, w.User)
		}
	}
	invited, err := s.Invitations.Invite(ctx, db, created)
	return written, len(invited), err
}

// KickMail sends the mail a committed change enqueued.
func (s *Service) KickMail() {
	if s.Invitations != nil {
		s.Invitations.Kick()
	}
}

// ResendInvitation mails a user a new invitation, voiding its earlier
// codes: for someone whose invitation expired or was lost. Only a user
// who has no password yet, is active and signs in with a password can be
// invited.
func (s *Service) ResendInvitation(ctx context.Context, userID string) (*ent.User, error) {
	if _, err := s.loadUser(ctx, policy.UserWrite, userID); err != nil {
		return nil, err
	}
	if s.Invitations == nil {
		return nil, errNoInviter()
	}
	var out *ent.User
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		db := tx.Client()
		u, err := db.User.Get(ctx, userID)
		if err != nil {
			return Event{}, loadErr(err)
		}
		switch {
		case !u.Active:
			return Event{}, apperr.Invalid("userId", "The user is deactivated; reactivate it with updateUser before inviting it.")
		case u.PasswordHash != nil:
			return Event{}, apperr.Invalid("userId", "The user has a password already; if it is forgotten, the user asks for a reset code (requestPasswordReset).")
		}
		invited, err := s.Invitations.Invite(ctx, db, []*ent.User{u})
		if err != nil {
			return Event{}, err
		}
		if len(invited) == 0 {
			return Event{}, apperr.Invalid("userId", "The user's organisation signs in with SSO: there is no password to set and nothing to invite to.")
		}
		out = u
		return Event{TenantID: userTenant(u), Action: "resendInvitation", TargetType: "User", TargetID: u.ID,
			Summary: fmt.Sprintf("invited %s again", u.Email)}, nil
	})
	if err != nil {
		return nil, err
	}
	s.KickMail()
	return out, nil
}

// PendingInvitations are the pending invitations of users by user id (see
// signin.PendingInvitations); the users were authorized by the caller.
func (s *Service) PendingInvitations(ctx context.Context, userIDs []string) (map[string]signin.Invitation, error) {
	return signin.PendingInvitations(ctx, s.DB, s.Now(), userIDs)
}

// canSignIn is the diagnostics' check that the user has a way to sign in:
// a password, the organisation's SSO, or an invitation not yet used.
func (s *Service) canSignIn(ctx context.Context, u *ent.User, t *ent.Tenant) (bool, string, error) {
	switch {
	case t.SSOMode == tenant.SSOModeAZURE_SSO:
		return true, "The user signs in with the organisation's SSO; no password is needed.", nil
	case u.PasswordHash != nil:
		return true, "The user has a password.", nil
	}
	pending, err := s.PendingInvitations(ctx, []string{u.ID})
	if err != nil {
		return false, "", err
	}
	if inv, ok := pending[u.ID]; ok {
		return true, fmt.Sprintf("The user has no password yet; the invitation sent %s works until %s.",
			inv.SentAt.UTC().Format("2006-01-02 15:04 MST"), inv.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")), nil
	}
	return false, "The user has no password and no pending invitation, so cannot sign in: send one with resendInvitation, or the user asks for a reset code (requestPasswordReset).", nil
}
