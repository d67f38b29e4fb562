package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/agentdesk/agentdesk/internal/provision"
)

// progress shows an import's progress on w (stderr): a bar over the file's
// bytes when w is a terminal, a plain line per chunk otherwise (a log, a
// CI job, a pipe).
type progress struct {
	w        io.Writer
	size     int64
	path     string
	terminal bool
	bar      *progressbar.ProgressBar
}

func newProgress(w io.Writer, size int64, path string) *progress {
	p := &progress{w: w, size: size, path: path}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.terminal = true
	}
	return p
}

// start begins a pass described as what ("checking"): on a terminal, a bar
// over the file's bytes that moves as chunks are done (chunkChecked,
// chunkWritten), not as they are read, which is the quick part.
func (p *progress) start(what string) {
	if !p.terminal {
		return
	}
	p.bar = progressbar.NewOptions64(p.size,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(what+" "+filepath.Base(p.path)),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
	)
}

// done ends the bar, so that what is printed next starts a line of its own.
func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

func (p *progress) chunkChecked(ch *chunk, errs int) {
	if p.bar != nil {
		_ = p.bar.Set64(ch.end)
	} else {
		fmt.Fprintf(p.w, "checked %s chunk %d (lines %d–%d): %d rows, %d with errors\n", p.path, ch.n, ch.first, ch.last, ch.rows, errs)
	}
}

func (p *progress) chunkWritten(ch *chunk, chunks int, rep *provision.ImportReport) {
	if p.bar != nil {
		_ = p.bar.Set64(ch.end)
	} else {
		fmt.Fprintf(p.w, "wrote %s chunk %d of %d (lines %d–%d): %d created, %d updated, %d unchanged, %d invited\n",
			p.path, ch.n, chunks, ch.first, ch.last, rep.Created, rep.Updated, rep.Unchanged, rep.Invited)
	}
}
