// Package logfile is a size-rotated log file for slog handlers: the agent
// runs for months under launchd/systemd, so its log must not grow without
// bound, and a support bundle should hold the last few files, not one huge one.
package logfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/idpulse/idpulse/agent/paths"
	"github.com/idpulse/idpulse/agent/userdir"
)

// DefaultDir is the log directory (see agent/paths): ~/Library/Logs/idpulse
// on macOS (where Console.app looks), $XDG_STATE_HOME/idpulse/log (default
// ~/.local/state/idpulse/log) on Linux and other Unix,
// %LocalAppData%\idpulse\log on Windows.
func DefaultDir() (string, error) { return paths.LogDir() }

// Writer appends to a log file and rotates it by size: path → path.1 → … →
// path.<keep>, the oldest dropped. It is safe for concurrent use, and each
// Write lands whole in one file (slog handlers write one record per call).
type Writer struct {
	path     string
	maxBytes int64
	keep     int

	mu   sync.Mutex
	f    *os.File // nil after Close
	size int64
	// warn is told, once, when writing starts failing (a full disk) and
	// when it works again; the slog handler drops a record's write error,
	// so without it the log would go quiet without a word. nil: nobody.
	warn io.Writer
	// failing: the last write failed; every record is still tried, which
	// is the retry.
	failing bool
	// torn: a failed write left part of a record; the next one starts on
	// a fresh line so only the torn record is lost.
	torn bool
}

// WarnTo names where a failing log is reported (the agent's stderr, which
// launchd and systemd keep): one line when writes start failing, one when
// they work again.
func (w *Writer) WarnTo(out io.Writer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warn = out
}

// Failing reports whether the last write failed: the menu says "idpulse
// cannot write its log" while it does.
func (w *Writer) Failing() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failing
}

// Open opens path for appending (creating it, and its directory 0700, when
// missing). maxBytes is the size a file may reach before the next write goes
// to a fresh one; keep is how many rotated files to keep (0: none).
func Open(path string, maxBytes int64, keep int) (*Writer, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("open log %s: maxBytes must be positive, got %d", path, maxBytes)
	}
	if keep < 0 {
		return nil, fmt.Errorf("open log %s: keep must not be negative, got %d", path, keep)
	}
	if _, err := userdir.MkdirAll(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	w := &Writer{path: path, maxBytes: maxBytes, keep: keep}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

// open (re)opens the current file and learns its size, so a restarted agent
// continues the file and still rotates it at the right point.
func (w *Writer) open() error {
	// userdir: the log folder is the user's; a root run must not follow a
	// link planted there, nor leave a log the user's agent cannot append to.
	f, err := userdir.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log: %w", err)
	}
	w.f, w.size = f, fi.Size()
	return nil
}

// Write appends p, rotating first when p would take the file past maxBytes.
// A record bigger than maxBytes on its own still goes whole into a fresh
// file: a log line is never split or dropped for size. If rotation fails the
// record is still appended to the current file and the rotation error
// returned with it — a log that grows is better than lost records.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return 0, fmt.Errorf("write log %s: %w", w.path, fs.ErrClosed)
	}
	var rotErr error
	if w.size > 0 && w.size+int64(len(p)) > w.maxBytes {
		rotErr = w.rotate()
		if w.f == nil {
			return 0, rotErr
		}
	}
	rec := p
	if w.torn {
		rec = append([]byte{'\n'}, p...)
	}
	n, err := w.f.Write(rec)
	w.size += int64(n)
	w.health(n, len(rec), err)
	if n = max(n-(len(rec)-len(p)), 0); err != nil {
		err = fmt.Errorf("write log %s: %w", w.path, err)
	}
	return n, errors.Join(rotErr, err)
}

// health records how a write of want bytes went and reports a change.
func (w *Writer) health(n, want int, err error) {
	if err != nil {
		w.torn = w.torn || n > 0
		if !w.failing && w.warn != nil {
			fmt.Fprintf(w.warn, "idpulse cannot write its log %s: %v; records are lost until it can (retried with each one)\n", w.path, err)
		}
		w.failing = true
		return
	}
	w.torn = n < want
	if w.failing && w.warn != nil {
		fmt.Fprintf(w.warn, "idpulse writes its log %s again\n", w.path)
	}
	w.failing = false
}

// rotate shifts the files along and opens a fresh one. The current file is
// closed before it is renamed because Windows cannot rename an open file.
// Whatever fails, it leaves w.f open on path if at all possible.
func (w *Writer) rotate() error {
	err := w.f.Close()
	w.f = nil // closed even when Close reports an error
	if err != nil {
		return w.reopen(fmt.Errorf("rotate log %s: %w", w.path, err))
	}
	if w.keep == 0 {
		if err := os.Remove(w.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return w.reopen(fmt.Errorf("rotate log %s: %w", w.path, err))
		}
		return w.reopen(nil)
	}
	// Shift from the oldest down so no rename lands on a file still needed;
	// path.<keep> is overwritten by the rename (replaced on Windows too).
	for i := w.keep - 1; i >= 1; i-- {
		err := os.Rename(w.backup(i), w.backup(i+1))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return w.reopen(fmt.Errorf("rotate log %s: %w", w.path, err))
		}
	}
	if err := os.Rename(w.path, w.backup(1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return w.reopen(fmt.Errorf("rotate log %s: %w", w.path, err))
	}
	return w.reopen(nil)
}

// reopen opens path again after a rotation attempt and returns cause joined
// with any error from opening.
func (w *Writer) reopen(cause error) error {
	if w.f != nil {
		return cause
	}
	return errors.Join(cause, w.open())
}

func (w *Writer) backup(i int) string { return w.path + "." + strconv.Itoa(i) }

// Close closes the file. Writes after Close fail with fs.ErrClosed; a second
// Close is a no-op.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	if err != nil {
		return fmt.Errorf("close log %s: %w", w.path, err)
	}
	return nil
}
