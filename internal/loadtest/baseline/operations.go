package baseline

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"

	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
	"github.com/agentdesk/agentdesk/internal/station"
)

// caller is a desktop caller with what its calls need of its user, tenant
// and profile.
type caller struct {
	v                    *viewer
	contactCenter        bool
	defaultDialNumber    sql.NullString
	tenantStationTypes   []station.Type
	webRTC, forceDefault bool
	defaultCountry       string
	remember             bool
	timeoutMinutes       int
	profileID            sql.NullString
	profileOptions       []station.Type
	validation           sql.NullString
	plans                []dialnumber.Plan
}

// agent authorizes a desktop call (AGENT or SUPERVISOR in its own tenant)
// and loads the caller in one statement; with plans, also the profile's
// dial plans (station login checks the number against them).
func (h *Handler) agent(ctx context.Context, v *viewer, plans, needProfile bool) (*caller, error) {
	if err := authorize(v, v.tenantIDOrNone(), "AGENT", "SUPERVISOR"); err != nil {
		return nil, err
	}
	c := &caller{v: v}
	var tenantTypes, profileTypes []byte
	err := h.db.QueryRowContext(ctx, `SELECT u.contact_center_enabled, u.default_dial_number,
			t.station_types, t.webrtc_enabled, t.force_default_dial_number, t.default_country,
			t.remember_station_credentials, t.desktop_inactivity_timeout_minutes,
			p.id, p.login_voice_options, p.dial_number_validation
		FROM users u JOIN tenants t ON t.id = u.tenant_id
		LEFT JOIN agent_profiles p ON p.id = u.agent_profile_id AND p.tenant_id = u.tenant_id
		WHERE u.id = ? AND u.tenant_id = ? AND u.active`, v.userID, v.tenantID).
		Scan(&c.contactCenter, &c.defaultDialNumber, &tenantTypes, &c.webRTC, &c.forceDefault, &c.defaultCountry,
			&c.remember, &c.timeoutMinutes, &c.profileID, &profileTypes, &c.validation)
	if errors.Is(err, sql.ErrNoRows) {
		if v.tenantID == "" {
			return nil, fail("NOT_CONTACT_CENTER_ENABLED", "You are not enabled for the contact center; ask your administrator.")
		}
		return nil, fail("UNAUTHENTICATED", "sign in first")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(tenantTypes, &c.tenantStationTypes); err != nil {
		return nil, err
	}
	if !needProfile {
		return c, nil
	}
	if !c.contactCenter {
		return nil, fail("NOT_CONTACT_CENTER_ENABLED", "You are not enabled for the contact center; ask your administrator.")
	}
	if !c.profileID.Valid {
		return nil, fail("PROFILE_NOT_ASSIGNED", "No desktop profile is assigned to you; ask your administrator.")
	}
	if err := json.Unmarshal(profileTypes, &c.profileOptions); err != nil {
		return nil, err
	}
	if !plans {
		return c, nil
	}
	rows, err := h.db.QueryContext(ctx, `SELECT d.name, d.regular_expression, d.prefix, d.stripped_chars, d.active
		FROM agent_profile_dial_plans j JOIN dial_plans d ON d.id = j.dial_plan_id
		WHERE j.agent_profile_id = ? AND d.tenant_id = ? ORDER BY d.id`, c.profileID.String, v.tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p dialnumber.Plan
		if err := rows.Scan(&p.Name, &p.RegularExpression, &p.Prefix, &p.StrippedChars, &p.Active); err != nil {
			return nil, err
		}
		c.plans = append(c.plans, p)
	}
	return c, rows.Err()
}

// tenantIDOrNone is the viewer's tenant; a desktop call is always in it.
func (v *viewer) tenantIDOrNone() string {
	if v == nil {
		return ""
	}
	return v.tenantID
}

func (c *caller) stationTypes() []station.Type {
	return station.Allowed(c.tenantStationTypes, c.profileOptions, c.webRTC)
}

func (c *caller) locked() bool {
	return c.forceDefault || c.validation.String == string(dialnumber.ProvisionedValue)
}

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (h *Handler) stationLoginOptions(ctx context.Context, v *viewer, _ json.RawMessage) (any, error) {
	c, err := h.agent(ctx, v, false, true)
	if err != nil {
		return nil, err
	}
	type country struct {
		ISOCode     string `json:"isoCode"`
		CallingCode int    `json:"callingCode"`
	}
	type remembered struct {
		StationType string `json:"stationType"`
		DialNumber  string `json:"dialNumber"`
	}
	type banner struct {
		Message string `json:"message"`
	}
	var out struct {
		StationTypes      []station.Type `json:"stationTypes"`
		DefaultDialNumber *string        `json:"defaultDialNumber"`
		DialNumberLocked  bool           `json:"dialNumberLocked"`
		DefaultCountry    country        `json:"defaultCountry"`
		Teams             []idName       `json:"teams"`
		RememberedStation *remembered    `json:"rememberedStation"`
		Banners           []banner       `json:"banners"`
	}
	out.StationTypes = c.stationTypes()
	if out.StationTypes == nil {
		out.StationTypes = []station.Type{}
	}
	if c.defaultDialNumber.Valid {
		out.DefaultDialNumber = &c.defaultDialNumber.String
	}
	out.DialNumberLocked = c.locked()
	cc, ok := dialnumber.LookupCountry(c.defaultCountry)
	if !ok {
		cc, _ = dialnumber.LookupCountry("US")
	}
	out.DefaultCountry = country{cc.ISOCode, cc.CallingCode}
	if c.remember {
		var r remembered
		err := h.db.QueryRowContext(ctx, `SELECT station_type, dial_number FROM remembered_stations WHERE user_id = ?`, v.userID).
			Scan(&r.StationType, &r.DialNumber)
		switch {
		case err == nil:
			out.RememberedStation = &r
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
	}
	if out.Teams, err = h.agentTeams(ctx, v); err != nil {
		return nil, err
	}
	rows, err := h.db.QueryContext(ctx, `SELECT message FROM banners WHERE tenant_id = ? AND resolved_at IS NULL
		ORDER BY created_at, id`, v.tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out.Banners = []banner{}
	for rows.Next() {
		var b banner
		if err := rows.Scan(&b.Message); err != nil {
			return nil, err
		}
		out.Banners = append(out.Banners, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return map[string]any{"stationLoginOptions": out}, nil
}

// agentTeams are the caller's AGENT teams by name.
func (h *Handler) agentTeams(ctx context.Context, v *viewer) ([]idName, error) {
	rows, err := h.db.QueryContext(ctx, `SELECT t.id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id
		WHERE m.user_id = ? AND t.tenant_id = ? AND t.type = 'AGENT' ORDER BY t.name, t.id`, v.userID, v.tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []idName{}
	for rows.Next() {
		var t idName
		if err := rows.Scan(&t.ID, &t.Name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (h *Handler) users(ctx context.Context, v *viewer, raw json.RawMessage) (any, error) {
	var vars struct {
		T string `json:"t"`
		N *int   `json:"n"`
	}
	if err := json.Unmarshal(raw, &vars); err != nil {
		return nil, fail("VALIDATION_ERROR", "bad variables")
	}
	if err := authorize(v, vars.T, "TENANT_ADMIN", "SUPERVISOR"); err != nil {
		return nil, err
	}
	n := 20
	if vars.N != nil {
		n = *vars.N
	}
	if n < 0 || n > 100 {
		return nil, fail("VALIDATION_ERROR", "first must be between 0 and 100")
	}
	type user struct {
		ID           string   `json:"id"`
		Email        string   `json:"email"`
		Name         string   `json:"name"`
		Role         string   `json:"role"`
		Teams        []idName `json:"teams"`
		AgentProfile *idName  `json:"agentProfile"`
		SkillProfile *idName  `json:"skillProfile"`
	}
	type edge struct {
		Node *user `json:"node"`
	}
	var total int
	if err := h.db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE tenant_id = ?`, vars.T).Scan(&total); err != nil {
		return nil, err
	}
	rows, err := h.db.QueryContext(ctx, `SELECT id, email, name, role, agent_profile_id, skill_profile_id
		FROM users WHERE tenant_id = ? ORDER BY id LIMIT ?`, vars.T, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		page     []*user
		byID     = map[string]*user{}
		profiles = map[string][]*user{}
		skills   = map[string][]*user{}
		ids      []any
	)
	for rows.Next() {
		u := &user{Teams: []idName{}}
		var profile, skill sql.NullString
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &profile, &skill); err != nil {
			return nil, err
		}
		page = append(page, u)
		byID[u.ID] = u
		ids = append(ids, u.ID)
		if profile.Valid {
			profiles[profile.String] = append(profiles[profile.String], u)
		}
		if skill.Valid {
			skills[skill.String] = append(skills[skill.String], u)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page) > 0 {
		// Every edge of the page in one statement each, in the tenant.
		err := each(ctx, h.db, func(r *sql.Rows) error {
			var userID string
			var t idName
			if err := r.Scan(&userID, &t.ID, &t.Name); err != nil {
				return err
			}
			byID[userID].Teams = append(byID[userID].Teams, t)
			return nil
		}, `SELECT m.user_id, t.id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id
			WHERE m.user_id IN (`+placeholders(len(ids))+`) AND t.tenant_id = ? ORDER BY t.name, t.id`, append(ids, vars.T)...)
		if err != nil {
			return nil, err
		}
		for _, e := range []struct {
			table string
			set   func(*user, *idName)
			by    map[string][]*user
		}{
			{"agent_profiles", func(u *user, p *idName) { u.AgentProfile = p }, profiles},
			{"skill_profiles", func(u *user, p *idName) { u.SkillProfile = p }, skills},
		} {
			if len(e.by) == 0 {
				continue
			}
			keys := make([]any, 0, len(e.by)+1)
			for k := range e.by {
				keys = append(keys, k)
			}
			err := each(ctx, h.db, func(r *sql.Rows) error {
				p := &idName{}
				if err := r.Scan(&p.ID, &p.Name); err != nil {
					return err
				}
				for _, u := range e.by[p.ID] {
					e.set(u, p)
				}
				return nil
			}, `SELECT id, name FROM `+e.table+` WHERE id IN (`+placeholders(len(keys))+`) AND tenant_id = ?`, append(keys, vars.T)...)
			if err != nil {
				return nil, err
			}
		}
	}
	edges := make([]edge, len(page))
	for i, u := range page {
		edges[i] = edge{u}
	}
	type connection struct {
		TotalCount int    `json:"totalCount"`
		Edges      []edge `json:"edges"`
	}
	return map[string]any{"users": connection{total, edges}}, nil
}

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// each runs a query and calls scan for every row.
func each(ctx context.Context, q querier, scan func(*sql.Rows) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// domainError turns a rule's error (dial numbers) into the answer's code.
func domainError(err error) error {
	if ae, ok := apperr.As(err); ok {
		return fail(string(ae.Code), ae.Message)
	}
	return err
}

func checkClientID(id string) (string, error) {
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return "", fail("VALIDATION_ERROR", "clientId must not be empty")
	case utf8.RuneCountInString(id) > 128:
		return "", fail("VALIDATION_ERROR", "clientId must be at most 128 characters")
	case strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", fail("VALIDATION_ERROR", "clientId must not contain control characters")
	}
	return id, nil
}

// expireIdle ends the caller's tenant's idle sessions among those that
// match extra (the caller's, or one holding the number), each by a
// conditional update, like desktop.Service.expireIdle.
func (h *Handler) expireIdle(ctx context.Context, c *caller, extra string, args ...any) error {
	now := h.now()
	cutoff := now.Add(-time.Duration(c.timeoutMinutes) * time.Minute)
	idle := `tenant_id = ? AND ended_at IS NULL AND last_activity_at < ?
		AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.desktop_session_id = desktop_sessions.id AND i.active)
		AND (` + extra + `)`
	base := append([]any{c.v.tenantID, cutoff}, args...)
	var ids []string
	err := each(ctx, h.db, func(r *sql.Rows) error {
		var id string
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	}, `SELECT id FROM desktop_sessions WHERE `+idle, base...)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := h.db.ExecContext(ctx, `UPDATE desktop_sessions SET ended_at = ?, end_reason = 'Inactivity Logout'
			WHERE id = ? AND `+idle, append([]any{now, id}, base...)...); err != nil {
			return err
		}
	}
	return nil
}

// inTx runs fn in one transaction (BEGIN IMMEDIATE by the DSN).
func (h *Handler) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (h *Handler) stationLogin(ctx context.Context, v *viewer, raw json.RawMessage) (any, error) {
	var vars struct {
		In struct {
			ClientID            string  `json:"clientId"`
			StationType         string  `json:"stationType"`
			DialNumber          string  `json:"dialNumber"`
			InternationalFormat *bool   `json:"internationalFormat"`
			Country             string  `json:"country"`
			TeamID              string  `json:"teamId"`
			RememberMe          *bool   `json:"rememberMe"`
			Role                *string `json:"role"`
		} `json:"in"`
	}
	if err := json.Unmarshal(raw, &vars); err != nil {
		return nil, fail("VALIDATION_ERROR", "bad variables")
	}
	in := vars.In
	c, err := h.agent(ctx, v, true, true)
	if err != nil {
		return nil, err
	}
	role := v.role
	if role != "AGENT" && role != "SUPERVISOR" {
		return nil, fail("FORBIDDEN", "Only agents and supervisors sign in to the desktop.")
	}
	if in.Role != nil || (in.RememberMe != nil && *in.RememberMe) {
		return nil, errors.New("baseline: role and rememberMe are not part of the benchmark")
	}
	clientID, err := checkClientID(in.ClientID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(c.stationTypes(), station.Type(in.StationType)) {
		return nil, fail("STATION_TYPE_NOT_ALLOWED", fmt.Sprintf("Your profile does not allow the station type %s.", in.StationType))
	}
	if station.Type(in.StationType) != station.DialNumber {
		return nil, errors.New("baseline: only DIAL_NUMBER stations are part of the benchmark")
	}
	entered := strings.TrimSpace(in.DialNumber)
	intl := in.InternationalFormat == nil || *in.InternationalFormat
	country := strings.ToUpper(strings.TrimSpace(in.Country))
	if intl && country == "" {
		country = c.defaultCountry
	}
	if entered == "" && c.locked() && c.defaultDialNumber.Valid {
		entered, intl, country = c.defaultDialNumber.String, false, ""
	}
	e164, err := dialnumber.Normalize(dialnumber.Input{Number: entered, InternationalFormat: intl, Country: country, DefaultCountry: c.defaultCountry})
	if err != nil {
		return nil, domainError(err)
	}
	if c.forceDefault {
		if err := dialnumber.Check(dialnumber.ProvisionedValue, e164, nil, c.defaultDialNumber.String); err != nil {
			return nil, domainError(err)
		}
	}
	if err := dialnumber.Check(dialnumber.Rule(c.validation.String), e164, c.plans, c.defaultDialNumber.String); err != nil {
		return nil, domainError(err)
	}
	var member bool
	if err := h.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM teams t JOIN team_members m ON m.team_id = t.id
		WHERE t.id = ? AND t.tenant_id = ? AND t.type = 'AGENT' AND m.user_id = ?)`, in.TeamID, v.tenantID, v.userID).Scan(&member); err != nil {
		return nil, err
	}
	if !member {
		return nil, fail("TEAM_NOT_ASSIGNED", "You are not a member of this team; choose one of your teams.")
	}
	if err := h.expireIdle(ctx, c, `user_id = ? OR dial_number = ?`, v.userID, e164); err != nil {
		return nil, err
	}
	id := newID("dsk")
	err = h.inTx(ctx, func(tx *sql.Tx) error {
		now := h.now()
		var activeID, activeClient string
		err := tx.QueryRowContext(ctx, `SELECT id, client_id FROM desktop_sessions WHERE user_id = ? AND ended_at IS NULL AND tenant_id = ?`,
			v.userID, v.tenantID).Scan(&activeID, &activeClient)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case activeClient != clientID:
			return fail("SESSION_ACTIVE_ELSEWHERE", "Your desktop is open in another browser window or tab.")
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE desktop_sessions SET ended_at = ?, end_reason = 'Station login replaced' WHERE id = ?`,
				now, activeID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO desktop_sessions (id, auth_session_id, client_id, role, station_type, dial_number,
				team_id, state, idle_code, state_changed_at, started_at, last_activity_at, end_reason, tenant_id, user_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'IDLE', '', ?, ?, ?, '', ?, ?)`,
			id, v.sessionID, clientID, role, in.StationType, e164, in.TeamID, now, now, now, v.tenantID, v.userID)
		var se sqlite3.Error
		if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
			return fail("DIAL_NUMBER_IN_USE", "Dial number is in use by another agent.")
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM remembered_stations WHERE user_id = ?`, v.userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	type session struct {
		ID string `json:"id"`
	}
	type result struct {
		Session session `json:"session"`
	}
	return map[string]any{"stationLogin": result{session{id}}}, nil
}

func (h *Handler) signOut(ctx context.Context, v *viewer, raw json.RawMessage) (any, error) {
	var vars struct {
		C string `json:"c"`
	}
	if err := json.Unmarshal(raw, &vars); err != nil {
		return nil, fail("VALIDATION_ERROR", "bad variables")
	}
	c, err := h.agent(ctx, v, false, false)
	if err != nil {
		return nil, err
	}
	clientID, err := checkClientID(vars.C)
	if err != nil {
		return nil, err
	}
	if err := h.expireIdle(ctx, c, `user_id = ?`, v.userID); err != nil {
		return nil, err
	}
	err = h.inTx(ctx, func(tx *sql.Tx) error {
		now := h.now()
		var id, client, state string
		err := tx.QueryRowContext(ctx, `SELECT id, client_id, state FROM desktop_sessions WHERE user_id = ? AND ended_at IS NULL AND tenant_id = ?`,
			v.userID, v.tenantID).Scan(&id, &client, &state)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fail("NO_DESKTOP_SESSION", "You have no desktop session; log in to a station.")
		case err != nil:
			return err
		case client != clientID:
			return fail("SESSION_ACTIVE_ELSEWHERE", "Your desktop is open in another browser window or tab.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE desktop_sessions SET last_activity_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		if state == string(station.Available) {
			return fail("AGENT_NOT_IDLE", "Set your state to Idle before you sign out.")
		}
		var kinds []string
		if err := each(ctx, tx, func(r *sql.Rows) error {
			var k string
			if err := r.Scan(&k); err != nil {
				return err
			}
			kinds = append(kinds, k)
			return nil
		}, `SELECT DISTINCT kind FROM interactions WHERE desktop_session_id = ? AND active`, id); err != nil {
			return err
		}
		switch {
		case slices.Contains(kinds, string(station.Conversation)):
			return fail("ACTIVE_INTERACTION", "You cannot sign out during an active conversation; end it first.")
		case slices.Contains(kinds, string(station.Monitoring)):
			return fail("MONITORING_IN_PROGRESS", "You cannot sign out while monitoring; stop monitoring first.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE desktop_sessions SET ended_at = ?, end_reason = 'User requested logout' WHERE id = ?`, now, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ?, revoked_reason = 'User requested logout'
			WHERE id = ? AND revoked_at IS NULL`, now, v.sessionID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"signOut": true}, nil
}
