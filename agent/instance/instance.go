// Package instance keeps idpulse's agent to one per user: two agents would
// write the same state and log files and notify twice. The first `idpulse
// run` holds an exclusive lock on a file in the user's state directory for
// as long as it runs; a second one finds it taken and names the first's
// process. The kernel releases the lock when the process ends, however it
// ends, so a crash never leaves a stale lock behind.
package instance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/idpulse/idpulse/agent/userdir"
)

// FileName is the lock file in the state directory.
const FileName = "agent.lock"

// RunningError is another agent holding the lock.
type RunningError struct {
	// PID is the other agent's process, 0 when its lock file does not say.
	PID int
}

func (e *RunningError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("idpulse is already running (pid %d)", e.PID)
	}
	return "idpulse is already running"
}

// maxPIDFile bounds what is read back from a lock file.
const maxPIDFile = 64

// Acquire takes the agent's lock at path, creating the file (and its
// directory) and writing this process's pid into it. It returns a
// *RunningError when another process holds it. release gives it up; the
// file stays, as the lock belongs to the open file, not to its name.
func Acquire(path string) (release func(), err error) {
	// userdir: no link planted in the state folder is followed, and a
	// lock file a root run creates is the user's.
	if _, err := userdir.MkdirAll(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	f, err := userdir.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("agent lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		defer f.Close()
		if errors.Is(err, errLocked) {
			return nil, &RunningError{PID: readPID(f)}
		}
		return nil, fmt.Errorf("agent lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() { f.Close() }, nil
}

func readPID(f *os.File) int {
	buf := make([]byte, maxPIDFile)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
