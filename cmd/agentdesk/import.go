package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/provision"
	"github.com/agentdesk/agentdesk/policy"
)

var importCommand = &command{
	name:    "import",
	summary: "import a tenant's users from a CSV file of any size: agentdesk import users FILE.csv --tenant SLUG",
	usage:   "users FILE.csv --tenant SLUG [--dry-run] [--invite] [--database URL | --server URL]",
	about: `Creates and updates the tenant's users from FILE.csv, matched by e-mail
(the CSV format, with every column: docs/import-users.md; an example:
docs/examples/users.csv). The file is read as a stream, in chunks of at
most 5,000 rows (the API's limit of one importUsers), so its size does not
matter.

It runs in two passes. First every chunk is checked (a dry run of the API,
which writes nothing), with the e-mails and default dial numbers compared
across the whole file. When any row has an error, every error is printed
as FILE:LINE: field: message (LINE is the line of the file the row starts
on; the header is line 1) and nothing is written. Otherwise the chunks are
written in order, one transaction each; if one fails (the database changed
in between, the connection broke), the import stops and says which chunks
were written and which were not. Running the same import again is safe:
rows already written read as unchanged.

Progress goes to stderr: a progress bar on a terminal, a line per chunk
otherwise. Exit status 1 on any error.`,
	envOnly: targetEnv,
	flags: func(fs *flagSet) func(context.Context, *invocation) error {
		target := fs.target()
		o := importOptions{}
		fs.StringVar(&o.tenant, "tenant", "", "the `slug` of the tenant the users belong to (required)")
		fs.BoolVar(&o.dryRun, "dry-run", false, "check the whole file and print what the import would do; write nothing")
		fs.BoolVar(&o.invite, "invite", false, "mail each user the import creates an invitation to set a password (tenants that sign in with passwords); the server's mail worker sends them")
		return func(ctx context.Context, c *invocation) error {
			if len(c.args) != 2 || c.args[0] != "users" {
				return usageErrorf("import", "the import command is: agentdesk import users FILE.csv --tenant SLUG")
			}
			if o.tenant == "" {
				return usageErrorf("import", "--tenant is required")
			}
			o.path = c.args[1]
			remote, err := target.remote("import")
			if err != nil {
				return err
			}
			var imp userImporter
			if remote {
				client, err := target.client()
				if err != nil {
					return err
				}
				imp = apiImporter{client}
			} else {
				opCtx, off, err := target.openDatabase(ctx, c.log)
				if err != nil {
					return err
				}
				defer off.Close()
				ctx, imp = opCtx, dbImporter{off.DB.Client, off.Provision}
			}
			return importUsers(ctx, c, imp, o)
		}
	},
}

type importOptions struct {
	path, tenant   string
	dryRun, invite bool
}

// userImporter runs importUsers on a database or through a server.
type userImporter interface {
	tenantID(ctx context.Context, slug string) (string, error)
	importChunk(ctx context.Context, tenantID, csv string, opt provision.Options) (*provision.ImportReport, error)
}

type dbImporter struct {
	db  *ent.Client
	svc *provision.Service
}

func (d dbImporter) tenantID(ctx context.Context, slug string) (string, error) {
	t, err := d.db.Tenant.Query().Where(tenant.Slug(slug)).Only(policy.System(ctx, "the command line finds a tenant by slug"))
	if ent.IsNotFound(err) {
		return "", fmt.Errorf("there is no tenant with the slug %q", slug)
	}
	if err != nil {
		return "", err
	}
	return t.ID, nil
}

func (d dbImporter) importChunk(ctx context.Context, tenantID, csv string, opt provision.Options) (*provision.ImportReport, error) {
	return d.svc.ImportUsers(ctx, tenantID, csv, opt)
}

type apiImporter struct{ c *apiClient }

func (a apiImporter) tenantID(ctx context.Context, slug string) (string, error) {
	var after *string
	for {
		var data struct {
			Tenants struct {
				Edges []struct {
					Node struct{ ID, Slug string }
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
		err := a.c.do(ctx, `query($s: String, $after: String) { tenants(first: 100, after: $after, filter: {search: $s}) {
			edges { node { id slug } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"s": slug, "after": after}, &data)
		if err != nil {
			return "", err
		}
		for _, e := range data.Tenants.Edges {
			if e.Node.Slug == slug {
				return e.Node.ID, nil
			}
		}
		if !data.Tenants.PageInfo.HasNextPage {
			return "", fmt.Errorf("there is no tenant with the slug %q that this token may see", slug)
		}
		after = data.Tenants.PageInfo.EndCursor
	}
}

func (a apiImporter) importChunk(ctx context.Context, tenantID, csv string, opt provision.Options) (*provision.ImportReport, error) {
	var data struct {
		ImportUsers struct {
			Created, Updated, Unchanged, Failed, Invited int
			DryRun                                       bool
			Errors                                       []struct {
				Row     int
				Field   *string
				Message string
			}
		}
	}
	err := a.c.do(ctx, `mutation($t: ID!, $csv: String!, $dry: Boolean, $invite: Boolean) {
		importUsers(tenantId: $t, csv: $csv, dryRun: $dry, invite: $invite) {
			created updated unchanged failed invited dryRun errors { row field message } } }`,
		map[string]any{"t": tenantID, "csv": csv, "dry": opt.DryRun, "invite": opt.Invite}, &data)
	if err != nil {
		return nil, err
	}
	r := data.ImportUsers
	rep := &provision.ImportReport{Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged,
		Failed: r.Failed, Invited: r.Invited, DryRun: r.DryRun}
	for _, e := range r.Errors {
		re := provision.RowError{Row: e.Row, Message: e.Message}
		if e.Field != nil {
			re.Field = *e.Field
		}
		rep.Errors = append(rep.Errors, re)
	}
	return rep, nil
}

// Chunking. A chunk is cut at provision.MaxImportRows rows, or earlier when
// its text nears the API's size limit.
const (
	chunkRows  = provision.MaxImportRows
	chunkBytes = provision.MaxImportBytes - 1<<20
	// maxPrinted bounds the row errors printed; the count covers all.
	maxPrinted = 1000
)

// chunk is up to chunkRows rows of the file as an import of their own: the
// file's header and the rows, with the line each row starts on.
type chunk struct {
	n           int   // 1-based
	first, last int   // the file lines it spans
	rows        int   // rows read, those with errors included
	end         int64 // the file's bytes read up to the chunk's end
	text        string
	lines       []int // lines[i] is the line of data row i+1 of text
	// errs are the rows refused before the API saw them (an e-mail or dial
	// number given twice in the file, text that is not UTF-8).
	errs []lineError
}

// lineError is one problem of the row starting on line.
type lineError struct {
	line           int
	field, message string
}

// chunkReader reads an import file as chunks. It also checks what one
// chunk alone cannot: an e-mail or a default dial number given twice in
// the file. It keeps a 64-bit hash and a line per value, not the values.
type chunkReader struct {
	r         *csv.Reader
	header    []string
	emailCol  int
	numberCol int
	emails    map[uint64]int
	numbers   map[uint64]int
	n         int
	done      bool
	headerErr *lineError
}

func newChunkReader(r io.Reader) (*chunkReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	// Spreadsheets put a byte-order mark in front of UTF-8 CSV.
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := &chunkReader{r: csv.NewReader(br), emailCol: -1, numberCol: -1,
		emails: map[uint64]int{}, numbers: map[uint64]int{}}
	cr.r.FieldsPerRecord = -1 // the API reports a row with the wrong number of cells
	cr.r.TrimLeadingSpace = true
	header, err := cr.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty; it needs a header row (see docs/examples/users.csv)")
	}
	if err != nil {
		return nil, csvLineError(err)
	}
	cr.header = header
	for i, h := range header {
		switch provision.ColumnOf(h) {
		case "email":
			cr.emailCol = i
		case "defaultDialNumber":
			cr.numberCol = i
		}
	}
	return cr, nil
}

// csvLineError is a CSV syntax error with its line.
func csvLineError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &lineErr{lineError{line: pe.StartLine, field: "csv", message: "not valid CSV: " + pe.Err.Error()}}
	}
	return err
}

// lineErr is a lineError that stops the import (the file cannot be read on).
type lineErr struct{ lineError }

func (e *lineErr) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.message) }

// next returns the next chunk, or io.EOF after the last.
func (cr *chunkReader) next() (*chunk, error) {
	if cr.done {
		return nil, io.EOF
	}
	cr.n++
	ch := &chunk{n: cr.n}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(cr.header)
	for ch.rows < chunkRows && b.Len() < chunkBytes {
		record, err := cr.r.Read()
		if errors.Is(err, io.EOF) {
			cr.done = true
			break
		}
		if err != nil {
			return nil, csvLineError(err)
		}
		if blankRecord(record) {
			continue // a spreadsheet's empty line, not a user (as in the API)
		}
		line, _ := cr.r.FieldPos(0)
		if ch.first == 0 {
			ch.first = line
		}
		ch.last = line
		ch.rows++
		if e := cr.check(record, line); e != nil {
			ch.errs = append(ch.errs, *e)
			continue
		}
		_ = w.Write(record)
		ch.lines = append(ch.lines, line)
	}
	w.Flush()
	ch.end = cr.r.InputOffset()
	if ch.rows == 0 {
		cr.done = true
		if cr.n == 1 {
			return nil, errors.New("the file has a header but no rows")
		}
		return nil, io.EOF
	}
	ch.text = b.String()
	return ch, nil
}

// check refuses what the API would take in one chunk but not across the
// file, and text that is not UTF-8 (which the API refuses for the whole
// chunk, not the row).
func (cr *chunkReader) check(record []string, line int) *lineError {
	for _, cell := range record {
		if !utf8.ValidString(cell) {
			return &lineError{line: line, field: "csv", message: "The row is not UTF-8 text; save the file as CSV UTF-8."}
		}
	}
	if cr.emailCol >= 0 && cr.emailCol < len(record) {
		if email, err := admin.CheckEmail(record[cr.emailCol]); err == nil {
			if prev, dup := seen(cr.emails, email, line); dup {
				return &lineError{line: line, field: "email", message: fmt.Sprintf("%s is also on line %d; each user may appear once.", email, prev)}
			}
		}
	}
	if cr.numberCol >= 0 && cr.numberCol < len(record) {
		// As written (without spaces): the API compares the numbers as it
		// normalises them within a chunk; this catches the copy-pasted ones
		// across chunks.
		if n := strings.Join(strings.Fields(record[cr.numberCol]), ""); n != "" {
			if prev, dup := seen(cr.numbers, n, line); dup {
				return &lineError{line: line, field: "defaultDialNumber", message: fmt.Sprintf("%s is also the default dial number on line %d.", n, prev)}
			}
		}
	}
	return nil
}

// seen records value at line and reports an earlier line with the same
// value. A 64-bit hash stands for the value: a file of a million rows
// keeps 16 MB, and the chance of two different values colliding is below
// one in ten million.
func seen(m map[uint64]int, value string, line int) (int, bool) {
	h := fnv.New64a()
	_, _ = h.Write([]byte(value))
	k := h.Sum64()
	if prev, ok := m[k]; ok {
		return prev, true
	}
	m[k] = line
	return 0, false
}

func blankRecord(record []string) bool {
	for _, c := range record {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// rowRef is how the API names another row of the same chunk in a message
// ("… is also in row 3"): a data row of the chunk, rewritten as a line.
var rowRef = regexp.MustCompile(`\bin row (\d+)\b`)

// apiErrors are the row errors of a chunk's report, with lines.
func (ch *chunk) apiErrors(rep *provision.ImportReport) []lineError {
	out := make([]lineError, 0, len(rep.Errors))
	for _, e := range rep.Errors {
		out = append(out, lineError{line: ch.lineOf(e.Row), field: e.Field, message: rowRef.ReplaceAllStringFunc(e.Message, func(m string) string {
			n, _ := strconv.Atoi(rowRef.FindStringSubmatch(m)[1])
			return fmt.Sprintf("on line %d", ch.lineOf(n))
		})})
	}
	return out
}

func (ch *chunk) lineOf(row int) int {
	if row >= 1 && row <= len(ch.lines) {
		return ch.lines[row-1]
	}
	return ch.first
}

// counts are an import's outcome.
type counts struct{ created, updated, unchanged, invited int }

func (c *counts) add(r *provision.ImportReport) {
	c.created += r.Created
	c.updated += r.Updated
	c.unchanged += r.Unchanged
	c.invited += r.Invited
}

// importUsers runs the two passes: check everything, then write chunk by
// chunk.
func importUsers(ctx context.Context, c *invocation, imp userImporter, o importOptions) error {
	tenantID, err := imp.tenantID(ctx, o.tenant)
	if err != nil {
		return err
	}
	f, err := os.Open(o.path)
	if err != nil {
		return err
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return err
	}
	prog := newProgress(c.stderr, before.Size(), o.path)

	// Pass 1: check every chunk; write nothing.
	chunks, rows, would, errs, failed, err := checkFile(ctx, f, imp, tenantID, o, prog)
	if err != nil {
		var le *lineErr
		if errors.As(err, &le) {
			printLineErrors(c.stderr, o.path, append(errs, le.lineError), failed+1)
			fmt.Fprintf(c.stdout, "%s: the file cannot be read past line %d; nothing was written\n", o.path, le.line)
			return errReported
		}
		return fmt.Errorf("%s: %w; nothing was written", o.path, err)
	}
	if failed > 0 {
		printLineErrors(c.stderr, o.path, errs, failed)
		fmt.Fprintf(c.stdout, "%s: %d of %d rows have errors; nothing was written. Correct them and run the import again.\n", o.path, failed, rows)
		return errReported
	}
	if o.dryRun {
		invites := ""
		if o.invite {
			invites = fmt.Sprintf(", and invite %d", would.invited)
		}
		fmt.Fprintf(c.stdout, "%s: %d rows in %d chunks checked; the import would create %d users, update %d and leave %d unchanged%s (dry run: nothing was written)\n",
			o.path, rows, len(chunks), would.created, would.updated, would.unchanged, invites)
		return nil
	}

	// Pass 2: write the chunks in order, one transaction each.
	after, err := f.Stat()
	if err != nil {
		return err
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return fmt.Errorf("%s changed while it was being checked; nothing was written", o.path)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return writeFile(ctx, c, f, imp, tenantID, o, prog, chunks, rows)
}

// checkFile is the first pass: every chunk as a dry run. It returns the
// chunks (without their text), the rows, what the import would do, the
// row errors (the first maxPrinted) and how many rows failed.
func checkFile(ctx context.Context, f *os.File, imp userImporter, tenantID string, o importOptions, prog *progress) (
	chunks []*chunk, rows int, would counts, errs []lineError, failed int, err error) {
	prog.start("checking")
	cr, err := newChunkReader(f)
	if err != nil {
		return nil, 0, would, nil, 0, err
	}
	for {
		ch, err := cr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, rows, would, errs, failed, err
		}
		rows += ch.rows
		chErrs, chFailed := ch.errs, len(ch.errs)
		if len(ch.lines) > 0 {
			// Invitations are planned only for --dry-run, which reports
			// them; the check before a write skips that work.
			rep, err := imp.importChunk(ctx, tenantID, ch.text, provision.Options{DryRun: true, Invite: o.invite && o.dryRun})
			if err != nil {
				return nil, rows, would, errs, failed, chunkError(ch, err)
			}
			chErrs = append(chErrs, ch.apiErrors(rep)...)
			chFailed += rep.Failed
			would.add(rep)
		}
		failed += chFailed
		sort.SliceStable(chErrs, func(i, j int) bool { return chErrs[i].line < chErrs[j].line })
		if room := maxPrinted - len(errs); room > 0 {
			errs = append(errs, chErrs[:min(room, len(chErrs))]...)
		}
		prog.chunkChecked(ch, chFailed)
		ch.text, ch.lines, ch.errs = "", nil, nil
		chunks = append(chunks, ch)
	}
	prog.done()
	return chunks, rows, would, errs, failed, nil
}

// chunkError names the chunk an error of the API is about; a problem of
// the file as a whole (field csv) reads as the chunk's lines.
func chunkError(ch *chunk, err error) error {
	return fmt.Errorf("chunk %d (lines %d–%d): %w", ch.n, ch.first, ch.last, err)
}

// writeFile is the second pass. On a failure it says which chunks were
// written and which were not.
func writeFile(ctx context.Context, c *invocation, f *os.File, imp userImporter, tenantID string, o importOptions, prog *progress, planned []*chunk, rows int) error {
	prog.start("importing")
	cr, err := newChunkReader(f)
	if err != nil {
		return err
	}
	var done counts
	written := 0
	stop := func(ch *chunk, why string) error {
		prog.done()
		fmt.Fprintf(c.stderr, "%s: the import stopped at chunk %d of %d (lines %d–%d): %s\n", o.path, ch.n, len(planned), ch.first, ch.last, why)
		if written == 0 {
			fmt.Fprintf(c.stderr, "written: none; nothing of the file was written\n")
		} else {
			last := planned[written-1]
			fmt.Fprintf(c.stderr, "written: chunks 1–%d (lines %d–%d): %d created, %d updated, %d unchanged, %d invited; these stay\n",
				written, planned[0].first, last.last, done.created, done.updated, done.unchanged, done.invited)
		}
		fmt.Fprintf(c.stderr, "not written: chunks %d–%d (lines %d–%d)\n", ch.n, len(planned), ch.first, planned[len(planned)-1].last)
		fmt.Fprintf(c.stderr, "Running the same import again is safe: the rows already written read as unchanged.\n")
		return errReported
	}
	for {
		ch, err := cr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || ch.n > len(planned) || len(ch.errs) > 0 {
			return fmt.Errorf("%s changed while it was being imported (%v); chunks 1–%d were written", o.path, err, written)
		}
		rep, err := imp.importChunk(ctx, tenantID, ch.text, provision.Options{Invite: o.invite})
		if err != nil {
			return stop(ch, readable(err))
		}
		if rep.Failed > 0 {
			// The database changed since the check (another admin, another
			// import): this chunk was not written.
			printLineErrors(c.stderr, o.path, ch.apiErrors(rep), rep.Failed)
			return stop(ch, fmt.Sprintf("%d rows have errors now that the check did not find (the database changed meanwhile)", rep.Failed))
		}
		done.add(rep)
		written++
		prog.chunkWritten(ch, len(planned), rep)
	}
	prog.done()
	fmt.Fprintf(c.stdout, "%s: imported %d rows in %d chunks: %d users created, %d updated, %d unchanged, %d invited\n",
		o.path, rows, written, done.created, done.updated, done.unchanged, done.invited)
	return nil
}

// printLineErrors prints errs as FILE:LINE: field: message, and how many
// failed rows are not shown.
func printLineErrors(w io.Writer, path string, errs []lineError, failed int) {
	shown := map[int]bool{}
	for _, e := range errs {
		shown[e.line] = true
		if e.field != "" {
			fmt.Fprintf(w, "%s:%d: %s: %s\n", path, e.line, e.field, e.message)
		} else {
			fmt.Fprintf(w, "%s:%d: %s\n", path, e.line, e.message)
		}
	}
	if more := failed - len(shown); more > 0 {
		fmt.Fprintf(w, "%s: and %d more rows with errors not shown\n", path, more)
	}
}
