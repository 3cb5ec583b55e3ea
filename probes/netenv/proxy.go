package netenv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/idpulse/idpulse/probes/command"
	"golang.org/x/net/http/httpproxy"
)

// Where a ProxyConfig came from (ProxyConfig.Source).
const (
	ProxySourceNone        = "none"
	ProxySourceEnvironment = "environment"
	ProxySourceScutil      = "scutil"
)

// ProxyConfig is the proxy setup the OS applies to new connections.
//
// HTTP, HTTPS and SOCKS are "host:port" with the port always filled in. Only
// an environment value whose scheme is not the plain one (HTTPS_PROXY=
// https://p:443, or socks5h://…) keeps its "scheme://" so that ProxyFor still
// speaks to the proxy the right way. Credentials are never kept: this value
// ends up in JSON evidence and support reports.
type ProxyConfig struct {
	Source                 string   `json:"source"` // "none", "environment", "scutil"
	HTTP                   string   `json:"http,omitempty"`
	HTTPS                  string   `json:"https,omitempty"`
	SOCKS                  string   `json:"socks,omitempty"`
	PACURL                 string   `json:"pac_url,omitempty"`
	AutoDiscovery          bool     `json:"auto_discovery,omitempty"`
	Exceptions             []string `json:"exceptions,omitempty"` // scutil ExceptionsList, NO_PROXY or GNOME ignore-hosts entries
	ExcludeSimpleHostnames bool     `json:"exclude_simple_hostnames,omitempty"`
	// Credentials is true when the settings give a proxy a user name and
	// password (a proxy URL's user info, GNOME's use-authentication).
	// The credentials themselves are never shown: ProxyFor adds them to
	// the proxy URL it returns, whose Redacted form is what gets recorded.
	Credentials bool `json:"credentials,omitempty"`

	creds map[string]*url.Userinfo // by proxy "host:port"
}

// setCredentials records the user info the OS sends to the proxy at hostport
// (which may carry a "scheme://").
func (p *ProxyConfig) setCredentials(hostport string, u *url.Userinfo) {
	if u == nil {
		return
	}
	if i := strings.Index(hostport, "://"); i >= 0 {
		hostport = hostport[i+3:]
	}
	if p.creds == nil {
		p.creds = map[string]*url.Userinfo{}
	}
	p.creds[hostport] = u
	p.Credentials = true
}

// withCredentials adds the recorded user info to a proxy URL.
func (p ProxyConfig) withCredentials(pu *url.URL, err error) (*url.URL, error) {
	if err != nil || pu == nil || pu.User != nil {
		return pu, err
	}
	if u, ok := p.creds[pu.Host]; ok {
		c := *pu
		c.User = u
		return &c, nil
	}
	return pu, nil
}

// Configured reports whether any proxy mechanism is switched on, including the
// PAC and auto-discovery ones that ProxyFor cannot evaluate.
func (p ProxyConfig) Configured() bool {
	return p.HTTP != "" || p.HTTPS != "" || p.SOCKS != "" || p.PACURL != "" || p.AutoDiscovery
}

// ProxyFor returns the proxy a request to u goes through, or nil for a direct
// connection: https uses HTTPS, http uses HTTP, each falling back to SOCKS.
//
// Environment settings are matched with Go's net/http rules (NO_PROXY syntax,
// localhost and loopback always direct) because those are the rules this
// process's own requests obey; only the SOCKS fallback from ALL_PROXY is
// curl's addition. scutil settings follow macOS's ExceptionsList:
// "*" wildcards, CIDR-ish "169.254/16", ".example.com" for subdomains, exact
// hosts, and ExcludeSimpleHostnames for dotless names.
//
// A PAC file or auto-discovery would need a JavaScript engine and the network;
// ProxyFor ignores them, so with only those configured it answers direct.
func (p ProxyConfig) ProxyFor(u *url.URL) (*url.URL, error) {
	if u == nil {
		return nil, errors.New("proxy for a nil URL")
	}
	if p.Source == ProxySourceEnvironment {
		return p.withCredentials(p.envProxyFunc()(u))
	}
	return p.withCredentials(p.systemProxyFor(u))
}

// ProxyFunc returns ProxyFor in the shape http.Transport.Proxy wants. The
// environment matcher is built once here rather than on every request.
func (p ProxyConfig) ProxyFunc() func(*http.Request) (*url.URL, error) {
	// The closure must not see later edits the caller makes to its slice.
	p.Exceptions = slices.Clone(p.Exceptions)
	if p.Source == ProxySourceEnvironment {
		f := p.envProxyFunc()
		return func(r *http.Request) (*url.URL, error) { return p.withCredentials(f(r.URL)) }
	}
	return func(r *http.Request) (*url.URL, error) { return p.withCredentials(p.systemProxyFor(r.URL)) }
}

func (p ProxyConfig) envProxyFunc() func(*url.URL) (*url.URL, error) {
	orSOCKS := func(field string) string {
		if field != "" {
			return withScheme(field, "http")
		}
		return withScheme(p.SOCKS, "socks5")
	}
	cfg := httpproxy.Config{
		HTTPProxy:  orSOCKS(p.HTTP),
		HTTPSProxy: orSOCKS(p.HTTPS),
		NoProxy:    strings.Join(p.Exceptions, ","),
	}
	f := cfg.ProxyFunc()
	return func(u *url.URL) (*url.URL, error) {
		if u == nil {
			return nil, errors.New("proxy for a nil URL")
		}
		return f(u)
	}
}

func (p ProxyConfig) systemProxyFor(u *url.URL) (*url.URL, error) {
	if u == nil {
		return nil, errors.New("proxy for a nil URL")
	}
	var field string
	switch strings.ToLower(u.Scheme) {
	case "https", "wss":
		field = p.HTTPS
	case "http", "ws":
		field = p.HTTP
	default:
		return nil, nil
	}
	scheme := "http"
	if field == "" {
		field, scheme = p.SOCKS, "socks5"
	}
	if field == "" || p.exempt(u.Hostname()) {
		return nil, nil
	}
	pu, err := url.Parse(withScheme(field, scheme))
	if err != nil || pu.Host == "" {
		return nil, fmt.Errorf("invalid proxy address %q", field)
	}
	return pu, nil
}

func withScheme(field, scheme string) string {
	if field == "" || strings.Contains(field, "://") {
		return field
	}
	return scheme + "://" + field
}

// exempt applies macOS's bypass rules to host.
func (p ProxyConfig) exempt(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return false
	}
	addr, err := netip.ParseAddr(host)
	isIP := err == nil
	if isIP {
		addr = addr.WithZone("").Unmap()
	}
	if p.ExcludeSimpleHostnames && !isIP && !strings.Contains(host, ".") {
		return true
	}
	for _, e := range p.Exceptions {
		if matchException(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(e)), "."), host, addr, isIP) {
			return true
		}
	}
	return false
}

func matchException(e, host string, addr netip.Addr, isIP bool) bool {
	switch {
	case e == "":
		return false
	case e == "*":
		return true
	case strings.Contains(e, "/"):
		pfx, ok := parseCIDRish(e)
		return ok && isIP && pfx.Contains(addr)
	case strings.Contains(e, "*"):
		return globMatch(e, host)
	case strings.HasPrefix(e, "."):
		return strings.HasSuffix(host, e)
	}
	if isIP {
		if ea, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
			return ea.WithZone("").Unmap() == addr
		}
	}
	return e == host
}

// parseCIDRish reads the prefixes macOS accepts in ExceptionsList, where IPv4
// addresses may be abbreviated to their significant octets: "169.254/16",
// "10/8", "192.168.1.0/24", and IPv6 "fd00::/8".
func parseCIDRish(e string) (netip.Prefix, bool) {
	a, b, _ := strings.Cut(e, "/")
	bits, err := strconv.Atoi(b)
	if err != nil {
		return netip.Prefix{}, false
	}
	var addr netip.Addr
	if strings.Contains(a, ":") {
		if addr, err = netip.ParseAddr(a); err != nil {
			return netip.Prefix{}, false
		}
	} else {
		parts := strings.Split(a, ".")
		if len(parts) > 4 {
			return netip.Prefix{}, false
		}
		var b4 [4]byte
		for i, part := range parts {
			n, err := strconv.ParseUint(part, 10, 8)
			if err != nil {
				return netip.Prefix{}, false
			}
			b4[i] = byte(n)
		}
		addr = netip.AddrFrom4(b4)
	}
	pfx := netip.PrefixFrom(addr.WithZone(""), bits)
	if !pfx.IsValid() {
		return netip.Prefix{}, false
	}
	return pfx.Masked(), true
}

// globMatch matches '*' against any run of characters, dots included, as
// macOS does for "*.local" or "192.168.*". It backtracks only to the last
// star, so hostile patterns cost O(len(pattern)·len(s)), never exponential.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			if c := pattern[px]; c == '*' {
				starPx, starSx = px, sx
				px++
				continue
			} else if sx < len(s) && s[sx] == c {
				px++
				sx++
				continue
			}
		}
		if starPx >= 0 && starSx < len(s) {
			starSx++
			px, sx = starPx+1, starSx
			continue
		}
		return false
	}
	return true
}

// ParseScutilProxy reads `scutil --proxy`: the effective proxy settings of the
// primary service, including what a VPN or MDM profile pushed. Per-interface
// copies under __SCOPED__ are parsed (so a malformed one is still caught) but
// do not count: apps use the top-level dictionary.
func ParseScutilProxy(out []byte) (ProxyConfig, error) {
	root, err := parseSCPlist(out)
	if err != nil {
		return ProxyConfig{}, fmt.Errorf("parse scutil --proxy: %w", err)
	}
	p := ProxyConfig{Source: ProxySourceScutil}
	// A missing or zero port means the default of the protocol spoken to the
	// proxy: 80 for both web proxies (the "secure web proxy" is reached with a
	// plain-HTTP CONNECT) and 1080 for SOCKS. Filling it in keeps every field
	// "host:port".
	for _, m := range []struct {
		dst                   *string
		enable, host, portKey string
		defPort               int
	}{
		{&p.HTTP, "HTTPEnable", "HTTPProxy", "HTTPPort", 80},
		{&p.HTTPS, "HTTPSEnable", "HTTPSProxy", "HTTPSPort", 80},
		{&p.SOCKS, "SOCKSEnable", "SOCKSProxy", "SOCKSPort", 1080},
	} {
		// "XEnable : 0" with an XProxy host left behind is the normal state
		// after a user unticks the box: the host means nothing then.
		if !scEnabled(root.get(m.enable)) {
			continue
		}
		host := strings.Trim(root.get(m.host).String(), "[]")
		if host == "" {
			continue
		}
		port := m.defPort
		if s := root.get(m.portKey).String(); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 65535 {
				return ProxyConfig{}, fmt.Errorf("parse scutil --proxy: %s %q is not a port", m.portKey, clip(s))
			}
			if n != 0 {
				port = n
			}
		}
		*m.dst = net.JoinHostPort(host, strconv.Itoa(port))
	}
	if scEnabled(root.get("ProxyAutoConfigEnable")) {
		p.PACURL = root.get("ProxyAutoConfigURLString").String()
	}
	p.AutoDiscovery = scEnabled(root.get("ProxyAutoDiscoveryEnable"))
	p.Exceptions = root.get("ExceptionsList").list()
	p.ExcludeSimpleHostnames = scEnabled(root.get("ExcludeSimpleHostnames"))
	return p, nil
}

// scEnabled reads a CFNumber flag ("1"), tolerating a CFBoolean's "TRUE".
func scEnabled(v *scValue) bool {
	s := v.String()
	if n, err := strconv.Atoi(s); err == nil {
		return n != 0
	}
	return strings.EqualFold(s, "true") || strings.EqualFold(s, "yes")
}

// ProxyFromEnv reads the proxy variables Go programs and command-line tools
// honour. Upper case wins over lower case, as in net/http. ALL_PROXY is curl's:
// a socks URL there becomes SOCKS, anything else stands in for whichever of
// HTTP and HTTPS is unset. A nil getenv means os.Getenv.
//
// A value that cannot be parsed is kept verbatim so that the report shows it;
// ProxyFor then ignores it and answers direct, as net/http does.
func ProxyFromEnv(getenv func(string) string) ProxyConfig {
	if getenv == nil {
		getenv = os.Getenv
	}
	get := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	var p ProxyConfig
	set := func(dst *string, raw, defScheme string) {
		v := normalizeEnvProxy(raw, defScheme)
		*dst = v
		p.setCredentials(v, envUserinfo(raw, defScheme))
	}
	set(&p.HTTP, get("HTTP_PROXY", "http_proxy"), "http")
	set(&p.HTTPS, get("HTTPS_PROXY", "https_proxy"), "http")
	if all := get("ALL_PROXY", "all_proxy"); all != "" {
		if strings.HasPrefix(schemeOf(all), "socks") {
			set(&p.SOCKS, all, "socks5")
		} else {
			if p.HTTP == "" {
				set(&p.HTTP, all, "http")
			}
			if p.HTTPS == "" {
				set(&p.HTTPS, all, "http")
			}
		}
	}
	if p.HTTP == "" && p.HTTPS == "" && p.SOCKS == "" {
		// NO_PROXY alone changes nothing, and must not make the environment
		// look configured and win over the system settings.
		return ProxyConfig{Source: ProxySourceNone}
	}
	p.Source = ProxySourceEnvironment
	for _, e := range strings.Split(get("NO_PROXY", "no_proxy"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			p.Exceptions = append(p.Exceptions, e)
		}
	}
	return p
}

// envUserinfo is the user info of a proxy variable's URL, parsed as
// normalizeEnvProxy parses it.
func envUserinfo(v, defScheme string) *url.Userinfo {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		if u, err = url.Parse(defScheme + "://" + v); err != nil {
			return nil
		}
	}
	return u.User
}

func schemeOf(v string) string {
	if i := strings.Index(v, "://"); i > 0 {
		return strings.ToLower(v[:i])
	}
	return ""
}

// normalizeEnvProxy turns an environment value into host:port, or
// scheme://host:port when the scheme is not defScheme. It parses the way
// httpproxy does: a value without a usable scheme is retried as
// defScheme://value.
func normalizeEnvProxy(v, defScheme string) string {
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		u2, err2 := url.Parse(defScheme + "://" + v)
		if err2 != nil || u2.Host == "" {
			return v
		}
		u = u2
	}
	scheme := strings.ToLower(u.Scheme)
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return v
	}
	if port == "" {
		port = defaultProxyPort(scheme)
	}
	hp := host
	if port != "" {
		hp = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		hp = "[" + host + "]"
	}
	if scheme == defScheme {
		return hp
	}
	return scheme + "://" + hp
}

func defaultProxyPort(scheme string) string {
	switch scheme {
	case "http":
		return "80"
	case "https":
		return "443"
	case "socks5", "socks5h", "socks4", "socks4a", "socks":
		return "1080"
	}
	return ""
}

// ReadProxy returns the proxy configuration that applies to this machine's
// HTTP clients. The environment wins when it sets a proxy, because that is
// what Go programs and CLI tools honour. Otherwise macOS's effective settings
// come from `scutil --proxy`, and a Linux desktop's from GNOME's settings
// (`gsettings`, where installed); other systems report "none".
func ReadProxy(ctx context.Context, r command.Runner, goos string, getenv func(string) string) (ProxyConfig, error) {
	if env := ProxyFromEnv(getenv); env.Source == ProxySourceEnvironment {
		return env, nil
	}
	switch goos {
	case "darwin":
	case "linux":
		return readGSettingsProxy(ctx, r)
	default:
		return ProxyConfig{Source: ProxySourceNone}, nil
	}
	out, err := run(ctx, r, scutilPath, "--proxy")
	if err != nil {
		return ProxyConfig{Source: ProxySourceNone}, fmt.Errorf("read proxy settings: %w", err)
	}
	p, err := ParseScutilProxy(out)
	if err != nil {
		return ProxyConfig{Source: ProxySourceNone}, fmt.Errorf("read proxy settings: %w", err)
	}
	return p, nil
}

// readGSettingsProxy reads GNOME's proxy settings. No gsettings, or no GNOME
// proxy schema (another desktop), means no desktop proxy: not an error.
func readGSettingsProxy(ctx context.Context, r command.Runner) (ProxyConfig, error) {
	out, err := run(ctx, r, gsettingsPath, gsettingsArgs...)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || strings.Contains(command.Stderr(err), "No such schema") {
			return ProxyConfig{Source: ProxySourceNone}, nil
		}
		return ProxyConfig{Source: ProxySourceNone}, fmt.Errorf("read GNOME proxy settings: %w", err)
	}
	p, err := ParseGSettingsProxy(out)
	if err != nil {
		return ProxyConfig{Source: ProxySourceNone}, fmt.Errorf("read GNOME proxy settings: %w", err)
	}
	return p, nil
}
