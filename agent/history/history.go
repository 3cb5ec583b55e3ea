// Package history keeps the small logs the diagnostic report quotes: the fixes
// tried and the verdict changes seen. The agent and the CLI both append to
// them, so each is a JSON Lines file in the state directory, written one
// line per write call and capped so it never grows without bound.
package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/agent/paths"
	"github.com/idpulse/idpulse/agent/readcap"
	"github.com/idpulse/idpulse/agent/userdir"
)

// Attempt is one fix the user tried, and how it went.
type Attempt struct {
	At      time.Time `json:"at"`
	Fix     string    `json:"fix"`
	Outcome string    `json:"outcome"`
	Error   string    `json:"error,omitempty"`
	// Cancelled: the user (or a timeout) stopped the fix before it finished.
	Cancelled bool `json:"cancelled,omitempty"`
	// VerdictAfter is the verdict code of the check run right after the fix.
	VerdictAfter string `json:"verdict_after,omitempty"`
}

// Transition is one change of verdict.
type Transition struct {
	At       time.Time `json:"at"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Level    string    `json:"level"`
	Headline string    `json:"headline"`
}

// Keep is how many lines a log keeps. It is compacted back to Keep lines when
// it exceeds twice that, so the rewrite happens once per Keep appends rather
// than on every one.
const Keep = 200

// MaxBytes caps what is read of a log: Recent refuses a bigger file, naming
// it and the cap, and an append that takes the file past it compacts it
// (from its last MaxBytes) whatever its line count. Keep lines of a few
// hundred bytes each, or twice Keep of 10 KiB, are below it.
const MaxBytes = 4 << 20

// Log is an append-only JSON Lines file of T at Path; it is safe for
// concurrent use by any number of goroutines and processes.
type Log[T any] struct {
	Path string
	// keep overrides Keep (tests compact after a handful of lines).
	keep int
	// count remembers the file's line count after this process's last
	// append, so the next append need not read the log to know whether to
	// compact. Shared by copies of the Log; nil (a Log built as a literal)
	// counts afresh each time.
	count *lineCount
}

// lineCount is what an append learnt of the file: which file (compaction
// replaces it), its size, and how many newlines it held. Another writer's
// append changes the size, and the next append counts again.
type lineCount struct {
	mu    sync.Mutex
	file  os.FileInfo
	lines int
	// counted is how many times the file was read to count its lines (the
	// tests check that appends do not).
	counted int
}

// Attempts is the log of fixes tried, dir/attempts.jsonl.
func Attempts(dir string) Log[Attempt] {
	return Log[Attempt]{Path: filepath.Join(dir, "attempts.jsonl"), count: &lineCount{}}
}

// Transitions is the log of verdict changes, dir/transitions.jsonl.
func Transitions(dir string) Log[Transition] {
	return Log[Transition]{Path: filepath.Join(dir, "transitions.jsonl"), count: &lineCount{}}
}

func (l Log[T]) limit() int {
	if l.keep > 0 {
		return l.keep
	}
	return Keep
}

// Append adds v as one line. The line goes out in a single write on an
// O_APPEND descriptor, so lines from concurrent writers (the agent and a CLI
// run) never interleave, and is fsynced before Append returns: the log records
// what the user did, and a crash right after a fix must not lose it.
//
// Writers serialise on an flock of Path+".lock", a file that is never
// replaced: a lock on the log itself would be lost each time compaction
// renames a new log into place, and a writer queued on the old one would
// append to an unlinked file. Readers take no lock (compaction is an atomic
// rename). The directory is created 0700 and the files 0600: they may hold
// home paths and error texts. All of them go through agent/userdir: a root
// run (`sudo idpulse fix`) follows no link planted in the folder and leaves
// its files to the folder's owner. An error mentioning "compact" comes after the
// line was written: log it, do not append again.
func (l Log[T]) Append(v T) error {
	line, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("history %s: %w", l.Path, err)
	}
	// encoding/json escapes control characters, so the line cannot contain a
	// newline of its own.
	line = append(line, '\n')
	if _, err := userdir.MkdirAll(filepath.Dir(l.Path)); err != nil {
		return fmt.Errorf("history %s: %w", l.Path, err)
	}
	unlock, err := lock(l.Path + ".lock")
	if err != nil {
		return fmt.Errorf("history %s: lock: %w", l.Path, err)
	}
	defer unlock()
	if l.count != nil {
		l.count.mu.Lock()
		defer l.count.mu.Unlock()
	}
	lines, size, err := l.write(line)
	if err != nil {
		return fmt.Errorf("history %s: %w", l.Path, err)
	}
	if lines <= 2*l.limit() && size <= MaxBytes {
		return nil
	}
	if err := l.compact(size); err != nil {
		return fmt.Errorf("history %s: compact: %w", l.Path, err)
	}
	return nil
}

// write appends line and returns the file's line count and size after it;
// the caller holds the lock (and l.count's mutex). The count comes from
// l.count when the file is the one this process last appended to, at the
// size it left it; otherwise the file is read once to count.
func (l Log[T]) write(line []byte) (lines int, size int64, err error) {
	f, err := userdir.OpenFile(l.Path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	size = fi.Size()
	if c := l.count; c != nil && c.file != nil && os.SameFile(c.file, fi) && c.file.Size() == size {
		lines = c.lines
	} else if lines, err = countLines(f); err != nil {
		return 0, 0, err
	} else if c != nil {
		c.counted++
	}
	// A crash mid-write leaves a torn last line; start on a fresh line so
	// only that one line is lost, not this one too.
	if size > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, size-1); err != nil {
			return 0, 0, err
		}
		if last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
			lines++
		}
	}
	if _, err := f.Write(line); err != nil {
		return 0, 0, err
	}
	lines++
	if err := f.Sync(); err != nil {
		return 0, 0, err
	}
	if fi, err = f.Stat(); err != nil {
		return 0, 0, err
	}
	if err := f.Close(); err != nil {
		return 0, 0, err
	}
	l.remember(fi, lines)
	return lines, fi.Size(), nil
}

// remember records the file as this process left it; nil forgets it.
func (l Log[T]) remember(fi os.FileInfo, lines int) {
	if l.count != nil {
		l.count.file, l.count.lines = fi, lines
	}
}

// countLines counts the newlines in f, streaming: the log is never held
// whole in memory.
func countLines(f *os.File) (int, error) {
	buf := make([]byte, 32<<10)
	n := 0
	for off := int64(0); ; {
		k, err := f.ReadAt(buf, off)
		n += bytes.Count(buf[:k], []byte{'\n'})
		off += int64(k)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// compact rewrites the log with its last Keep lines (fewer if they do not
// fit in its last MaxBytes). The caller holds the lock; the rewrite is
// atomic, so a reader sees the long file or the short one.
func (l Log[T]) compact(size int64) error {
	f, err := userdir.OpenFile(l.Path, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	from := max(size-MaxBytes, 0)
	data := make([]byte, size-from)
	if _, err := f.ReadAt(data, from); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if from > 0 {
		// The first line is cut by the window; it is dropped, not torn.
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		} else {
			data = nil
		}
	}
	lines := bytes.SplitAfter(bytes.TrimRight(data, "\n"), []byte{'\n'})
	if len(data) == 0 {
		lines = nil
	}
	lines = lines[len(lines)-min(len(lines), l.limit()):]
	tail := bytes.Join(lines, nil)
	if len(tail) > 0 && !bytes.HasSuffix(tail, []byte{'\n'}) {
		tail = append(tail, '\n')
	}
	if err := (atomicfile.Writer{UserDir: true}).Write(l.Path, tail, 0o600); err != nil {
		l.remember(nil, 0)
		return err
	}
	fi, err := os.Stat(l.Path)
	if err != nil {
		l.remember(nil, 0)
		return nil // the next append counts
	}
	l.remember(fi, bytes.Count(tail, []byte{'\n'}))
	return nil
}

// CorruptLinesError reports lines of a log that are not valid JSON for T.
// Recent returns it together with the good entries: one bad line (a torn
// write, a hand edit) must not hide the rest of the history.
type CorruptLinesError struct {
	Path  string
	Lines []int // 1-based line numbers, ascending
}

func (e *CorruptLinesError) Error() string {
	nums := make([]string, len(e.Lines))
	for i, n := range e.Lines {
		nums[i] = strconv.Itoa(n)
	}
	word := "line"
	if len(nums) > 1 {
		word = "lines"
	}
	return fmt.Sprintf("history %s: skipped corrupt %s %s", e.Path, word, strings.Join(nums, ", "))
}

// Recent returns the last n entries, oldest first; n <= 0 means all. A
// missing log is empty, not an error. Blank lines are ignored. A line that
// does not decode is skipped and reported: the entries come back with a
// *CorruptLinesError naming the bad lines met while collecting them. A last
// line without its newline that does not decode is a write in progress and
// is ignored silently. A log over MaxBytes is refused with a
// *readcap.TooLargeError naming it (the next append compacts it).
func (l Log[T]) Recent(n int) ([]T, error) {
	data, err := readcap.ReadFile(l.Path, MaxBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", l.Path, err)
	}
	complete := bytes.HasSuffix(data, []byte{'\n'})
	lines := bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'})
	if len(data) == 0 {
		lines = nil
	}
	var out []T
	var bad []int
	// Newest first, so only the tail that is asked for is decoded.
	for i := len(lines) - 1; i >= 0 && (n <= 0 || len(out) < n); i-- {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(line, &v); err != nil {
			if i == len(lines)-1 && !complete {
				continue
			}
			bad = append(bad, i+1)
			continue
		}
		out = append(out, v)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	if len(bad) > 0 {
		for i, j := 0, len(bad)-1; i < j; i, j = i+1, j-1 {
			bad[i], bad[j] = bad[j], bad[i]
		}
		return out, &CorruptLinesError{Path: l.Path, Lines: bad}
	}
	return out, nil
}

// DefaultDir is the state directory (see agent/paths), where the state file
// lives too: ~/Library/Application Support/idpulse on macOS,
// $XDG_STATE_HOME/idpulse (default ~/.local/state/idpulse) on Linux and other
// Unix, %LocalAppData%\idpulse on Windows.
func DefaultDir() (string, error) { return paths.StateDir() }
