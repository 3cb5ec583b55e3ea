package netenv

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/idpulse/idpulse/probes/command"
)

// Resolver is one set of name servers the OS consults: on macOS one
// "resolver #N" block (the default one, or one for a domain such as a VPN's
// split-DNS zone), on Linux the whole of resolv.conf.
type Resolver struct {
	Nameservers   []string `json:"nameservers"`
	SearchDomains []string `json:"search,omitempty"`
	Domain        string   `json:"domain,omitempty"`
	Interface     string   `json:"interface,omitempty"`
}

// ParseScutilDNS reads the unscoped part of `scutil --dns`, which is what
// getaddrinfo and therefore Apple's frameworks use. The "(for scoped
// queries)" section only serves requests bound to one interface and is not
// read. Blocks without a nameserver (mDNS ones for "local" and the
// link-local reverse zones) are left out: there is nothing to query there.
func ParseScutilDNS(out []byte) ([]Resolver, error) {
	resolvers := []Resolver{}
	var cur *Resolver
	recognised := false
	flush := func() {
		if cur != nil && len(cur.Nameservers) > 0 {
			resolvers = append(resolvers, *cur)
		}
		cur = nil
	}
lines:
	for line := range strings.Lines(string(out)) {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			continue
		case t == "No DNS configuration available":
			recognised = true
			continue
		case t == "DNS configuration":
			recognised = true
			continue
		case strings.HasPrefix(t, "DNS configuration ("):
			break lines
		case strings.HasPrefix(t, "resolver #"):
			flush()
			recognised = true
			cur = &Resolver{Nameservers: []string{}}
			continue
		}
		if cur == nil {
			continue
		}
		// Cut at the first ':' only; IPv6 name servers contain more.
		k, v, ok := strings.Cut(t, ":")
		if !ok {
			continue
		}
		key := strings.TrimSpace(k)
		if i := strings.IndexByte(key, '['); i >= 0 {
			key = key[:i]
		}
		v = strings.TrimSpace(v)
		switch key {
		case "nameserver":
			if v != "" {
				cur.Nameservers = append(cur.Nameservers, v)
			}
		case "search domain":
			if v != "" {
				cur.SearchDomains = append(cur.SearchDomains, v)
			}
		case "domain":
			cur.Domain = v
		case "if_index":
			// "6 (en0)": the name is what a user recognises. Trimmed, as
			// every other value is: "6 ( en0)" names en0.
			if _, rest, ok := strings.Cut(v, "("); ok {
				name, _, _ := strings.Cut(rest, ")")
				cur.Interface = strings.TrimSpace(name)
			}
		}
	}
	flush()
	if !recognised {
		return nil, errors.New("parse scutil --dns: no \"DNS configuration\" or \"resolver #\" line")
	}
	return resolvers, nil
}

// maxNameservers is glibc's MAXNS, also honoured by Go's resolver: servers
// after the third are never asked, so listing them would mislead.
const maxNameservers = 3

// ParseResolvConf reads resolv.conf's nameserver, search and domain lines.
// It never fails: like the C library, it ignores what it does not know,
// including unparsable addresses. Words are separated by ASCII blanks only,
// as glibc and Go's resolver separate them: "nameserver\u00a01.1.1.1" is
// no name server line, and "search a\u00a0b" names one domain.
func ParseResolvConf(out []byte) ([]Resolver, error) {
	r := Resolver{Nameservers: []string{}}
	for line := range strings.Lines(string(out)) {
		f := strings.FieldsFunc(line, isResolvConfBlank)
		if len(f) == 0 || f[0][0] == '#' || f[0][0] == ';' {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) > 1 && len(r.Nameservers) < maxNameservers {
				if _, err := netip.ParseAddr(f[1]); err == nil {
					r.Nameservers = append(r.Nameservers, f[1])
				}
			}
		case "search":
			// The last search or domain line wins, as in glibc.
			r.SearchDomains = append([]string(nil), f[1:]...)
			r.Domain = ""
		case "domain":
			if len(f) > 1 {
				r.Domain = f[1]
				r.SearchDomains = nil
			}
		}
	}
	return []Resolver{r}, nil
}

// isResolvConfBlank is what separates words in resolv.conf: space and tab
// (glibc), and the CR and LF of a line's end (Go's resolver).
func isResolvConfBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

// ReadNameservers returns the name servers the system resolver uses: on
// darwin from `scutil --dns`, elsewhere from resolvConf ("" means
// /etc/resolv.conf; with systemd-resolved that is the 127.0.0.53 stub).
func ReadNameservers(ctx context.Context, r command.Runner, goos, resolvConf string) ([]Resolver, error) {
	switch goos {
	case "darwin":
		out, err := run(ctx, r, scutilPath, "--dns")
		if err != nil {
			return nil, fmt.Errorf("read name servers: %w", err)
		}
		res, err := ParseScutilDNS(out)
		if err != nil {
			return nil, fmt.Errorf("read name servers: %w", err)
		}
		return res, nil
	case "windows", "plan9", "js", "wasip1":
		return nil, fmt.Errorf("read name servers: not supported on %q", goos)
	}
	if resolvConf == "" {
		resolvConf = "/etc/resolv.conf"
	}
	b, err := os.ReadFile(resolvConf)
	if err != nil {
		return nil, fmt.Errorf("read name servers: %w", err)
	}
	res, err := ParseResolvConf(b)
	if err != nil {
		return nil, fmt.Errorf("read name servers: %s: %w", resolvConf, err)
	}
	return res, nil
}
