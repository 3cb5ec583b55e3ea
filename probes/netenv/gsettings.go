package netenv

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ProxySourceGSettings: GNOME's desktop proxy settings (org.gnome.system.proxy),
// which GNOME's apps, GLib's proxy resolver and libproxy follow.
const ProxySourceGSettings = "gsettings"

// gsettingsPath is GLib's settings tool on Debian, Ubuntu and Fedora.
const gsettingsPath = "/usr/bin/gsettings"

// gsettingsArgs lists every proxy key, child schemas (http, https, socks)
// included, in one run.
var gsettingsArgs = []string{"list-recursively", "org.gnome.system.proxy"}

// ParseGSettingsProxy reads `gsettings list-recursively org.gnome.system.proxy`:
// one "schema key value" line per key, values in GVariant text form. Mode
// "manual" gives the HTTP, HTTPS and SOCKS proxies and ignore-hosts (as
// Exceptions); "auto" the PAC URL (autoconfig-url, or auto-discovery when it
// is empty, as GNOME does with WPAD); "none" nothing. An unset HTTPS proxy
// falls back to the HTTP one when use-same-proxy is on (its default).
// Credentials (http use-authentication) are kept out of every field that is
// shown; ProxyFor sends them to the HTTP proxy.
func ParseGSettingsProxy(out []byte) (ProxyConfig, error) {
	vals := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		schema, rest, ok1 := strings.Cut(line, " ")
		key, value, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 || !strings.HasPrefix(schema, "org.gnome.system.proxy") {
			return ProxyConfig{}, fmt.Errorf("parse gsettings: unexpected line %q", clip(line))
		}
		vals[strings.TrimPrefix(strings.TrimPrefix(schema, "org.gnome.system.proxy"), ".")+"/"+key] = value
	}
	if err := sc.Err(); err != nil {
		return ProxyConfig{}, fmt.Errorf("parse gsettings: %w", err)
	}
	str := func(k string) (string, error) {
		v, ok := vals[k]
		if !ok {
			return "", nil
		}
		s, err := gvariantString(v)
		if err != nil {
			return "", fmt.Errorf("parse gsettings: %s: %w", k, err)
		}
		return s, nil
	}
	mode, err := str("/mode")
	if err != nil {
		return ProxyConfig{}, err
	}
	p := ProxyConfig{Source: ProxySourceGSettings}
	switch mode {
	case "none", "":
		return ProxyConfig{Source: ProxySourceNone}, nil
	case "auto":
		if p.PACURL, err = str("/autoconfig-url"); err != nil {
			return ProxyConfig{}, err
		}
		p.AutoDiscovery = p.PACURL == ""
		return p, nil
	case "manual":
	default:
		return ProxyConfig{}, fmt.Errorf("parse gsettings: unknown proxy mode %q", clip(mode))
	}
	for _, m := range []struct {
		dst    *string
		schema string
	}{{&p.HTTP, "http"}, {&p.HTTPS, "https"}, {&p.SOCKS, "socks"}} {
		host, err := str(m.schema + "/host")
		if err != nil {
			return ProxyConfig{}, err
		}
		port, err := strconv.Atoi(strings.TrimPrefix(vals[m.schema+"/port"], "int32 "))
		if host == "" || err != nil || port <= 0 || port > 65535 {
			continue
		}
		*m.dst = net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(port))
	}
	if p.HTTPS == "" && p.HTTP != "" && vals["/use-same-proxy"] != "false" {
		p.HTTPS = p.HTTP
	}
	if vals["http/use-authentication"] == "true" && p.HTTP != "" {
		user, err := str("http/authentication-user")
		if err != nil {
			return ProxyConfig{}, err
		}
		pw, err := str("http/authentication-password")
		if err != nil {
			return ProxyConfig{}, err
		}
		p.setCredentials(p.HTTP, url.UserPassword(user, pw))
	}
	if v, ok := vals["/ignore-hosts"]; ok {
		if p.Exceptions, err = gvariantStrings(v); err != nil {
			return ProxyConfig{}, fmt.Errorf("parse gsettings: ignore-hosts: %w", err)
		}
	}
	if !p.Configured() {
		return ProxyConfig{Source: ProxySourceNone}, nil
	}
	return p, nil
}

// gvariantString reads a GVariant text string: 'single' or "double" quoted,
// with backslash escapes.
func gvariantString(v string) (string, error) {
	s, rest, err := gvariantQuoted(strings.TrimSpace(v))
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(rest) != "" {
		return "", fmt.Errorf("trailing text after string %q", clip(v))
	}
	return s, nil
}

func gvariantQuoted(v string) (s, rest string, err error) {
	if v == "" || (v[0] != '\'' && v[0] != '"') {
		return "", "", fmt.Errorf("not a string: %q", clip(v))
	}
	q := v[0]
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		case c == q:
			return b.String(), v[i+1:], nil
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("unterminated string %q", clip(v))
}

// gvariantStrings reads a GVariant text string array: ['a', 'b'] or @as [].
func gvariantStrings(v string) ([]string, error) {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "@as"))
	if !strings.HasPrefix(v, "[") {
		return nil, fmt.Errorf("not an array: %q", clip(v))
	}
	v = strings.TrimSpace(v[1:])
	var out []string
	for {
		if strings.HasPrefix(v, "]") {
			if strings.TrimSpace(v[1:]) != "" {
				return nil, fmt.Errorf("trailing text after array")
			}
			return out, nil
		}
		s, rest, err := gvariantQuoted(v)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		v = strings.TrimSpace(rest)
		if strings.HasPrefix(v, ",") {
			v = strings.TrimSpace(v[1:])
		} else if !strings.HasPrefix(v, "]") {
			return nil, fmt.Errorf("expected , or ] in array")
		}
	}
}
