// Package statefile writes the last check, as an idpulse.check/v1 document, to
// a well-known file. MDM scripts and osquery read it instead of running a
// check themselves, and `idpulse status` reads it back.
package statefile

import (
	"encoding/json"
	"fmt"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/agent/paths"
	"github.com/idpulse/idpulse/agent/readcap"
	"github.com/idpulse/idpulse/agent/verdict"
)

// DefaultPath is state.json in the state directory (see agent/paths):
// ~/Library/Application Support/idpulse/state.json on macOS,
// $XDG_STATE_HOME/idpulse/state.json (default ~/.local/state) on Linux and
// other Unix, %LocalAppData%\idpulse\state.json on Windows.
func DefaultPath() (string, error) { return paths.StateFile("state.json") }

// Write replaces path with doc as indented JSON, atomically, mode 0644 so
// that MDM agents and osquery (often another user) can read it. A reader
// never sees a half-written document. Apple's events are summarised (see
// MaxEventsPerService): the file is bounded whatever the feed holds.
func Write(path string, doc verdict.Document) error {
	if doc.Schema != verdict.Schema {
		// A zero Document would otherwise be published as a valid-looking file.
		return fmt.Errorf("write state file %s: schema %q, want %q", path, doc.Schema, verdict.Schema)
	}
	data, err := json.MarshalIndent(bound(doc), "", "  ")
	if err != nil {
		return fmt.Errorf("write state file %s: %w", path, err)
	}
	// UserDir: `sudo idpulse check` must not leave root's file in the
	// user's state folder, nor write through a link planted there.
	if err := (atomicfile.Writer{UserDir: true}).Write(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write state file: %w", err)
	}
	return nil
}

// Read parses a state file. Fields this version does not know are ignored
// (the schema only grows). A probe's evidence comes back in the probe's own
// type (see probes.Result.UnmarshalJSON), or as the raw JSON object when
// this version does not know the probe; re-encoding a read document
// reproduces the file. A file over MaxBytes is refused with a
// *readcap.TooLargeError naming it.
func Read(path string) (verdict.Document, error) {
	data, err := readcap.ReadFile(path, MaxBytes)
	if err != nil {
		return verdict.Document{}, fmt.Errorf("read state file: %w", err)
	}
	doc, err := parse(data)
	if err != nil {
		return verdict.Document{}, fmt.Errorf("state file %s: %w", path, err)
	}
	return doc, nil
}

func parse(data []byte) (verdict.Document, error) {
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return verdict.Document{}, fmt.Errorf("not an %s document: %w", verdict.Schema, err)
	}
	if head.Schema == nil || *head.Schema != verdict.Schema {
		got := "none"
		if head.Schema != nil {
			got = fmt.Sprintf("%q", *head.Schema)
		}
		return verdict.Document{}, fmt.Errorf("schema is %s, want %q", got, verdict.Schema)
	}
	var doc verdict.Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return verdict.Document{}, err
	}
	return doc, nil
}
