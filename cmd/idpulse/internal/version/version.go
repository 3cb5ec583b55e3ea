// Package version holds the build's version and commit, stamped by the
// Makefile with -ldflags "-X github.com/idpulse/idpulse/cmd/idpulse/internal/version.Version=…
// -X …/version.Commit=…", and is `idpulse version [--json]`.
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

// Commit is `git rev-parse --short HEAD` at build time, stamped by the
// Makefile. It is the commit even where Go's own VCS stamping is off
// (-buildvcs=false, a build outside the work tree, a tarball with a .git
// the go command does not trust); "" for plain `go build`, which then
// falls back to the revision Go stamped.
var Commit = ""

// Info is `idpulse version --json`. Fields may be added, never renamed.
type Info struct {
	Version string `json:"version"`
	// Commit is the Makefile's stamped commit, else the VCS revision Go
	// stamped into the binary; omitted only when the build had neither.
	Commit string `json:"commit,omitempty"`
	Go     string `json:"go"`
	OS     string `json:"os"`
	Arch   string `json:"arch"`
}

// Current describes this binary.
func Current() Info {
	bi, _ := debug.ReadBuildInfo()
	return Info{Version: Version, Commit: commit(Commit, bi), Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
}

// commit is the stamped commit when there is one (the Makefile's is what a
// release was built from, whatever Go could see), else the vcs.revision in
// bi (nil: none).
func commit(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" || bi == nil {
		return stamped
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return ""
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
