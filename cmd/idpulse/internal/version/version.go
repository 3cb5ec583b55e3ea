// Package version holds the build's version, stamped by the Makefile with
// -ldflags "-X github.com/idpulse/idpulse/cmd/idpulse/internal/version.Version=…",
// and is `idpulse version [--json]`.
package version

import (
	"context"
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

// Options are the command's flags.
type Options struct {
	IO   *cli.IO
	JSON bool
}

// Parse reads `idpulse version` flags into opts.
func Parse(opts *Options, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.BoolVar(&opts.JSON, "json", false, "")
	return cli.ParseFlags(fs, args, opts.IO.Out, usage)
}

// Run prints this binary's version; it returns the exit code.
func Run(_ context.Context, opts *Options) int {
	return cli.Exit(opts.IO, Print(opts.IO.Out, Current(), opts.JSON))
}

// Print writes info: "idpulse <version>" or, with asJSON, the Info object.
func Print(w io.Writer, info Info, asJSON bool) error {
	if asJSON {
		return cli.WriteJSON(w, info)
	}
	_, err := fmt.Fprintf(w, "idpulse %s\n", info.Version)
	return err
}
