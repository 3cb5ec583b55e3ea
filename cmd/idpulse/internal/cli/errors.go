package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// ErrHelp means the user asked for help; it is printed and the exit is 0.
var ErrHelp = errors.New("help requested")

// UsageError is a bad flag or argument: exit status ExitUsage.
type UsageError struct {
	Err     error
	Command string // for the "see --help" hint
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// ConfigError is a configuration that could not be read or is invalid:
// exit status ExitUsage, as the contract has it.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return "config: " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// ExitError ends a command with Code after saying Err, for failures whose
// status the command's table fixes (fix's 4, apple-status's 2, …).
type ExitError struct {
	Code    int
	Command string // "" for a plain "idpulse:" prefix
	Err     error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Exit says err on io.ErrOut, once, and returns the exit status it means:
// nil and ErrHelp 0 (the usage is already printed), a *UsageError or a
// *ConfigError ExitUsage, an *ExitError its Code, anything else ExitFailure.
// It is the one place where errors become exit statuses.
func Exit(io *IO, err error) int {
	var (
		ue *UsageError
		ce *ConfigError
		ee *ExitError
	)
	switch {
	case err == nil, errors.Is(err, ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(io.ErrOut, "idpulse %s: %s\nRun 'idpulse %s --help' for usage.\n", ue.Command, safeText(ue.Err), ue.Command)
		return ExitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(io.ErrOut, "idpulse: %s\n", safeText(ce))
		return ExitUsage
	case errors.As(err, &ee):
		prog := "idpulse"
		if ee.Command != "" {
			prog += " " + ee.Command
		}
		fmt.Fprintf(io.ErrOut, "%s: %s\n", prog, safeText(ee.Err))
		return ee.Code
	}
	fmt.Fprintf(io.ErrOut, "idpulse: %s\n", safeText(err))
	return ExitFailure
}

// safeText is err's message for a terminal: errors quote what they could
// not use (a config key, a file name, a server's reason phrase), and an
// escape sequence in it must not reach the screen. Each line is cleaned on
// its own, so a message of several lines keeps them.
func safeText(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = textsafe.Terminal(l)
	}
	return strings.Join(lines, "\n")
}

// ExitFor is the contract's exit status for a verdict level: what `check`
// and the check after `fix` return.
func ExitFor(l verdict.Level) int {
	switch l {
	case verdict.LevelDown:
		return ExitDown
	case verdict.LevelDegraded:
		return ExitDegraded
	}
	return ExitOK
}
