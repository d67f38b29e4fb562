package desktop

import (
	"context"
	"slices"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/desktopsession"
	"github.com/agentdesk/agentdesk/policy"
)

// missedMargin widens the window MissedEvents looks back over: the
// processes' clocks may differ by a little, and telling a tab again what it
// knows is harmless where missing it is not.
const missedMargin = time.Minute

// MissedEvents says which events tabs may have missed since a moment, when
// the events of other processes could not reach them (PostgresBroker's
// listener reconnected). It reads the state events report rather than a
// log of events:
//   - every tenant with tabs: BANNERS_CHANGED (reload them; cheap, and
//     banners keep no history of deletions);
//   - a tab another tab has taken the session from: SESSION_TAKEN_OVER
//     (what its next call would answer, so repeating it is harmless);
//   - a tab whose session ended since then, other than by its own sign-out
//     or a new station login: FORCED_SIGN_OUT with the recorded reason.
//
// An INACTIVITY_WARNING missed is not repeated: the sign-out it announces
// is, when it happens.
func (s *Service) MissedEvents(ctx context.Context, tabs []Tab, since time.Time) ([]TabEvent, error) {
	ctx = policy.System(ctx, "desktop events missed while the listener reconnected: the tabs of every tenant here")
	now := s.now()
	since = since.UTC().Add(-missedMargin)
	var out []TabEvent
	users := make([]string, 0, len(tabs))
	tenants := make(map[string]bool)
	for _, t := range tabs {
		if !tenants[t.TenantID] {
			tenants[t.TenantID] = true
			out = append(out, TabEvent{Tab: Tab{TenantID: t.TenantID}, Event: Event{Type: BannersChanged, At: now}})
		}
		if !slices.Contains(users, t.UserID) {
			users = append(users, t.UserID)
		}
	}
	sessions, err := s.DB.DesktopSession.Query().
		Where(
			desktopsession.UserIDIn(users...),
			desktopsession.Or(desktopsession.EndedAtIsNil(), desktopsession.EndedAtGTE(since)),
		).
		All(ctx)
	if err != nil {
		return nil, err
	}
	byUser := make(map[string][]*ent.DesktopSession)
	for _, ses := range sessions {
		byUser[ses.UserID] = append(byUser[ses.UserID], ses)
	}
	for _, t := range tabs {
		if ev, ok := missedFor(t, byUser[t.UserID], now); ok {
			out = append(out, TabEvent{Tab: t, Event: ev})
		}
	}
	return out, nil
}

// missedFor is the event a tab should hold given its user's sessions that
// are active or ended recently: the active one decides when there is one
// that concerns the tab, else the one that ended last.
func missedFor(t Tab, sessions []*ent.DesktopSession, now time.Time) (Event, bool) {
	var active, last *ent.DesktopSession
	for _, ses := range sessions {
		switch {
		case ses.EndedAt == nil:
			active = ses
		case last == nil || ses.EndedAt.After(*last.EndedAt):
			last = ses
		}
	}
	takenOver := Event{Type: SessionTakenOver, At: now, Message: takenOverMessage}
	if active != nil {
		switch {
		case active.ClientID == t.ClientID:
			return Event{}, false
		case slices.Contains(active.SupersededClientIds, t.ClientID):
			return takenOver, true
		}
	}
	if last == nil {
		return Event{}, false
	}
	switch {
	case slices.Contains(last.SupersededClientIds, t.ClientID):
		return takenOver, true
	case last.ClientID == t.ClientID && last.EndReason != ReasonUserLogout && last.EndReason != ReasonStationReplaced:
		return Event{Type: ForcedSignOut, At: now, Message: last.EndReason}, true
	}
	return Event{}, false
}
