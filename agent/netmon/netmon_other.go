//go:build !linux && !darwin

package netmon

import (
	"log/slog"
	"time"
)

// pollInterval is how often systems without a change socket compare
// fingerprints: cheap enough to run forever, fast enough to beat the
// agent's regular check interval.
const pollInterval = 10 * time.Second

// New starts comparing interface fingerprints every pollInterval: these
// systems have no change socket we support.
func New(logger *slog.Logger) (*Monitor, error) {
	m := newMonitor(logger)
	stop := make(chan struct{})
	m.stop = func() error { close(stop); return nil }
	go m.poll(stop, pollInterval, interfacesFingerprint)
	return m, nil
}
