package desktop

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/desktopsession"
	"github.com/agentdesk/agentdesk/ent/interaction"
	"github.com/agentdesk/agentdesk/ent/predicate"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/policy"
)

// warningLead is how long before the inactivity sign-out the desktop is
// warned (the product shows a one-minute countdown).
const warningLead = time.Minute

// DefaultSweepInterval is how often the Sweeper looks for idle sessions. It
// is well under warningLead, so a warning arrives close to one minute ahead.
const DefaultSweepInterval = 10 * time.Second

// idleRule is a tenant's inactivity sign-out: whose sessions, and how
// long they may be idle.
type idleRule struct {
	tenantID string
	timeout  time.Duration
}

// newIdleRule is the rule of the tenant tenantID, whose sessions may be
// idle for minutes.
func newIdleRule(tenantID string, minutes int) idleRule {
	return idleRule{tenantID: tenantID, timeout: time.Duration(minutes) * time.Minute}
}

func tenantIdleRule(t *ent.Tenant) idleRule {
	return newIdleRule(t.ID, t.DesktopInactivityTimeoutMinutes)
}

func (t callerTenant) idleRule() idleRule {
	return newIdleRule(t.ID, t.DesktopInactivityTimeoutMinutes)
}

// working is true for a session with an active interaction: the agent is on
// a call or monitoring one, not away, so inactivity never ends it.
func working() predicate.DesktopSession {
	return desktopsession.HasInteractionsWith(interaction.Active(true))
}

// expireIdle ends the active sessions of the rule's tenant that match where
// and have been idle longer than its timeout, tells their tabs, and returns
// them.
// Each session is ended by a conditional update, so a call that refreshed
// it in the meantime wins and the session stays, and of two sweepers (two
// processes on one PostgreSQL database) only one ends it and tells its
// tab: the second update waits for the first's row lock, then finds the
// session ended and matches nothing.
func (s *Service) expireIdle(ctx context.Context, rule idleRule, where ...predicate.DesktopSession) ([]*ent.DesktopSession, error) {
	now := s.now()
	cutoff := now.Add(-rule.timeout)
	idle := append([]predicate.DesktopSession{
		desktopsession.TenantID(rule.tenantID),
		desktopsession.EndedAtIsNil(),
		desktopsession.LastActivityAtLT(cutoff),
		desktopsession.Not(working()),
	}, where...)
	candidates, err := s.DB.DesktopSession.Query().Where(idle...).All(ctx)
	if err != nil {
		return nil, err
	}
	var ended []*ent.DesktopSession
	for _, c := range candidates {
		n, err := s.DB.DesktopSession.Update().
			Where(append([]predicate.DesktopSession{desktopsession.ID(c.ID)}, idle...)...).
			SetEndedAt(now).SetEndReason(ReasonInactivity).
			Save(ctx)
		if err != nil {
			return ended, err
		}
		if n == 1 {
			c.EndedAt, c.EndReason = &now, ReasonInactivity
			ended = append(ended, c)
			s.Events.ToClient(c.UserID, c.ClientID, Event{Type: ForcedSignOut, At: now, Message: ReasonInactivity})
		}
	}
	return ended, nil
}

// warnIdle sends INACTIVITY_WARNING to the active sessions of the rule's
// tenant that end within warningLead and were not warned since their last
// activity.
func (s *Service) warnIdle(ctx context.Context, rule idleRule) (int, error) {
	now := s.now()
	cutoff := now.Add(-(rule.timeout - warningLead))
	due := []predicate.DesktopSession{
		desktopsession.TenantID(rule.tenantID),
		desktopsession.EndedAtIsNil(),
		desktopsession.LastActivityAtLT(cutoff),
		desktopsession.Not(working()),
	}
	candidates, err := s.DB.DesktopSession.Query().Where(due...).All(ctx)
	if err != nil {
		return 0, err
	}
	warned := 0
	for _, c := range candidates {
		if warnedSinceActivity(c) {
			continue // already warned about this stretch of inactivity
		}
		// Unchanged since read: of two sweepers (two processes) reading the
		// same session, only the first update matches, so it is warned once.
		unwarned := desktopsession.InactivityWarnedAtIsNil()
		if c.InactivityWarnedAt != nil {
			unwarned = desktopsession.InactivityWarnedAt(*c.InactivityWarnedAt)
		}
		n, err := s.DB.DesktopSession.Update().
			Where(append([]predicate.DesktopSession{desktopsession.ID(c.ID), unwarned}, due...)...).
			SetInactivityWarnedAt(now).
			Save(ctx)
		if err != nil {
			return warned, err
		}
		if n == 1 {
			warned++
			s.Events.ToClient(c.UserID, c.ClientID, inactivityWarning(now, max(idleLeft(c, rule, now), 0)))
		}
	}
	return warned, nil
}

// warnedSinceActivity reports whether ses was warned of inactivity after
// its last activity (a warning is sent once per stretch of inactivity).
func warnedSinceActivity(ses *ent.DesktopSession) bool {
	return ses.InactivityWarnedAt != nil && !ses.InactivityWarnedAt.Before(ses.LastActivityAt)
}

// idleLeft is how long ses, under its tenant's rule, has at now before the
// inactivity sign-out; negative when it is due.
func idleLeft(ses *ent.DesktopSession, rule idleRule, now time.Time) time.Duration {
	return ses.LastActivityAt.Add(rule.timeout).Sub(now)
}

// inactivityWarning is the INACTIVITY_WARNING event sent at now to a tab
// whose session ends in left.
func inactivityWarning(now time.Time, left time.Duration) Event {
	return Event{Type: InactivityWarning, At: now,
		Message: fmt.Sprintf("You will be signed out in %d seconds because of inactivity.", int(left.Seconds()))}
}

// Sweeper ends idle desktop sessions in the background and warns their
// tabs a minute before. Server.go runs it; tests call SweepOnce.
type Sweeper struct {
	Service  *Service
	Interval time.Duration
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	Warned int
	Ended  int
}

// Run sweeps every Interval until ctx is cancelled. A sweep under way when
// ctx is cancelled finishes first (within a bounded time), so no session is
// left half-handled.
func (w *Sweeper) Run(ctx context.Context) {
	ctx = policy.System(ctx, "desktop inactivity sweep: every tenant")
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultSweepInterval
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		sweep, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		if _, err := w.SweepOnce(sweep); err != nil {
			w.Service.log().Error("desktop inactivity sweep", "err", err)
		}
		cancel()
	}
}

// SweepOnce ends every session idle past its tenant's timeout and warns the
// ones about to be. It carries on with the other tenants after an error and
// reports the errors together.
func (w *Sweeper) SweepOnce(ctx context.Context) (SweepResult, error) {
	ctx = policy.System(ctx, "desktop inactivity sweep: every tenant")
	s := w.Service
	var res SweepResult
	tenants, err := s.DB.Tenant.Query().
		Where(tenant.HasDesktopSessionsWith(desktopsession.EndedAtIsNil())).
		All(ctx)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, t := range tenants {
		ended, err := s.expireIdle(ctx, tenantIdleRule(t))
		res.Ended += len(ended)
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
			continue
		}
		warned, err := s.warnIdle(ctx, tenantIdleRule(t))
		res.Warned += warned
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
		}
	}
	return res, errors.Join(errs...)
}
