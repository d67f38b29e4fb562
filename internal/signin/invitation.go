package signin

import (
	"context"
	"slices"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/passwordresetcode"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/mail"
)

// InvitationLifetime is how long an invitation's set-password code works:
// long enough for someone who starts next week.
const InvitationLifetime = 7 * 24 * time.Hour

// invitationChunk bounds the rows of one multi-row INSERT of invitations
// (8 columns each, far below SQLite's variable limit).
const invitationChunk = 500

// Invitation is a user's pending invitation: mailed at SentAt, its code
// working until ExpiresAt.
type Invitation struct {
	SentAt    time.Time
	ExpiresAt time.Time
}

// Invite mails each of users a welcome message with a six-digit code that
// sets its first password, inside the caller's transaction on db: the code
// is a password-reset code (HMAC-stored, 5 tries, one use, consumed by
// resetPassword) that lives InvitationLifetime and is marked as an
// invitation. Earlier live codes of the users are voided, as a new reset
// request voids them. The messages go through the outbox, so they exist
// only if the change commits and are sent after it by the mail worker:
// an import of thousands of users does not wait for SMTP. Call Kick after
// the commit.
//
// Users of a tenant that signs in with SSO are skipped (they have no
// password to set); the result is the users invited.
func (s *Service) Invite(ctx context.Context, db *ent.Client, users []*ent.User) ([]*ent.User, error) {
	now := s.Now()
	invited, err := passwordUsers(ctx, db, users)
	if err != nil || len(invited) == 0 {
		return nil, err
	}
	tenantName, err := tenantNames(ctx, db, invited)
	if err != nil {
		return nil, err
	}
	for chunk := range slices.Chunk(invited, invitationChunk) {
		macs := make([]string, len(chunk))
		for i, u := range chunk {
			macs[i] = s.emailMAC(NormalizeEmail(u.Email))
		}
		err := db.PasswordResetCode.Update().
			Where(passwordresetcode.EmailMACIn(macs...), passwordresetcode.ConsumedAtIsNil()).
			SetConsumedAt(now).Exec(ctx)
		if err != nil {
			return nil, err
		}
		rows := make([]*ent.PasswordResetCodeCreate, len(chunk))
		codes := make([]string, len(chunk))
		for i, u := range chunk {
			if codes[i], err = NewCode(s.Rand); err != nil {
				return nil, err
			}
			rows[i] = db.PasswordResetCode.Create().
				SetUserID(u.ID).SetEmailMAC(macs[i]).
				SetCodeMAC(CodeMAC(s.codeKey, PurposePasswordReset, u.ID, codes[i])).
				SetCreatedAt(now).SetExpiresAt(now.Add(InvitationLifetime)).
				SetAttemptsLeft(ResetCodeAttempts).SetInvitation(true)
		}
		if err := db.PasswordResetCode.CreateBulk(rows...).Exec(ctx); err != nil {
			return nil, err
		}
		for i, u := range chunk {
			m := mail.Invitation(u.Email, u.Name, tenantName[userTenantID(u)], codes[i], InvitationLifetime)
			if err := s.Mail.Enqueue(ctx, db, m); err != nil {
				return nil, err
			}
		}
	}
	return invited, nil
}

// Kick wakes the mail worker after a change that enqueued mail committed.
func (s *Service) Kick() { s.Mail.Kick() }

// PendingInvitations are the pending invitations of userIDs by user id: the
// latest invitation of each, when it has not been used, voided or expired.
func PendingInvitations(ctx context.Context, db *ent.Client, now time.Time, userIDs []string) (map[string]Invitation, error) {
	out := map[string]Invitation{}
	for chunk := range slices.Chunk(userIDs, invitationChunk) {
		rows, err := db.PasswordResetCode.Query().
			Where(passwordresetcode.UserIDIn(chunk...), passwordresetcode.Invitation(true)).
			Order(ent.Asc(passwordresetcode.FieldCreatedAt), ent.Asc(passwordresetcode.FieldID)).
			All(ctx)
		if err != nil {
			return nil, err
		}
		latest := map[string]*ent.PasswordResetCode{}
		for _, r := range rows {
			latest[*r.UserID] = r // ascending: the last one wins
		}
		for id, r := range latest {
			if r.ConsumedAt == nil && r.ExpiresAt.After(now) && r.AttemptsLeft > 0 {
				out[id] = Invitation{SentAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
			}
		}
	}
	return out, nil
}

// passwordUsers are those of users who sign in with a password: not in a
// tenant that signs in with SSO.
func passwordUsers(ctx context.Context, db *ent.Client, users []*ent.User) ([]*ent.User, error) {
	ids := tenantIDs(users)
	sso, err := db.Tenant.Query().Where(tenant.IDIn(ids...), tenant.SSOModeEQ(tenant.SSOModeAZURE_SSO)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	var out []*ent.User
	for _, u := range users {
		if !slices.Contains(sso, userTenantID(u)) {
			out = append(out, u)
		}
	}
	return out, nil
}

// tenantNames are the names of the users' tenants by id ("" for none).
func tenantNames(ctx context.Context, db *ent.Client, users []*ent.User) (map[string]string, error) {
	ids := tenantIDs(users)
	tenants, err := db.Tenant.Query().Where(tenant.IDIn(ids...)).Select(tenant.FieldID, tenant.FieldName).All(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, t := range tenants {
		out[t.ID] = t.Name
	}
	return out, nil
}

// tenantIDs are the tenants of users, each once.
func tenantIDs(users []*ent.User) []string {
	var ids []string
	for _, u := range users {
		if u.TenantID != nil && !slices.Contains(ids, *u.TenantID) {
			ids = append(ids, *u.TenantID)
		}
	}
	return ids
}

func userTenantID(u *ent.User) string {
	if u.TenantID == nil {
		return ""
	}
	return *u.TenantID
}
