package pac

import (
	"context"
	"net/netip"
	"strings"
	"testing"
)

// The tables below share four runners, one per shape of helper: checkEach
// (one argument), checkPairs (two strings to a bool), checkClock (the clock
// functions) and checkJS (expressions through a script).

// checkEach calls f with every key of cases and reports each result that
// is not the key's value.
func checkEach[In, Out comparable](t *testing.T, name string, f func(In) Out, cases map[In]Out) {
	t.Helper()
	for in, want := range cases {
		if got := f(in); got != want {
			t.Errorf("%s(%#v) = %v, want %v", name, in, got, want)
		}
	}
}

// pair is a two-string predicate's arguments and its answer.
type pair struct {
	a, b string
	want bool
}

// checkPairs calls f with every case's arguments and reports the wrong
// answers.
func checkPairs(t *testing.T, name string, f func(a, b string) bool, cases []pair) {
	t.Helper()
	for _, c := range cases {
		if got := f(c.a, c.b); got != c.want {
			t.Errorf("%s(%q, %q) = %v, want %v", name, c.a, c.b, got, c.want)
		}
	}
}

// jsCase is a JavaScript expression and its value as a string.
type jsCase struct{ expr, want string }

// checkJS evaluates every expression, each as a subtest, in a PAC runtime
// with env.
func checkJS(t *testing.T, env Env, cases []jsCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			if got := evalJS(t, env, c.expr).String(); got != c.want {
				t.Errorf("%s = %q, want %q", c.expr, got, c.want)
			}
		})
	}
}

func TestIsPlainHostName(t *testing.T) {
	checkEach(t, "isPlainHostName", isPlainHostName, map[string]bool{
		"intranet": true, "": true, "www.apple.com": false, "apple.": false, "::1": false, "fe80::1": false,
	})
}

func TestDNSDomainIs(t *testing.T) {
	checkPairs(t, "dnsDomainIs", dnsDomainIs, []pair{
		{"www.apple.com", ".apple.com", true},
		{"www.apple.com", "apple.com", true},
		{"apple.com", ".apple.com", false},
		{"www.notapple.com", ".apple.com", false},
		{"www.notapple.com", "apple.com", true}, // a plain suffix test, as in every browser
		{"www", ".apple.com", false},
		{"WWW.APPLE.COM", ".apple.com", false}, // case-sensitive
		{"www.apple.com", "", true},
	})
}

func TestLocalHostOrDomainIs(t *testing.T) {
	checkPairs(t, "localHostOrDomainIs", localHostOrDomainIs, []pair{
		{"www.apple.com", "www.apple.com", true},
		{"www", "www.apple.com", true},
		{"www.mac.com", "www.apple.com", false},
		{"home", "www.apple.com", false},
		{"www.apple", "www.apple.com", true},
		{"ww", "www.apple.com", false},
	})
}

func TestDNSDomainLevels(t *testing.T) {
	checkEach(t, "dnsDomainLevels", dnsDomainLevels, map[string]int{
		"www": 0, "apple.com": 1, "www.apple.com": 2, "1-courier.push.apple.com": 3, "": 0, "a.b.": 2,
	})
}

func TestShExpMatch(t *testing.T) {
	checkPairs(t, "shExpMatch", shExpMatch, []pair{
		{"http://home.netscape.com/people/ari/index.html", "*/ari/*", true},
		{"http://home.netscape.com/people/montulli/index.html", "*/ari/*", false},
		{"www.apple.com", "*.apple.com", true},
		{"apple.com", "*.apple.com", false},
		{"www.apple.com", "*apple.com", true},
		{"www.apple.com.evil.example", "*.apple.com", false},
		{"edi1.supplier.example", "edi?.supplier.example", true},
		{"edi12.supplier.example", "edi?.supplier.example", false},
		{"edi.supplier.example", "edi?.supplier.example", false},
		{"abc", "???", true},
		{"ab", "???", false},
		{"", "*", true},
		{"", "", true},
		{"a", "", false},
		{"abc", "a**c", true},
		{"abc", "*b*", true},
		{"abc", "*x*", false},
		{"a.b", "a?b", true},
		{"axb", "a.b", false}, // '.' is literal
		{"a+b", "a+b", true},  // so are regexp operators
		{"ab", "a+b", false},
		{"[x]", "[x]", true},
		{"Apple", "apple", false},              // case-sensitive
		{"ünïcode.example", "?n?code.*", true}, // ? is one character, not one byte
		{"10.1.2.3", "10.*", true},
		{"110.1.2.3", "10.*", false},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*a*c", false}, // no exponential backtracking
	})
}

func TestInNet(t *testing.T) {
	tests := []struct {
		addr, pattern, mask string
		want                bool
	}{
		{"198.95.249.79", "198.95.249.79", "255.255.255.255", true},
		{"198.95.249.80", "198.95.249.79", "255.255.255.255", false},
		{"198.95.6.8", "198.95.0.0", "255.255.0.0", true},
		{"198.96.6.8", "198.95.0.0", "255.255.0.0", false},
		{"172.16.0.1", "172.16.0.0", "255.240.0.0", true},
		{"172.31.255.255", "172.16.0.0", "255.240.0.0", true},
		{"172.32.0.0", "172.16.0.0", "255.240.0.0", false},
		{"10.9.8.7", "10.0.0.0", "255.0.0.0", true},
		{"10.9.8.7", "11.0.0.0", "0.0.0.0", true}, // a zero mask matches everything
		{"192.168.1.130", "192.168.1.128", "255.255.255.192", true},
		{"192.168.1.200", "192.168.1.128", "255.255.255.192", false},
		{"::ffff:10.1.1.1", "10.0.0.0", "255.0.0.0", true}, // mapped addresses are IPv4
		{"2001:db8::1", "10.0.0.0", "255.0.0.0", false},
		{"10.1.1.1", "10.0.0", "255.0.0.0", false},     // bad pattern
		{"10.1.1.1", "10.0.0.0", "255.0.0.0.0", false}, // bad mask
		{"10.1.1.1", "10.0.0.0", "255.0.0.256", false}, // bad mask
		{"10.1.1.1", "010.0.0.0", "255.0.0.0", true},   // three digits are fine
		{"10.1.1.1", "0010.0.0.0", "255.0.0.0", false}, // four are not
		{"10.1.1.1", "10.0.0.0", "ffff:ff00::", false}, // no IPv6 mask
		{"10.1.1.1", " 10.0.0.0", "255.0.0.0", false},  // no blanks
		{"10.1.1.1", "+10.0.0.0", "255.0.0.0", false},  // no signs
	}
	for _, tt := range tests {
		if got := inNet(netip.MustParseAddr(tt.addr), tt.pattern, tt.mask); got != tt.want {
			t.Errorf("inNet(%s, %s, %s) = %v, want %v", tt.addr, tt.pattern, tt.mask, got, tt.want)
		}
	}
}

// inNetEx's first argument is an address list, as a script passes it.
func TestInNetEx(t *testing.T) {
	inList := func(addrs, prefix string) bool {
		list, _ := parseAddrList(addrs)
		return inNetEx(list, prefix)
	}
	checkPairs(t, "inNetEx", inList, []pair{
		{"198.95.249.79", "198.95.249.79/32", true},
		{"198.95.6.8", "198.95.0.0/16", true},
		{"198.96.6.8", "198.95.0.0/16", false},
		{"3ffe:8311:ffff:abcd::1", "3ffe:8311:ffff::/48", true},
		{"3ffe:8311:fffe::1", "3ffe:8311:ffff::/48", false},
		{"2001:db8::5;10.1.2.3", "10.0.0.0/8", true}, // any of a list
		{"::ffff:10.1.2.3", "10.0.0.0/8", true},
		{"10.1.2.3", "::ffff:10.0.0.0/104", true},
		{"10.1.2.3", "10.0.0.0", false}, // a prefix needs its length
		{"10.1.2.3", "10.0.0.0/33", false},
		{"10.1.2.3", "0.0.0.0/0", true},
		{"2001:db8::1", "0.0.0.0/0", false}, // families don't mix
	})
}

// sortIPAddressList's failures read "false", as a script sees them.
func TestSortIPAddressList(t *testing.T) {
	sorted := func(in string) string {
		if got, ok := sortIPAddressList(in); ok {
			return got
		}
		return "false"
	}
	checkEach(t, "sortIPAddressList", sorted, map[string]string{
		"10.2.3.9;2001:4898:28:3:201:2ff:feea:fc14;::1;127.0.0.1;::9": "::1;::9;2001:4898:28:3:201:2ff:feea:fc14;10.2.3.9;127.0.0.1",
		"192.168.1.10; 10.0.0.1 ;172.16.0.1":                          "10.0.0.1;172.16.0.1;192.168.1.10",
		"10.0.0.2;10.0.0.10":                                          "10.0.0.2;10.0.0.10", // numeric, not textual
		"fd00::1":                                                     "fd00::1",
		"":                                                            "false",
		"10.0.0.1;nonsense":                                           "false",
		";;":                                                          "false",
	})
}

func TestConvertAddr(t *testing.T) {
	if n, ok := convertAddr("104.16.41.2"); !ok || n != 1745889538 {
		t.Errorf("convertAddr = %d, %v", n, ok)
	}
	if _, ok := convertAddr("1.2.3"); ok {
		t.Error("convertAddr accepted 1.2.3")
	}
}

// Every helper through the script, with the injected resolver, addresses
// and clock: what a PAC actually sees, types included.
func TestHelpersInScript(t *testing.T) {
	env, _ := testEnv("10.2.3.4", "fd00::1234")
	checkJS(t, env, []jsCase{
		{`isPlainHostName("intranet")`, "true"},
		{`isPlainHostName("www.apple.com")`, "false"},
		{`dnsDomainIs("www.apple.com", ".apple.com")`, "true"},
		{`localHostOrDomainIs("www", "www.apple.com")`, "true"},
		{`isResolvable("www.apple.com")`, "true"},
		{`isResolvable("v6only.example")`, "false"}, // isResolvable is IPv4
		{`isResolvable("nosuch.example")`, "false"},
		{`isResolvable("192.0.2.1")`, "true"},
		{`isInNet("intranet.corp.example.com", "10.0.0.0", "255.0.0.0")`, "true"},
		{`isInNet("www.apple.com", "17.0.0.0", "255.0.0.0")`, "true"},
		{`isInNet("nosuch.example", "0.0.0.0", "0.0.0.0")`, "false"},
		{`isInNet("10.1.2.3", "10.0.0.0", "255.0.0.0")`, "true"},
		{`dnsResolve("www.apple.com")`, "17.253.144.10"}, // the IPv4 answer, after the AAAA one
		{`dnsResolve("nosuch.example") === null`, "true"},
		{`dnsResolve("v6only.example") === null`, "true"},
		{`myIpAddress()`, "10.2.3.4"},
		{`typeof dnsDomainLevels("www.apple.com") + dnsDomainLevels("www.apple.com")`, "number2"},
		{`shExpMatch("www.apple.com", "*.apple.*")`, "true"},
		{`weekdayRange("MON", "FRI")`, "true"},
		{`weekdayRange("SAT", "TUE")`, "false"},
		{`weekdayRange("WED")`, "true"},
		{`dateRange("MAR")`, "true"},
		{`dateRange(11)`, "true"},
		{`dateRange(2026)`, "true"},
		{`dateRange(1, "MAR", 2026, 31, "MAR", 2026)`, "true"},
		{`timeRange(14)`, "true"},
		{`timeRange(13, "GMT")`, "true"}, // 13:30 GMT
		{`timeRange(14, "GMT")`, "false"},
		{`timeRange(14, 30, 0, 14, 30, 15)`, "true"},
		{`timeRange(14, 30, 16, 14, 31, 0)`, "false"},
		{`isResolvableEx("v6only.example")`, "true"},
		{`isResolvableEx("nosuch.example")`, "false"},
		{`dnsResolveEx("www.apple.com")`, "2620:149:af0::10;17.253.144.10"},
		{`dnsResolveEx("nosuch.example")`, ""},
		{`isInNetEx("db.internal.example", "fd00::/8")`, "true"},
		{`isInNetEx(dnsResolveEx("www.apple.com"), "17.0.0.0/8")`, "true"},
		{`isInNetEx("2001:db8::5", "2001:db8::/32")`, "true"},
		{`isInNetEx("nosuch.example", "::/0")`, "false"},
		{`myIpAddressEx()`, "10.2.3.4;fd00::1234"},
		{`sortIpAddressList(myIpAddressEx())`, "fd00::1234;10.2.3.4"},
		{`sortIpAddressList("bogus")`, "false"},
		{`getClientVersion()`, "1.0"},
		{`convert_addr("10.0.0.1")`, "167772161"},
		{`alert("hello"); "ok"`, "ok"},
		{`dnsDomainIs("www.apple.com")`, "false"}, // a missing argument is "undefined"
		{`new Date().getTime()`, "1773235815000"}, // the script's clock is Env.Now
	})
}

// myIpAddress falls back to the loopback when the machine has no IPv4
// address, as the browsers do; the Ex variant is then empty.
func TestMyIPAddressFallback(t *testing.T) {
	env, _ := testEnv("fd00::1")
	if got := evalJS(t, env, `myIpAddress()`).String(); got != "127.0.0.1" {
		t.Errorf("myIpAddress() = %q", got)
	}
	env, _ = testEnv()
	if got := evalJS(t, env, `myIpAddressEx()`).String(); got != "" {
		t.Errorf("myIpAddressEx() = %q", got)
	}
}

// The resolver sees the evaluation's deadline, and IP literals never reach it.
func TestResolverContext(t *testing.T) {
	var hosts []string
	env, _ := testEnv()
	env.Resolver = func(ctx context.Context, host string) ([]netip.Addr, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("resolver context has no deadline")
		}
		hosts = append(hosts, host)
		return []netip.Addr{netip.MustParseAddr("192.0.2.1")}, nil
	}
	evalJS(t, env, `dnsResolve("10.0.0.1"); dnsResolve("2001:db8::1"); dnsResolve(""); dnsResolve("a.example")`)
	if strings.Join(hosts, ",") != "a.example" {
		t.Errorf("resolver asked for %q, want only a.example", hosts)
	}
}
