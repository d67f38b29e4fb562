// Package admin owns the configuration of tenants that admins and scripts
// change: tenants, agent profiles, dial plans, teams, users, skill profiles,
// banners, artwork and API tokens. Every change is authorized through policy,
// runs in one transaction and writes its audit event in that transaction.
//
// The input types carry the GraphQL input names, so gqlgen binds them
// directly; they are plain Go and know nothing of GraphQL.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
)

// Service changes and reads tenant configuration.
type Service struct {
	DB     *ent.Client
	Policy *policy.Enforcer
	Now    func() time.Time
	// Hasher hashes passwords given at user creation.
	HashPassword func(ctx context.Context, password string) (string, error)
	// CheckPassword applies the new-password rules.
	CheckPassword func(password, email string) error
	// Rand is the randomness of new API tokens (crypto/rand when nil).
	Rand io.Reader
	// Invitations mails invitations (invite: true, resendInvitation); nil
	// where there is no mail, which refuses them.
	Invitations Inviter
}

// Event is the audit record of one change.
type Event struct {
	TenantID   string
	Action     string
	TargetType string
	TargetID   string
	Summary    string
}

// Change runs fn in one transaction and writes the audit event fn returns
// in the same transaction: the change and its record commit together or
// not at all (Audited).
func (s *Service) Change(ctx context.Context, fn func(tx *ent.Tx) (Event, error)) error {
	return Audited(ctx, s.DB, s.Now, func(tx *ent.Tx) (bool, Event, error) {
		ev, err := fn(tx)
		return err == nil, ev, err
	})
}

// errRollBack ends a transaction that must not commit without being an
// error for the caller.
var errRollBack = errors.New("admin: roll back")

// Audited is the one way a change and its audit event are written: fn runs
// in one transaction and, when it says commit, the event it returns is
// written in the same transaction (at now(), with the caller in ctx as its
// actor), so both commit together or not at all. When fn says not to
// commit (a dry run, a report of errors, or nothing changed), everything it
// wrote is rolled back and Audited returns nil: running a dry run as the
// real change rolled back is what makes its report equal to what the change
// would do. An error from fn rolls back and is returned.
func Audited(ctx context.Context, db *ent.Client, now func() time.Time, fn func(tx *ent.Tx) (commit bool, ev Event, err error)) error {
	err := store.WithTx(ctx, db, func(tx *ent.Tx) error {
		commit, ev, err := fn(tx)
		if err != nil {
			return err
		}
		if !commit {
			return errRollBack
		}
		return writeAudit(ctx, tx.Client(), now(), ev)
	})
	if errors.Is(err, errRollBack) {
		return nil
	}
	return err
}

// writeAudit records ev, with the caller in ctx as its actor.
func writeAudit(ctx context.Context, db *ent.Client, at time.Time, ev Event) error {
	summary := ev.Summary
	if utf8.RuneCountInString(summary) > 1000 {
		summary = string([]rune(summary)[:1000])
	}
	return db.AuditEvent.Create().
		SetTenantID(ev.TenantID).
		SetActor(Actor(ctx)).
		SetAction(ev.Action).
		SetTargetType(ev.TargetType).
		SetTargetID(ev.TargetID).
		SetAt(at).
		SetSummary(summary).
		Exec(ctx)
}

// Actor names the caller in ctx for the audit log.
func Actor(ctx context.Context) string {
	v := policy.ViewerFrom(ctx)
	switch {
	case v == nil:
		return "system"
	case v.IsAPIToken():
		return "token:" + v.APITokenID
	default:
		return "user:" + v.UserID
	}
}

// authorize is the one way this package asks policy.
func (s *Service) authorize(ctx context.Context, act policy.Action, tenantID string) error {
	return s.Policy.AuthorizeContext(ctx, act, tenantID)
}

// requireName trims a name and checks its length.
func requireName(field, value string, max int) (string, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", apperr.Invalid(field, field+" must not be empty")
	}
	if utf8.RuneCountInString(v) > max {
		return "", apperr.Invalid(field, fmt.Sprintf("%s must be at most %d characters", field, max))
	}
	if strings.ContainsAny(v, "\x00\r\n") {
		return "", apperr.Invalid(field, field+" must be one line of text")
	}
	return v, nil
}

// optionalText checks the length of an optional free text.
func optionalText(field string, value *string, max int) (string, error) {
	if value == nil {
		return "", nil
	}
	v := strings.TrimSpace(*value)
	if utf8.RuneCountInString(v) > max {
		return "", apperr.Invalid(field, fmt.Sprintf("%s must be at most %d characters", field, max))
	}
	if strings.ContainsRune(v, 0) {
		return "", apperr.Invalid(field, field+" must not contain NUL")
	}
	return v, nil
}

// notFound is the error for a missing object, identical to a cross-tenant
// denial so existence does not leak.
func notFound() error { return apperr.New(apperr.NotFound, "not found") }

// loadErr turns ent's not-found into the contract's NOT_FOUND.
func loadErr(err error) error {
	if ent.IsNotFound(err) {
		return notFound()
	}
	return err
}
