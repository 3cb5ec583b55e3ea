package probes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/idpulse/idpulse/probes/pac"
)

// PACState is the proxy auto-config this cycle applies: the PAC file named
// by the OS's settings (or found by WPAD), fetched and compiled once per
// cycle, then asked for every URL a probe requests.
type PACState struct {
	// URL is the PAC file's location; Source is "pac_url" (set in the
	// settings) or "wpad" (auto-discovery: http://wpad/wpad.dat through the
	// resolver's search domains, as browsers do).
	URL    string `json:"url"`
	Source string `json:"source"`
	// Error says why the file could not be used: unreachable, too large, or
	// a script error. The OS then connects directly (CFNetwork's and GLib's
	// behaviour with an unusable PAC), so the probes do too.
	Error string `json:"error,omitempty"`
	// FetchMS is how long fetching the file took.
	FetchMS float64 `json:"fetch_ms"`

	script *pac.Script
}

// PAC sources.
const (
	PACFromURL  = "pac_url"
	PACFromWPAD = "wpad"
)

// wpadURL is where WPAD's DNS method looks: "wpad" is completed with the
// resolver's search domains.
const wpadURL = "http://wpad/wpad.dat"

// pacEvalTimeout bounds one FindProxyForURL evaluation (the pac package has
// the same default; the probes' own contexts bound the connection after).
const pacEvalTimeout = 500 * time.Millisecond

// loadPAC fetches and compiles the PAC file the settings name, directly
// (never through a proxy: the file says which proxy to use), bounded by ctx
// and pac.MaxScriptSize.
func loadPAC(ctx context.Context, env Env) *PACState {
	st := &PACState{URL: env.Proxy.PACURL, Source: PACFromURL}
	if st.URL == "" {
		st.URL, st.Source = wpadURL, PACFromWPAD
	}
	start := time.Now()
	src, err := fetchPAC(ctx, env, st.URL)
	st.FetchMS = Millis(time.Since(start))
	if err != nil {
		st.Error = fmt.Sprintf("PAC file %s unreachable: %v", st.URL, err)
		return st
	}
	script, err := pac.Parse(src)
	if err != nil {
		st.Error = fmt.Sprintf("PAC file %s has an error: %v", st.URL, err)
		return st
	}
	script.Env = pac.Env{
		Resolver: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return env.lookup(ctx, host)
		},
		MyIPs: func() []netip.Addr { return myAddresses(env) },
		Now:   env.now,
	}
	st.script = script
	return st
}

func fetchPAC(ctx context.Context, env Env, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	var body io.ReadCloser
	switch u.Scheme {
	case "file":
		f, err := os.Open(u.Path)
		if err != nil {
			return nil, err
		}
		body = f
	case "http", "https":
		tr := newTransport(env, nil)
		tr.Proxy = nil
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
		if err != nil {
			return nil, err
		}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		body = resp.Body
	default:
		return nil, fmt.Errorf("unsupported scheme %q", u.Scheme)
	}
	defer body.Close()
	src, err := io.ReadAll(io.LimitReader(body, pac.MaxScriptSize+1))
	if err != nil {
		return nil, err
	}
	if len(src) > pac.MaxScriptSize {
		return nil, pac.ErrTooLarge
	}
	return src, nil
}

// myAddresses are this machine's non-loopback addresses, IPv4 first, for
// myIpAddress.
func myAddresses(env Env) []netip.Addr {
	list := env.Interfaces
	if list == nil {
		list = SystemInterfaces
	}
	ifs, err := list()
	if err != nil {
		return nil
	}
	var v4, v6 []netip.Addr
	for _, ifc := range ifs {
		if !ifc.Up || ifc.Loopback {
			continue
		}
		for _, a := range ifc.Addresses {
			switch {
			case a.Is4():
				v4 = append(v4, a)
			case !a.IsLinkLocalUnicast():
				v6 = append(v6, a)
			}
		}
	}
	return append(v4, v6...)
}

// Hops asks the PAC file for u's proxies, in the order the OS tries them.
func (st *PACState) Hops(u *url.URL) ([]pac.Hop, error) {
	if st.script == nil {
		return nil, errors.New(st.Error)
	}
	ctx, cancel := context.WithTimeout(context.Background(), pacEvalTimeout)
	defer cancel()
	return st.script.FindProxy(ctx, u)
}

// proxyFor is the proxy for u as the OS applies it: the PAC file's first
// answer when one is configured (an unusable file or answer: direct), else
// the static settings with their exceptions.
func (e Env) proxyFor(u *url.URL) (*url.URL, error) {
	if e.PAC == nil {
		return e.Proxy.ProxyFor(u)
	}
	hops, err := e.PAC.Hops(u)
	if err != nil || len(hops) == 0 {
		return nil, nil
	}
	return hopURL(hops[0])
}

// hopURL is a PAC hop as a proxy URL for the transport (nil: direct).
func hopURL(h pac.Hop) (*url.URL, error) {
	switch h.Kind {
	case pac.KindDirect:
		return nil, nil
	case pac.KindProxy:
		return &url.URL{Scheme: "http", Host: h.Addr}, nil
	case pac.KindHTTPS:
		return &url.URL{Scheme: "https", Host: h.Addr}, nil
	case pac.KindSOCKS, pac.KindSOCKS5:
		return &url.URL{Scheme: "socks5", Host: h.Addr}, nil
	}
	return nil, fmt.Errorf("PAC answer %s: %s proxies are not supported", h, strings.ToUpper(string(h.Kind)))
}

func (e Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}
