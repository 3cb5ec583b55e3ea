package probes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"strings"
)

// HostsEntry is one line of the hosts file that maps Apple names.
type HostsEntry struct {
	Line    int      `json:"line"`
	Address string   `json:"address"`
	Names   []string `json:"names"` // only the Apple names on the line
	// Sinkhole is true when the address cannot reach Apple (0.0.0.0, 127.0.0.1, …).
	Sinkhole bool `json:"sinkhole"`
}

// HostsEvidence is what the hosts probe found.
type HostsEvidence struct {
	Path    string       `json:"path"`
	Entries []HostsEntry `json:"entries"`
	Error   string       `json:"error,omitempty"`
}

// Hosts reads the hosts file for lines that pin Apple domains. Such lines beat
// every DNS server and are a classic cause of error 3014 (jailbreak and
// "activation bypass" guides add them).
type Hosts struct {
	Path    string
	Domains []string
}

func (Hosts) ID() ID { return IDHosts }

func (p Hosts) Run(ctx context.Context) Result {
	ev := &HostsEvidence{Path: p.Path, Entries: []HostsEntry{}}
	res := Result{Evidence: ev}
	data, err := os.ReadFile(p.Path)
	if errors.Is(err, fs.ErrNotExist) {
		res.Status, res.Summary = StatusOK, "no hosts file"
		return res
	}
	if err != nil {
		ev.Error = err.Error()
		res.Status, res.Summary = StatusWarn, "hosts file unreadable"
		return res
	}
	ev.Entries = AppleHostsEntries(data, p.Domains)
	if len(ev.Entries) == 0 {
		res.Status, res.Summary = StatusOK, "no Apple entries"
		return res
	}
	first := ev.Entries[0]
	res.Status = StatusFail
	res.Summary = fmt.Sprintf("%d line(s) override Apple names (line %d: %s → %s)",
		len(ev.Entries), first.Line, first.Names[0], first.Address)
	return res
}

// AppleHostsEntries parses a hosts file and returns the lines that map a name
// in or under one of domains, numbered from 1. LF and CRLF files parse alike,
// and no line is too long to read.
func AppleHostsEntries(data []byte, domains []string) []HostsEntry {
	var out []HostsEntry
	for line := 1; len(data) > 0; line++ {
		text := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			text, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if e, ok := parseHostsLine(string(text), line, domains); ok {
			out = append(out, e)
		}
	}
	return out
}

func parseHostsLine(text string, line int, domains []string) (HostsEntry, bool) {
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	fields := strings.Fields(text)
	if len(fields) < 2 {
		return HostsEntry{}, false
	}
	host := fields[0]
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i] // fe80::1%lo0: the zone does not change what the line does
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return HostsEntry{}, false // the resolver ignores lines that do not start with an address
	}
	e := HostsEntry{Line: line, Address: fields[0], Sinkhole: IsSinkhole(addr)}
	for _, name := range fields[1:] {
		if CoveredBy(name, domains) {
			e.Names = append(e.Names, name)
		}
	}
	return e, len(e.Names) > 0
}

// CoveredBy reports whether name is one of domains or a subdomain of one.
func CoveredBy(name string, domains []string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}
