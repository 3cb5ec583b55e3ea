package cli

import "errors"

// ErrHelp means the user asked for help; it is printed and the exit is 0.
var ErrHelp = errors.New("help requested")

// UsageError is a bad flag or argument: exit status ExitUsage.
type UsageError struct {
	Err     error
	Command string // for the "see --help" hint
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }
