// Package report writes the diagnostic report a user hands to Apple Support
// when nothing else worked: the Mac and macOS version, the verdict, what an
// error 3014 needs (update hosts, clock, TLS, macOS currency: "Install /
// update / restore"), every check's exact errors and timings, Apple System
// Status, the fixes tried and when the verdict changed. Personal details are
// redacted by default.
//
// Every format is rendered from one redacted JSON tree: the check is
// marshalled, each string value in it is redacted, and the text and markdown
// forms are built from that tree decoded again. Nothing reaches the output
// without passing the redactor, and a check read back from the state file
// renders exactly like a live one (both pass through the same JSON).
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/incidents"
	"github.com/idpulse/idpulse/agent/verdict"
)

// Schema names the JSON form of the report.
const Schema = "idpulse.report/v1"

// Format is how the report is written.
type Format string

const (
	FormatText     Format = "text"     // plain, ≤ 100 columns: for a support chat or an email
	FormatMarkdown Format = "markdown" // headings, lists, a table of checks, fenced errors
	FormatJSON     Format = "json"     // {"schema":"idpulse.report/v1", …, "check": <idpulse.check/v1>}
	FormatHTML     Format = "html"     // one self-contained page: the report plus the history's strip and plots
)

// Formats lists the formats, for flag help.
var Formats = []Format{FormatText, FormatMarkdown, FormatJSON, FormatHTML}

// ParseFormat accepts a format name as typed on a command line ("md" too).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "text", "txt", "":
		return FormatText, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	case "json":
		return FormatJSON, nil
	case "html", "htm":
		return FormatHTML, nil
	}
	return "", fmt.Errorf("unknown report format %q (want text, markdown, json or html)", s)
}

// Input is everything a report shows.
type Input struct {
	Doc         verdict.Document
	Version     string // idpulse version
	Attempts    []history.Attempt
	Transitions []history.Transition
	// History is the agent's record of every check (agent/timeline) from
	// at least Window(format) ago: the incidents every format lists, and
	// the HTML page's strip and plots. ReadState fills it, and Attempts and
	// Transitions, from the state folder; HistoryOf makes it of records.
	History History
	// Generated is when the report is made. Its location is the user's local
	// time zone: local times are shown in it (pass time.Now()).
	Generated time.Time
}

// Write writes the report in format f. redact nil writes it unredacted
// (--no-redact); otherwise every string from the check and the history
// passes through redact first, in every format.
func Write(w io.Writer, in Input, f Format, redact *Redactor) error {
	clean := func(s string) string { return s }
	if redact != nil {
		clean = redact.compile().apply
	}
	tree, err := redactedTree(in, Window(f), redact != nil, clean)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	switch f {
	case FormatJSON:
		var out bytes.Buffer
		if err := json.Indent(&out, tree, "", "  "); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		out.WriteByte('\n')
		_, err := w.Write(out.Bytes())
		return err
	case FormatText, FormatMarkdown:
		m, err := decodeModel(tree, in.Generated.Location())
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		blocks := build(m)
		if f == FormatText {
			return writeText(w, blocks)
		}
		return writeMarkdown(w, blocks)
	case FormatHTML:
		m, err := decodeModel(tree, in.Generated.Location())
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		return writeHTML(w, m, in.History)
	}
	return fmt.Errorf("report: unknown format %q", f)
}

// envelope is the JSON form. check is the idpulse.check/v1 document as is.
type envelope struct {
	Schema    string          `json:"schema"`
	Generated time.Time       `json:"generated"`
	Version   string          `json:"version"`
	Redacted  bool            `json:"redacted"`
	Check     json.RawMessage `json:"check"`
	// InstallUpdateRestore is the error-3014 section, from the check.
	InstallUpdateRestore readiness            `json:"install_update_restore"`
	Attempts             []history.Attempt    `json:"attempts"`
	Transitions          []history.Transition `json:"transitions"`
	// Incidents are the timeline's incidents (agent/incidents, the grouping
	// `idpulse history` shows) that touch the window before Generated,
	// newest first; IncidentsSince is where that window starts.
	IncidentsSince time.Time            `json:"incidents_since"`
	Incidents      []incidents.Incident `json:"incidents"`
}

// IncidentWindow is how far back the text, markdown and JSON reports (and
// the support report) list incidents: what Apple Support asks ("how often
// this week?") without a month of noise.
const IncidentWindow = 7 * 24 * time.Hour

// PageWindow is how far back the HTML page goes: its longest strip.
const PageWindow = 30 * 24 * time.Hour

// Window is how much of the timeline format f shows: Input.Timeline needs
// records from Generated-Window(f) on.
func Window(f Format) time.Duration {
	if f == FormatHTML {
		return PageWindow
	}
	return IncidentWindow
}

// incidentsSince keeps the incidents still going on at since or begun
// after it, newest first.
func incidentsSince(all []incidents.Incident, since time.Time) []incidents.Incident {
	out := []incidents.Incident{}
	for _, i := range all {
		if i.End == nil || i.End.After(since) {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(a, b incidents.Incident) int { return b.Start.Compare(a.Start) })
	return out
}

// redactedTree marshals the report and redacts every string value in it.
// Object keys are the schema's own names and are kept.
func redactedTree(in Input, window time.Duration, redacted bool, clean func(string) string) ([]byte, error) {
	check, err := json.Marshal(in.Doc)
	if err != nil {
		return nil, err
	}
	since := in.Generated.Add(-window).UTC().Truncate(time.Second)
	env := envelope{
		Schema:               Schema,
		Generated:            in.Generated.UTC().Truncate(time.Second),
		Version:              in.Version,
		Redacted:             redacted,
		Check:                check,
		InstallUpdateRestore: readinessOf(in.Doc),
		Attempts:             in.Attempts,
		Transitions:          in.Transitions,
		IncidentsSince:       since,
		Incidents:            incidentsSince(in.History.Incidents, since),
	}
	if env.Attempts == nil {
		env.Attempts = []history.Attempt{}
	}
	if env.Transitions == nil {
		env.Transitions = []history.Transition{}
	}
	data, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	return mapStrings(data, clean)
}

// mapStrings rewrites every string value of a JSON text through fn, keeping
// the order of keys (a map round trip would sort them) and the exact text of
// numbers. Strings are written without HTML escaping: "<user>" stays legible.
func mapStrings(data []byte, fn func(string) string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		object bool
		n      int // keys and values (objects) or elements (arrays) so far
	}
	var stack []frame
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if len(stack) > 0 || out.Len() == 0 {
				return nil, io.ErrUnexpectedEOF // Token ends cleanly inside an object
			}
			break
		}
		if err != nil {
			return nil, err
		}
		key := false
		if d, ok := tok.(json.Delim); (!ok || d == '{' || d == '[') && len(stack) > 0 {
			top := &stack[len(stack)-1]
			switch {
			case top.object && top.n%2 == 0:
				key = true
				if top.n > 0 {
					out.WriteByte(',')
				}
			case top.object:
				out.WriteByte(':')
			case top.n > 0:
				out.WriteByte(',')
			}
			top.n++
		}
		switch t := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(t))
			if t == '{' || t == '[' {
				stack = append(stack, frame{object: t == '{'})
			} else {
				stack = stack[:len(stack)-1]
			}
		case string:
			if !key {
				t = fn(t)
			}
			if err := enc.Encode(t); err != nil {
				return nil, err
			}
			out.Truncate(out.Len() - 1) // Encode's newline
		case json.Number:
			out.WriteString(t.String())
		case bool:
			fmt.Fprint(&out, t)
		case nil:
			out.WriteString("null")
		}
	}
	return out.Bytes(), nil
}

// model is the report decoded from the redacted tree, evidence typed again.
type model struct {
	Generated   time.Time
	Loc         *time.Location
	Version     string
	Redacted    bool
	Doc         verdict.Document
	Attempts    []history.Attempt
	Transitions []history.Transition
	// Incidents are newest first, from IncidentsSince on.
	Incidents      []incidents.Incident
	IncidentsSince time.Time
}

func decodeModel(tree []byte, loc *time.Location) (model, error) {
	var env envelope
	if err := json.Unmarshal(tree, &env); err != nil {
		return model{}, err
	}
	doc, err := decodeDocument(env.Check)
	if err != nil {
		return model{}, err
	}
	if loc == nil {
		loc = time.Local
	}
	return model{
		Generated: env.Generated, Loc: loc, Version: env.Version, Redacted: env.Redacted,
		Doc: doc, Attempts: env.Attempts, Transitions: env.Transitions,
		Incidents: env.Incidents, IncidentsSince: env.IncidentsSince,
	}, nil
}

// decodeDocument reads an idpulse.check/v1 document, each probe's evidence
// back in its own type (probes.Result.UnmarshalJSON).
func decodeDocument(data []byte) (verdict.Document, error) {
	var doc verdict.Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return doc, fmt.Errorf("check: %w", err)
	}
	return doc, nil
}
