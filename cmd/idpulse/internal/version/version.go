// Package version holds the build's version, stamped by the Makefile with
// -ldflags "-X github.com/idpulse/idpulse/cmd/idpulse/internal/version.Version=…".
package version

// Version is `git describe` at build time; "dev" for plain `go build`.
var Version = "dev"
