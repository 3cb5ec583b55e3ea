package pac

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/idpulse/idpulse/probes/textsafe"
)

// Kind is how one hop of a PAC answer is reached.
type Kind string

const (
	KindDirect Kind = "direct" // DIRECT: no proxy
	KindProxy  Kind = "proxy"  // PROXY (or HTTP): an HTTP proxy, CONNECT for https URLs
	KindHTTPS  Kind = "https"  // HTTPS: an HTTP proxy spoken to over TLS
	KindSOCKS  Kind = "socks"  // SOCKS: version left to the client (macOS and Chromium use v4)
	KindSOCKS4 Kind = "socks4" // SOCKS4
	KindSOCKS5 Kind = "socks5" // SOCKS5
)

// Hop is one entry of a PAC answer, in the order the client tries them.
type Hop struct {
	Kind Kind   `json:"kind"`
	Addr string `json:"addr,omitempty"` // host:port; empty for direct
}

// String renders the hop the way a PAC file writes it ("PROXY a:8080", "DIRECT").
func (h Hop) String() string {
	if h.Kind == KindDirect {
		return "DIRECT"
	}
	word := strings.ToUpper(string(h.Kind))
	return word + " " + h.Addr
}

// ErrBadAnswer is wrapped by every error ParseResult returns.
var ErrBadAnswer = errors.New("pac: unparseable FindProxyForURL answer")

// kinds maps a PAC keyword (upper case) to its hop kind and default port: a
// port-less "PROXY host" means port 80, as Chromium and Firefox read it.
var kinds = map[string]struct {
	kind Kind
	port string
}{
	"DIRECT": {KindDirect, ""},
	"PROXY":  {KindProxy, "80"},
	"HTTP":   {KindProxy, "80"}, // Firefox's spelling of PROXY
	"HTTPS":  {KindHTTPS, "443"},
	"SOCKS":  {KindSOCKS, "1080"},
	"SOCKS4": {KindSOCKS4, "1080"},
	"SOCKS5": {KindSOCKS5, "1080"},
}

// ParseResult parses a FindProxyForURL answer such as
// "PROXY a:8080; SOCKS5 b:1080; DIRECT" into hops. Keywords are case-insensitive,
// blanks around and inside entries and empty entries (trailing or doubled
// semicolons) are tolerated. An answer with no entry, an unknown keyword or a
// malformed address is an error that quotes the answer.
func ParseResult(answer string) ([]Hop, error) {
	bad := func(reason string) error {
		return fmt.Errorf("%w %q: %s", ErrBadAnswer, textsafe.Clip(answer, 200), reason)
	}
	var hops []Hop
	for entry := range strings.SplitSeq(answer, ";") {
		fields := strings.Fields(entry)
		if len(fields) == 0 {
			continue
		}
		k, ok := kinds[strings.ToUpper(fields[0])]
		if !ok {
			return nil, bad(fmt.Sprintf("unknown keyword %q", textsafe.Clip(fields[0], 40)))
		}
		if k.kind == KindDirect {
			if len(fields) != 1 {
				return nil, bad("DIRECT takes no address")
			}
			hops = append(hops, Hop{Kind: KindDirect})
			continue
		}
		if len(fields) != 2 {
			return nil, bad(fmt.Sprintf("%s needs exactly one host:port", strings.ToUpper(fields[0])))
		}
		addr, err := hostPort(fields[1], k.port)
		if err != nil {
			return nil, bad(err.Error())
		}
		hops = append(hops, Hop{Kind: k.kind, Addr: addr})
	}
	if len(hops) == 0 {
		return nil, bad("no proxy or DIRECT entry")
	}
	return hops, nil
}

// hostPort validates and normalises "host:port", "host" (default port),
// "[v6]:port" or "[v6]".
func hostPort(s, defPort string) (string, error) {
	host, port := s, defPort
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		host = s[1 : len(s)-1]
	} else if strings.Contains(s, ":") {
		return "", fmt.Errorf("bad address %q", textsafe.Clip(s, 80))
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '+' {
		return "", fmt.Errorf("bad port in %q", textsafe.Clip(s, 80))
	}
	if !validHost(host) {
		return "", fmt.Errorf("bad host in %q", textsafe.Clip(s, 80))
	}
	return net.JoinHostPort(strings.ToLower(host), strconv.Itoa(n)), nil
}

// validHost accepts a DNS name (letters, digits, '-', '_', '.') or an IP literal.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}
