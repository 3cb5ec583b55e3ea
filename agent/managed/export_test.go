package managed

import (
	"testing"

	"github.com/idpulse/idpulse/probes/command"
)

// For the external tests (package managed_test).
var (
	OverlayAt  = overlay
	WritePlist = writePlist
)

func NewFakePlutil(t *testing.T) command.Runner { return fakePlutil(t) }
