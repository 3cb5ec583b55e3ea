// Command idpulse watches Apple ID connectivity: `idpulse check` runs the
// whole diagnosis once; `idpulse run` is the menu bar agent.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/idpulse/idpulse/cmd/idpulse/internal/root"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := root.Main(ctx, os.Args[1:], root.SystemDeps())
	stop()
	os.Exit(code)
}
