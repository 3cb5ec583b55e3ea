package probes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"slices"
	"strings"

	"github.com/idpulse/idpulse/probes/catalog"
)

// HostsEntry is one line of the hosts file that maps Apple names.
type HostsEntry struct {
	Line    int      `json:"line"`
	Address string   `json:"address"`
	Names   []string `json:"names"` // only the Apple names on the line
	// Sinkhole is true when the address cannot reach Apple (0.0.0.0, 127.0.0.1, …).
	Sinkhole bool `json:"sinkhole"`
	// Services are the Apple services the names belong to (the host
	// catalogue's hosts and wildcards), in the catalogue's order.
	Services []catalog.ServiceID `json:"services,omitempty"`
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
	body, words, _ := HostsLine(text)
	if len(words) < 2 {
		return HostsEntry{}, false
	}
	fields := make([]string, len(words))
	for i, w := range words {
		fields[i] = body[w[0]:w[1]]
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
			for _, id := range catalog.ServicesFor(name) {
				if !slices.Contains(e.Services, id) {
					e.Services = append(e.Services, id)
				}
			}
		}
	}
	slices.SortFunc(e.Services, catalog.Compare)
	return e, len(e.Names) > 0
}

// HostsLine splits one hosts-file line the way the resolvers read it (glibc
// and macOS's libinfo): the line ends at a NUL (C strings), '#' starts a
// comment, and only ASCII blanks (space, tab, VT, FF, CR) separate words —
// not Unicode spaces such as NBSP or NEL. body is the part before the
// comment or NUL, words the [start, end) of each word in it, and rest the
// remainder, kept byte for byte by an editor.
func HostsLine(text string) (body string, words [][2]int, rest string) {
	end := len(text)
	if i := strings.IndexByte(text, 0); i >= 0 {
		end = i
	}
	if i := strings.IndexByte(text[:end], '#'); i >= 0 {
		end = i
	}
	body, rest = text[:end], text[end:]
	start := -1
	for i := 0; i < len(body); i++ {
		switch blank := strings.IndexByte(" \t\v\f\r", body[i]) >= 0; {
		case !blank && start < 0:
			start = i
		case blank && start >= 0:
			words = append(words, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		words = append(words, [2]int{start, len(body)})
	}
	return body, words, rest
}

// CoveredBy reports whether name is one of domains or a subdomain of one.
func CoveredBy(name string, domains []string) bool {
	name = strings.TrimSuffix(name, ".")
	return slices.ContainsFunc(domains, func(d string) bool { return catalog.Under(name, strings.TrimSuffix(d, ".")) })
}
