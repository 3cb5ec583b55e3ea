package probes

import (
	"bytes"
	"encoding/json"
)

// ID names a probe: in results, in agent/verdict's rules, in the JSON
// contract ("id") and in the state file.
type ID string

// The probes' IDs, in checklist order (Default).
const (
	IDLink    ID = "link"
	IDControl ID = "control"
	IDCaptive ID = "captive"
	IDDNS     ID = "dns"
	IDHosts   ID = "hosts"
	IDProxy   ID = "proxy"
	IDVPN     ID = "vpn"
	IDReach   ID = "reach"
	IDTLS     ID = "tls"
	IDHTTPS   ID = "https"
	// IDServices checks Apple's other services host by host (probes/catalog).
	IDServices ID = "services"
	IDClock    ID = "clock"
	IDSystem   ID = "system"
	// IDCurrency compares the installed macOS with Apple's current releases.
	IDCurrency ID = "currency"
)

// IDAppleStatus names Apple's System Status feed where a probe is expected
// (the source of a verdict rule or a finding). The feed is polled alongside
// the probes but is not one: it has no Result and no registry entry.
const IDAppleStatus ID = "apple_status"

// Registered is what the program knows about one probe ID.
type Registered struct {
	ID ID
	// Label names the probe the way a Mac user would: the menu's check rows.
	Label string
	// NewEvidence returns a new, empty value of the evidence type the probe
	// reports (a *DNSEvidence for dns): JSON decodes into it, and
	// Evidence[T] finds a probe's result by it.
	NewEvidence func() any
}

// Registry is every probe the program knows, in checklist order. A probe
// that is not here has its evidence read back from JSON as raw JSON, so
// probes_test fails for any probe of Default missing from it. It is built on
// each call, so callers cannot change another caller's registry.
func Registry() []Registered {
	return []Registered{
		{IDLink, "Network", newOf[LinkEvidence]},
		{IDControl, "Internet", newOf[ControlEvidence]},
		{IDCaptive, "Wi-Fi login", newOf[CaptiveEvidence]},
		{IDDNS, "DNS", newOf[DNSEvidence]},
		{IDHosts, "Hosts file", newOf[HostsEvidence]},
		{IDProxy, "Proxy", newOf[ProxyEvidence]},
		{IDVPN, "VPN", newOf[VPNEvidence]},
		{IDReach, "Apple servers", newOf[ReachEvidence]},
		{IDTLS, "Encryption", newOf[TLSEvidence]},
		{IDHTTPS, "Apple ID sign-in", newOf[HTTPSEvidence]},
		{IDServices, "Apple services", newOf[ServicesEvidence]},
		{IDClock, "Clock", newOf[ClockEvidence]},
		{IDSystem, "System", newOf[SystemEvidence]},
		{IDCurrency, "macOS updates", newOf[CurrencyEvidence]},
	}
}

func newOf[T any]() any { return new(T) }

// Lookup finds a probe's registry entry.
func Lookup(id ID) (Registered, bool) {
	for _, r := range Registry() {
		if r.ID == id {
			return r, true
		}
	}
	return Registered{}, false
}

// Label is the probe's name for people; an unknown ID (a newer idpulse wrote
// the state file) shows as is.
func (id ID) Label() string {
	if r, ok := Lookup(id); ok {
		return r.Label
	}
	return string(id)
}

// Evidence returns the evidence of the probe whose registered evidence type
// is T, or nil when that probe did not run, errored, or reported another
// type. The type names the probe, so a caller cannot pair an ID with the
// wrong type.
func Evidence[T any](rs Results) *T {
	for _, reg := range Registry() {
		if _, ok := reg.NewEvidence().(*T); !ok {
			continue
		}
		r, ok := rs.Get(reg.ID)
		if !ok {
			return nil
		}
		ev, _ := r.Evidence.(*T)
		return ev
	}
	return nil
}

// decodeEvidence turns a result's JSON evidence back into what the probe
// reported: nothing for absent, null or {} (what MarshalJSON writes for nil);
// *ErrorEvidence for a probe that broke; otherwise the registered type. An
// unknown ID, or evidence that does not decode into its type, stays the
// compacted raw JSON (json.RawMessage), so re-encoding loses nothing.
func decodeEvidence(id ID, status Status, raw json.RawMessage) any {
	var c bytes.Buffer
	if err := json.Compact(&c, raw); err != nil || c.Len() == 0 || c.String() == "null" || c.String() == "{}" {
		return nil
	}
	data := c.Bytes()
	if status == StatusError {
		// The engine's evidence for a probe that panicked or hung. A probe
		// that reports StatusError itself writes its own fields, which the
		// strict decode refuses.
		var ee ErrorEvidence
		d := json.NewDecoder(bytes.NewReader(data))
		d.DisallowUnknownFields()
		if d.Decode(&ee) == nil && ee.Error != "" {
			return &ee
		}
	}
	reg, ok := Lookup(id)
	if !ok {
		return json.RawMessage(data)
	}
	ev := reg.NewEvidence()
	if json.Unmarshal(data, ev) != nil {
		return json.RawMessage(data)
	}
	return ev
}
