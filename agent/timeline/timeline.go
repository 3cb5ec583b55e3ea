// Package timeline is the agent's per-cycle history: one record per check
// (its verdict, each probe's status and the sign-in path's key timings), so
// that "it dropped four times yesterday, always DNS" can be shown rather
// than remembered.
//
// The store is a folder of segment files, one JSON Lines file per UTC day
// (2026-12-02.jsonl). That design, rather than an embedded database, because
// of what the history must do:
//   - Crash-safe with no recovery step. A record is one line handed to the
//     kernel in one write(2) on a file opened O_APPEND, so a kill -9 leaves
//     either the whole line or, after a power cut, a torn tail; readers skip
//     a line that does not parse, and the next append starts on a fresh line.
//     Earlier days are never written again.
//   - Readable while the agent writes, by any number of `idpulse history` and
//     `report` processes, with no lock: bbolt holds an exclusive file lock for
//     as long as a writer has the database open, and SQLite (even through a
//     pure-Go driver) adds megabytes of binary and RSS to an agent whose
//     budget is 25 MB, for a workload that is append-only and read in order.
//   - Bounded: retention drops whole days by deleting their file, with no
//     compaction or vacuum; a reader asks only for the days it needs.
//
// Records are small (about 300 bytes), so 30 days at one check a minute is
// about 43,000 records and 13 MB.
package timeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/idpulse/idpulse/agent/userdir"
)

// Record is one check cycle.
type Record struct {
	At     time.Time `json:"t"`
	Code   string    `json:"code"`
	Level  string    `json:"level"`
	Cause  string    `json:"cause,omitempty"`
	TookMS float64   `json:"ms"`
	// Headline is kept for cycles that are not ok (an ok headline is always
	// the same words).
	Headline string `json:"headline,omitempty"`
	// Probes is each probe's status, Services each Apple service's
	// (probes/catalog) when the services probe ran: "dns=ok tls=fail".
	// One string rather than a map, because a reader of 30 days decodes
	// 43,000 of them and a map costs two allocations an entry.
	Probes   Statuses `json:"probes,omitempty"`
	Services Statuses `json:"services,omitempty"`
	// Timings are the sign-in path's phases and the clock offset.
	Timings Timings `json:"timings,omitzero"`
}

// Timings are the key timings of one cycle, in milliseconds: the sign-in
// host's DNS lookup, TCP connect, TLS handshake and HTTP first byte, and
// the clock's measured offset from true time. Each is nil where it was not
// measured (0 is a measurement: a cached lookup).
type Timings struct {
	DNS         *float64 `json:"dns,omitempty"`
	Connect     *float64 `json:"connect,omitempty"`
	TLS         *float64 `json:"tls,omitempty"`
	FirstByte   *float64 `json:"first_byte,omitempty"`
	ClockOffset *float64 `json:"clock_offset,omitempty"`
}

// OK reports whether the cycle's verdict was ok.
func (r Record) OK() bool { return r.Level == "ok" }

// Statuses is "id=status" pairs separated by spaces, in the order they were
// added.
type Statuses string

// Add appends id's status.
func (s *Statuses) Add(id, status string) {
	if *s != "" {
		*s += " "
	}
	*s += Statuses(id + "=" + status)
}

// Get is id's status, "" when it has none.
func (s Statuses) Get(id string) string {
	for pair := range strings.FieldsSeq(string(s)) {
		if k, v, ok := strings.Cut(pair, "="); ok && k == id {
			return v
		}
	}
	return ""
}

// DefaultDays is how many days the store keeps by default.
const DefaultDays = 30

// MaxSegment caps what is read of one day's file: a day at one check every
// 15 s is under 2 MB; a file beyond the cap is someone else's doing and is
// refused with an error rather than read into memory.
const MaxSegment = 32 << 20

// Store is a timeline in Dir. The zero Days means DefaultDays.
type Store struct {
	Dir  string
	Days int
}

const segmentLayout = "2006-01-02"

func (s Store) days() int {
	if s.Days <= 0 {
		return DefaultDays
	}
	return s.Days
}

func (s Store) segment(day time.Time) string {
	return filepath.Join(s.Dir, day.UTC().Format(segmentLayout)+".jsonl")
}

// Append adds r to its day's segment, creating the folder (0700) and file
// (0600) as needed. A torn last line (a writer killed mid-write, a power
// cut) is ended first, so r stands on a line of its own. The first record of
// a day also drops the segments older than the retention: listing the
// folder on every cycle would be a readdir a minute for a once-a-day event
// (the agent calls Prune at start-up, for a retention just lowered).
func (s Store) Append(r Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("timeline: encode record: %w", err)
	}
	line = append(line, '\n')
	// The state folder may be shared with a root-run idpulse: userdir
	// follows no planted link and leaves no root-owned file behind.
	if _, err := userdir.MkdirAll(s.Dir); err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	path := s.segment(r.At)
	f, err := userdir.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	defer f.Close()
	size, torn, err := tornTail(f)
	if err != nil {
		return fmt.Errorf("timeline: %s: %w", path, err)
	}
	if torn {
		line = append([]byte{'\n'}, line...)
	}
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("timeline: append to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("timeline: append to %s: %w", path, err)
	}
	if size == 0 {
		return s.Prune(r.At)
	}
	return nil
}

// tornTail is f's size (f opened for appending) and whether it is
// non-empty and does not end in a newline.
func tornTail(f *os.File) (size int64, torn bool, err error) {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return 0, false, err
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], fi.Size()-1); err != nil {
		return 0, false, err
	}
	return fi.Size(), last[0] != '\n', nil
}

// Prune deletes the segments of days before the retention, counted back
// from now's day.
func (s Store) Prune(now time.Time) error {
	names, err := s.segments()
	if err != nil {
		return err
	}
	oldest := now.UTC().AddDate(0, 0, -(s.days() - 1)).Format(segmentLayout)
	for _, n := range names {
		if strings.TrimSuffix(n, ".jsonl") < oldest {
			if err := os.Remove(filepath.Join(s.Dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("timeline: drop %s: %w", n, err)
			}
		}
	}
	return nil
}

// segments are the segment files' names, oldest first.
func (s Store) segments() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if _, err := time.Parse(segmentLayout, strings.TrimSuffix(n, ".jsonl")); err == nil && strings.HasSuffix(n, ".jsonl") && e.Type().IsRegular() {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// Read returns the records at or after since, oldest first, and how many
// lines were skipped because they did not parse (a torn write). It reads
// only the days from since's on, through EachDay (so on every core).
func (s Store) Read(since time.Time) (records []Record, skipped int, err error) {
	skipped, err = s.EachDay(since, func(day []Record) error {
		records = append(records, day...)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return records, skipped, nil
}

func readSegment(path string, since time.Time) (out []Record, skipped int, err error) {
	f, err := userdir.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("timeline: %w", err)
	}
	defer f.Close()
	// A last line without its newline is a write still in progress (or
	// one a crash cut short): it is not a record yet, and not counted as
	// skipped until an append has ended it.
	br := bufio.NewReaderSize(io.LimitReader(f, MaxSegment+1), 64<<10)
	var n int64
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer is no record of ours.
			n += int64(len(line))
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				n += int64(len(line))
			}
			if err == nil {
				skipped++
			}
			continue
		}
		n += int64(len(line))
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("timeline: read %s: %w", path, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r Record
		// goccy/go-json decodes these records four times faster than
		// encoding/json (4.7 against 18 µs a record, measured): the
		// difference between a 30-day history in a fifth of a second and
		// in more than a second. Writing stays with encoding/json.
		//
		// goccy stops at a NUL byte as if the input ended there, so it
		// took `{record}\0\0{"t":"20` (a record, the zeros a power cut
		// leaves, the start of another) for a good record, hiding the
		// damage; FuzzReadSegment found it. encoding/json never writes a
		// raw NUL, so such a line is no record of ours. (goccy also
		// takes "ms":01 and "ms":1., which no writer of ours produces;
		// refusing them would mean encoding/json's scanner on every line,
		// three times the read.)
		//
		// goccy also keeps invalid UTF-8 in strings as it is, where
		// encoding/json makes each bad byte U+FFFD (FuzzReadSegment found
		// it): such a line, which only damage produces, goes to
		// encoding/json, so a record's text is valid UTF-8 whoever reads it.
		decode := gojson.Unmarshal
		if !utf8.Valid(line) {
			decode = json.Unmarshal
		}
		if bytes.IndexByte(line, 0) >= 0 || decode(line, &r) != nil || r.At.IsZero() {
			skipped++
			continue
		}
		if !r.At.Before(since) {
			out = append(out, r)
		}
	}
	if n > MaxSegment {
		return nil, 0, fmt.Errorf("timeline: %s is larger than %d MiB, the most idpulse reads of one day", path, MaxSegment>>20)
	}
	return out, skipped, nil
}

// In is the timeline's folder inside the agent's state folder
// (agent/paths.StateDir): the one place its name is decided.
func In(stateDir string) string { return filepath.Join(stateDir, "timeline") }
