package pac

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// wednesday is the tests' clock: Wednesday 2026-03-11, 14:30:15 in the
// tests' local zone (UTC+1), 13:30:15 GMT.
var (
	testZone  = time.FixedZone("CET", 3600)
	wednesday = time.Date(2026, time.March, 11, 14, 30, 15, 0, testZone)
)

var testNames = map[string][]netip.Addr{
	"www.apple.com":             {netip.MustParseAddr("2620:149:af0::10"), netip.MustParseAddr("17.253.144.10")},
	"gateway.icloud.com":        {netip.MustParseAddr("17.248.1.1")},
	"intranet.corp.example.com": {netip.MustParseAddr("10.1.2.3")},
	"build.example.com":         {netip.MustParseAddr("172.16.5.5")},
	"www.example.com":           {netip.MustParseAddr("192.0.2.10")},
	"v6only.example":            {netip.MustParseAddr("2001:db8::5")},
	"db.internal.example":       {netip.MustParseAddr("fd00::10")},
}

// testEnv resolves testNames only, has the given addresses and the clock at
// wednesday; it counts lookups.
func testEnv(my ...string) (Env, *int) {
	var mu sync.Mutex
	lookups := 0
	var ips []netip.Addr
	for _, s := range my {
		ips = append(ips, netip.MustParseAddr(s))
	}
	return Env{
		Resolver: func(_ context.Context, host string) ([]netip.Addr, error) {
			mu.Lock()
			lookups++
			mu.Unlock()
			if a, ok := testNames[host]; ok {
				return slices.Clone(a), nil
			}
			return nil, fmt.Errorf("lookup %s: no such host", host)
		},
		MyIPs:    func() []netip.Addr { return ips },
		Now:      func() time.Time { return wednesday },
		Location: testZone,
	}, &lookups
}

func mustParse(t testing.TB, src string) *Script {
	t.Helper()
	s, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func loadPAC(t testing.TB, name string) *Script {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return mustParse(t, string(src))
}

func find(t testing.TB, s *Script, rawURL string) ([]Hop, error) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return s.FindProxy(context.Background(), u)
}

// mustFind is s's answer for rawURL, rendered; an error fails t.
func mustFind(t testing.TB, s *Script, rawURL string) string {
	t.Helper()
	hops, err := find(t, s, rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return render(hops)
}

// checkErr reports err unless it is target (any error when target is nil)
// and its message mentions has.
func checkErr(t testing.TB, err, target error, has string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("no error, want %v mentioning %q", target, has)
	case target != nil && !errors.Is(err, target):
		t.Errorf("error %v is not %v", err, target)
	case !strings.Contains(err.Error(), has):
		t.Errorf("error %q does not mention %q", err, has)
	}
}

// errCase is a script (or a part of one) that must fail, and how.
type errCase struct {
	name, src string
	is        error  // errors.Is target, or nil
	has       string // substring of the message
}

// checkErrs runs every case through run, each as a subtest, and checks the
// error it returns.
func checkErrs(t *testing.T, cases []errCase, run func(t *testing.T, src string) error) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkErr(t, run(t, c.src), c.is, c.has) })
	}
}

func render(hops []Hop) string {
	parts := make([]string, len(hops))
	for i, h := range hops {
		parts[i] = h.String()
	}
	return strings.Join(parts, "; ")
}

func TestRealWorldPACs(t *testing.T) {
	const (
		corpDefault = "PROXY proxy1.corp.example.com:8080; PROXY proxy2.corp.example.com:8080; DIRECT"
		corpNight   = "PROXY proxy2.corp.example.com:8080; PROXY proxy1.corp.example.com:8080; DIRECT"
	)
	saturday := wednesday.AddDate(0, 0, 3)
	night := wednesday.Add(9 * time.Hour) // 23:30 local
	tests := []struct {
		file string
		url  string
		my   []string
		now  time.Time
		want string
	}{
		{"corporate.pac", "https://www.apple.com/shop?x=1", nil, wednesday, corpDefault},
		{"corporate.pac", "https://gsa.apple.com/grandslam/GsService2/lookup", nil, saturday, corpNight},
		{"corporate.pac", "https://gsa.apple.com/", nil, night, corpNight},
		{"corporate.pac", "http://intranet/", nil, wednesday, "DIRECT"},
		{"corporate.pac", "http://LOCALHOST:8080/", nil, wednesday, "DIRECT"},
		{"corporate.pac", "https://wiki.corp.example.com/page", nil, wednesday, "DIRECT"},
		{"corporate.pac", "http://10.20.30.40/", nil, wednesday, "DIRECT"},
		{"corporate.pac", "http://172.31.0.1/", nil, wednesday, "DIRECT"},
		{"corporate.pac", "http://172.32.0.1/", nil, wednesday, corpDefault},
		{"corporate.pac", "https://edi1.supplier.example/", nil, wednesday, "PROXY extranet-gw.corp.example.com:3128"},
		{"corporate.pac", "https://edi12.supplier.example/", nil, wednesday, corpDefault},
		{"corporate.pac", "http://mirror.vendor.example/os/big.iso", nil, wednesday,
			"PROXY bulk-proxy.corp.example.com:8080; PROXY proxy1.corp.example.com:8080"},
		// https URLs reach the script without their path, so the .iso rule can't see it.
		{"corporate.pac", "https://mirror.vendor.example/os/big.iso", nil, wednesday, corpDefault},
		{"corporate.pac", "https://acme.slack.com/", nil, wednesday, "PROXY inspect.corp.example.com:8443"},
		{"corporate.pac", "https://build.example.com/", nil, wednesday, "DIRECT"},
		{"corporate.pac", "https://www.example.com/", nil, wednesday, corpDefault},
		{"corporate.pac", "https://www.apple.com/", []string{"192.168.201.7"}, wednesday, "DIRECT"},

		{"apple-direct.pac", "https://www.apple.com/", nil, wednesday, "DIRECT"},
		{"apple-direct.pac", "https://gateway.icloud.com/", nil, wednesday, "DIRECT"},
		{"apple-direct.pac", "https://apple.com/", nil, wednesday, "DIRECT"},
		{"apple-direct.pac", "https://12-courier.push.apple.com:5223/", nil, wednesday, "DIRECT"},
		{"apple-direct.pac", "https://17.57.144.10/", nil, wednesday, "DIRECT"},
		{"apple-direct.pac", "https://notapple.com/", nil, wednesday, "PROXY webproxy.example.org:3128; DIRECT"},
		{"apple-direct.pac", "http://www.example.com/", nil, wednesday, "PROXY webproxy.example.org:3128"},

		{"failover.pac", "https://www.apple.com/", nil, wednesday, "PROXY a.proxy.example:8080; PROXY b.proxy.example:8080; DIRECT"},
		{"failover.pac", "http://intranet/", nil, wednesday, "PROXY a.proxy.example:8080; PROXY b.proxy.example:8080; DIRECT"},

		{"wpad.pac", "https://www.apple.com/", []string{"10.2.3.4"}, wednesday,
			"PROXY proxy.branch-east.example.net:8080; PROXY proxy.hq.example.net:8080"},
		{"wpad.pac", "https://www.apple.com/", []string{"172.21.9.9"}, wednesday,
			"PROXY proxy.dc.example.net:3128; PROXY proxy.hq.example.net:8080"},
		{"wpad.pac", "https://www.apple.com/", []string{"fd00::1", "192.0.2.50"}, wednesday,
			"PROXY proxy.hq.example.net:8080; SOCKS5 socks.hq.example.net:1080"},
		{"wpad.pac", "https://www.apple.com/", []string{}, wednesday, // no address: 127.0.0.1
			"PROXY proxy.hq.example.net:8080; SOCKS5 socks.hq.example.net:1080"},
		{"wpad.pac", "https://files.example.net/", []string{"10.1.0.9"}, wednesday, "DIRECT"},

		{"ipv6.pac", "https://v6only.example/", []string{"10.2.3.4", "fd00::1234"}, wednesday, "HTTPS [2001:db8:100::8]:8443"},
		{"ipv6.pac", "https://v6only.example/", []string{"10.2.3.4"}, wednesday, "PROXY 192.0.2.8:8080"},
		{"ipv6.pac", "https://unknown.example/", nil, wednesday, "PROXY [2001:db8:100::8]:8080"},
		{"ipv6.pac", "https://db.internal.example/", nil, wednesday, "DIRECT"},
		{"ipv6.pac", "https://intranet.corp.example.com/", nil, wednesday, "DIRECT"},
		{"ipv6.pac", "https://www.apple.com/", nil, wednesday, "PROXY 192.0.2.8:8080"},
	}
	scripts := map[string]*Script{}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.url, func(t *testing.T) {
			s, ok := scripts[tt.file]
			if !ok {
				s = loadPAC(t, tt.file)
				scripts[tt.file] = s
			}
			c := *s
			my := tt.my
			if my == nil {
				my = []string{"10.2.3.4"}
			}
			c.Env, _ = testEnv(my...)
			now := tt.now
			c.Env.Now = func() time.Time { return now }
			if got := mustFind(t, &c, tt.url); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// The script sees what Chromium hands it: no credentials or fragment, and
// for https no path or query; the host is lower case and unbracketed.
func TestScriptArgs(t *testing.T) {
	tests := []struct{ in, url, host string }{
		{"https://user:pw@Www.Apple.com/path?q=1#frag", "https://www.apple.com/", "www.apple.com"},
		{"HTTPS://gsa.apple.com:443/grandslam", "https://gsa.apple.com:443/", "gsa.apple.com"},
		{"http://example.com/a/b?c=d#e", "http://example.com/a/b?c=d", "example.com"},
		{"wss://push.example/socket?token=x", "wss://push.example/", "push.example"},
		{"http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x", "2001:db8::1"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		gotURL, gotHost := scriptArgs(u)
		if gotURL != tt.url || gotHost != tt.host {
			t.Errorf("scriptArgs(%s) = %q, %q; want %q, %q", tt.in, gotURL, gotHost, tt.url, tt.host)
		}
	}
	// And through a script.
	s := mustParse(t, `function FindProxyForURL(url, host) { return "PROXY " + host + ":1; PROXY x:" + url.length; }`)
	s.Env, _ = testEnv()
	if got, want := mustFind(t, s, "https://u:p@www.apple.com/secret?token=1"), "PROXY www.apple.com:1; PROXY x:22"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	big := make([]byte, MaxScriptSize+1)
	for i := range big {
		big[i] = ' '
	}
	checkErrs(t, []errCase{
		{"too large", string(big), ErrTooLarge, "larger than 1048576 bytes"},
		{"no entry point", `function findProxyForURL(u, h) { return "DIRECT"; }`, ErrNoEntryPoint, "FindProxyForURL"},
		{"not a function", `var FindProxyForURL = "DIRECT";`, ErrNoEntryPoint, ""},
		{"empty", ``, ErrNoEntryPoint, ""},
		{"syntax error", `function FindProxyForURL(u, h) { return "DIRECT"; `, nil, "pac: compile"},
		{"throws at top level", `throw new Error("config server down"); function FindProxyForURL(u, h) {}`, ErrThrown, "config server down"},
		{"loops at top level", `for (;;) {} function FindProxyForURL(u, h) {}`, ErrTimeout, ""},
	}, func(t *testing.T, src string) error {
		_, err := Parse([]byte(src))
		return err
	})
	// The largest accepted script is exactly MaxScriptSize.
	ok := []byte(`function FindProxyForURL(u, h) { return "DIRECT"; }`)
	ok = append(ok, big[:MaxScriptSize-len(ok)]...)
	if _, err := Parse(ok); err != nil {
		t.Errorf("Parse of %d bytes: %v", len(ok), err)
	}
}

// Parse runs the top level offline: a PAC that calls myIpAddress or
// dnsResolve at load time still parses, and no DNS query leaves the process.
func TestParseTopLevelOffline(t *testing.T) {
	s := mustParse(t, `var me = myIpAddress(), apple = dnsResolve("www.apple.com");
		function FindProxyForURL(u, h) { return me == "10.2.3.4" && apple ? "DIRECT" : "PROXY p:1"; }`)
	env, lookups := testEnv("10.2.3.4")
	s.Env = env
	if got := mustFind(t, s, "https://www.apple.com/"); got != "DIRECT" || *lookups != 1 {
		t.Errorf("got %s after %d lookups, want DIRECT after 1", got, *lookups)
	}
}

func TestFindProxyErrors(t *testing.T) {
	checkErrs(t, []errCase{
		{"throws", `throw new Error("no proxy for " + host);`, ErrThrown, "no proxy for www.apple.com"},
		{"throws a string", `throw "bad";`, ErrThrown, "bad"},
		{"type error", `return host.nosuch.length;`, ErrThrown, "TypeError"},
		{"returns undefined", `return;`, ErrBadAnswer, "undefined, not a string"},
		{"returns a number", `return 8080;`, ErrBadAnswer, "8080, not a string"},
		{"returns null", `return null;`, ErrBadAnswer, "not a string"},
		{"unparseable", `return "PROXY";`, ErrBadAnswer, `"PROXY"`},
		{"unknown keyword", `return "FORWARD a:1";`, ErrBadAnswer, `unknown keyword "FORWARD"`},
		{"empty", `return "";`, ErrBadAnswer, "no proxy or DIRECT entry"},
	}, func(t *testing.T, body string) error {
		s := mustParse(t, "function FindProxyForURL(url, host) {"+body+"}")
		s.Env, _ = testEnv()
		_, err := find(t, s, "https://www.apple.com/")
		return err
	})
}

// allocDuring reports the process's heap allocation while f runs.
func allocDuring(f func()) uint64 {
	before := allocatedBytes()
	f()
	return allocatedBytes() - before
}

// Hostile scripts are stopped by a limit, each with its own error, and the
// memory ones without the process allocating much past the budget. The time
// limit is set far out for the memory cases, so only the memory limit can
// stop them; no assertion depends on how long anything took.
func TestHostileScripts(t *testing.T) {
	const budget = 8 << 20
	tests := []struct {
		name string
		body string
		is   error
	}{
		{"infinite loop", `while (true) {}`, ErrTimeout},
		{"loop swallowing the interrupt", `for (;;) { try { while (1) {} } catch (e) {} }`, ErrTimeout},
		{"exponential string", `var s = 'x'; while (1) s += s;`, ErrMemory},
		{"growing array", `var a = []; while (1) a.push([1, 2, 3, 4, 5, 6, 7, 8]);`, ErrMemory},
		{"growing object", `var o = {}; for (var i = 0; ; i++) o['k' + i] = i;`, ErrMemory},
		{"huge array fill", `new Array(1e9).fill(0);`, ErrMemory},
		{"huge sparse array join", `var a = []; a.length = 4e9; return a.join("x");`, ErrMemory},
		{"huge sparse array scan", `var a = []; a.length = 4e9; a.indexOf(1);`, ErrMemory},
		{"huge array spread", `return String([...Array(1e9)]);`, ErrMemory},
		{"huge apply", `String.fromCharCode.apply(null, Array(1e8));`, ErrMemory},
		{"huge repeat", `'x'.repeat(1e9);`, ErrMemory},
		{"huge padEnd", `''.padEnd(1e9, 'ab');`, ErrMemory},
		{"join amplification", `var s = 'x'.repeat(1e5); return Array(1e5).fill(s).join('');`, ErrMemory},
		{"replace amplification", `var s = 'x'.repeat(1e5); return s.replace(/x/g, s);`, ErrMemory},
		{"replace through RegExp", `var s = 'x'.repeat(1e5); return /x/g[Symbol.replace](s, s);`, ErrMemory},
		{"replace callback", `var s = 'x'.repeat(1e5); return s.replace(/x/g, function () { return s; });`, ErrMemory},
		{"length getter lying to the guard", `var n = 0, o = { get length() { return n++ ? 4e9 : 1; } }; Array.prototype.indexOf.call(o, 1);`, ErrMemory},
		{"inherited length getter", `var p = { get length() { return 4e9; } }; var o = Object.create(p); Array.prototype.lastIndexOf.call(o, 1);`, ErrMemory},
		{"apply of a lying array-like", `var n = 0; Math.max.apply(null, { get length() { return n++ ? 1e9 : 1; } });`, ErrMemory},
		{"memory refusal caught", `for (;;) { try { 'x'.repeat(1e9); } catch (e) {} }`, ErrMemory},
		{"deep recursion", `function f(n) { return f(n + 1) + 1; } return f(0);`, ErrTooDeep},
		{"typed arrays are gone", `return typeof ArrayBuffer + typeof JSON + typeof Proxy + typeof Reflect;`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, "function FindProxyForURL(url, host) {"+tt.body+"; return 'DIRECT'; }")
			s.Env, _ = testEnv()
			s.Limits = Limits{Timeout: time.Minute, MaxAlloc: budget}
			if tt.is == ErrTimeout {
				s.Limits.Timeout = 50 * time.Millisecond
			}
			var hops []Hop
			var err error
			alloc := allocDuring(func() { hops, err = find(t, s, "https://www.apple.com/") })
			if tt.is == nil {
				// "undefinedundefinedundefinedundefined" is not a PAC answer:
				// the four globals are gone.
				checkErr(t, err, ErrBadAnswer, "undefinedundefinedundefinedundefined")
				return
			}
			if !errors.Is(err, tt.is) {
				t.Fatalf("got %v, %v; want %v", hops, err, tt.is)
			}
			// The race detector's instrumentation allocates several times
			// what the script does, so the bound holds only without it.
			if tt.is == ErrMemory && !raceEnabled && alloc > 8*budget {
				t.Errorf("allocated %d MiB before stopping, budget %d MiB", alloc>>20, budget>>20)
			}
			t.Logf("%v (allocated %d MiB)", err, alloc>>20)
		})
	}
}

// The evaluation deadline reaches DNS: a resolver that never answers is cut
// off, and the caller's own deadline counts as the time limit.
func TestDeadlineReachesDNS(t *testing.T) {
	s := mustParse(t, `function FindProxyForURL(url, host) { return isResolvable(host) ? "DIRECT" : "PROXY p:1"; }`)
	s.Env, _ = testEnv()
	s.Env.Resolver = func(ctx context.Context, _ string) ([]netip.Addr, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	s.Limits.Timeout = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	u, _ := url.Parse("https://www.apple.com/")
	_, err := s.FindProxy(ctx, u)
	checkErr(t, err, ErrTimeout, "caller's deadline")

	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := s.FindProxy(cctx, u); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
}

// A script resolving the same host many times costs one lookup.
func TestDNSCachedPerEvaluation(t *testing.T) {
	s := mustParse(t, `function FindProxyForURL(url, host) {
		for (var i = 0; i < 50; i++) { isInNet(host, "10.0.0.0", "255.0.0.0"); dnsResolve(host); isResolvableEx(host); }
		return "DIRECT"; }`)
	env, lookups := testEnv()
	s.Env = env
	mustFind(t, s, "https://www.apple.com/")
	mustFind(t, s, "https://www.apple.com/")
	if *lookups != 2 {
		t.Errorf("%d lookups for two evaluations, want 2", *lookups)
	}
}

// Each evaluation has a fresh runtime: a script's global state does not leak
// into the next call, and concurrent calls don't share one.
func TestFreshRuntime(t *testing.T) {
	s := mustParse(t, `var n = 0; function FindProxyForURL(url, host) { n++; return "PROXY p:" + n; }`)
	s.Env, _ = testEnv()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			hops, err := find(t, s, "https://www.apple.com/")
			if err == nil && render(hops) != "PROXY p:1" {
				err = fmt.Errorf("got %s", render(hops))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// Guarded built-ins still behave as JavaScript says on ordinary inputs.
func TestGuardedBuiltinsStillWork(t *testing.T) {
	checkJS(t, Env{}, []jsCase{
		{`"ab".repeat(3)`, "ababab"},
		{`"5".padStart(3, "0") + "5".padEnd(3, "-")`, "0055--"},
		{`"a.b.c".split(".").length`, "3"},
		{`"a.b.c".split(".", 2).join("|")`, "a|b"},
		{`"a-b-c".replace("-", "+")`, "a+b-c"},
		{`"a-b-c".replace(/-/g, "+")`, "a+b+c"},
		{`"a-b-c".replaceAll("-", "$&$&")`, "a--b--c"},
		{`"www.apple.com".replace(/(\w+)\.(\w+)/, "$2.$1")`, "apple.www.com"},
		{`"abc".replace(/b/, function (m) { return m.toUpperCase(); })`, "aBc"},
		{`"a".concat("b", 1, null)`, "ab1null"},
		{`"x1y2".match(/\d/g).join()`, "1,2"},
		{`[...'abc'].length`, "3"},
		{`[1, [2, 3], null, undefined, "x"].join("-")`, "1-2,3---x"},
		{`String([1, 2, 3])`, "1,2,3"},
		{`(function () { var a = [1]; a.push(a); return a.join(); })()`, "1,"},
		{`[1, 2, 3].toLocaleString()`, "1,2,3"},
		{`[3, 1, 2].sort().concat([4], 5).slice(1).map(function (x) { return x * 2; }).filter(function (x) { return x > 4; }).join()`, "6,8,10"},
		{`Array.from("ab").join() + Math.max.apply(null, [1, 5, 2])`, "a,b5"},
		{`[1, 2, 3].indexOf(2) + [1, 2, 3].reduce(function (a, b) { return a + b; })`, "7"},
		{`new Array(3).fill(7).join("")`, "777"},
		{`typeof [].flat`, "undefined"},
		{`Array.prototype.slice.call({length: 2, 0: "a", 1: "b"}).join()`, "a,b"},
		{`(function () { return Array.prototype.slice.call(arguments).join(); })(1, 2)`, "1,2"},
		{`Array.prototype.map.call("ab", function (c) { return c + c; }).join("")`, "aabb"},
	})
}

// evalJS evaluates a JavaScript expression in a PAC runtime with env.
func evalJS(t *testing.T, env Env, expr string) goja.Value {
	t.Helper()
	s := mustParse(t, `function FindProxyForURL(url, host) { return "DIRECT"; }`)
	s.Env = env
	var out goja.Value
	err := s.run(context.Background(), func(vm *goja.Runtime, _ goja.Callable) error {
		v, err := vm.RunString(expr)
		out = v
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return out
}
