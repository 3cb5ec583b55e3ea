// Package catalog is Apple's enterprise-network host list as data: every
// host idpulse checks for an Apple service, grouped by service, with the
// ports, the protocol, how to probe it and whether the OS always reaches it
// directly. It is the one place these names live; probes read it, and a
// test validates it.
//
// It is a Go table, not an embedded file: the compiler checks every field
// and constant, a reviewer reads one diff when Apple's list moves, and
// nothing has to be parsed (or can fail to parse) at run time.
//
// Apple adds and removes rows several times a year, so the table carries the
// date it was last checked against Apple's list and the copy it was checked
// against (CheckedOn, Source).
package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// CheckedOn is the date this table was last compared with Apple's list.
const CheckedOn = "2026-12-02"

// Source is the copy of Apple's list the table was compared with.
const Source = `Apple "Use Apple products on enterprise networks" (HT210060 / 101555), ` +
	`as in adamselby/apple-ports-test script.sh @41cd266 ("Updates through July 2025"), ` +
	`wildcards from the article copy in apple-facts.md §2`

// Stamp is the table's provenance in one line, for reports.
func Stamp() string { return "checked against Apple's list on " + CheckedOn + ": " + Source }

// ServiceID names one Apple service in the JSON contract ("id").
type ServiceID string

const (
	SignIn           ServiceID = "sign_in"
	ICloud           ServiceID = "icloud"
	Push             ServiceID = "push"
	AppStore         ServiceID = "app_store"
	SoftwareUpdate   ServiceID = "software_update"
	DeviceManagement ServiceID = "device_management"
	Certificates     ServiceID = "certificates"
	Time             ServiceID = "time"
)

// Protocol is a host's transport.
type Protocol string

const (
	TCP Protocol = "tcp"
	UDP Protocol = "udp"
)

// Method is how a host is probed.
type Method string

const (
	// MethodTCP is a TCP connection and nothing more.
	MethodTCP Method = "tcp"
	// MethodTLS is a TLS handshake with SNI, the chain verified for the
	// host and its issuer checked against the organisations Apple uses.
	MethodTLS Method = "tls"
	// MethodHTTP is a plain HTTP request; any HTTP answer counts.
	MethodHTTP Method = "http"
	// MethodNTP is an NTP query: a UDP "connection" proves nothing, since
	// nothing answers it.
	MethodNTP Method = "ntp"
)

// Host is one host:port of one service.
type Host struct {
	Service  ServiceID `json:"service"`
	Host     string    `json:"host"`
	Port     int       `json:"port"`
	Protocol Protocol  `json:"protocol,omitempty"` // "" is tcp
	Probe    Method    `json:"probe"`
	// Direct is true for hosts the OS never sends through a proxy (APNs'
	// couriers on 5223; every UDP host).
	Direct bool `json:"direct,omitempty"`
	// Sample marks the one or two hosts of a service the default cycle
	// checks; the full catalogue runs on demand.
	Sample bool `json:"sample,omitempty"`
}

// Network is the host's transport as Go's net package names it.
func (h Host) Network() string {
	if h.Protocol == "" {
		return string(TCP)
	}
	return string(h.Protocol)
}

// Service is one Apple service: its name for people and the domains its
// hosts live under, for hosts-file and DNS checks.
type Service struct {
	ID    ServiceID
	Title string
	// Domains are the service's wildcard domains ("*.icloud.com"): any name
	// under them belongs to the service.
	Domains []string
}

// Services is every service, in the order results are reported.
func Services() []Service {
	return []Service{
		{SignIn, "Apple Account sign-in", []string{"*.apple.com"}},
		{ICloud, "iCloud", []string{"*.icloud.com", "*.icloud-content.com", "*.apple-cloudkit.com",
			"*.apple-livephotoskit.com", "*.cdn-apple.com", "*.gc.apple.com", "*.icloud.apple.com", "*.iwork.apple.com"}},
		{Push, "Push notifications", []string{"*.push.apple.com"}},
		{AppStore, "App Store", []string{"*.itunes.apple.com", "*.apps.apple.com", "*.mzstatic.com"}},
		{SoftwareUpdate, "Software update and restore", []string{"*.apple.com", "*.cdn-apple.com"}},
		{DeviceManagement, "Device management and activation", []string{"*.apple.com", "*.icloud.com"}},
		{Certificates, "Certificate checks (OCSP/CRL)", []string{"*.apple.com", "*.digicert.com"}},
		{Time, "Time", []string{"*.apple.com"}},
	}
}

// AppleOwned are the registrable domains that are Apple's: those the
// services' wildcards use, and the others Apple's list names (iCloud in
// China). A hosts-file entry under one of them is Apple's business; the
// hosts fix deletes names under them, so nothing else may be listed here.
func AppleOwned() []string {
	return []string{"apple.com", "icloud.com", "icloud-content.com", "apple-cloudkit.com", "apple-livephotoskit.com",
		"cdn-apple.com", "mzstatic.com", "icloud.com.cn", "apzones.com"}
}

// UnderApple reports whether name is one of AppleOwned or a name below one.
func UnderApple(name string) bool {
	name = strings.TrimSuffix(strings.TrimSpace(name), ".")
	return slices.ContainsFunc(AppleOwned(), func(d string) bool { return Under(name, d) })
}

// Domains are the registrable Apple domains the services' wildcards cover,
// in Services' order: what hosts-file checks look for by default. A
// third party's wildcard (DigiCert's OCSP) is left out: the hosts fix must
// not delete another company's names.
func Domains() []string {
	var out []string
	for _, s := range Services() {
		for _, w := range s.Domains {
			d, err := ParseWildcard(w)
			if err != nil {
				continue // TestCatalogue keeps every wildcard well formed
			}
			i := slices.IndexFunc(AppleOwned(), func(o string) bool { return Under(d, o) })
			if i >= 0 && !slices.Contains(out, AppleOwned()[i]) {
				out = append(out, AppleOwned()[i])
			}
		}
	}
	return out
}

// ServicesFor names the services a host name belongs to: those that list
// it in the catalogue, or else those whose most specific wildcard covers it
// ("x.push.apple.com" is push, not every service under *.apple.com).
func ServicesFor(name string) []ServiceID {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	var out []ServiceID
	for _, h := range Hosts() {
		if h.Host == name && !slices.Contains(out, h.Service) {
			out = append(out, h.Service)
		}
	}
	if len(out) > 0 {
		return out
	}
	best := 0
	for _, s := range Services() {
		for _, w := range s.Domains {
			d, err := ParseWildcard(w)
			if err != nil || !Under(name, d) || len(d) < best {
				continue
			}
			if len(d) > best {
				best, out = len(d), nil
			}
			if !slices.Contains(out, s.ID) {
				out = append(out, s.ID)
			}
		}
	}
	return out
}

// ParseWildcard returns the domain a wildcard ("*.icloud.com") covers.
func ParseWildcard(w string) (string, error) {
	d, ok := strings.CutPrefix(w, "*.")
	if !ok {
		return "", fmt.Errorf(`wildcard %q does not start with "*."`, w)
	}
	if err := checkName(d); err != nil || !strings.Contains(d, ".") {
		return "", fmt.Errorf("wildcard %q: %q is not a domain", w, d)
	}
	return d, nil
}

// Under reports whether host is domain or a name below it, ignoring case.
func Under(host, domain string) bool {
	host, domain = strings.ToLower(host), strings.ToLower(domain)
	return host == domain || strings.HasSuffix(host, "."+domain)
}

// Compare orders service ids as Services lists them (unknown ones last).
func Compare(a, b ServiceID) int {
	return cmp.Compare(serviceIndex(a), serviceIndex(b))
}

func serviceIndex(id ServiceID) int {
	i := slices.IndexFunc(Services(), func(s Service) bool { return s.ID == id })
	if i < 0 {
		return len(Services())
	}
	return i
}

// Lookup finds a service.
func Lookup(id ServiceID) (Service, bool) {
	i := slices.IndexFunc(Services(), func(s Service) bool { return s.ID == id })
	if i < 0 {
		return Service{}, false
	}
	return Services()[i], true
}

// Hosts is the whole catalogue, by service in Services' order. It is built
// on each call, so callers cannot change another caller's copy.
func Hosts() []Host {
	tls := func(s ServiceID, host string, sample bool) Host {
		return Host{Service: s, Host: host, Port: 443, Probe: MethodTLS, Sample: sample}
	}
	web := func(s ServiceID, host string) Host {
		return Host{Service: s, Host: host, Port: 80, Probe: MethodHTTP}
	}
	ntp := func(host string, sample bool) Host {
		return Host{Service: Time, Host: host, Port: 123, Protocol: UDP, Probe: MethodNTP, Direct: true, Sample: sample}
	}
	return []Host{
		tls(SignIn, "account.apple.com", false),
		tls(SignIn, "appleid.apple.com", true),
		tls(SignIn, "appleid.cdn-apple.com", false),
		tls(SignIn, "idmsa.apple.com", false),
		tls(SignIn, "gsa.apple.com", false),

		tls(ICloud, "setup.icloud.com", false),
		tls(ICloud, "gateway.icloud.com", true),
		tls(ICloud, "cdn.apple-cloudkit.com", true),
		tls(ICloud, "cdn.apple-livephotoskit.com", false),
		tls(ICloud, "mediaservices.cdn-apple.com", false),
		tls(ICloud, "match.gc.apple.com", false),
		tls(ICloud, "setup.icloud.apple.com", false),
		tls(ICloud, "cvws.icloud-content.com", false),
		tls(ICloud, "exportws.iwork.apple.com", false),

		// APNs: devices hold a connection to a courier on 5223, directly
		// (proxies do not carry it), falling back to 443.
		{Service: Push, Host: "5-courier.push.apple.com", Port: 5223, Probe: MethodTCP, Direct: true, Sample: true},
		{Service: Push, Host: "5-courier.push.apple.com", Port: 443, Probe: MethodTCP, Direct: true},
		tls(Push, "api.push.apple.com", false),

		tls(AppStore, "apps.apple.com", true),
		tls(AppStore, "buy.itunes.apple.com", false),
		web(AppStore, "buy.itunes.apple.com"),
		tls(AppStore, "itunes.apple.com", false),
		web(AppStore, "itunes.apple.com"),
		tls(AppStore, "api.apps.apple.com", false),
		tls(AppStore, "s.mzstatic.com", false),
		tls(AppStore, "ppq.apple.com", false),

		// The error-3014 family: installs, updates, recovery and restores.
		tls(SoftwareUpdate, "gs.apple.com", true),
		web(SoftwareUpdate, "gs.apple.com"),
		tls(SoftwareUpdate, "mesu.apple.com", false),
		web(SoftwareUpdate, "mesu.apple.com"),
		tls(SoftwareUpdate, "swscan.apple.com", true),
		tls(SoftwareUpdate, "gdmf.apple.com", false),
		tls(SoftwareUpdate, "gg.apple.com", false),
		tls(SoftwareUpdate, "ig.apple.com", false),
		tls(SoftwareUpdate, "skl.apple.com", false),
		web(SoftwareUpdate, "swcdn.apple.com"),
		tls(SoftwareUpdate, "swdist.apple.com", false),
		tls(SoftwareUpdate, "swdownload.apple.com", false),
		tls(SoftwareUpdate, "oscdn.apple.com", false),
		tls(SoftwareUpdate, "osrecovery.apple.com", false),
		web(SoftwareUpdate, "updates-http.cdn-apple.com"),
		tls(SoftwareUpdate, "updates.cdn-apple.com", false),
		tls(SoftwareUpdate, "gdmf-ados.apple.com", false),
		tls(SoftwareUpdate, "gsra.apple.com", false),
		tls(SoftwareUpdate, "xp.apple.com", false),
		tls(SoftwareUpdate, "configuration.apple.com", false),

		tls(DeviceManagement, "deviceenrollment.apple.com", true),
		tls(DeviceManagement, "mdmenrollment.apple.com", false),
		tls(DeviceManagement, "iprofiles.apple.com", false),
		tls(DeviceManagement, "deviceservices-external.apple.com", false),
		tls(DeviceManagement, "identity.apple.com", false),
		tls(DeviceManagement, "vpp.itunes.apple.com", false),
		tls(DeviceManagement, "albert.apple.com", true),
		tls(DeviceManagement, "humb.apple.com", false),
		tls(DeviceManagement, "static.ips.apple.com", false),

		web(Certificates, "ocsp.apple.com"),
		web(Certificates, "crl.apple.com"),
		tls(Certificates, "certs.apple.com", true),
		web(Certificates, "valid.apple.com"),
		web(Certificates, "ocsp.digicert.com"),

		ntp("time.apple.com", false),
		ntp("time-macos.apple.com", true),
	}
}

// Overrides is how configuration changes the catalogue: whole services
// switched off, and hosts of its own added (an MDM server, a mirror).
type Overrides struct {
	Disable []ServiceID `json:"disable"`
	Add     []Host      `json:"add"`
}

// Validate reports the first override that cannot work, naming its key
// relative to the overrides ("add[0].port: …").
func (o Overrides) Validate() error {
	for i, id := range o.Disable {
		if _, ok := Lookup(id); !ok {
			return fmt.Errorf("disable[%d]: unknown service %q (known: %s)", i, id, knownServices())
		}
	}
	for i, h := range o.Add {
		key := fmt.Sprintf("add[%d]", i)
		if _, ok := Lookup(h.Service); !ok {
			return fmt.Errorf("%s.service: unknown service %q (known: %s)", key, h.Service, knownServices())
		}
		if err := checkName(h.Host); err != nil {
			return fmt.Errorf("%s.host: %w", key, err)
		}
		if h.Port <= 0 || h.Port > 65535 {
			return fmt.Errorf("%s.port: %d is not a port", key, h.Port)
		}
		switch h.Protocol {
		case "", TCP, UDP:
		default:
			return fmt.Errorf("%s.protocol: %q is neither tcp nor udp", key, h.Protocol)
		}
		switch {
		case h.Probe != MethodTCP && h.Probe != MethodTLS && h.Probe != MethodHTTP && h.Probe != MethodNTP:
			return fmt.Errorf("%s.probe: %q is not one of tcp, tls, http, ntp", key, h.Probe)
		case (h.Probe == MethodNTP) != (h.Protocol == UDP):
			return fmt.Errorf("%s.probe: %q does not run over %s (ntp is the one UDP probe)", key, h.Probe, h.Network())
		}
	}
	return nil
}

// Apply is the catalogue as configured: hosts minus the disabled services,
// plus the added hosts, which are always sampled (an administrator who adds
// a host wants it checked every cycle) and, over UDP, always direct.
func (o Overrides) Apply(hosts []Host) []Host {
	out := slices.DeleteFunc(slices.Clone(hosts), func(h Host) bool { return slices.Contains(o.Disable, h.Service) })
	for _, h := range o.Add {
		if slices.Contains(o.Disable, h.Service) {
			continue
		}
		h.Sample = true
		if h.Protocol == UDP {
			h.Direct = true
		}
		out = append(out, h)
	}
	return out
}

func knownServices() string {
	var ids []string
	for _, s := range Services() {
		ids = append(ids, string(s.ID))
	}
	return strings.Join(ids, ", ")
}

// checkName accepts a DNS host name (letters, digits, hyphens, dots).
func checkName(name string) error {
	if name == "" || len(name) > 253 {
		return fmt.Errorf("%q is not a host name", name)
	}
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%q is not a host name", name)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Errorf("%q is not a host name", name)
			}
		}
	}
	return nil
}
