package cli_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
)

func TestExit(t *testing.T) {
	boom := errors.New("boom")
	for _, tt := range []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"success", nil, cli.ExitOK, ""},
		{"help", cli.ErrHelp, cli.ExitOK, ""},
		{"usage", &cli.UsageError{Err: boom, Command: "check"}, cli.ExitUsage,
			"idpulse check: boom\nRun 'idpulse check --help' for usage.\n"},
		{"wrapped usage", fmt.Errorf("parse: %w", &cli.UsageError{Err: boom, Command: "fix"}), cli.ExitUsage,
			"idpulse fix: boom\nRun 'idpulse fix --help' for usage.\n"},
		{"config", &cli.ConfigError{Err: boom}, cli.ExitUsage, "idpulse: config: boom\n"},
		{"exit code", &cli.ExitError{Code: 4, Err: boom}, 4, "idpulse: boom\n"},
		{"exit code of a command", &cli.ExitError{Code: 1, Command: "start", Err: boom}, 1, "idpulse start: boom\n"},
		{"anything else", boom, cli.ExitFailure, "idpulse: boom\n"},
		// A config key, a path or a server's words inside an error are the
		// user's or the network's: no escape sequence reaches the terminal,
		// and a message of two lines keeps them.
		{"hostile config key", &cli.ConfigError{Err: errors.New("check.\x1b]52;c;aGk=\x07x\u202e: unknown key")}, cli.ExitUsage,
			"idpulse: config: check.x: unknown key\n"},
		{"two lines", errors.New("first\x1b[2J\nsecond"), cli.ExitFailure, "idpulse: first\nsecond\n"},
	} {
		io, out, errOut := cli.Test()
		if code := cli.Exit(io, tt.err); code != tt.code || errOut.String() != tt.stderr || out.Len() > 0 {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want %d and %q", tt.name, code, errOut, out, tt.code, tt.stderr)
		}
	}
}

func TestExitFor(t *testing.T) {
	for l, want := range map[verdict.Level]int{
		verdict.LevelOK: cli.ExitOK, verdict.LevelDegraded: cli.ExitDegraded, verdict.LevelDown: cli.ExitDown,
	} {
		if got := cli.ExitFor(l); got != want {
			t.Errorf("ExitFor(%s) = %d, want %d", l, got, want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	io, out, _ := cli.Test()
	if err := cli.WriteJSON(io.Out, map[string]int{"a": 1}); err != nil || out.String() != "{\n  \"a\": 1\n}\n" {
		t.Errorf("err %v, out %q", err, out)
	}
	err := cli.WriteJSON(clitest.BrokenWriter{}, 1)
	if !errors.Is(err, clitest.ErrBroken) || err.Error() != "write JSON: broken pipe" {
		t.Errorf("broken writer: %v", err)
	}
}
