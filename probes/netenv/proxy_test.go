package netenv

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/command/commandtest"
)

func TestParseScutilProxy(t *testing.T) {
	parse := func(b []byte) (scutilProxy, error) {
		c, err := ParseScutilProxy(b)
		return scutilProxy{c, c.Configured()}, err
	}
	testParse(t, parse, []parseCase[scutilProxy]{
		{
			name: "real privoxy capture: HTTP proxy on",
			file: "scutil-proxy_http-proxy-enabled_privoxy.txt",
			want: scutilProxy{ProxyConfig{Source: "scutil", HTTP: "127.0.0.1:8118", Exceptions: []string{"*.local", "169.254/16"}}, true},
		},
		{
			name: "HTTPS, PAC, SOCKS, simple hostnames, scoped dict ignored, stale HTTP host ignored",
			file: "scutil-proxy_https-pac-socks-scoped.txt",
			want: scutilProxy{ProxyConfig{
				Source:                 "scutil",
				HTTPS:                  "proxy.corp.example.com:8443",
				SOCKS:                  "10.20.30.40:1080",
				PACURL:                 "http://wpad.corp.example.com:8080/proxy.pac",
				Exceptions:             []string{"*.local", "169.254/16", "10/8", ".corp.example.com", "intranet.example.net"},
				ExcludeSimpleHostnames: true,
			}, true},
		},
		{
			name: "everything off with stale hosts",
			file: "scutil-proxy_all-off.txt",
			want: scutilProxy{Config: ProxyConfig{Source: "scutil", Exceptions: []string{"*.local", "169.254/16"}}},
		},
		{
			name: "empty dictionary",
			in:   "<dictionary> {\n}\n",
			want: scutilProxy{Config: ProxyConfig{Source: "scutil"}},
		},
		{
			name: "missing or zero ports take the scheme defaults",
			in: "<dictionary> {\n  HTTPEnable : 1\n  HTTPProxy : p.example\n  HTTPPort : 0\n" +
				"  HTTPSEnable : 1\n  HTTPSProxy : p.example\n  SOCKSEnable : 1\n  SOCKSProxy : s.example\n}\n",
			want: scutilProxy{ProxyConfig{Source: "scutil", HTTP: "p.example:80", HTTPS: "p.example:80", SOCKS: "s.example:1080"}, true},
		},
		{
			name: "IPv6 proxy host is bracketed",
			in:   "<dictionary> {\n  HTTPSEnable : 1\n  HTTPSPort : 3128\n  HTTPSProxy : fd00::1\n}\n",
			want: scutilProxy{ProxyConfig{Source: "scutil", HTTPS: "[fd00::1]:3128"}, true},
		},
		{
			name: "enabled without a host is off",
			in:   "<dictionary> {\n  HTTPEnable : 1\n  HTTPPort : 8080\n}\n",
			want: scutilProxy{Config: ProxyConfig{Source: "scutil"}},
		},
		{
			name: "auto-discovery only",
			in:   "<dictionary> {\n  ProxyAutoDiscoveryEnable : 1\n}\n",
			want: scutilProxy{ProxyConfig{Source: "scutil", AutoDiscovery: true}, true},
		},
		{
			name: "PAC URL keeps everything after the first separator",
			in:   "<dictionary> {\n  ProxyAutoConfigEnable : 1\n  ProxyAutoConfigURLString : http://h:8080/a : b.pac\n}\n",
			want: scutilProxy{ProxyConfig{Source: "scutil", PACURL: "http://h:8080/a : b.pac"}, true},
		},
		{
			name: "stale PAC URL",
			in:   "<dictionary> {\n  ProxyAutoConfigEnable : 0\n  ProxyAutoConfigURLString : http://h/p.pac\n}\n",
			want: scutilProxy{Config: ProxyConfig{Source: "scutil"}},
		},
		{
			name: "boolean flags and CRLF line ends",
			in:   "<dictionary> {\r\n  HTTPEnable : TRUE\r\n  HTTPProxy : p\r\n  HTTPPort : 3128\r\n  ExcludeSimpleHostnames : TRUE\r\n}\r\n",
			want: scutilProxy{ProxyConfig{Source: "scutil", HTTP: "p:3128", ExcludeSimpleHostnames: true}, true},
		},
		{
			name: "empty value and data values parse",
			in:   "<dictionary> {\n  HTTPUser :\n  Blob : <data> 0x00ff\n  HTTPEnable : 0\n}\n",
			want: scutilProxy{Config: ProxyConfig{Source: "scutil"}},
		},
		{name: "empty", in: "", wantErr: "parse scutil --proxy: not scutil property-list output: empty output"},
		{name: "not a dictionary", in: "hello\n", wantErr: `want "<dictionary> {"`},
		{name: "truncated", in: "<dictionary> {\n  HTTPEnable : 1\n", wantErr: "truncated, 1 unclosed braces"},
		{name: "truncated inside array", in: "<dictionary> {\n  ExceptionsList : <array> {\n    0 : *.local\n", wantErr: "truncated, 2 unclosed braces"},
		{name: "extra closing brace", in: "<dictionary> {\n}\n}\n", wantErr: "text after the closing brace"},
		{name: "trailing garbage", in: "<dictionary> {\n}\nmore\n", wantErr: "text after the closing brace"},
		{name: "line without separator", in: "<dictionary> {\n  junk\n}\n", wantErr: `"junk" is not "key : value"`},
		{name: "value without key", in: "<dictionary> {\n   : x\n}\n", wantErr: `": x" is not "key : value"`},
		{name: "non-numeric array index", in: "<dictionary> {\n  L : <array> {\n    x : y\n  }\n}\n", wantErr: `array index "x" is not a number`},
		{name: "bad port", in: "<dictionary> {\n  HTTPEnable : 1\n  HTTPProxy : p\n  HTTPPort : abc\n}\n", wantErr: `parse scutil --proxy: HTTPPort "abc" is not a port`},
		{name: "port out of range", in: "<dictionary> {\n  SOCKSEnable : 1\n  SOCKSProxy : p\n  SOCKSPort : 70000\n}\n", wantErr: `parse scutil --proxy: SOCKSPort "70000" is not a port`},
		{name: "an error message from scutil", in: "scutil: command not found\n", wantErr: `want "<dictionary> {"`},
	})
}

// scutilProxy is a parsed configuration and whether it counts as configured.
type scutilProxy struct {
	Config     ProxyConfig
	Configured bool
}

func TestProxyForScutil(t *testing.T) {
	scoped, err := ParseScutilProxy(readTestdata(t, "scutil-proxy_https-pac-socks-scoped.txt"))
	if err != nil {
		t.Fatal(err)
	}
	const (
		viaHTTPS = "http://proxy.corp.example.com:8443"
		viaSOCKS = "socks5://10.20.30.40:1080"
	)
	tests := []struct {
		name string
		cfg  ProxyConfig
		url  string
		want string // "" means direct
	}{
		{"https uses the HTTPS proxy", scoped, "https://appleid.apple.com/", viaHTTPS},
		{"http falls back to SOCKS when HTTP is off", scoped, "http://captive.apple.com/hotspot-detect.html", viaSOCKS},
		{"*.local wildcard", scoped, "https://printer.local/", ""},
		{"host matching is case-insensitive and ignores the root dot", scoped, "https://PRINTER.Local./", ""},
		{"abbreviated CIDR 169.254/16", scoped, "http://169.254.10.1/", ""},
		{"abbreviated CIDR 10/8", scoped, "https://10.1.2.3:8443/", ""},
		{"CIDR does not match names", scoped, "https://10.example.com/", viaHTTPS},
		{"leading dot covers subdomains", scoped, "https://git.corp.example.com/", ""},
		{"leading dot does not cover the apex", scoped, "https://corp.example.com/", viaHTTPS},
		{"plain host is exact", scoped, "https://intranet.example.net/", ""},
		{"plain host does not cover subdomains", scoped, "https://www.intranet.example.net/", viaHTTPS},
		{"simple hostname excluded", scoped, "https://fileserver/", ""},
		{"an IPv6 literal is not a simple hostname", scoped, "https://[fd00::5]/", viaHTTPS},
		{"websocket follows https", scoped, "wss://push.example.com/", viaHTTPS},
		{"other schemes are not proxied", scoped, "ftp://files.example.com/", ""},
		{"http proxy", ProxyConfig{Source: "scutil", HTTP: "127.0.0.1:8118"}, "http://example.com/", "http://127.0.0.1:8118"},
		{"https does not fall back to the HTTP proxy", ProxyConfig{Source: "scutil", HTTP: "127.0.0.1:8118"}, "https://example.com/", ""},
		{"PAC only is direct", ProxyConfig{Source: "scutil", PACURL: "http://wpad/p.pac"}, "https://appleid.apple.com/", ""},
		{"nothing configured", ProxyConfig{Source: "none"}, "https://appleid.apple.com/", ""},
		{"star anywhere", ProxyConfig{Source: "scutil", HTTPS: "p:1", Exceptions: []string{"192.168.*"}}, "https://192.168.4.20/", ""},
		{"star anywhere, no match", ProxyConfig{Source: "scutil", HTTPS: "p:1", Exceptions: []string{"192.168.*"}}, "https://192.169.4.20/", "http://p:1"},
		{"lone star exempts everything", ProxyConfig{Source: "scutil", HTTPS: "p:1", Exceptions: []string{"*"}}, "https://apple.com/", ""},
		{"exact IP exception", ProxyConfig{Source: "scutil", HTTPS: "p:1", Exceptions: []string{"17.253.144.10"}}, "https://17.253.144.10/", ""},
		{"IPv6 CIDR exception", ProxyConfig{Source: "scutil", HTTPS: "p:1", Exceptions: []string{"fd00::/8"}}, "https://[fd12::1]/", ""},
		{"a scheme kept in the field is honoured", ProxyConfig{Source: "scutil", HTTPS: "https://p:443"}, "https://apple.com/", "https://p:443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.cfg.ProxyFor(u)
			if err != nil {
				t.Fatalf("ProxyFor: %v", err)
			}
			if s := urlString(got); s != tt.want {
				t.Errorf("ProxyFor(%s) = %q, want %q", tt.url, s, tt.want)
			}
		})
	}
}

func urlString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}

func TestProxyForErrors(t *testing.T) {
	if _, err := (ProxyConfig{Source: "scutil", HTTPS: "p:1"}).ProxyFor(nil); err == nil {
		t.Error("ProxyFor(nil) on scutil config: want error")
	}
	if _, err := (ProxyConfig{Source: "environment", HTTPS: "p:1"}).ProxyFor(nil); err == nil {
		t.Error("ProxyFor(nil) on environment config: want error")
	}
	u, _ := url.Parse("https://apple.com/")
	if got, err := (ProxyConfig{Source: "scutil", HTTPS: "bad host:1"}).ProxyFor(u); err == nil {
		t.Errorf("invalid proxy address: want error, got %v", got)
	}
	env := ProxyFromEnv(mapEnv(map[string]string{"HTTPS_PROXY": "%zz"}))
	if env.HTTPS != "%zz" {
		t.Fatalf("unparsable value must be kept verbatim, got %q", env.HTTPS)
	}
	if got, err := env.ProxyFor(u); got != nil || err != nil {
		t.Errorf("unparsable env proxy: got %v, %v; want direct, as net/http ignores such a value", got, err)
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestProxyFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want ProxyConfig
	}{
		{"nothing set", nil, ProxyConfig{Source: "none"}},
		{"NO_PROXY alone is nothing", map[string]string{"NO_PROXY": "apple.com"}, ProxyConfig{Source: "none"}},
		{"blank values are unset", map[string]string{"HTTPS_PROXY": "  "}, ProxyConfig{Source: "none"}},
		{
			"lower case alone, bare host:port",
			map[string]string{"https_proxy": "proxy:8080"},
			ProxyConfig{Source: "environment", HTTPS: "proxy:8080"},
		},
		{
			"upper case wins",
			map[string]string{"HTTPS_PROXY": "upper:1", "https_proxy": "lower:2"},
			ProxyConfig{Source: "environment", HTTPS: "upper:1"},
		},
		{
			"default port",
			map[string]string{"HTTP_PROXY": "proxy.example.com", "HTTPS_PROXY": "10.0.0.1"},
			ProxyConfig{Source: "environment", HTTP: "proxy.example.com:80", HTTPS: "10.0.0.1:80"},
		},
		{
			"TLS to the proxy keeps its scheme",
			map[string]string{"HTTPS_PROXY": "https://secure-proxy"},
			ProxyConfig{Source: "environment", HTTPS: "https://secure-proxy:443"},
		},
		{
			"ALL_PROXY socks5",
			map[string]string{"ALL_PROXY": "socks5://127.0.0.1"},
			ProxyConfig{Source: "environment", SOCKS: "127.0.0.1:1080"},
		},
		{
			"all_proxy socks5h keeps its scheme",
			map[string]string{"all_proxy": "SOCKS5H://tor:9050"},
			ProxyConfig{Source: "environment", SOCKS: "socks5h://tor:9050"},
		},
		{
			"ALL_PROXY http fills only the unset ones",
			map[string]string{"ALL_PROXY": "http://all:3128", "HTTPS_PROXY": "secure:8443"},
			ProxyConfig{Source: "environment", HTTP: "all:3128", HTTPS: "secure:8443"},
		},
		{
			"NO_PROXY entries trimmed, empties dropped",
			map[string]string{"HTTPS_PROXY": "p:1", "no_proxy": " .apple.com, localhost ,,10.0.0.0/8"},
			ProxyConfig{Source: "environment", HTTPS: "p:1", Exceptions: []string{".apple.com", "localhost", "10.0.0.0/8"}},
		},
		{
			"IPv6 proxy",
			map[string]string{"HTTP_PROXY": "http://[fd00::1]"},
			ProxyConfig{Source: "environment", HTTP: "[fd00::1]:80"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ProxyFromEnv(mapEnv(tt.env))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Environment settings must be applied exactly as net/http would apply them.
func TestProxyForEnvironment(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		url  string
		want string
	}{
		{"https via HTTPS_PROXY", map[string]string{"HTTPS_PROXY": "proxy:3128"}, "https://appleid.apple.com/", "http://proxy:3128"},
		{"NO_PROXY domain covers subdomains (Go rule)", map[string]string{"HTTPS_PROXY": "proxy:3128", "NO_PROXY": "apple.com"}, "https://appleid.apple.com/", ""},
		{"NO_PROXY CIDR", map[string]string{"HTTPS_PROXY": "proxy:3128", "NO_PROXY": "17.0.0.0/8"}, "https://17.253.144.10/", ""},
		{"loopback is always direct", map[string]string{"HTTP_PROXY": "proxy:3128"}, "http://127.0.0.1:8080/", ""},
		{"localhost is always direct", map[string]string{"HTTP_PROXY": "proxy:3128"}, "http://localhost/", ""},
		{"https does not use HTTP_PROXY", map[string]string{"HTTP_PROXY": "proxy:3128"}, "https://apple.com/", ""},
		{"SOCKS fallback", map[string]string{"ALL_PROXY": "socks5://127.0.0.1:1080"}, "https://apple.com/", "socks5://127.0.0.1:1080"},
		{"TLS proxy", map[string]string{"HTTPS_PROXY": "https://secure:8443"}, "https://apple.com/", "https://secure:8443"},
		{"NO_PROXY star", map[string]string{"HTTPS_PROXY": "proxy:3128", "NO_PROXY": "*"}, "https://apple.com/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ProxyFromEnv(mapEnv(tt.env))
			u, _ := url.Parse(tt.url)
			got, err := cfg.ProxyFor(u)
			if err != nil {
				t.Fatal(err)
			}
			if s := urlString(got); s != tt.want {
				t.Errorf("ProxyFor(%s) = %q, want %q", tt.url, s, tt.want)
			}
			// ProxyFunc must agree with ProxyFor.
			got2, err := cfg.ProxyFunc()(&http.Request{URL: u})
			if err != nil || urlString(got2) != tt.want {
				t.Errorf("ProxyFunc = %q, %v; want %q", urlString(got2), err, tt.want)
			}
		})
	}
}

func TestProxyFuncIsolatedFromCallerEdits(t *testing.T) {
	cfg := ProxyConfig{Source: "scutil", HTTPS: "p:1", Exceptions: []string{"*.apple.com"}}
	f := cfg.ProxyFunc()
	cfg.Exceptions[0] = "nothing.invalid"
	u, _ := url.Parse("https://appleid.apple.com/")
	got, err := f(&http.Request{URL: u})
	if err != nil || got != nil {
		t.Errorf("got %v, %v; want direct: the func must keep the exceptions it was built with", got, err)
	}
}

// The whole point of ProxyFunc: a real http.Transport sends the request to the
// proxy the configuration names.
func TestProxyFuncDrivesTransport(t *testing.T) {
	var gotTarget string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotTarget = r.RequestURI
		io.WriteString(w, "via proxy")
	}))
	defer proxy.Close()
	cfg := ProxyConfig{Source: "scutil", HTTP: strings.TrimPrefix(proxy.URL, "http://")}
	client := &http.Client{Transport: &http.Transport{Proxy: cfg.ProxyFunc()}}
	resp, err := client.Get("http://captive.apple.com.invalid/hotspot-detect.html")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "via proxy" || gotTarget != "http://captive.apple.com.invalid/hotspot-detect.html" {
		t.Errorf("body %q, proxy saw %q: the request did not go through the proxy", body, gotTarget)
	}
}

const gsettingsCmd = "/usr/bin/gsettings list-recursively org.gnome.system.proxy"

// TestProxyCredentials: a proxy URL's user info is sent to the proxy and
// never shown.
func TestProxyCredentials(t *testing.T) {
	p := ProxyFromEnv(mapEnv(map[string]string{"HTTP_PROXY": "http://user:s3cret@proxy.example.com:3128/", "HTTPS_PROXY": "plain.example.com:80"}))
	if p.HTTP != "proxy.example.com:3128" || !p.Credentials {
		t.Fatalf("got %+v, want the host:port alone and Credentials", p)
	}
	data, _ := json.Marshal(p)
	if strings.Contains(string(data), "s3cret") || strings.Contains(string(data), "user") {
		t.Errorf("credentials in the JSON: %s", data)
	}
	for _, tt := range []struct {
		url, user string
	}{{"http://www.apple.com/", "user"}, {"https://www.apple.com/", ""}} {
		u, _ := url.Parse(tt.url)
		pu, err := p.ProxyFor(u)
		if err != nil || pu == nil || pu.User.Username() != tt.user {
			t.Errorf("ProxyFor(%s) = %v, %v; want user %q", tt.url, pu, err, tt.user)
		}
		if strings.Contains(pu.Redacted(), "s3cret") {
			t.Errorf("Redacted shows the password: %s", pu.Redacted())
		}
	}
}

func TestParseGSettingsProxy(t *testing.T) {
	withAuth := string(readTestdata(t, "gsettings-proxy_manual_debian12.txt"))
	withAuth = strings.NewReplacer("http use-authentication false", "http use-authentication true",
		"http authentication-user ''", "http authentication-user 'alice'",
		"http authentication-password ''", "http authentication-password 'pa\\'ss'",
		"it's.odd.example", "webproxy.corp.example").Replace(withAuth)
	tests := []struct {
		name, input string
		want        ProxyConfig
		creds       bool
		wantErr     string
	}{
		{name: "none", input: string(readTestdata(t, "gsettings-proxy_none_debian12.txt")), want: ProxyConfig{Source: "none"}},
		{name: "auto with a PAC URL", input: string(readTestdata(t, "gsettings-proxy_auto_debian12.txt")),
			want: ProxyConfig{Source: "gsettings", PACURL: "http://wpad.corp.example/wpad.dat"}},
		{name: "auto without a URL is WPAD", input: string(readTestdata(t, "gsettings-proxy_auto-wpad_debian12.txt")),
			want: ProxyConfig{Source: "gsettings", AutoDiscovery: true}},
		{name: "manual with authentication", input: withAuth, creds: true},
		{name: "garbage", input: "hello\n", wantErr: "unexpected line"},
		{name: "bad mode", input: "org.gnome.system.proxy mode 'sideways'\n", wantErr: "unknown proxy mode"},
		{name: "unterminated", input: "org.gnome.system.proxy mode 'manual\n", wantErr: "unterminated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGSettingsProxy([]byte(strings.ReplaceAll(tt.input, "\\n", "\n")))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.creds {
				u, _ := url.Parse("http://example.com/") // *.apple.com is an exception

				pu, err := got.ProxyFor(u)
				if err != nil || pu == nil {
					t.Fatalf("ProxyFor: %v, %v (%+v)", pu, err, got)
				}
				if pw, _ := pu.User.Password(); !got.Credentials || pu.User.Username() != "alice" || pw != "pa'ss" {
					t.Errorf("credentials %v, proxy %v; want alice with pa'ss", got.Credentials, pu)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReadProxy(t *testing.T) {
	privoxy := string(readTestdata(t, "scutil-proxy_http-proxy-enabled_privoxy.txt"))
	envSet := map[string]string{"HTTPS_PROXY": "envproxy:3128"}
	tests := []struct {
		name      string
		goos      string
		env       map[string]string
		replies   map[string]commandtest.Reply
		want      ProxyConfig
		wantErr   string
		wantCalls []string
	}{
		{
			name:      "darwin reads scutil",
			goos:      "darwin",
			replies:   map[string]commandtest.Reply{"/usr/sbin/scutil --proxy": commandtest.OK(privoxy)},
			want:      ProxyConfig{Source: "scutil", HTTP: "127.0.0.1:8118", Exceptions: []string{"*.local", "169.254/16"}},
			wantCalls: []string{"/usr/sbin/scutil --proxy"},
		},
		{
			name: "environment wins on darwin without running scutil",
			goos: "darwin",
			env:  envSet,
			want: ProxyConfig{Source: "environment", HTTPS: "envproxy:3128"},
		},
		{
			name: "linux uses the environment",
			goos: "linux",
			env:  envSet,
			want: ProxyConfig{Source: "environment", HTTPS: "envproxy:3128"},
		},
		{
			name:      "linux without environment reads GNOME's settings",
			goos:      "linux",
			replies:   map[string]commandtest.Reply{gsettingsCmd: commandtest.OK(string(readTestdata(t, "gsettings-proxy_manual_debian12.txt")))},
			want:      ProxyConfig{Source: "gsettings", HTTP: "it's.odd.example:8080", HTTPS: "proxy.corp.example:3128", SOCKS: "socks.corp.example:1080", Exceptions: []string{"localhost", "127.0.0.0/8", "::1", "*.apple.com"}},
			wantCalls: []string{gsettingsCmd},
		},
		{
			name:      "linux with GNOME's proxy off is none",
			goos:      "linux",
			replies:   map[string]commandtest.Reply{gsettingsCmd: commandtest.OK(string(readTestdata(t, "gsettings-proxy_none_debian12.txt")))},
			want:      ProxyConfig{Source: "none"},
			wantCalls: []string{gsettingsCmd},
		},
		{
			name:      "linux without gsettings is none",
			goos:      "linux",
			replies:   map[string]commandtest.Reply{gsettingsCmd: {Err: &command.RunError{Path: "/usr/bin/gsettings", Err: fs.ErrNotExist}}},
			want:      ProxyConfig{Source: "none"},
			wantCalls: []string{gsettingsCmd},
		},
		{
			name:      "linux without GNOME's schema is none",
			goos:      "linux",
			replies:   map[string]commandtest.Reply{gsettingsCmd: {Err: &command.RunError{Path: "/usr/bin/gsettings", Stderr: "No such schema “org.gnome.system.proxy”", Err: errors.New("exit status 1")}}},
			want:      ProxyConfig{Source: "none"},
			wantCalls: []string{gsettingsCmd},
		},
		{
			name:      "scutil fails",
			goos:      "darwin",
			replies:   map[string]commandtest.Reply{"/usr/sbin/scutil --proxy": {Err: &command.RunError{Path: "/usr/sbin/scutil", Err: errors.New("exit status 1")}}},
			want:      ProxyConfig{Source: "none"},
			wantErr:   "read proxy settings: run /usr/sbin/scutil: exit status 1",
			wantCalls: []string{"/usr/sbin/scutil --proxy"},
		},
		{
			name:      "scutil prints garbage",
			goos:      "darwin",
			replies:   map[string]commandtest.Reply{"/usr/sbin/scutil --proxy": commandtest.OK("<dictionary> {\n  HTTPEnable : 1\n")},
			want:      ProxyConfig{Source: "none"},
			wantErr:   "read proxy settings: parse scutil --proxy: ",
			wantCalls: []string{"/usr/sbin/scutil --proxy"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := replay(tt.replies)
			got, err := ReadProxy(context.Background(), r, tt.goos, mapEnv(tt.env))
			wantResult(t, got, err, tt.want, tt.wantErr)
			r.AssertCalls(t, tt.wantCalls...)
		})
	}
}

func TestReadProxyNilRunnerAndGetenv(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "")
	t.Setenv("https_proxy", "")
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("http_proxy", "")
	t.Setenv("ALL_PROXY", "")
	t.Setenv("all_proxy", "")
	if _, err := ReadProxy(context.Background(), nil, "darwin", nil); err == nil || !strings.Contains(err.Error(), "no Runner") {
		t.Errorf("nil Runner on darwin: error %v, want one naming the missing Runner", err)
	}
	t.Setenv("HTTPS_PROXY", "fromos:1")
	got, err := ReadProxy(context.Background(), nil, "darwin", nil)
	if err != nil || got.HTTPS != "fromos:1" {
		t.Errorf("nil getenv must mean os.Getenv: got %+v, %v", got, err)
	}
}

func TestParseCIDRish(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = not a prefix
	}{
		{"169.254/16", "169.254.0.0/16"},
		{"10/8", "10.0.0.0/8"},
		{"192.168.1.7/24", "192.168.1.0/24"},
		{"fd00::/8", "fd00::/8"},
		{"0/0", "0.0.0.0/0"},
		{"10/33", ""},
		{"256/8", ""},
		{"1.2.3.4.5/8", ""},
		{"/8", ""},
		{"10/", ""},
		{"example.com/8", ""},
		{"fe80::1%en0/64", "fe80::/64"},
	}
	for _, tt := range tests {
		p, ok := parseCIDRish(tt.in)
		got := ""
		if ok {
			got = p.String()
		}
		if got != tt.want {
			t.Errorf("parseCIDRish(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// An IPv4 exception must not swallow IPv6 hosts and vice versa.
	p, _ := parseCIDRish("0/0")
	if p.Contains(netip.MustParseAddr("::1")) {
		t.Error("0/0 matched an IPv6 address")
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*.local", "printer.local", true},
		{"*.local", "a.b.local", true},
		{"*.local", "local", false},
		{"*.local", "printer.localdomain", false},
		{"192.168.*", "192.168.1.1", true},
		{"*", "", true},
		{"a*", "", false},
		{"*apple*", "appleid.apple.com", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"**", "x", true},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{strings.Repeat("*a", 50), strings.Repeat("a", 49) + "b", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
