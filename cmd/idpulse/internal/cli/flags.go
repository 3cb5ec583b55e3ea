package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// ParseFlags parses args with fs for a command that takes flags only. -h or
// --help prints usage to out and returns ErrHelp; a bad flag or a stray
// argument is a *UsageError for the command fs is named after. The flag
// package prints nothing itself: the caller reports the error, once.
func ParseFlags(fs *flag.FlagSet, args []string, out io.Writer, usage string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(out, usage)
			return ErrHelp
		}
		return &UsageError{Err: err, Command: fs.Name()}
	}
	if fs.NArg() > 0 {
		return &UsageError{Err: fmt.Errorf("unexpected argument %q", fs.Arg(0)), Command: fs.Name()}
	}
	return nil
}
