//go:build !darwin && !linux

package cli

import "os"

// isTerminal is false where idpulse cannot ask the terminal driver: the
// safe answer, since it only withholds colour and questions.
func isTerminal(*os.File) bool { return false }
