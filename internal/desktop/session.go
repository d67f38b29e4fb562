package desktop

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/desktopsession"
	"github.com/agentdesk/agentdesk/ent/interaction"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store"
)

// maxSuperseded bounds the tabs a session remembers it was taken from; an
// older tab then hears SESSION_ACTIVE_ELSEWHERE instead of
// SESSION_TAKEN_OVER, which asks the same of the agent.
const maxSuperseded = 20

// takenOverMessage goes with SESSION_TAKEN_OVER events.
const takenOverMessage = "Your desktop was opened in another window."

// maxIdleCodeLength is the contract's limit for an idle code.
const maxIdleCodeLength = 80

// DesktopSession is the session the tab clientID holds, for a reloaded tab;
// nil when the agent has none. SESSION_TAKEN_OVER when another tab took it,
// SESSION_ACTIVE_ELSEWHERE when another tab holds it, SESSION_EXPIRED when
// it ended by inactivity.
func (s *Service) DesktopSession(ctx context.Context, clientID string) (*ent.DesktopSession, error) {
	var out *ent.DesktopSession
	err := s.withSession(ctx, clientID, true, func(_ *ent.Client, _ *caller, ses *ent.DesktopSession) error {
		out = ses
		return nil
	})
	return out, err
}

// ContinueSession moves the agent's active session to the tab clientID,
// with its state, station, team and interactions. The tab that held it is
// told (SESSION_TAKEN_OVER) now and at its next call.
func (s *Service) ContinueSession(ctx context.Context, clientID string) (*ent.DesktopSession, error) {
	c, clientID, err := s.desktopCall(ctx, clientID)
	if err != nil {
		return nil, err
	}
	var out *ent.DesktopSession
	var previous string
	err = store.WithTx(ctx, s.DB, func(tx *ent.Tx) error {
		db := tx.Client()
		active, err := db.DesktopSession.Query().
			Where(desktopsession.UserID(c.user.ID), desktopsession.EndedAtIsNil()).
			Only(ctx)
		if ent.IsNotFound(err) {
			// Only expiry is worth telling here: a tab asking to continue
			// wants the session back, not to hear it was taken earlier.
			if err := endedOutcome(ctx, db, c, clientID); err != nil && !apperr.Is(err, apperr.SessionTakenOver) {
				return err
			}
			return apperr.New(apperr.NoDesktopSession, "You have no desktop session to continue; log in to a station.")
		}
		if err != nil {
			return err
		}
		now := s.now()
		update := db.DesktopSession.UpdateOne(active).SetLastActivityAt(now).SetAuthSessionID(c.viewer.SessionID)
		if active.ClientID != clientID {
			previous = active.ClientID
			superseded := slices.DeleteFunc(slices.Clone(active.SupersededClientIds), func(id string) bool {
				return id == clientID || id == previous
			})
			superseded = append(superseded, previous)
			if len(superseded) > maxSuperseded {
				superseded = superseded[len(superseded)-maxSuperseded:]
			}
			update.SetClientID(clientID).SetSupersededClientIds(superseded)
		}
		out, err = update.Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	if previous != "" {
		s.Events.ToClient(c.user.ID, previous, Event{Type: SessionTakenOver, At: s.now(), Message: takenOverMessage})
	}
	return out, nil
}

// SetAgentState sets the agent's availability. An idle code (optional, at
// most 80 characters) goes with IDLE only.
func (s *Service) SetAgentState(ctx context.Context, clientID string, state station.AgentState, idleCode *string) (*ent.DesktopSession, error) {
	code := strings.TrimSpace(deref(idleCode))
	switch {
	case state != station.Available && state != station.Idle:
		return nil, apperr.Invalid("state", "state must be AVAILABLE or IDLE")
	case utf8.RuneCountInString(code) > maxIdleCodeLength:
		return nil, apperr.Invalid("idleCode", "an idle code has at most 80 characters")
	case strings.ContainsFunc(code, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return nil, apperr.Invalid("idleCode", "an idle code must be one line of text")
	case state == station.Available && code != "":
		return nil, apperr.Invalid("idleCode", "an idle code goes with IDLE only")
	}
	var out *ent.DesktopSession
	err := s.withSession(ctx, clientID, false, func(db *ent.Client, _ *caller, ses *ent.DesktopSession) error {
		if ses.State == state && ses.IdleCode == code {
			out = ses
			return nil
		}
		var err error
		out, err = db.DesktopSession.UpdateOne(ses).
			SetState(state).SetIdleCode(code).SetStateChangedAt(s.now()).
			Save(ctx)
		return err
	})
	return out, err
}

// SignOut ends the desktop session of the tab clientID and revokes the
// caller's sign-in token, in one transaction. Refused while the agent is
// AVAILABLE or has an active conversation or monitoring task.
func (s *Service) SignOut(ctx context.Context, clientID string) error {
	return s.withSession(ctx, clientID, false, func(db *ent.Client, c *caller, ses *ent.DesktopSession) error {
		if ses.State == station.Available {
			return apperr.New(apperr.AgentNotIdle, "Set your state to Idle before you sign out.")
		}
		if err := blockedByInteractions(ctx, db, ses); err != nil {
			return err
		}
		now := s.now()
		if err := db.DesktopSession.UpdateOne(ses).SetEndedAt(now).SetEndReason(ReasonUserLogout).Exec(ctx); err != nil {
			return err
		}
		if c.viewer.SessionID == "" {
			return nil
		}
		return signin.RevokeSession(ctx, db, c.viewer.SessionID, now, ReasonUserLogout)
	})
}

// desktopCall authorizes one of the agent's desktop calls, checks the tab's
// id and ends the agent's session first if it has been idle too long.
func (s *Service) desktopCall(ctx context.Context, clientID string) (*caller, string, error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return nil, "", err
	}
	clientID, err = checkClientID(clientID)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.expireIdle(ctx, c.tenant.idleRule(), desktopsession.UserID(c.user.ID)); err != nil {
		return nil, "", err
	}
	return c, clientID, nil
}

// withSession runs fn in one transaction with the active session the tab
// clientID holds, after refreshing its inactivity timer. Without such a
// session it fails with the code that tells the tab why, or — when
// noneIsNil — calls nothing and returns nil for "no session at all".
func (s *Service) withSession(ctx context.Context, clientID string, noneIsNil bool,
	fn func(db *ent.Client, c *caller, ses *ent.DesktopSession) error) error {
	c, clientID, err := s.desktopCall(ctx, clientID)
	if err != nil {
		return err
	}
	return store.WithTx(ctx, s.DB, func(tx *ent.Tx) error {
		db := tx.Client()
		active, err := db.DesktopSession.Query().
			Where(desktopsession.UserID(c.user.ID), desktopsession.EndedAtIsNil()).
			Only(ctx)
		if ent.IsNotFound(err) {
			if err := endedOutcome(ctx, db, c, clientID); err != nil {
				return err
			}
			if noneIsNil {
				return nil
			}
			return apperr.New(apperr.NoDesktopSession, "You have no desktop session; log in to a station.")
		}
		if err != nil {
			return err
		}
		if active.ClientID != clientID {
			if slices.Contains(active.SupersededClientIds, clientID) {
				return takenOver()
			}
			return activeElsewhere(ctx, db, active)
		}
		active, err = db.DesktopSession.UpdateOne(active).SetLastActivityAt(s.now()).Save(ctx)
		if err != nil {
			return err
		}
		return fn(db, c, active)
	})
}

// endedOutcome tells a tab without an active session what became of the
// agent's last one, when that concerns this tab: taken over from it, or
// ended by inactivity while it held it. nil otherwise.
func endedOutcome(ctx context.Context, db *ent.Client, c *caller, clientID string) error {
	last, err := db.DesktopSession.Query().
		Where(desktopsession.UserID(c.user.ID), desktopsession.EndedAtNotNil()).
		Order(ent.Desc(desktopsession.FieldEndedAt), ent.Desc(desktopsession.FieldID)).
		First(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case slices.Contains(last.SupersededClientIds, clientID):
		return takenOver()
	case last.ClientID == clientID && last.EndReason == ReasonInactivity:
		return apperr.New(apperr.SessionExpired, "Your desktop session ended after a period of inactivity; log in to a station again.").
			With("sessionId", last.ID)
	}
	return nil
}

func takenOver() error {
	return apperr.New(apperr.SessionTakenOver, "Your desktop was opened in another window; continue here to move it back.")
}

// activeInteractions counts a session's active interactions.
func activeInteractions(ctx context.Context, db *ent.Client, sessionID string) (int, error) {
	return db.Interaction.Query().
		Where(interaction.DesktopSessionID(sessionID), interaction.Active(true)).
		Count(ctx)
}

// blockedByInteractions refuses ending a session that has an active
// conversation (ACTIVE_INTERACTION) or monitoring task
// (MONITORING_IN_PROGRESS).
func blockedByInteractions(ctx context.Context, db *ent.Client, ses *ent.DesktopSession) error {
	kinds, err := db.Interaction.Query().
		Where(interaction.DesktopSessionID(ses.ID), interaction.Active(true)).
		Unique(true).
		Select(interaction.FieldKind).
		Strings(ctx)
	if err != nil {
		return err
	}
	switch {
	case slices.Contains(kinds, string(station.Conversation)):
		return apperr.New(apperr.ActiveInteraction, "You cannot sign out during an active conversation; end it first.")
	case slices.Contains(kinds, string(station.Monitoring)):
		return apperr.New(apperr.MonitoringInProgress, "You cannot sign out while monitoring; stop monitoring first.")
	}
	return nil
}

// Subscribe opens the event stream of the caller's tab clientID: events
// about its session (taken over, forced sign-out, inactivity warning) and
// its tenant's banners. A user hears only about its own tabs. The returned
// function ends the subscription.
//
// A tab whose session was warned of inactivity before it listened (it
// connected late, or reconnected after a network blip) hears the warning
// first, with the seconds left now: a warning is sent once, and without
// it the agent would be signed out with no warning at all.
func (s *Service) Subscribe(ctx context.Context, clientID string) (<-chan Event, func(), error) {
	c, err := s.callerOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	clientID, err = checkClientID(clientID)
	if err != nil {
		return nil, nil, err
	}
	// Listen first, then look: a warning sent in between is heard twice at
	// worst, never missed.
	events, cancel := s.Events.Subscribe(c.tenant.ID, c.user.ID, clientID)
	warning, err := s.pendingWarning(ctx, c, clientID)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	if warning == nil {
		return events, cancel, nil
	}
	out := make(chan Event, 1)
	out <- *warning
	go func() {
		defer close(out)
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					return
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, cancel, nil
}

// pendingWarning is the inactivity warning of the caller's session on tab
// clientID when one was sent since its last activity and the session is
// still open and idle, nil otherwise.
func (s *Service) pendingWarning(ctx context.Context, c *caller, clientID string) (*Event, error) {
	ses, err := s.DB.DesktopSession.Query().
		Where(desktopsession.UserID(c.user.ID), desktopsession.ClientID(clientID), desktopsession.EndedAtIsNil(),
			desktopsession.Not(working())).
		First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !warnedSinceActivity(ses) {
		return nil, nil // never warned, or active since the warning
	}
	now := s.now()
	left := idleLeft(ses, c.tenant.idleRule(), now)
	if left <= 0 {
		return nil, nil // the sweep signs it out next
	}
	ev := inactivityWarning(now, left)
	return &ev, nil
}
