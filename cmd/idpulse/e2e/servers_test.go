//go:build linux

package e2e

import (
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/probes/probetest"
)

// helperEnv names the helper's configuration file. The e2e tests set it when
// they re-execute this test binary inside a namespace; TestHelperServers
// skips without it.
const helperEnv = "IDPULSE_E2E_HELPER"

// readyLine is what the helper prints on stdout once every server listens.
const readyLine = "idpulse-e2e-helper: ready"

// helperConfig is what one namespace's servers do.
type helperConfig struct {
	// CAFile is where the helper writes the root of its Apple-like chain
	// (PEM), for the binary's SSL_CERT_FILE.
	CAFile string `json:"ca_file"`
	// RouterDNS overrides the router resolver's answers: name → addresses.
	// An empty list answers NXDOMAIN. The public resolvers always answer
	// the fake addresses.
	RouterDNS map[string][]string `json:"router_dns,omitempty"`
}

// TestHelperServers is not a test: it is the fake Internet of one namespace,
// run in a copy of the test binary re-executed under `ip netns exec` (see
// startServers). It serves until its stdin closes, which happens when the
// test ends or the parent dies, or until it is killed.
func TestHelperServers(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for the e2e tests: runs only when they re-execute the test binary inside a namespace")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("helper config: %v", err)
	}
	var cfg helperConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("helper config %s: %v", path, err)
	}

	root, inter := probetest.AppleLikeChain(t)
	if err := os.WriteFile(cfg.CAFile, root.PEM(), 0o644); err != nil {
		t.Fatalf("write CA: %v", err)
	}

	public := map[string][]netip.Addr{}
	for _, h := range fakeHosts {
		public[h.name] = []netip.Addr{netip.MustParseAddr(h.addr)}
	}
	router := map[string][]netip.Addr{}
	for name, addrs := range public {
		router[name] = addrs
	}
	for name, list := range cfg.RouterDNS {
		var addrs []netip.Addr
		for _, a := range list {
			ip, err := netip.ParseAddr(a)
			if err != nil {
				t.Fatalf("router_dns %s: %v", name, err)
			}
			addrs = append(addrs, ip)
		}
		if len(addrs) == 0 {
			delete(router, name) // NXDOMAIN
			continue
		}
		router[name] = addrs
	}

	serveDNS(t, hostPort(routerDNS, dnsPort), router)
	for _, ip := range publicIPs {
		serveDNS(t, hostPort(ip, dnsPort), public)
		serveTCPHold(t, hostPort(ip, httpsPort)) // control target
	}
	for _, h := range fakeHosts {
		switch h.role {
		case roleHTTPS:
			serveHTTPS(t, hostPort(h.addr, httpsPort), inter.ValidLeaf(t, h.name))
		case rolePush:
			serveTCPHold(t, hostPort(h.addr, pushPort))
		case roleCaptive:
			serveCaptive(t, hostPort(h.addr, captivePort))
		case roleNTP:
			serveNTP(t, hostPort(h.addr, ntpPort))
		}
	}

	fmt.Println(readyLine)
	io.Copy(io.Discard, os.Stdin) // until the parent closes stdin or dies
}

func hostPort(ip string, port int) string { return net.JoinHostPort(ip, strconv.Itoa(port)) }

var discardLog = log.New(io.Discard, "", 0)

// appleHandler answers every sign-in host with a small page (any status
// below 500 proves the path works) and www.apple.com's status feed path with
// an all-clear feed. net/http adds the Date header the clock probe may read.
func appleHandler(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == probetest.FeedPath {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, probetest.HealthyFeed)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<html><body>Apple ID</body></html>\n")
}

// serveHTTPS serves appleHandler over TLS (h2 and HTTP/1.1) on addr with cert.
func serveHTTPS(t *testing.T, addr string, cert tls.Certificate) {
	ln := listenTCP(t, addr)
	srv := &http.Server{
		Handler:           http.HandlerFunc(appleHandler),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          discardLog,
	}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
}

// serveCaptive answers Apple's Success page over plain HTTP on addr.
func serveCaptive(t *testing.T, addr string) {
	ln := listenTCP(t, addr)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Cache-Control", "no-cache")
			io.WriteString(w, probetest.AppleSuccessPage)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          discardLog,
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// serveTCPHold accepts connections on addr and holds each one open, reading
// and discarding, until the client closes it (APNs, control targets).
func serveTCPHold(t *testing.T, addr string) {
	ln := listenTCP(t, addr)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(io.Discard, c)
			}()
		}
	}()
}

func listenTCP(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		t.Fatalf("listen tcp %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func listenUDP(t *testing.T, addr string) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp4", addr)
	if err != nil {
		t.Fatalf("listen udp %s: %v", addr, err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// serveDNS answers A and AAAA queries from answers over UDP and TCP on addr.
// A name not in answers is NXDOMAIN; a known name without records of the
// asked type gets an empty NOERROR answer.
func serveDNS(t *testing.T, addr string, answers map[string][]netip.Addr) {
	pc := listenUDP(t, addr)
	ln := listenTCP(t, addr)
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			if resp, ok := dnsReply(buf[:n], answers); ok {
				pc.WriteTo(resp, from)
			}
		}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveDNSConn(c, answers)
		}
	}()
}

// serveDNSConn answers length-prefixed queries on one TCP connection.
func serveDNSConn(c net.Conn, answers map[string][]netip.Addr) {
	defer c.Close()
	var n [2]byte
	for {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		msg := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		resp, ok := dnsReply(msg, answers)
		if !ok {
			continue
		}
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(resp))), resp...)); err != nil {
			return
		}
	}
}

// dnsReply builds the answer to one query; false means it was not a query.
func dnsReply(query []byte, answers map[string][]netip.Addr) ([]byte, bool) {
	var p dnsmessage.Parser
	qh, err := p.Start(query)
	if err != nil || qh.Response {
		return nil, false
	}
	h := dnsmessage.Header{
		ID: qh.ID, Response: true, OpCode: qh.OpCode, Authoritative: true,
		RecursionDesired: qh.RecursionDesired, RecursionAvailable: true,
	}
	q, err := p.Question()
	if err != nil {
		h.RCode = dnsmessage.RCodeFormatError
		b := dnsmessage.NewBuilder(nil, h)
		msg, err := b.Finish()
		return msg, err == nil
	}
	addrs, known := answers[strings.ToLower(strings.TrimSuffix(q.Name.String(), "."))]
	if !known {
		h.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), h)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, false
	}
	if err := b.Question(q); err != nil {
		return nil, false
	}
	if err := b.StartAnswers(); err != nil {
		return nil, false
	}
	rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
	for _, ip := range addrs {
		switch {
		case q.Type == dnsmessage.TypeA && ip.Is4():
			err = b.AResource(rh, dnsmessage.AResource{A: ip.As4()})
		case q.Type == dnsmessage.TypeAAAA && ip.Is6():
			err = b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: ip.As16()})
		}
		if err != nil {
			return nil, false
		}
	}
	msg, err := b.Finish()
	return msg, err == nil
}

// serveNTP answers NTP client requests on addr with this machine's clock, as
// probetest.NTPServer does: mode 4, the request's version, the request's
// transmit timestamp echoed as origin (beevik/ntp checks it), stratum 2 and
// a fresh reference time.
func serveNTP(t *testing.T, addr string) {
	pc := listenUDP(t, addr)
	go func() {
		buf := make([]byte, 1024)
		for {
			n, from, err := pc.ReadFrom(buf)
			recv := time.Now()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			if n < 48 {
				continue
			}
			pc.WriteTo(ntpReply(buf[:n], recv), from)
		}
	}()
}

const ntpEpochOffset = 2208988800 // seconds from 1900-01-01 to 1970-01-01

func ntpReply(req []byte, recv time.Time) []byte {
	resp := make([]byte, 48)
	version := (req[0] >> 3) & 0x7
	resp[0] = version<<3 | 4 // leap 0, mode 4 (server)
	resp[1] = 2              // stratum
	resp[2] = req[2]         // poll
	if resp[2] == 0 {
		resp[2] = 6
	}
	resp[3] = 0xec                            // precision 2^-20 s
	binary.BigEndian.PutUint32(resp[4:], 655) // root delay 10 ms
	binary.BigEndian.PutUint32(resp[8:], 328) // root dispersion 5 ms
	copy(resp[12:16], []byte{17, 253, 34, 125})
	putNTPTime(resp[16:], recv.Add(-16*time.Second)) // reference time
	copy(resp[24:32], req[40:48])                    // origin = client's transmit
	putNTPTime(resp[32:], recv)                      // receive
	putNTPTime(resp[40:], time.Now())                // transmit
	return resp
}

func putNTPTime(b []byte, t time.Time) {
	binary.BigEndian.PutUint32(b, uint32(t.Unix()+ntpEpochOffset))
	binary.BigEndian.PutUint32(b[4:], uint32((uint64(t.Nanosecond())<<32)/uint64(time.Second)))
}
