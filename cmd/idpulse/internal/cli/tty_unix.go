//go:build darwin || linux

package cli

import (
	"os"

	"golang.org/x/sys/unix"
)

// isTerminal asks the terminal driver, as isatty(3) does. A character
// device is not enough: /dev/null is one, and input from it is no one at a
// keyboard who could answer a question.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}
