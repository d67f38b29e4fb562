package provision

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// Limits of an import, the product's limits for bulk CSV.
const (
	MaxImportRows  = 5000
	MaxImportBytes = 10 << 20
	// MaxImportErrors bounds the errors reported, so a file of 5,000 bad
	// rows does not make a response of megabytes; Failed still counts every
	// failed row.
	MaxImportErrors = 1000
)

// The columns of an import file.
const (
	colEmail                = "email"
	colName                 = "name"
	colRole                 = "role"
	colAgentProfile         = "agentProfile"
	colTeams                = "teams"
	colDefaultDialNumber    = "defaultDialNumber"
	colDefaultExtension     = "defaultExtension"
	colSkillProfile         = "skillProfile"
	colContactCenterEnabled = "contactCenterEnabled"
	colActive               = "active"
)

var columns = []string{colEmail, colName, colRole, colAgentProfile, colTeams, colDefaultDialNumber,
	colDefaultExtension, colSkillProfile, colContactCenterEnabled, colActive}

// ImportReport is the report of an import.
type ImportReport struct {
	Created, Updated, Unchanged, Failed int
	// Invited counts the created users mailed an invitation.
	Invited int
	Errors  []RowError
	DryRun  bool
}

// RowError is one problem of one row.
type RowError struct {
	// Row is the 1-based data row; the header is row 0.
	Row int
	// Field is the column, "" for the row as a whole.
	Field   string
	Message string
}

// UserFile is a parsed import file: which columns it has, and its rows.
type UserFile struct {
	// index is the position of each column the header has.
	index map[string]int
	Rows  []UserRow
}

// UserRow is one data row.
type UserRow struct {
	Row   int
	cells []string
	// Err is set when the row could not be read as a whole.
	Err *RowError
}

// Has reports whether the file has column col.
func (f *UserFile) Has(col string) bool {
	_, ok := f.index[col]
	return ok
}

// cell is the trimmed value of col in r and whether the file has col.
func (f *UserFile) cell(r UserRow, col string) (string, bool) {
	i, ok := f.index[col]
	if !ok {
		return "", false
	}
	return strings.TrimSpace(r.cells[i]), true
}

// ParseUserCSV reads an import file. Problems with the file as a whole (too
// big, not CSV, a bad header, too many rows) are a VALIDATION_ERROR on field
// csv; a row whose number of cells differs from the header's is kept with
// its Err set, so every row's problems are reported together.
func ParseUserCSV(text string) (*UserFile, error) {
	if len(text) > MaxImportBytes {
		return nil, apperr.Invalid("csv", fmt.Sprintf("The file has %.1f MB; an import takes at most %d MB.", float64(len(text))/(1<<20), MaxImportBytes>>20))
	}
	if !utf8.ValidString(text) {
		return nil, apperr.Invalid("csv", "The file is not UTF-8 text; save it as CSV UTF-8.")
	}
	// Spreadsheets put a byte-order mark in front of UTF-8 CSV.
	text = strings.TrimPrefix(text, "\ufeff")
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1 // checked per row below, to report the row
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.Invalid("csv", "The file is empty; it needs a header row: "+strings.Join(columns, ",")+".")
	}
	if err != nil {
		return nil, csvError(err)
	}
	f := &UserFile{index: map[string]int{}}
	for i, h := range header {
		name, ok := columnNamed(h)
		if !ok {
			return nil, apperr.Invalid("csv", fmt.Sprintf("Unknown column %q in the header; the columns are %s.", clip(strings.TrimSpace(h), 40), strings.Join(columns, ", ")))
		}
		if _, dup := f.index[name]; dup {
			return nil, apperr.Invalid("csv", fmt.Sprintf("The column %s is in the header twice.", name))
		}
		f.index[name] = i
	}
	for _, required := range []string{colEmail, colName} {
		if !f.Has(required) {
			return nil, apperr.Invalid("csv", fmt.Sprintf("The header has no %s column; email and name are required.", required))
		}
	}
	for row := 1; ; row++ {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		if row > MaxImportRows {
			return nil, apperr.Invalid("csv", fmt.Sprintf("The file has more than %d rows; split it into several imports.", MaxImportRows))
		}
		if blank(record) {
			continue // a spreadsheet's empty line, not a user
		}
		ur := UserRow{Row: row, cells: record}
		if len(record) != len(header) {
			ur.Err = &RowError{Row: row, Message: fmt.Sprintf("The row has %d cells; the header has %d.", len(record), len(header))}
		}
		f.Rows = append(f.Rows, ur)
	}
	if len(f.Rows) == 0 {
		return nil, apperr.Invalid("csv", "The file has a header but no rows.")
	}
	return f, nil
}

func blank(record []string) bool {
	for _, c := range record {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// dialNumbers are the file's non-empty default dial numbers.
func (f *UserFile) dialNumbers() []string {
	var out []string
	for _, r := range f.Rows {
		if r.Err == nil {
			if v, ok := f.cell(r, colDefaultDialNumber); ok && v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// ColumnOf is the column a header cell of an import file names, or "" when
// it names none; `agentdesk import users` finds the e-mail and dial-number
// columns with it to check a file larger than one import.
func ColumnOf(headerCell string) string {
	c, _ := columnNamed(headerCell)
	return c
}

// columnNamed matches a header cell to a column, ignoring case, spaces and
// underscores, as spreadsheets tend to change them ("Default Dial Number").
func columnNamed(h string) (string, bool) {
	key := strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(strings.TrimSpace(h)))
	for _, c := range columns {
		if strings.ToLower(c) == key {
			return c, true
		}
	}
	return "", false
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.Invalid("csv", fmt.Sprintf("The file is not valid CSV at line %d: %v.", pe.Line, pe.Err))
	}
	return apperr.Invalid("csv", "The file is not valid CSV.")
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// apiField is the column a rule's field is in: admin names the fields of
// createUser's input, the file names profiles and teams.
func apiField(field string) string {
	switch field {
	case "agentProfileId":
		return colAgentProfile
	case "teamIds":
		return colTeams
	case "skillProfileId":
		return colSkillProfile
	}
	return field
}

// settings applies row r over base (a stored user's settings, or a new
// user's defaults), resolving names with rules. It returns every problem
// of reading the row; the user rules check the result (admin.PlanUsers).
func (f *UserFile) settings(r UserRow, base admin.UserSettings, rules *admin.UserRules) (admin.UserSettings, []*apperr.Error) {
	var errs []*apperr.Error
	fail := func(field, msg string) { errs = append(errs, apperr.Invalid(field, msg)) }
	s := base
	s.Email, _ = f.cell(r, colEmail)
	s.Name, _ = f.cell(r, colName)
	if v, ok := f.cell(r, colRole); ok && v != "" {
		role := policy.Role(strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToUpper(v)))
		if !role.Valid() {
			fail(colRole, fmt.Sprintf("%q is not a role; use AGENT, SUPERVISOR or TENANT_ADMIN.", clip(v, 40)))
		} else {
			s.Role = role
		}
	}
	lookup := func(col string, dst **string, byName func(string) (string, bool), what string) {
		v, ok := f.cell(r, col)
		switch {
		case !ok:
		case v == "":
			*dst = nil
		default:
			id, found := byName(v)
			if !found {
				fail(col, fmt.Sprintf("There is no %s named %q.", what, clip(v, 80)))
				return
			}
			*dst = &id
		}
	}
	lookup(colAgentProfile, &s.AgentProfileID, rules.ProfileNamed, "agent profile")
	lookup(colSkillProfile, &s.SkillProfileID, rules.SkillProfileNamed, "skill profile")
	if v, ok := f.cell(r, colTeams); ok {
		s.TeamIDs = nil
		for _, name := range strings.Split(v, ";") {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			id, found := rules.TeamNamed(name)
			if !found {
				fail(colTeams, fmt.Sprintf("There is no team named %q.", clip(name, 80)))
				continue
			}
			s.TeamIDs = append(s.TeamIDs, id)
		}
	}
	for _, c := range []struct {
		col string
		dst **string
	}{{colDefaultDialNumber, &s.DefaultDialNumber}, {colDefaultExtension, &s.DefaultExtension}} {
		if v, ok := f.cell(r, c.col); ok {
			if v == "" {
				*c.dst = nil
			} else {
				*c.dst = &v
			}
		}
	}
	for _, c := range []struct {
		col string
		dst *bool
	}{{colContactCenterEnabled, &s.ContactCenterEnabled}, {colActive, &s.Active}} {
		if v, ok := f.cell(r, c.col); ok && v != "" {
			b, valid := parseBool(v)
			if !valid {
				fail(c.col, fmt.Sprintf("%q is not true or false.", clip(v, 40)))
				continue
			}
			*c.dst = b
		}
	}
	return s, errs
}

func parseBool(v string) (value, ok bool) {
	switch strings.ToLower(v) {
	case "true", "yes", "y", "1":
		return true, true
	case "false", "no", "n", "0":
		return false, true
	}
	return false, false
}

// ImportUsers creates and updates a tenant's users from CSV: in one
// transaction, and only when no row has an error. A dry run reports the same
// without keeping anything.
func (s *Service) ImportUsers(ctx context.Context, tenantID, text string, opt Options) (*ImportReport, error) {
	dryRun := opt.DryRun
	if err := s.Admin.Policy.AuthorizeContext(ctx, policy.UserImport, tenantID); err != nil {
		return nil, err
	}
	file, err := ParseUserCSV(text)
	if err != nil {
		return nil, err
	}
	// Read the dial numbers before the transaction takes the write lock:
	// they are most of the work of checking a file.
	var readings *admin.DialNumberReadings
	if t, err := s.Admin.DB.Tenant.Get(ctx, tenantID); err == nil {
		readings = admin.ReadDialNumbers(t.DefaultCountry, file.dialNumbers())
	}
	var result *ImportReport
	err = s.inTx(ctx, func(tx *ent.Tx) (bool, admin.Event, error) {
		db := tx.Client()
		t, err := db.Tenant.Get(ctx, tenantID)
		if ent.IsNotFound(err) {
			return false, admin.Event{}, apperr.New(apperr.NotFound, "not found")
		}
		if err != nil {
			return false, admin.Event{}, err
		}
		rules, err := admin.LoadUserRules(ctx, db, t)
		if err != nil {
			return false, admin.Event{}, err
		}
		rules.UseReadings(readings)
		plan, errs, err := planImport(ctx, db, t.ID, file, rules)
		if err != nil {
			return false, admin.Event{}, err
		}
		result = &ImportReport{DryRun: dryRun}
		if len(errs) > 0 {
			result.Failed, result.Errors = failedRows(errs)
			return false, admin.Event{}, nil
		}
		written, invited, err := s.Admin.WriteUserPlan(ctx, db, t.ID, plan, opt.Invite)
		if err != nil {
			return false, admin.Event{}, err
		}
		result.Invited = invited
		for _, w := range written {
			switch w.Outcome {
			case admin.Created:
				result.Created++
			case admin.Updated:
				result.Updated++
			default:
				result.Unchanged++
			}
		}
		return !dryRun, admin.Event{TenantID: t.ID, Action: "importUsers", TargetType: "Tenant", TargetID: t.ID,
			Summary: fmt.Sprintf("imported %d rows: %d users created, %d updated, %d unchanged, %d invited",
				len(file.Rows), result.Created, result.Updated, result.Unchanged, result.Invited)}, nil
	})
	if err != nil {
		return nil, err
	}
	if !dryRun {
		s.Admin.KickMail()
	}
	return result, nil
}

// planImport turns the file's rows into a plan of checked users through
// admin.PlanUsers, the pipeline of createUser and applyTenant, and the
// rows' errors. Every look-up is done in a few queries for the whole file.
func planImport(ctx context.Context, db *ent.Client, tenantID string, file *UserFile, rules *admin.UserRules) (*admin.UserPlan, []RowError, error) {
	var errs []RowError
	var rows []UserRow
	for _, r := range file.Rows {
		if r.Err != nil {
			errs = append(errs, *r.Err)
			continue
		}
		rows = append(rows, r)
	}
	reqs := make([]admin.UserRequest, len(rows))
	for i, r := range rows {
		email, _ := file.cell(r, colEmail)
		reqs[i] = admin.UserRequest{Email: email, Edit: func(base admin.UserSettings) (admin.UserSettings, []*apperr.Error) {
			return file.settings(r, base, rules)
		}}
	}
	plan, err := admin.PlanUsers(ctx, db, admin.UserChange{
		TenantID: tenantID, Rules: rules,
		Ref: func(i int) string { return fmt.Sprintf("in row %d", rows[i].Row) },
	}, reqs)
	if err != nil {
		return nil, nil, err
	}
	for i, problems := range plan.Problems {
		errs = append(errs, rowErrors(rows[i].Row, problems)...)
	}
	return plan, errs, nil
}

// rowErrors are the problems of one row, in the file's column names.
func rowErrors(row int, problems []*apperr.Error) []RowError {
	out := make([]RowError, len(problems))
	for i, e := range problems {
		out[i] = RowError{Row: row, Field: apiField(fieldOf(e)), Message: e.Message}
	}
	return out
}

// failedRows counts the rows with errors and returns the first
// MaxImportErrors errors in row order.
func failedRows(errs []RowError) (int, []RowError) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
	rows := map[int]bool{}
	for _, e := range errs {
		rows[e.Row] = true
	}
	if len(errs) > MaxImportErrors {
		errs = errs[:MaxImportErrors]
	}
	return len(rows), errs
}
