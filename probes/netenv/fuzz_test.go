package netenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// The parsers read text produced by other programs, possibly broken or
// truncated; they must return an error, never panic, and whatever they accept
// must be usable by the code downstream.

func FuzzParseScutilProxy(f *testing.F) {
	addTestdataSeeds(f, "scutil-proxy_")
	f.Add([]byte("<dictionary> {\n  A : <array> {\n    0 : <dictionary> {\n    }\n  }\n}\n"))
	f.Add([]byte("<dictionary> {\n  HTTPSEnable : 1\n  HTTPSProxy : [::1\n  HTTPSPort : 8443\n  ExceptionsList : <array> {\n    0 : *\n  }\n}\n"))
	targets := []*url.URL{
		{Scheme: "https", Host: "appleid.apple.com"},
		{Scheme: "http", Host: "169.254.1.1:80"},
		{Scheme: "https", Host: "[fe80::1%25en0]:443"},
		{Scheme: "http", Host: "printer"},
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ParseScutilProxy(in)
		if err != nil {
			return
		}
		if p.Source != ProxySourceScutil {
			t.Fatalf("Source %q", p.Source)
		}
		checkProxyConfig(t, p, targets)
	})
}

// checkProxyConfig fails t unless what a proxy parser accepted is usable:
// host:port fields, and ProxyFor answering without a panic.
func checkProxyConfig(t *testing.T, p ProxyConfig, targets []*url.URL) {
	t.Helper()
	for _, hp := range []string{p.HTTP, p.HTTPS, p.SOCKS} {
		if hp == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(hp); err != nil {
			t.Fatalf("%q is not host:port: %v", hp, err)
		}
	}
	for _, u := range targets {
		_, _ = p.ProxyFor(u)
	}
}

func FuzzParseScutilNCList(f *testing.F) {
	addTestdataSeeds(f, "scutil-nc-list_")
	f.Add([]byte(ncListHeader + "\n* (\n"))
	f.Add([]byte(ncListHeader + "\n* () x \"[]\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		svcs, err := ParseScutilNCList(in)
		if err != nil {
			return
		}
		for _, s := range svcs {
			if s.ID == "" || strings.ContainsAny(s.ID, " \n") {
				t.Fatalf("bad service ID %q", s.ID)
			}
		}
	})
}

func FuzzParseProcNetRoute(f *testing.F) {
	addTestdataSeeds(f, "proc-net-route_")
	f.Add([]byte("Iface Destination Gateway Flags Mask\nx 0 0 1 0\n"))
	f.Add([]byte("Mask Mask Iface Destination Gateway Flags Metric\n0\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		routes, err := ParseProcNetRoute(in)
		if err != nil {
			return
		}
		for _, r := range routes {
			if r.Interface == "" {
				t.Fatalf("default route without interface: %+v", r)
			}
			if r.Gateway != "" {
				if a, err := netip.ParseAddr(r.Gateway); err != nil || !a.Is4() {
					t.Fatalf("gateway %q is not IPv4", r.Gateway)
				}
			}
		}
	})
}

func FuzzParseProcNetRouteTable(f *testing.F) {
	addTestdataSeeds(f, "proc-net-route_")
	fuzzRouteTable(f, ParseProcNetRouteTable, netip.MustParseAddr("17.253.144.10"))
}

func FuzzParseIPv6Route(f *testing.F) {
	addTestdataSeeds(f, "proc-net-ipv6_route_")
	f.Add([]byte("00000000000000000000000000000000 ff 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00000003 x\n"))
	fuzzRouteTable(f, ParseProcNetIPv6Route, netip.MustParseAddr("2620:149:a44::10"))
}

// fuzzRouteTable fuzzes a /proc route-table parser: every route it accepts
// has a masked prefix of dst's family and an interface, and LookupRoute
// searches the table for dst without a panic.
func fuzzRouteTable(f *testing.F, parse func([]byte) ([]TableRoute, error), dst netip.Addr) {
	f.Fuzz(func(t *testing.T, in []byte) {
		table, err := parse(in)
		if err != nil {
			return
		}
		for _, r := range table {
			if !r.Prefix.IsValid() || r.Prefix.Addr().Is4() != dst.Is4() || r.Prefix != r.Prefix.Masked() || r.Interface == "" {
				t.Fatalf("bad route %+v", r)
			}
		}
		LookupRoute(table, dst)
	})
}

func FuzzParseIPRouteGet(f *testing.F) {
	addTestdataSeeds(f, "ip-route-get")
	f.Add([]byte("unreachable\n"))
	f.Add([]byte("default via inet6\n"))
	f.Add([]byte("local dev dev\n"))
	dsts := []netip.Addr{netip.MustParseAddr("17.253.144.10"), netip.MustParseAddr("2620:149:a44::10")}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, dst := range dsts {
			r, err := ParseIPRouteGet(in, dst)
			if err != nil {
				continue
			}
			if !r.Prefix.IsValid() || r.Dev == "" && r.Type == "" {
				t.Fatalf("accepted %+v", r)
			}
			RouteSourceOf(r.Prefix)
		}
	})
}

func FuzzParseRouteGet(f *testing.F) {
	addTestdataSeeds(f, "route-get")
	f.Add([]byte("destination: default\nmask: 255.0.255.0\ninterface: utun3\nflags: <\n"))
	dsts := []netip.Addr{netip.MustParseAddr("17.253.144.10"), netip.MustParseAddr("2620:149:a44::10")}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := ParseRouteGet(in)
		if err != nil {
			return
		}
		if r.Interface == "" {
			t.Fatal("accepted without an interface")
		}
		for _, dst := range dsts {
			if p, ok := r.Prefix(dst); ok && (!p.IsValid() || p.Addr().Is4() != dst.Is4()) {
				t.Fatalf("prefix %v for %v", p, dst)
			}
		}
	})
}

func FuzzParseGSettingsProxy(f *testing.F) {
	addTestdataSeeds(f, "gsettings-proxy_")
	f.Add([]byte("org.gnome.system.proxy ignore-hosts ['a', \"b's\", 'c\\\\'d']\norg.gnome.system.proxy mode 'manual'\norg.gnome.system.proxy.http host 'h'\norg.gnome.system.proxy.http port 1\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ParseGSettingsProxy(in)
		if err != nil {
			return
		}
		checkProxyConfig(t, p, []*url.URL{{Scheme: "https", Host: "appleid.apple.com"}, {Scheme: "http", Host: "example.com"}})
		if _, err := json.Marshal(p); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseNmcliActive: whatever is accepted has a UUID on every
// connection, and printing the connections back in nmcli's terse form
// (escaping ':' and '\') reads back the same.
func FuzzParseNmcliActive(f *testing.F) {
	addTestdataSeeds(f, "nmcli-active_")
	f.Add([]byte(`a\:b\\:u:vpn:` + "\n"))
	f.Add([]byte("x:u:wireguard:wg0\\"))
	esc := strings.NewReplacer(`\`, `\\`, `:`, `\:`)
	f.Fuzz(func(t *testing.T, in []byte) {
		conns, err := ParseNmcliActive(in)
		if err != nil {
			return
		}
		var b strings.Builder
		for _, c := range conns {
			if c.UUID == "" {
				t.Fatalf("accepted a connection without UUID: %+v", c)
			}
			b.WriteString(esc.Replace(c.Name) + ":" + esc.Replace(c.UUID) + ":" + esc.Replace(c.Type) + ":" + esc.Replace(c.Device) + "\n")
		}
		again, err := ParseNmcliActive([]byte(b.String()))
		if err != nil {
			t.Fatalf("re-reading %q: %v", b.String(), err)
		}
		if len(again) != len(conns) {
			t.Fatalf("re-read %d connections, want %d", len(again), len(conns))
		}
		for i := range conns {
			if again[i] != conns[i] {
				t.Fatalf("re-read %+v, want %+v", again[i], conns[i])
			}
		}
	})
}

// FuzzParseScutilDNS: every resolver accepted has a name server, no field
// holds a line break or surrounding space, and printing the resolvers back
// in scutil's layout reads back the same.
func FuzzParseScutilDNS(f *testing.F) {
	addTestdataSeeds(f, "scutil-dns_")
	f.Add([]byte("No DNS configuration available\n"))
	f.Add([]byte("resolver #1\n  nameserver[0] : fe80::1%en0\n  if_index : 6 ((en0)\n  domain :\nDNS configuration (for scoped queries)\nresolver #2\n  nameserver[0] : 9.9.9.9\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := ParseScutilDNS(in)
		if err != nil {
			if !strings.Contains(err.Error(), "scutil --dns") {
				t.Fatalf("error %q does not name the command", err)
			}
			return
		}
		var b strings.Builder
		b.WriteString("DNS configuration\n")
		for i, r := range res {
			if len(r.Nameservers) == 0 {
				t.Fatalf("resolver without a name server: %+v", r)
			}
			fmt.Fprintf(&b, "\nresolver #%d\n", i+1)
			for j, d := range r.SearchDomains {
				fmt.Fprintf(&b, "  search domain[%d] : %s\n", j, d)
			}
			for j, ns := range r.Nameservers {
				fmt.Fprintf(&b, "  nameserver[%d] : %s\n", j, ns)
			}
			if r.Domain != "" {
				fmt.Fprintf(&b, "  domain   : %s\n", r.Domain)
			}
			if r.Interface != "" {
				fmt.Fprintf(&b, "  if_index : 6 (%s)\n", r.Interface)
			}
			for _, v := range append(append([]string{r.Domain, r.Interface}, r.Nameservers...), r.SearchDomains...) {
				if strings.ContainsRune(v, '\n') || v != strings.TrimSpace(v) {
					t.Fatalf("field %q of %+v is not one trimmed line", v, r)
				}
			}
		}
		rereads(t, ParseScutilDNS, b.String(), res)
	})
}

// FuzzParseResolvConf: resolv.conf never fails to parse (the C library
// ignores what it does not know); at most maxNameservers name servers, each
// an IP address; printing the result back reads back the same.
func FuzzParseResolvConf(f *testing.F) {
	f.Add([]byte("# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n"))
	f.Add([]byte("; comment\n# comment\nnameserver 10.0.0.1\nnameserver not-an-ip\nnameserver fe80::1%eth0\nnameserver 1.1.1.1\nnameserver 8.8.8.8\nsearch a.example b.example\n"))
	f.Add([]byte("search a.example\ndomain corp.example\nnameserver\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := ParseResolvConf(in)
		if err != nil || len(res) != 1 {
			t.Fatalf("ParseResolvConf = %+v, %v; want one resolver, no error", res, err)
		}
		r := res[0]
		// Only ASCII blanks separate words, as in glibc and Go's own
		// resolver: every value is a whole blank-separated field of the
		// file ("search a\u00a0b" is one domain).
		fields := map[string]bool{}
		for _, ln := range strings.Split(string(in), "\n") {
			for _, w := range strings.FieldsFunc(ln, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' }) {
				fields[w] = true
			}
		}
		for _, v := range append(append([]string{r.Domain}, r.Nameservers...), r.SearchDomains...) {
			if v != "" && !fields[v] {
				t.Fatalf("%q is not a blank-separated field of the file", v)
			}
		}
		if len(r.Nameservers) > maxNameservers {
			t.Fatalf("%d name servers, more than the resolver asks", len(r.Nameservers))
		}
		var b strings.Builder
		for _, ns := range r.Nameservers {
			if _, err := netip.ParseAddr(ns); err != nil {
				t.Fatalf("name server %q: %v", ns, err)
			}
			b.WriteString("nameserver " + ns + "\n")
		}
		if r.Domain != "" && len(r.SearchDomains) > 0 {
			t.Fatalf("both domain and search: %+v (the last line wins)", r)
		}
		if r.Domain != "" {
			b.WriteString("domain " + r.Domain + "\n")
		}
		if len(r.SearchDomains) > 0 {
			b.WriteString("search " + strings.Join(r.SearchDomains, " ") + "\n")
		}
		rereads(t, ParseResolvConf, b.String(), res)
	})
}

// FuzzParseRouteGetDefault: what is accepted has an interface; "not in
// table" anywhere is ErrNoDefaultRoute; printing the route back in route(8)'s
// layout reads back the same.
func FuzzParseRouteGetDefault(f *testing.F) {
	addTestdataSeeds(f, "route-get-default_")
	f.Add([]byte("route: writing to routing socket: not in table\n"))
	f.Add([]byte("  interface: utun3\n    gateway:\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := ParseRouteGetDefault(in)
		if strings.Contains(string(in), routeNotInTable) != errors.Is(err, ErrNoDefaultRoute) {
			t.Fatalf("error %v for output with(out) %q", err, routeNotInTable)
		}
		if err != nil {
			return
		}
		if r.Interface == "" {
			t.Fatal("accepted without an interface")
		}
		out := "   route to: default\ndestination: default\n"
		if r.Gateway != "" {
			out += "    gateway: " + r.Gateway + "\n"
		}
		out += "  interface: " + r.Interface + "\n      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING>\n"
		rereads(t, ParseRouteGetDefault, out, r)
	})
}

// FuzzParseSwVers: what is accepted has a version and an OS name, each one
// trimmed line; a refusal names ProductVersion; printing the fields back
// reads back the same.
func FuzzParseSwVers(f *testing.F) {
	addTestdataSeeds(f, "sw_vers_")
	f.Add([]byte("ProductVersion: 15.1\nProductVersion:\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		si, err := ParseSwVers(in)
		if err != nil {
			if !strings.Contains(err.Error(), "ProductVersion") {
				t.Fatalf("error %q does not name the missing key", err)
			}
			return
		}
		if si.Version == "" || si.OS == "" {
			t.Fatalf("accepted %+v", si)
		}
		checkOneLine(t, si.OS, si.Version, si.Extra, si.Build)
		out := "ProductName:\t\t" + si.OS + "\nProductVersion:\t\t" + si.Version + "\n"
		if si.Extra != "" {
			out += "ProductVersionExtra:\t" + si.Extra + "\n"
		}
		if si.Build != "" {
			out += "BuildVersion:\t\t" + si.Build + "\n"
		}
		rereads(t, ParseSwVers, out, si)
	})
}

// FuzzParseOSRelease: an OS name always (the spec's default "Linux"); each
// field one line; writing them back double-quoted, escaped as os-release(5)
// says, reads back the same.
func FuzzParseOSRelease(f *testing.F) {
	addTestdataSeeds(f, "os-release_")
	f.Add([]byte("NAME='Arch Linux'\nVERSION=\"rolling \\\"x\\\" \\\\\"\n#VERSION_ID=1\n"))
	f.Add([]byte("ID=\"\n"))
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	f.Fuzz(func(t *testing.T, in []byte) {
		si, err := ParseOSRelease(in)
		if err != nil {
			return
		}
		if si.OS == "" {
			t.Fatalf("accepted %+v without an OS name", si)
		}
		// Quotes may keep surrounding space ("NAME=\" x\""): one line is
		// all that is asked.
		if strings.ContainsRune(si.OS+si.Version, '\n') {
			t.Fatalf("field of %+v holds a line break", si)
		}
		out := "NAME=\"" + esc.Replace(si.OS) + "\"\nVERSION_ID=\"" + esc.Replace(si.Version) + "\"\n"
		rereads(t, ParseOSRelease, out, si)
	})
}

// FuzzParseIORegSerial: a serial is a word of at least four letters,
// digits or dashes (what reports redact), or "" when there is none; and
// printing it back in ioreg's layout reads back the same.
func FuzzParseIORegSerial(f *testing.F) {
	addTestdataSeeds(f, "ioreg_")
	f.Add([]byte(`    "IOPlatformSerialNumber" = "To Be Filled By O.E.M."` + "\n"))
	f.Add([]byte(`"IOPlatformSerialNumber"="0000"`))
	f.Fuzz(func(t *testing.T, in []byte) {
		s := ParseIORegSerial(in)
		if s == "" {
			return
		}
		if len(s) < 4 || strings.ContainsFunc(s, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-')
		}) {
			t.Fatalf("serial %q", s)
		}
		out := "+-o Root  <class IOPlatformExpertDevice>\n    {\n      \"IOPlatformSerialNumber\" = \"" + s + "\"\n    }\n"
		if again := ParseIORegSerial([]byte(out)); again != s {
			t.Fatalf("re-reading %q gave %q", out, again)
		}
	})
}

// checkOneLine fails t unless every field is one line without surrounding
// space, as a report shows it.
func checkOneLine(t *testing.T, fields ...string) {
	t.Helper()
	for _, v := range fields {
		if strings.ContainsAny(v, "\n") || v != strings.TrimSpace(v) {
			t.Fatalf("field %q is not one trimmed line", v)
		}
	}
}

// rereads fails t unless parse reads out, the printed form of what a fuzz
// target's parser accepted, back as want.
func rereads[T any](t *testing.T, parse func([]byte) (T, error), out string, want T) {
	t.Helper()
	again, err := parse([]byte(out))
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("re-reading\n%s\ngave %+v, %v\nwant %+v", out, again, err, want)
	}
}
