package report

import (
	"context"
	"slices"
	"strings"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/command"
)

// idPath is macOS's id(1); `id -F` prints the full name of the user record
// (RealName), which the password entry os/user reads may lack.
const idPath = "/usr/bin/id"

// WithSystem completes r with what SystemRedactor cannot know by itself:
// the serial number the system probe read (its evidence in rs) and, on
// macOS, the full name from the user's record through run. Whatever cannot
// be read is left as it was. On Linux the full name is the passwd entry's
// GECOS field, which SystemRedactor already took from os/user.
func (r Redactor) WithSystem(ctx context.Context, run command.Runner, goos string, rs probes.Results) Redactor {
	if ev := probes.Evidence[probes.SystemEvidence](rs); ev != nil {
		if s := strings.TrimSpace(ev.Serial); s != "" && !slices.Contains(r.Serials, s) {
			r.Serials = append(slices.Clip(r.Serials), s)
		}
	}
	if goos == "darwin" && run != nil {
		if out, err := run.Run(ctx, idPath, "-F"); err == nil {
			if name := strings.TrimSpace(string(out)); name != "" {
				r.FullName = name
			}
		}
	}
	return r
}
