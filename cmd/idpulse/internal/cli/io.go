// Package cli holds what every idpulse command shares: the I/O streams and
// injected dependencies, flag parsing, exit codes and the one mapping from
// errors to them, JSON output and terminal styling.
package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/probes"
)

// Exit codes, fixed by the idpulse.check/v1 contract: scripts and MDM tools
// branch on them.
const (
	ExitOK       = 0
	ExitDegraded = 1
	ExitDown     = 2
	ExitUsage    = 3 // bad flags or configuration
	// ExitFailure is any other failure of a command whose table gives 1
	// no other meaning (report, version, run, the service actions).
	ExitFailure = 1
)

// IO is a command's streams and what we know about the terminal.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// TTY is true when Out is a terminal: colour and symbols are used then.
	TTY bool
	// Color is true when colour is wanted (a terminal and no NO_COLOR).
	Color bool
	// InTTY is true when In is a terminal, so questions can be asked.
	InTTY bool
}

// Deps are what every command that reads a configuration draws on, set
// once by the root command.
type Deps struct {
	IO  *IO
	Now func() time.Time
	// Version is idpulse's ("v1.2.0"): in reports, the menu's About row,
	// build_info and the User-Agent of every request to Apple.
	Version string
	// NewEnv builds the probes' view of the machine; tests point it at fakes.
	NewEnv     func(probes.Config) probes.Env
	LoadConfig LoadConfig
}

// LoadConfig reads the configuration file the user named with --config
// ("" for the user's default file) with the administrator's managed
// preferences over it. The root command sets it once (config.LoadNamed,
// which runs plutil on macOS); tests inject a configuration instead.
type LoadConfig func(path string) (config.Config, error)

// WriteJSON writes v as indented JSON, the form of every --json output. A
// failed write is returned: the caller must not report success.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// System is the process's real streams.
func System() *IO {
	out := isTerminal(os.Stdout)
	_, noColor := os.LookupEnv("NO_COLOR")
	return &IO{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		TTY: out, Color: out && !noColor && os.Getenv("TERM") != "dumb",
		InTTY: isTerminal(os.Stdin),
	}
}

// Test is IO over buffers, no terminal.
func Test() (*IO, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &IO{In: &bytes.Buffer{}, Out: &out, ErrOut: &errOut}, &out, &errOut
}

// Style colours text when the terminal wants colour.
type Style struct{ on bool }

// StyleFor returns the styling for io.
func StyleFor(io *IO) Style { return Style{on: io.Color} }

func (s Style) wrap(code, text string) string {
	if !s.on {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s Style) Red(t string) string    { return s.wrap("31", t) }
func (s Style) Yellow(t string) string { return s.wrap("33", t) }
func (s Style) Green(t string) string  { return s.wrap("32", t) }
func (s Style) Bold(t string) string   { return s.wrap("1", t) }
func (s Style) Dim(t string) string    { return s.wrap("2", t) }
