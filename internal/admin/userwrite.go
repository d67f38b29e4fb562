package admin

import (
	"context"
	"slices"
	"time"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/desktopsession"
	"github.com/agentdesk/agentdesk/ent/user"
	"github.com/agentdesk/agentdesk/internal/signin"
)

// DeactivatedReason is the end reason of the sessions a deactivation ends.
const DeactivatedReason = "Deactivated"

// UserWrite is one checked user to store.
type UserWrite struct {
	// Existing is the stored user, nil to create one; ExistingTeamIDs are
	// its teams.
	Existing        *ent.User
	ExistingTeamIDs []string
	// Settings passed UserRules.Check and CheckUnique.
	Settings UserSettings
	// PasswordHash is a new user's password (createUser only).
	PasswordHash *string
}

// Outcome is what WriteUsers did with one user.
type Outcome int

// The outcomes of WriteUsers.
const (
	Unchanged Outcome = iota
	Created
	Updated
)

// WrittenUser is one user after WriteUsers.
type WrittenUser struct {
	User    *ent.User
	Outcome Outcome
	// Changed names the fields an update changed, for the audit summary.
	Changed []string
}

// createChunk bounds the rows of one multi-row INSERT (14 columns each, far
// below SQLite's variable limit).
const createChunk = 200

// WriteUsers stores checked users of the tenant tenantID ("" for platform
// admins) inside the caller's transaction, writing only what differs from
// what is stored. A user that goes from active to inactive has all its
// sessions ended (see EndUserSessions). Results are in the order of writes.
//
// Updates that change a default dial number first clear the old number of
// all of them, so users may swap numbers without tripping the unique index
// midway; creates come last, after numbers have been released.
func WriteUsers(ctx context.Context, db *ent.Client, tenantID string, now time.Time, writes []UserWrite) ([]WrittenUser, error) {
	out := make([]WrittenUser, len(writes))
	var release []string
	for i, w := range writes {
		if w.Existing == nil {
			continue
		}
		out[i] = WrittenUser{User: w.Existing, Changed: changedUserFields(SettingsOfUser(w.Existing, w.ExistingTeamIDs), w.Settings)}
		if len(out[i].Changed) > 0 {
			out[i].Outcome = Updated
		}
		if w.Existing.DefaultDialNumber != nil && !equalPtr(w.Existing.DefaultDialNumber, w.Settings.DefaultDialNumber) {
			release = append(release, w.Existing.ID)
		}
	}
	for chunk := range slices.Chunk(release, maxUniqueChunkSize) {
		if err := db.User.Update().Where(user.IDIn(chunk...)).ClearDefaultDialNumber().Exec(ctx); err != nil {
			return nil, err
		}
	}
	for i, w := range writes {
		if w.Existing == nil || out[i].Outcome != Updated {
			continue
		}
		u, err := updateUser(ctx, db, now, w)
		if err != nil {
			return nil, err
		}
		out[i].User = u
		if w.Existing.Active && !w.Settings.Active {
			if err := EndUserSessions(ctx, db, u.ID, now); err != nil {
				return nil, err
			}
		}
	}
	var creates []int
	for i, w := range writes {
		if w.Existing == nil {
			creates = append(creates, i)
		}
	}
	for chunk := range slices.Chunk(creates, createChunk) {
		builders := make([]*ent.UserCreate, len(chunk))
		for j, i := range chunk {
			builders[j] = newUser(db, tenantID, now, writes[i])
		}
		users, err := db.User.CreateBulk(builders...).Save(ctx)
		if err != nil {
			return nil, err
		}
		for j, i := range chunk {
			out[i] = WrittenUser{User: users[j], Outcome: Created}
		}
	}
	return out, nil
}

func newUser(db *ent.Client, tenantID string, now time.Time, w UserWrite) *ent.UserCreate {
	s := w.Settings
	c := db.User.Create().
		SetEmail(s.Email).SetName(s.Name).SetRole(s.Role).
		SetActive(s.Active).SetContactCenterEnabled(s.ContactCenterEnabled).
		SetNillableAgentProfileID(s.AgentProfileID).SetNillableSkillProfileID(s.SkillProfileID).
		SetNillableDefaultDialNumber(s.DefaultDialNumber).SetNillableDefaultExtension(s.DefaultExtension).
		AddTeamIDs(s.TeamIDs...).
		SetCreatedAt(now).SetUpdatedAt(now)
	if tenantID != "" {
		c.SetTenantID(tenantID)
	}
	if w.PasswordHash != nil {
		c.SetPasswordHash(*w.PasswordHash).SetPasswordChangedAt(now)
	}
	return c
}

func updateUser(ctx context.Context, db *ent.Client, now time.Time, w UserWrite) (*ent.User, error) {
	s := w.Settings
	u := db.User.UpdateOne(w.Existing).
		SetName(s.Name).SetRole(s.Role).SetActive(s.Active).SetContactCenterEnabled(s.ContactCenterEnabled).
		SetUpdatedAt(now)
	setOrClear(s.AgentProfileID, u.SetAgentProfileID, u.ClearAgentProfileID)
	setOrClear(s.SkillProfileID, u.SetSkillProfileID, u.ClearSkillProfileID)
	setOrClear(s.DefaultDialNumber, u.SetDefaultDialNumber, u.ClearDefaultDialNumber)
	setOrClear(s.DefaultExtension, u.SetDefaultExtension, u.ClearDefaultExtension)
	for _, id := range s.TeamIDs {
		if !slices.Contains(w.ExistingTeamIDs, id) {
			u.AddTeamIDs(id)
		}
	}
	for _, id := range w.ExistingTeamIDs {
		if !slices.Contains(s.TeamIDs, id) {
			u.RemoveTeamIDs(id)
		}
	}
	return u.Save(ctx)
}

func setOrClear[B any](v *string, set func(string) B, clear func() B) {
	if v != nil {
		set(*v)
	} else {
		clear()
	}
}

// EndUserSessions ends every session of a user at once: its sign-in
// sessions (so its tokens stop working on the next request) and its active
// desktop session (the station it holds is released). It runs inside the
// caller's transaction, so deactivation and its effects commit together.
func EndUserSessions(ctx context.Context, db *ent.Client, userID string, now time.Time) error {
	if err := signin.RevokeUserSessions(ctx, db, userID, now, DeactivatedReason); err != nil {
		return err
	}
	return db.DesktopSession.Update().
		Where(desktopsession.UserID(userID), desktopsession.EndedAtIsNil()).
		SetEndedAt(now).SetEndReason(DeactivatedReason).
		Exec(ctx)
}

// changedUserFields names the settings that differ, in the API's words.
func changedUserFields(old, new UserSettings) []string {
	var out []string
	add := func(changed bool, field string) {
		if changed {
			out = append(out, field)
		}
	}
	add(old.Name != new.Name, "name")
	add(old.Role != new.Role, "role")
	add(old.Active != new.Active, "active")
	add(old.ContactCenterEnabled != new.ContactCenterEnabled, "contactCenterEnabled")
	add(!equalPtr(old.AgentProfileID, new.AgentProfileID), "agentProfile")
	add(!slices.Equal(old.TeamIDs, new.TeamIDs), "teams")
	add(!equalPtr(old.DefaultDialNumber, new.DefaultDialNumber), "defaultDialNumber")
	add(!equalPtr(old.DefaultExtension, new.DefaultExtension), "defaultExtension")
	add(!equalPtr(old.SkillProfileID, new.SkillProfileID), "skillProfile")
	return out
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
