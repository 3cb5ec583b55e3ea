// Command idpulse watches Apple ID connectivity: `idpulse check` runs the
// whole diagnosis once; `idpulse run` is the menu bar agent.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/idpulse/idpulse/cmd/idpulse/internal/root"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	exe, _ := os.Executable()
	// Opened as idpulse.app (Finder, Login Items) there is no command: run.
	args := service.AppArgs(exe, os.Args[1:])
	code := root.Main(ctx, args, root.SystemDeps())
	stop()
	os.Exit(code)
}
