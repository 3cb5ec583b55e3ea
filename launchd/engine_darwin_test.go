//go:build darwin

package launchd

import (
	"testing"
	_ "unsafe" // go:linkname
)

// kardianosPlistFuncs is kardianos/service's function map for launchd
// plists (html), compiled on darwin only.
//
//go:linkname kardianosPlistFuncs github.com/kardianos/service.launchdFuncs
var kardianosPlistFuncs map[string]func(string) (string, error)

// TestPlistFuncsAreKardianos: our html escaper is kardianos/service's.
func TestPlistFuncsAreKardianos(t *testing.T) {
	for _, tt := range agentCases {
		ours, err := RenderAgent(tt.a)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := kardianosRender(AgentTemplate(), AgentData(tt.a), kardianosPlistFuncs)
		if err != nil || string(ours) != theirs {
			t.Errorf("%s: %v\n--- ours\n%s\n--- kardianos\n%s", tt.name, err, ours, theirs)
		}
	}
}
