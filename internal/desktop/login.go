package desktop

import (
	"context"
	"slices"
	"strings"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/desktopsession"
	"github.com/agentdesk/agentdesk/ent/predicate"
	"github.com/agentdesk/agentdesk/ent/rememberedstation"
	"github.com/agentdesk/agentdesk/ent/team"
	"github.com/agentdesk/agentdesk/ent/teammember"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/station"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
)

// StationLoginInput is the station-login form.
type StationLoginInput struct {
	ClientID    string
	StationType station.Type
	// DialNumber for DIAL_NUMBER: as entered, read as InternationalFormat
	// (default true) and Country (default the tenant's) say.
	DialNumber          *string
	InternationalFormat *bool
	Country             *string
	// Extension for EXTENSION: 2 to 10 digits.
	Extension *string
	TeamID    string
	// RememberMe saves the station details for the next login; false or
	// omitted forgets saved ones (an agent on a shared computer unticks it).
	RememberMe *bool
	// Role defaults to the user's own role (AGENT or SUPERVISOR).
	Role *policy.Role
}

// LoginResult is a new desktop session.
type LoginResult struct {
	Session                   *ent.DesktopSession
	CredentialsSaved          bool
	CredentialsNotSavedReason *string
}

// station is a checked station choice.
type stationChoice struct {
	typ       station.Type
	e164      string // DIAL_NUMBER
	extension string // EXTENSION
	deviceID  string // DESKTOP
	// entered is what the agent typed, for "remember my credentials".
	entered string
	country string
	intl    bool
}

// StationLogin starts the caller's desktop session. Checks, in order:
// contact center enabled, profile assigned, role allowed, station type
// allowed, browser (DESKTOP), dial number or extension (valid, then the
// profile's rule and the lock to the default), team assigned; then, in the
// transaction, another tab holding the agent's session and the number or
// extension held by another active session (the unique index decides).
func (s *Service) StationLogin(ctx context.Context, in StationLoginInput) (*LoginResult, error) {
	c, err := s.agentOf(ctx, withDialPlans)
	if err != nil {
		return nil, err
	}
	role, err := c.role(in.Role)
	if err != nil {
		return nil, err
	}
	clientID, err := checkClientID(in.ClientID)
	if err != nil {
		return nil, err
	}
	st, err := c.station(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.checkTeam(ctx, c, in.TeamID); err != nil {
		return nil, err
	}

	// Idle sessions that stand in the way (the agent's own, or one holding
	// the number) end now rather than at the next sweep.
	holders := []predicate.DesktopSession{desktopsession.UserID(c.user.ID)}
	if st.e164 != "" {
		holders = append(holders, desktopsession.DialNumber(st.e164))
	}
	if st.extension != "" {
		holders = append(holders, desktopsession.Extension(st.extension))
	}
	if _, err := s.expireIdle(ctx, c.tenant.idleRule(), desktopsession.Or(holders...)); err != nil {
		return nil, err
	}

	res := &LoginResult{}
	err = store.WithTx(ctx, s.DB, func(tx *ent.Tx) error {
		db := tx.Client()
		now := s.now()
		active, err := db.DesktopSession.Query().
			Where(desktopsession.UserID(c.user.ID), desktopsession.EndedAtIsNil()).
			Only(ctx)
		switch {
		case ent.IsNotFound(err):
		case err != nil:
			return err
		case active.ClientID != clientID:
			return activeElsewhere(ctx, db, active)
		default:
			// This tab logs in again: the new station replaces the old.
			if err := blockedByInteractions(ctx, db, active); err != nil {
				return err
			}
			if err := db.DesktopSession.UpdateOne(active).
				SetEndedAt(now).SetEndReason(ReasonStationReplaced).Exec(ctx); err != nil {
				return err
			}
		}
		create := db.DesktopSession.Create().
			SetTenantID(c.tenant.ID).
			SetUserID(c.user.ID).
			SetAuthSessionID(c.viewer.SessionID).
			SetClientID(clientID).
			SetRole(role).
			SetStationType(st.typ).
			SetTeamID(in.TeamID).
			SetState(station.Idle).
			SetStateChangedAt(now).
			SetStartedAt(now).
			SetLastActivityAt(now)
		if st.e164 != "" {
			create.SetDialNumber(st.e164)
		}
		if st.extension != "" {
			create.SetExtension(st.extension)
		}
		if st.deviceID != "" {
			create.SetDeviceID(st.deviceID)
		}
		res.Session, err = create.Save(ctx)
		if err != nil {
			return s.loginConflict(ctx, err, st, c.user.ID)
		}
		return s.remember(ctx, db, c, in, st, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// role is the role the caller takes on the desktop.
func (c *caller) role(asked *policy.Role) (policy.Role, error) {
	may := roles(c.user.Role)
	if asked == nil {
		if len(may) == 0 {
			return "", apperr.New(apperr.Forbidden, "Only agents and supervisors sign in to the desktop.")
		}
		return may[len(may)-1], nil // the user's own role
	}
	if !slices.Contains(may, *asked) {
		return "", apperr.Newf(apperr.Forbidden, "You cannot sign in to the desktop as %s.", *asked).With("field", "role")
	}
	return *asked, nil
}

// station checks the chosen station type and its number.
func (c *caller) station(ctx context.Context, in StationLoginInput) (stationChoice, error) {
	st := stationChoice{typ: in.StationType}
	if !slices.Contains(c.stationTypes(), in.StationType) {
		return st, apperr.Newf(apperr.StationTypeNotAllowed, "Your profile does not allow the station type %s.", in.StationType).
			With("allowed", c.stationTypes())
	}
	switch in.StationType {
	case station.Desktop:
		if !IsChrome(signin.ClientFrom(ctx).UserAgent) {
			return st, apperr.New(apperr.BrowserNotSupported,
				"The Desktop station (WebRTC) works in Google Chrome only; open the desktop in Chrome or choose another station type.")
		}
		// The media platform names a WebRTC station after the agent.
		st.deviceID = "webrtc-" + c.user.ID
	case station.DialNumber:
		st.entered = strings.TrimSpace(deref(in.DialNumber))
		st.intl = in.InternationalFormat == nil || *in.InternationalFormat
		st.country = strings.ToUpper(strings.TrimSpace(deref(in.Country)))
		if st.intl && st.country == "" {
			st.country = c.tenant.DefaultCountry
		}
		if st.entered == "" && c.locked() && c.user.DefaultDialNumber != nil {
			// The locked field is read-only: an omitted number is the default.
			st.entered, st.intl, st.country = *c.user.DefaultDialNumber, false, ""
		}
		e164, err := c.checkDialNumber(st.entered, &st.intl, st.country)
		if err != nil {
			return st, err
		}
		st.e164 = e164
	case station.Extension:
		st.extension = strings.TrimSpace(deref(in.Extension))
		def := deref(c.user.DefaultExtension)
		if st.extension == "" && c.locked() {
			st.extension = def
		}
		if err := dialnumber.ValidateExtension(st.extension); err != nil {
			return st, err
		}
		if c.locked() && st.extension != def {
			if def == "" {
				return st, apperr.New(apperr.DialNumberLocked, "Your profile only allows your default extension, but none is set; ask your administrator.")
			}
			return st, apperr.Newf(apperr.DialNumberLocked, "Your profile only allows your default extension, %s.", def)
		}
		st.entered = st.extension
	}
	return st, nil
}

// checkTeam: the team must be one of the caller's AGENT teams.
func (s *Service) checkTeam(ctx context.Context, c *caller, teamID string) error {
	ok := false
	if teamID != "" {
		var err error
		ok, err = s.DB.Team.Query().Where(
			team.ID(teamID),
			team.TenantID(c.tenant.ID),
			team.TypeEQ(team.TypeAGENT),
			// Through team_members alone: its user_id index answers, no join
			// to users.
			team.HasMembershipsWith(teammember.UserID(c.user.ID)),
		).Exist(ctx)
		if err != nil {
			return err
		}
	}
	if !ok {
		return apperr.New(apperr.TeamNotAssigned, "You are not a member of this team; choose one of your teams.").With("field", "teamId")
	}
	return nil
}

// loginConflict maps the unique indexes' verdict on a new session to the
// contract's codes. Two concurrent logins both pass the checks above; the
// index lets one commit and the other ends up here.
func (s *Service) loginConflict(ctx context.Context, err error, st stationChoice, userID string) error {
	v, ok := store.AsViolation(err)
	if !ok || v.Kind != store.Unique {
		return err
	}
	switch v.Index {
	case "desktopsession_active_dial_number":
		return apperr.New(apperr.DialNumberInUse, "Dial number is in use by another agent.").Wrap(err)
	case "desktopsession_active_extension":
		return apperr.New(apperr.DialNumberInUse, "This extension is already in use by another agent.").Wrap(err)
	case "desktopsession_active_user":
		// Another tab of the same agent won a concurrent login.
		active, qerr := s.DB.DesktopSession.Query().
			Where(desktopsession.UserID(userID), desktopsession.EndedAtIsNil()).Only(ctx)
		if qerr != nil {
			return apperr.New(apperr.SessionActiveElsewhere, "Your desktop is open in another window.").Wrap(err)
		}
		return activeElsewhere(ctx, s.DB, active)
	}
	return err
}

// activeElsewhere is the answer to a tab that does not hold the agent's
// active session.
func activeElsewhere(ctx context.Context, db *ent.Client, ses *ent.DesktopSession) error {
	n, err := activeInteractions(ctx, db, ses.ID)
	if err != nil {
		return err
	}
	return apperr.New(apperr.SessionActiveElsewhere,
		"Your desktop is open in another browser window or tab. Continue here to move it to this one.").
		With("sessionId", ses.ID).With("activeInteractions", n)
}

// remember saves or forgets the station details, as the agent asked and
// the tenant allows.
func (s *Service) remember(ctx context.Context, db *ent.Client, c *caller, in StationLoginInput, st stationChoice, res *LoginResult) error {
	if !deref(in.RememberMe) {
		_, err := db.RememberedStation.Delete().Where(rememberedstation.UserID(c.user.ID)).Exec(ctx)
		return err
	}
	if !c.tenant.RememberStationCredentials {
		res.CredentialsNotSavedReason = ptr("Your organisation does not allow saving station credentials.")
		return nil
	}
	now := s.now()
	err := db.RememberedStation.Create().
		SetUserID(c.user.ID).
		SetStationType(st.typ).
		SetDialNumber(ifType(st, station.DialNumber, st.entered)).
		SetExtension(st.extension).
		SetCountry(ifType(st, station.DialNumber, st.country)).
		SetInternationalFormat(st.typ != station.DialNumber || st.intl).
		SetTeamID(in.TeamID).
		SetCreatedAt(now).
		SetUpdatedAt(now).
		OnConflictColumns(rememberedstation.FieldUserID).
		UpdateNewValues().
		Exec(ctx)
	if err != nil {
		return err
	}
	res.CredentialsSaved = true
	return nil
}

func ifType(st stationChoice, t station.Type, v string) string {
	if st.typ == t {
		return v
	}
	return ""
}
