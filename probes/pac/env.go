package pac

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/dop251/goja"
)

// Env is everything outside the script that its helpers can observe. Zero
// fields take the system's: the system resolver, this machine's addresses,
// time.Now and time.Local.
type Env struct {
	// Resolver answers dnsResolve, isResolvable, isInNet and the Ex variants.
	// ctx carries the evaluation's deadline.
	Resolver func(ctx context.Context, host string) ([]netip.Addr, error)
	// MyIPs lists this machine's addresses, the one the default route uses
	// first: myIpAddress is its first IPv4 address, myIpAddressEx all of them.
	MyIPs func() []netip.Addr
	// Now is the clock of weekdayRange, dateRange, timeRange and of the
	// script's own Date objects.
	Now func() time.Time
	// Location is the local zone of the clock helpers (those without "GMT").
	// The script's Date objects use the process's zone: goja has no other.
	Location *time.Location
}

func (env Env) withDefaults() Env {
	if env.Resolver == nil {
		env.Resolver = systemResolve
	}
	if env.MyIPs == nil {
		env.MyIPs = systemIPs
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Location == nil {
		env.Location = time.Local
	}
	return env
}

// offlineEnv is the Env of Parse's trial run: nothing leaves the process.
func offlineEnv() Env {
	return Env{
		Resolver: func(context.Context, string) ([]netip.Addr, error) { return nil, errOffline },
		MyIPs:    func() []netip.Addr { return []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})} },
		Now:      time.Now,
		Location: time.UTC,
	}
}

var errOffline = errors.New("pac: no DNS while parsing")

func systemResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// systemIPs finds the source addresses of the routes to a documentation
// address of each family (connecting a UDP socket sends nothing), which is
// the address Chromium's myIpAddress reports, then the other interface
// addresses.
func systemIPs() []netip.Addr {
	var out []netip.Addr
	seen := map[netip.Addr]bool{}
	add := func(a netip.Addr) {
		a = a.Unmap()
		if a.IsValid() && !a.IsLoopback() && !a.IsUnspecified() && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, target := range []string{"192.0.2.1:9", "[2001:db8::1]:9"} {
		c, err := net.Dial("udp", target)
		if err != nil {
			continue
		}
		if ua, ok := c.LocalAddr().(*net.UDPAddr); ok {
			add(ua.AddrPort().Addr())
		}
		_ = c.Close()
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				add(p.Addr())
			}
		}
	}
	return out
}

type dnsAnswer []netip.Addr

// maxCachedNames bounds the per-evaluation DNS cache; a script resolving
// more distinct names than this is still bounded by the deadline.
const maxCachedNames = 1024

// resolve answers a helper's lookup: an IP literal is itself, a name goes to
// the Resolver under the evaluation's deadline, once per evaluation.
func (e *eval) resolve(host string) []netip.Addr {
	if host == "" {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}
	}
	if ans, ok := e.dns[host]; ok {
		return ans
	}
	if e.ctx.Err() != nil {
		e.dnsCut = true
		return nil
	}
	addrs, err := e.env.Resolver(e.ctx, host)
	if err != nil {
		addrs = nil
	}
	if e.ctx.Err() != nil {
		// The answer "doesn't resolve" would be the deadline's, not the
		// network's: the evaluation fails instead of answering on it.
		e.dnsCut = true
		return nil
	}
	for i := range addrs {
		addrs[i] = addrs[i].Unmap()
	}
	if e.dns == nil {
		e.dns = map[string]dnsAnswer{}
	}
	if len(e.dns) < maxCachedNames {
		e.dns[host] = addrs
	}
	return addrs
}

// install defines the standard PAC helpers in the runtime.
func (e *eval) install() {
	vm := e.vm
	str := func(c goja.FunctionCall, i int) string { return c.Argument(i).String() }
	boolean := func(b bool) goja.Value { return vm.ToValue(b) }
	strs := func(c goja.FunctionCall) []string {
		out := make([]string, len(c.Arguments))
		for i, a := range c.Arguments {
			out[i] = a.String()
		}
		return out
	}
	clock := func(args []string) ([]string, time.Time) {
		args, gmt := splitGMT(args)
		now := e.env.Now()
		if gmt {
			return args, now.UTC()
		}
		return args, now.In(e.env.Location)
	}
	ipv4 := func(host string) (netip.Addr, bool) {
		if a, ok := parseDottedQuad(host); ok {
			return a, true
		}
		return firstIPv4(e.resolve(host))
	}

	helpers := map[string]func(goja.FunctionCall) goja.Value{
		"isPlainHostName": func(c goja.FunctionCall) goja.Value { return boolean(isPlainHostName(str(c, 0))) },
		"dnsDomainIs":     func(c goja.FunctionCall) goja.Value { return boolean(dnsDomainIs(str(c, 0), str(c, 1))) },
		"localHostOrDomainIs": func(c goja.FunctionCall) goja.Value {
			return boolean(localHostOrDomainIs(str(c, 0), str(c, 1)))
		},
		"dnsDomainLevels": func(c goja.FunctionCall) goja.Value { return vm.ToValue(dnsDomainLevels(str(c, 0))) },
		"shExpMatch":      func(c goja.FunctionCall) goja.Value { return boolean(shExpMatch(str(c, 0), str(c, 1))) },
		"isResolvable": func(c goja.FunctionCall) goja.Value {
			_, ok := firstIPv4(e.resolve(str(c, 0)))
			return boolean(ok)
		},
		"dnsResolve": func(c goja.FunctionCall) goja.Value {
			if a, ok := firstIPv4(e.resolve(str(c, 0))); ok {
				return vm.ToValue(a.String())
			}
			return goja.Null()
		},
		"isInNet": func(c goja.FunctionCall) goja.Value {
			a, ok := ipv4(str(c, 0))
			return boolean(ok && inNet(a, str(c, 1), str(c, 2)))
		},
		"myIpAddress": func(goja.FunctionCall) goja.Value {
			if a, ok := firstIPv4(e.env.MyIPs()); ok {
				return vm.ToValue(a.String())
			}
			return vm.ToValue("127.0.0.1") // what the browsers answer when they find none
		},
		"convert_addr": func(c goja.FunctionCall) goja.Value {
			n, ok := convertAddr(str(c, 0))
			if !ok {
				return vm.ToValue(0)
			}
			return vm.ToValue(n)
		},
		"weekdayRange": func(c goja.FunctionCall) goja.Value {
			args, now := clock(strs(c))
			return boolean(weekdayRange(now, args))
		},
		"dateRange": func(c goja.FunctionCall) goja.Value {
			args, now := clock(strs(c))
			return boolean(dateRange(now, args))
		},
		"timeRange": func(c goja.FunctionCall) goja.Value {
			args, now := clock(strs(c))
			return boolean(timeRange(now, args))
		},

		// Microsoft's IPv6 extensions.
		"isResolvableEx": func(c goja.FunctionCall) goja.Value { return boolean(len(e.resolve(str(c, 0))) > 0) },
		"dnsResolveEx":   func(c goja.FunctionCall) goja.Value { return vm.ToValue(joinAddrs(e.resolve(str(c, 0)))) },
		"isInNetEx": func(c goja.FunctionCall) goja.Value {
			// An address, a ';' list of them (dnsResolveEx's answer) or a name.
			addrs, ok := parseAddrList(str(c, 0))
			if !ok {
				addrs = e.resolve(str(c, 0))
			}
			return boolean(inNetEx(addrs, str(c, 1)))
		},
		"myIpAddressEx": func(goja.FunctionCall) goja.Value { return vm.ToValue(joinAddrs(e.env.MyIPs())) },
		"sortIpAddressList": func(c goja.FunctionCall) goja.Value {
			if s, ok := sortIPAddressList(str(c, 0)); ok {
				return vm.ToValue(s)
			}
			return boolean(false)
		},
		"getClientVersion": func(goja.FunctionCall) goja.Value { return vm.ToValue("1.0") },

		// Debug output; the browsers log it, a monitor has no use for it.
		"alert": func(goja.FunctionCall) goja.Value { return goja.Undefined() },
	}
	for name, fn := range helpers {
		_ = vm.Set(name, fn)
	}
}
