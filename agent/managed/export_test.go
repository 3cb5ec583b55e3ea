package managed

import (
	"testing"

	"github.com/idpulse/idpulse/probes/netenv"
)

// For the external tests (package managed_test).
var (
	OverlayAt  = overlay
	WritePlist = writePlist
)

func NewFakePlutil(t *testing.T) netenv.Runner { return &fakePlutil{t: t} }
