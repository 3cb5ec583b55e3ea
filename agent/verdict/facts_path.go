package verdict

import (
	"fmt"
	"strings"

	"github.com/idpulse/idpulse/probes"
)

// The facts below cross-check one probe's finding against the path its
// evidence took: which resolver answered, whether a request went through a
// proxy and whether that proxy works, which address family connected.

// dnsBroken are the names the system resolver cannot answer at all while
// public resolvers do: a broken resolver, not a filter.
func (f *Facts) dnsBroken() []string {
	if f.dns == nil {
		return nil
	}
	return f.dns.Broken
}

// controlResolves reports whether the system resolver answered the control
// name (not Apple's): positive evidence that it works for other names.
func (f *Facts) controlResolves() bool {
	return f.dns != nil && f.dns.Control != nil && f.dns.Control.Routable()
}

// blockPages are the filtered names whose system answer led to a server
// that is not Apple's, by name.
func (f *Facts) blockPages() map[string]probes.DNSRedirect {
	out := map[string]probes.DNSRedirect{}
	if f.dns == nil {
		return out
	}
	for _, r := range f.dns.Redirects {
		if r.BlockPage {
			out[r.Name] = r
		}
	}
	return out
}

// filterEvidence says, for each filtered name, what the system resolver
// answered and what cross-checked it.
func (f *Facts) filterEvidence() []string {
	pages := f.blockPages()
	var ev []string
	for _, n := range f.dnsFiltered() {
		if r, ok := pages[n]; ok {
			ev = append(ev, fmt.Sprintf("%s → %s, which presents %s; the public resolvers' %s presents Apple's certificate (%s)",
				n, hostOf(r.System.Address), describePresented(r.System), hostOf(r.Public.Address), r.Public.Issuer))
			continue
		}
		l, _ := f.dns.SystemLookup(n)
		ev = append(ev, describeLookup(l)+"; public resolvers answer it")
	}
	if f.controlResolves() {
		ev = append(ev, fmt.Sprintf("the same resolver answers %s", f.dns.Control.Name))
	}
	return ev
}

// describePresented names what a block page's server showed.
func describePresented(h probes.TLSHandshake) string {
	switch {
	case h.Issuer != "":
		return "a certificate issued by " + h.Issuer
	case h.Class == probes.ClassTLS:
		return "no TLS at all (a plain web page)"
	}
	return "no valid certificate (" + string(h.Class) + ")"
}

func hostOf(hostport string) string {
	if i := strings.LastIndex(hostport, ":"); i > 0 {
		return strings.Trim(hostport[:i], "[]")
	}
	return hostport
}

// brokenResolverClass is the first broken name's failure, in words.
func (f *Facts) brokenResolverClass() string {
	for _, n := range f.dnsBroken() {
		if l, ok := f.dns.SystemLookup(n); ok {
			switch l.Class {
			case probes.ClassServFail:
				return "answers SERVFAIL (server failure)"
			case probes.ClassTimeout:
				return "does not answer"
			case probes.ClassUnreachable, probes.ClassRefused:
				return "cannot be reached"
			}
			return "fails (" + string(l.Class) + ")"
		}
	}
	return "fails"
}

// proxyWorks: the proxy probe tunnelled to Apple through the proxy.
func (f *Facts) proxyWorks() bool {
	return f.proxy != nil && f.proxy.Proxied != nil && f.proxy.Proxied.OK
}

// portal: something other than Apple's Success page answered the portal
// check on the direct path, or on a proxied path whose proxy works. A
// proxied answer from a proxy that fails (or that the direct check
// contradicts) is the proxy's, not a Wi-Fi login page.
func (f *Facts) portal() bool {
	c := f.captive
	switch {
	case c == nil || !c.Portal:
		return false
	case c.Via == "":
		return true
	case c.Direct != nil:
		return c.Direct.Portal
	}
	return f.proxyWorks()
}

// proxyAnsweredPortal: the portal check through the proxy did not get
// Apple's page, while the direct check did.
func (f *Facts) proxyAnsweredPortal() bool {
	c := f.captive
	return c != nil && c.Via != "" && !c.Success() && c.Direct.Success()
}

// proxyNeedsPassword: the proxy answered CONNECT with 407.
func (f *Facts) proxyNeedsPassword() bool {
	p := f.proxyFailed()
	return p != nil && p.Class == probes.ClassProxyAuth
}

// proxyEvidence is what the proxy failure rests on, cross-checked.
func (f *Facts) proxyEvidence() []string {
	p := f.proxyFailed()
	ev := []string{fmt.Sprintf("the proxy at %s: %s", p.Proxy, p.Error)}
	if f.proxyAnsweredPortal() {
		ev = append(ev, fmt.Sprintf("the proxy at %s answered %s to the portal check; direct, the portal check succeeds",
			f.captive.Via, describeHTTP(f.captive)))
	}
	if d := f.proxy.Direct; d != nil && d.OK {
		ev = append(ev, "the direct path to "+d.Target+" works")
	}
	return ev
}

func describeHTTP(c *probes.CaptiveEvidence) string {
	if c.StatusCode != 0 {
		return fmt.Sprintf("HTTP %d", c.StatusCode)
	}
	return string(c.Class)
}

// mtuBlackhole is the handshake that stalled with normal packets and
// completed with small ones, or nil.
func (f *Facts) mtuBlackhole() *probes.TLSHandshake {
	if f.tls == nil {
		return nil
	}
	return f.tls.MTUBlackhole()
}

// handshakes are the cycle's TCP handshakes to Apple as samples of the path.
func (f *Facts) handshakes() probes.Handshakes { return probes.AppleHandshakes(f.res) }

// slowPath: Apple answers, but round trips are too slow or lossy for
// sign-in's many exchanges.
func (f *Facts) slowPath() bool {
	return f.reach != nil && f.reach.SignInOK() > 0 && f.handshakes().Slow()
}

// ipv6Broken: Apple's names have AAAA answers and this Mac has an IPv6
// route, but IPv6 connections fail while IPv4 works.
func (f *Facts) ipv6Broken() bool { return f.reach != nil && f.reach.Families.IPv6Broken() }

// certDatesFail counts the handshakes that failed only on the
// certificates' dates: those with an issuer Apple uses, and all of them.
func (f *Facts) certDatesFail() (genuine, all int) {
	if f.tls == nil {
		return 0, 0
	}
	for _, h := range f.tls.Hosts {
		if h.Class == probes.ClassCertTime {
			all++
			if h.TrustedIssuer {
				genuine++
			}
		}
	}
	return genuine, all
}

// proxySource says where the proxy settings come from: "scutil settings",
// "environment settings, PAC file http://wpad/wpad.dat".
func (f *Facts) proxySource() string {
	src := f.proxy.Config.Source + " settings"
	if pac := f.proxy.PAC; pac != nil {
		src += ", PAC file " + pac.URL
		if len(pac.Hops) > 0 {
			src += " answering " + strings.Join(pac.Hops, "; ")
		}
	}
	return src
}

// signInShown: the sign-in path was shown to work end to end, a genuine
// TLS handshake with Apple and an HTTP answer from the sign-in service;
// the positive evidence "ok" needs.
func (f *Facts) signInShown() bool {
	return f.genuineTLS() && f.https != nil && f.https.StatusCode != 0
}
