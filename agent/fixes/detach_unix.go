//go:build unix

package fixes

import (
	"os/exec"
	"syscall"
)

// detach puts a launched window in its own session, so that Ctrl-C in the
// terminal that ran `idpulse fix` does not close it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
