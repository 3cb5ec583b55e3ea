package report

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/timeline"
)

// Recent is how many fix attempts and verdict changes a report lists.
const Recent = 30

// ReadState fills in's Attempts, Transitions and History from the agent's
// state folder (agent/paths.StateDir), reading the timeline back to
// Window(f) before in.Generated, a day at a time. Each part that cannot be
// read is left empty and its error returned joined with the others': the
// report is still worth having without it.
func (in *Input) ReadState(stateDir string, f Format) error {
	var errs []error
	var err error
	in.Attempts, err = history.Attempts(stateDir).Recent(Recent)
	errs = append(errs, err)
	in.Transitions, err = history.Transitions(stateDir).Recent(Recent)
	errs = append(errs, err)
	b := newHistoryBuilder(in.Generated.Location(), f == FormatHTML)
	_, err = timeline.Store{Dir: timeline.In(stateDir)}.EachDay(in.Generated.Add(-Window(f)), func(day []timeline.Record) error {
		b.add(day)
		return nil
	})
	errs = append(errs, err)
	// The fixes tried during an incident come from the whole attempts log,
	// as `idpulse history` attributes them, not only the Recent listed.
	all, err := history.Attempts(stateDir).Recent(history.Keep)
	errs = append(errs, err)
	in.History = b.done(all, in.Generated)
	return errors.Join(errs...)
}

// PageName is the HTML page's file in the state folder, which the menu's
// Show History… writes and opens: the one place its name is decided.
const PageName = "history.html"

// WritePage writes the HTML report of in to PageName in stateDir, whole
// or not at all (atomicfile through agent/userdir, as the other state
// files: the folder may be shared with a root-run idpulse), readable by the
// user only, and returns its path. redact nil writes it unredacted.
func WritePage(stateDir string, in Input, redact *Redactor) (string, error) {
	var buf bytes.Buffer
	if err := Write(&buf, in, FormatHTML, redact); err != nil {
		return "", err
	}
	path := filepath.Join(stateDir, PageName)
	if err := (atomicfile.Writer{UserDir: true}).Write(path, buf.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return path, nil
}
