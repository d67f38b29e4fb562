package signin

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	cryptorand "crypto/rand"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/authflow"
	"github.com/agentdesk/agentdesk/ent/passwordresetcode"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/mail"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
)

// The password-reset rules of the contract, and the request limits.
const (
	ResetCodeLifetime = 10 * time.Minute
	ResetCodeAttempts = 5
	// An address gets at most resetsPerWindow requests acted on per
	// resetWindow and resetsPerDay per day; beyond, a request is answered
	// as usual and changes nothing. With 5 tries a code, the daily cap
	// keeps a guesser below 50 tries a day in a million codes.
	resetsPerWindow = 3
	resetWindow     = 15 * time.Minute
	resetsPerDay    = 10
	// resetQueueLen bounds the requests waiting for Run; beyond, requests
	// are dropped (and logged), never blocking the answer.
	resetQueueLen = 1024
)

// purposeResetAddress binds the MAC of the address a reset request names.
const purposeResetAddress = "password-reset-address"

// RequestPasswordReset asks for a reset code to be mailed to email. It
// returns at once and tells nothing: the request is handed to Run, which
// does the same database work for every address (see processReset), so
// neither the answer nor its time depends on whether the account exists,
// and mail goes out through the outbox after the commit.
//
// Requests from one client address beyond ResetRequestThrottle, and
// requests that find the queue full, are dropped and logged; the caller
// still answers true, as the contract asks.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, c Client) {
	ctx = policy.System(ctx, "password reset: nobody is signed in")
	email = NormalizeEmail(email)
	if _, ok := emailDomain(email); !ok {
		return
	}
	if !c.Trusted {
		wait, err := s.Throttles.ResetRequest.Attempt(ctx, s.Throttles.ResetRequest.Key(c.Addr))
		if err != nil {
			s.Log.ErrorContext(ctx, "password reset: request dropped, the throttle failed", "err", err)
			return
		}
		if wait > 0 {
			s.Log.WarnContext(ctx, "password reset: request dropped, too many from this address", "client_addr", c.Addr)
			return
		}
	}
	select {
	case s.resets <- email:
	default:
		s.Log.WarnContext(ctx, "password reset: request dropped, the queue is full")
	}
}

// Run carries out reset requests as they come, once an hour deletes reset
// requests and SSO flows long expired, and once a minute prunes the
// throttles (forgotten keys, and the oldest beyond MaxKeys). When ctx is
// done it carries out the requests already queued, then returns.
func (s *Service) Run(ctx context.Context) {
	ctx = policy.System(ctx, "sign-in background work: reset requests, expired flows")
	work := context.WithoutCancel(ctx)
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	prune := time.NewTicker(throttlePruneEvery)
	defer prune.Stop()
	s.cleanUp(work)
	s.pruneThrottles(work)
	for {
		select {
		case email := <-s.resets:
			s.processReset(work, email)
		case <-tick.C:
			s.cleanUp(work)
		case <-prune.C:
			s.pruneThrottles(work)
		case <-ctx.Done():
			for {
				select {
				case email := <-s.resets:
					s.processReset(work, email)
				default:
					return
				}
			}
		}
	}
}

// ProcessQueuedResets carries out the reset requests queued so far, for
// tools and tests that run without Run.
func (s *Service) ProcessQueuedResets(ctx context.Context) {
	ctx = policy.System(ctx, "password reset: nobody is signed in")
	for {
		select {
		case email := <-s.resets:
			s.processReset(ctx, email)
		default:
			return
		}
	}
}

func (s *Service) processReset(ctx context.Context, email string) {
	mailed, err := s.issueResetCode(ctx, email)
	if err != nil {
		s.Log.ErrorContext(ctx, "password reset: request failed", "err", err)
		return
	}
	if mailed {
		s.Mail.Kick()
	}
}

// issueResetCode acts on one request in one transaction. Within the rate
// limit it voids the address's earlier codes and writes a new row; for an
// account that may reset its password the row holds the MAC of a fresh code,
// which is mailed (through the outbox, in the same transaction). For any
// other address (unknown, deactivated, in an SSO tenant) the row holds a
// random MAC no code matches and nothing is mailed: the same reads and
// writes, so the rows behave alike for resetPassword, known account or not.
func (s *Service) issueResetCode(ctx context.Context, email string) (mailed bool, err error) {
	now := s.Now()
	emailMAC := s.emailMAC(email)
	err = store.WithTx(ctx, s.DB, func(tx *ent.Tx) error {
		db := tx.Client()
		recent, err := db.PasswordResetCode.Query().
			// Invitations an admin sent do not count against the user's requests.
			Where(passwordresetcode.EmailMAC(emailMAC), passwordresetcode.Invitation(false), passwordresetcode.CreatedAtGT(now.Add(-24*time.Hour))).
			All(ctx)
		if err != nil {
			return err
		}
		inWindow := 0
		for _, r := range recent {
			if r.CreatedAt.After(now.Add(-resetWindow)) {
				inWindow++
			}
		}
		if len(recent) >= resetsPerDay || inWindow >= resetsPerWindow {
			return nil
		}
		err = db.PasswordResetCode.Update().
			Where(passwordresetcode.EmailMAC(emailMAC), passwordresetcode.ConsumedAtIsNil()).
			SetConsumedAt(now).Exec(ctx)
		if err != nil {
			return err
		}
		u, err := resettableUser(ctx, db, email)
		if err != nil {
			return err
		}
		row := db.PasswordResetCode.Create().
			SetEmailMAC(emailMAC).
			SetCreatedAt(now).
			SetExpiresAt(now.Add(ResetCodeLifetime)).
			SetAttemptsLeft(ResetCodeAttempts)
		if u == nil {
			decoy, err := randomMAC(s.Rand)
			if err != nil {
				return err
			}
			return row.SetCodeMAC(decoy).Exec(ctx)
		}
		code, err := NewCode(s.Rand)
		if err != nil {
			return err
		}
		err = row.SetUserID(u.ID).SetCodeMAC(CodeMAC(s.codeKey, PurposePasswordReset, u.ID, code)).Exec(ctx)
		if err != nil {
			return err
		}
		mailed = true
		return s.Mail.Enqueue(ctx, db, mail.PasswordResetCode(u.Email, code, ResetCodeLifetime))
	})
	return mailed && err == nil, err
}

// resettableUser is the account email may reset: active, and not in a
// tenant that signs in with SSO (its password would never be used). nil
// when there is none.
func resettableUser(ctx context.Context, db *ent.Client, email string) (*ent.User, error) {
	u, err := db.User.Query().Where(user.Email(email), user.Active(true)).WithTenant().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t := u.Edges.Tenant; t != nil && t.SSOMode == tenant.SSOModeAZURE_SSO {
		return nil, nil
	}
	return u, nil
}

// emailMAC is what reset rows store of the address they were requested for.
func (s *Service) emailMAC(email string) string {
	return CodeMAC(s.codeKey, purposeResetAddress, email, "")
}

// randomMAC has the shape of a CodeMAC and matches no code.
func randomMAC(rand io.Reader) (string, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("signin: reading randomness: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func errInvalidCode() *apperr.Error {
	return apperr.New(apperr.InvalidCode, "The code is not right, has expired or was already used. Ask for a new code if you need one.")
}

func errTooManyCodeAttempts() *apperr.Error {
	return apperr.New(apperr.TooManyAttempts, "Too many wrong codes. Ask for a new code.")
}

// ResetPassword sets a new password with a code from RequestPasswordReset.
//
// The new password is checked first (WEAK_PASSWORD), which costs no try.
// Then the address's latest request decides: none, used, voided or expired:
// INVALID_CODE; no tries left: TOO_MANY_ATTEMPTS; a wrong code takes a try
// (a conditional UPDATE), and the last one answers TOO_MANY_ATTEMPTS. A
// right code is consumed by a conditional UPDATE (not used, tries left, not
// expired), so of two concurrent submits exactly one wins; in the same
// transaction the password is set, every session of the user is revoked
// and the "password changed" mail is enqueued. It does not sign in.
//
// Rows of addresses without an account behave exactly like real ones, so
// the answers do not tell whether the address has an account. Wrong codes
// are charged to the client address like failed sign-ins.
func (s *Service) ResetPassword(ctx context.Context, email, code, newPassword string, c Client) error {
	ctx = policy.System(ctx, "password reset: nobody is signed in")
	email = NormalizeEmail(email)
	if err := CheckNewPasswordFor(newPassword, email); err != nil {
		return err
	}
	// Charged at this address like a sign-in, on the code pair (the code
	// has its own five tries) and the address's spraying count.
	wait, charge, err := s.Throttles.Charge(ctx, email, c, CodeAttempt)
	if err != nil {
		return err
	}
	if wait > 0 {
		return RetryAfterError(wait)
	}
	defer s.settle(ctx, charge.Wrong) // unless Right below settled it
	if _, ok := emailDomain(email); !ok || !isCode(code) {
		return errInvalidCode()
	}
	now := s.Now()
	row, err := s.DB.PasswordResetCode.Query().
		Where(passwordresetcode.EmailMAC(s.emailMAC(email))).
		Order(ent.Desc(passwordresetcode.FieldCreatedAt), ent.Desc(passwordresetcode.FieldID)).
		First(ctx)
	switch {
	case ent.IsNotFound(err):
		return errInvalidCode()
	case err != nil:
		return err
	case row.ConsumedAt != nil || !row.ExpiresAt.After(now):
		return errInvalidCode()
	case row.AttemptsLeft <= 0:
		return errTooManyCodeAttempts()
	}
	subject := ""
	if row.UserID != nil {
		subject = *row.UserID
	}
	if !EqualMAC(row.CodeMAC, CodeMAC(s.codeKey, PurposePasswordReset, subject, code)) {
		return s.wrongCode(ctx, row.ID, now)
	}
	if row.UserID == nil {
		return errInvalidCode() // a decoy matches no code; this is never reached
	}
	// Hashed before the transaction, which holds the database's write lock;
	// only a right code gets this far, so the hash costs a guesser nothing.
	hash, err := s.Hasher.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	err = store.WithTx(ctx, s.DB, func(tx *ent.Tx) error {
		db := tx.Client()
		n, err := db.PasswordResetCode.Update().
			Where(passwordresetcode.ID(row.ID), passwordresetcode.ConsumedAtIsNil(),
				passwordresetcode.AttemptsLeftGT(0), passwordresetcode.ExpiresAtGT(now)).
			SetConsumedAt(now).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return errInvalidCode() // another submit of the code won
		}
		u, err := db.User.Query().Where(user.ID(*row.UserID), user.Active(true)).Only(ctx)
		if ent.IsNotFound(err) || (err == nil && NormalizeEmail(u.Email) != email) {
			// Deactivated, or its address changed since the request.
			return errInvalidCode()
		}
		if err != nil {
			return err
		}
		if err := db.User.UpdateOne(u).SetPasswordHash(hash).SetPasswordChangedAt(now).Exec(ctx); err != nil {
			return err
		}
		if err := RevokeUserSessions(ctx, db, u.ID, now, "Password reset"); err != nil {
			return err
		}
		return s.Mail.Enqueue(ctx, db, mail.PasswordChanged(u.Email, now))
	})
	if err != nil {
		return err
	}
	s.settle(ctx, charge.Right)
	// The owner of the mailbox chose a new password: earlier failed
	// sign-ins no longer need to slow it down.
	s.settle(ctx, func(ctx context.Context) error {
		return s.Throttles.Account.Success(ctx, s.Throttles.Account.Key(email))
	})
	s.Mail.Kick()
	return nil
}

// wrongCode takes one try from the request id and answers accordingly.
func (s *Service) wrongCode(ctx context.Context, id string, now time.Time) error {
	var left int
	err := store.WithTx(ctx, s.DB, func(tx *ent.Tx) error {
		db := tx.Client()
		n, err := db.PasswordResetCode.Update().
			Where(passwordresetcode.ID(id), passwordresetcode.ConsumedAtIsNil(),
				passwordresetcode.AttemptsLeftGT(0), passwordresetcode.ExpiresAtGT(now)).
			AddAttemptsLeft(-1).Save(ctx)
		if err != nil {
			return err
		}
		row, err := db.PasswordResetCode.Get(ctx, id)
		if err != nil {
			return err
		}
		switch {
		case n == 1:
			left = row.AttemptsLeft
		case row.ConsumedAt != nil || !row.ExpiresAt.After(now):
			return errInvalidCode() // used or voided meanwhile
		default:
			left = 0 // another wrong submit took the last try meanwhile
		}
		return nil
	})
	if err != nil {
		return err
	}
	if left == 0 {
		return errTooManyCodeAttempts()
	}
	return errInvalidCode()
}

// isCode reports whether code has the shape of a code: 6 ASCII digits.
func isCode(code string) bool {
	if len(code) != CodeDigits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// cleanUp deletes reset requests that can no longer be used nor count for
// the daily limit, and SSO flows long expired. Failures are logged: the
// next run tries again.
func (s *Service) cleanUp(ctx context.Context) {
	now := s.Now()
	_, err1 := s.DB.PasswordResetCode.Delete().
		Where(passwordresetcode.ExpiresAtLT(now.Add(-25 * time.Hour))).Exec(ctx)
	_, err2 := s.DB.AuthFlow.Delete().
		Where(authflow.KindEQ(authflow.KindSSO_SIGN_IN), authflow.ExpiresAtLT(now.Add(-time.Hour))).Exec(ctx)
	if err := errors.Join(err1, err2); err != nil {
		s.Log.WarnContext(ctx, "sign-in clean-up failed", "err", err)
	}
}

// throttlePruneEvery is how often Run prunes the throttles: often enough
// that a flood of made-up accounts is cut back to MaxKeys soon.
const throttlePruneEvery = time.Minute

func (s *Service) pruneThrottles(ctx context.Context) {
	if _, err := s.Throttles.Prune(ctx); err != nil {
		s.Log.WarnContext(ctx, "sign-in: pruning the throttles failed", "err", err)
	}
}
