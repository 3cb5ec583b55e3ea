package catalog

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestCatalogue holds the table to its rules: each host:port once, every
// service with hosts and a sample, every wildcard a domain, every host
// under its service's domains or Apple's.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	count := map[ServiceID]int{}
	samples := map[ServiceID]int{}
	for _, h := range Hosts() {
		key := fmt.Sprintf("%s/%s:%d", h.Network(), h.Host, h.Port)
		if seen[key] {
			t.Errorf("%s listed twice", key)
		}
		seen[key] = true
		svc, ok := Lookup(h.Service)
		if !ok {
			t.Errorf("%s: unknown service %q", key, h.Service)
			continue
		}
		count[h.Service]++
		if h.Sample {
			samples[h.Service]++
		}
		domains := AppleOwned()
		for _, w := range svc.Domains {
			d, err := ParseWildcard(w)
			if err != nil {
				t.Errorf("%s: %v", svc.ID, err)
			}
			domains = append(domains, d)
		}
		if !slices.ContainsFunc(domains, func(d string) bool { return Under(h.Host, d) }) {
			t.Errorf("%s (%s) is under none of %v", key, h.Service, domains)
		}
		if err := (Overrides{Add: []Host{h}}).Validate(); err != nil {
			t.Errorf("%s: would be refused from configuration: %v", key, err)
		}
		if h.Protocol == UDP && !h.Direct {
			t.Errorf("%s: UDP is never proxied, so it must be Direct", key)
		}
	}
	for _, s := range Services() {
		if count[s.ID] == 0 {
			t.Errorf("service %s has no hosts", s.ID)
		}
		if samples[s.ID] == 0 || samples[s.ID] > 2 {
			t.Errorf("service %s has %d sampled hosts, want 1 or 2", s.ID, samples[s.ID])
		}
		if s.Title == "" || len(s.Domains) == 0 {
			t.Errorf("service %s has no title or no domains", s.ID)
		}
	}
	if !strings.Contains(Stamp(), CheckedOn) {
		t.Errorf("Stamp() = %q, want the date", Stamp())
	}
}

func TestOverrides(t *testing.T) {
	mdm := Host{Service: DeviceManagement, Host: "mdm.corp.example", Port: 443, Probe: MethodTLS}
	for _, tc := range []struct {
		name string
		o    Overrides
		want string // "" = valid
	}{
		{"empty", Overrides{}, ""},
		{"disable and add", Overrides{Disable: []ServiceID{AppStore}, Add: []Host{mdm}}, ""},
		{"unknown service disabled", Overrides{Disable: []ServiceID{"music"}}, "disable[0]: unknown service"},
		{"unknown service added", Overrides{Add: []Host{{Service: "music", Host: "a.example", Port: 443, Probe: MethodTLS}}}, "add[0].service"},
		{"bad host", Overrides{Add: []Host{{Service: ICloud, Host: "no host", Port: 443, Probe: MethodTLS}}}, "add[0].host"},
		{"bad port", Overrides{Add: []Host{mdm, {Service: ICloud, Host: "a.example", Port: 0, Probe: MethodTLS}}}, "add[1].port"},
		{"bad protocol", Overrides{Add: []Host{{Service: ICloud, Host: "a.example", Port: 1, Protocol: "sctp", Probe: MethodTCP}}}, "add[0].protocol"},
		{"bad probe", Overrides{Add: []Host{{Service: ICloud, Host: "a.example", Port: 1, Probe: "ping"}}}, "add[0].probe"},
		{"ntp over tcp", Overrides{Add: []Host{{Service: Time, Host: "a.example", Port: 123, Probe: MethodNTP}}}, "add[0].probe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("Validate = %v, want an error starting %q", err, tc.want)
			}
		})
	}

	got := Overrides{Disable: []ServiceID{AppStore}, Add: []Host{mdm}}.Apply(Hosts())
	if slices.ContainsFunc(got, func(h Host) bool { return h.Service == AppStore }) {
		t.Error("Apply kept a disabled service's hosts")
	}
	i := slices.IndexFunc(got, func(h Host) bool { return h.Host == mdm.Host })
	if i < 0 || !got[i].Sample {
		t.Errorf("Apply: added host missing or not sampled: %+v", got)
	}
}

func TestDomains(t *testing.T) {
	want := []string{"apple.com", "icloud.com", "icloud-content.com", "apple-cloudkit.com", "apple-livephotoskit.com",
		"cdn-apple.com", "mzstatic.com"}
	if got := Domains(); !slices.Equal(got, want) {
		t.Errorf("Domains() = %v, want %v (DigiCert's wildcard is a third party's)", got, want)
	}
	for _, d := range Domains() {
		if !UnderApple(d) {
			t.Errorf("%s is not under Apple's own domains", d)
		}
	}
}

func TestUnderApple(t *testing.T) {
	for name, want := range map[string]bool{
		"apple.com": true, "SWSCAN.apple.com.": true, "x.icloud.com.cn": true,
		"com": false, "localhost": false, "notapple.com": false, "apple.com.evil.example": false, "ocsp.digicert.com": false,
	} {
		if got := UnderApple(name); got != want {
			t.Errorf("UnderApple(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestServicesFor(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []ServiceID
	}{
		{"swscan.apple.com", []ServiceID{SoftwareUpdate}},                  // a catalogue host
		{"GS.apple.com.", []ServiceID{SoftwareUpdate}},                     // case and the root dot do not matter
		{"17-courier.push.apple.com", []ServiceID{Push}},                   // the most specific wildcard
		{"p42-contacts.ICLOUD.com", []ServiceID{ICloud, DeviceManagement}}, // *.icloud.com, either
		{"is1-ssl.mzstatic.com", []ServiceID{AppStore}},
		{"www.example.com", nil},
	} {
		if got := ServicesFor(tc.name); !slices.Equal(got, tc.want) {
			t.Errorf("ServicesFor(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
