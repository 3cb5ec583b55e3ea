package fixes

import (
	"path/filepath"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
)

// removeHostsEntries edits the hosts file (see HostsEdit). Root edits it in
// process; anyone else re-runs idpulse itself behind the password prompt,
// as `idpulse fix remove-hosts-entries --yes --hosts-file <path>`, whose
// root process then takes the in-process branch. The path is one argv
// element, quoted by AdminArgv like any other.
func removeHostsEntries() Fix {
	return adminChange(verdict.FixRemoveHostsEntries, "Remove Apple Entries from Hosts File",
		"Removes the hosts-file lines that redirect Apple's servers, keeping a backup of the file beside it.",
		func(c Context) (Plan, error) {
			if c.GOOS != "darwin" && c.GOOS != "linux" {
				return notSupported(c.GOOS)
			}
			if !filepath.IsAbs(c.HostsPath) {
				return unavailable("the hosts file path " + c.HostsPath + " is not absolute")
			}
			// The last check is the best guess of what there is to remove;
			// the edit itself re-reads the file.
			if ev := evidence[probes.HostsEvidence](c.Doc); ev != nil && ev.Error == "" &&
				ev.Path == c.HostsPath && len(ev.Entries) == 0 {
				return unavailable("the last check found no Apple entries in " + c.HostsPath)
			}
			s := Step{Hosts: &HostsEdit{Path: c.HostsPath, Domains: c.AppleDomains}, Admin: true}
			if filepath.IsAbs(c.Self) {
				s.Argv = []string{c.Self, "fix", verdict.FixRemoveHostsEntries, "--yes", "--hosts-file", c.HostsPath}
			}
			return available("Removed Apple entries from "+c.HostsPath, s)
		})
}
