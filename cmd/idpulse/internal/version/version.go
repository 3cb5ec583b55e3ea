// Package version holds the build's version, stamped by the Makefile with
// -ldflags "-X github.com/idpulse/idpulse/cmd/idpulse/internal/version.Version=…",
// and is `idpulse version [--json]`.
package version

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
)

// Version is `git describe --tags --always --dirty` at build time; "dev" for
// plain `go build`.
var Version = "dev"

// Info is `idpulse version --json`. Fields may be added, never renamed.
type Info struct {
	Version string `json:"version"`
	// Commit is the VCS revision Go stamped into the binary ("" when the
	// build had no VCS information, e.g. -buildvcs=false).
	Commit string `json:"commit,omitempty"`
	Go     string `json:"go"`
	OS     string `json:"os"`
	Arch   string `json:"arch"`
}

// Current describes this binary.
func Current() Info {
	info := Info{Version: Version, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				info.Commit = s.Value
			}
		}
	}
	return info
}

const usage = `Usage: idpulse version [--json]

Prints idpulse's version ("git describe" of the build).

Flags:
  --json  print {"version", "commit", "go", "os", "arch"} as JSON
`

// Parse reads `idpulse version` flags; asJSON reports --json.
func Parse(streams *cli.IO, args []string, asJSON *bool) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(asJSON, "json", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(streams.Out, usage)
			return cli.ErrHelp
		}
		return &cli.UsageError{Err: err, Command: "version"}
	}
	if fs.NArg() > 0 {
		return &cli.UsageError{Err: fmt.Errorf("unexpected argument %q", fs.Arg(0)), Command: "version"}
	}
	return nil
}

// Print writes info: "idpulse <version>" or, with asJSON, the Info object.
func Print(w io.Writer, info Info, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	_, err := fmt.Fprintf(w, "idpulse %s\n", info.Version)
	return err
}
