//go:build linux

package launchd

import (
	"testing"
	_ "unsafe" // go:linkname
)

// kardianosUnitFuncs is kardianos/service's function map for systemd
// scripts (cmd, cmdEscape), compiled on Linux only.
//
//go:linkname kardianosUnitFuncs github.com/kardianos/service.tfs
var kardianosUnitFuncs map[string]func(string) (string, error)

// TestUnitRendersLikeKardianos: our unit is what kardianos/service would
// write for SystemdScript=UnitTemplate(), with its own engine and functions.
func TestUnitRendersLikeKardianos(t *testing.T) {
	if len(kardianosUnitFuncs) == 0 {
		t.Fatal("kardianos/service's tfs is empty")
	}
	for _, tt := range unitCases {
		ours, err := RenderUnit(tt.u)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := kardianosRender(UnitTemplate(), UnitData(tt.u), kardianosUnitFuncs)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(ours) != theirs {
			t.Errorf("%s: differs:\n--- ours\n%s\n--- kardianos\n%s", tt.name, ours, theirs)
		}
	}
}
