package report

import (
	"encoding/json"

	"github.com/idpulse/idpulse/probes"
)

// decodeEvidence turns a probe's JSON evidence (never null: statefile.Decode
// leaves that nil) back into the probe's own evidence type. An unknown probe
// (a newer idpulse wrote the state file) or evidence that does not decode
// stays json.RawMessage and is shown raw.
func decodeEvidence(id string, raw json.RawMessage) any {
	var ev any
	var err error
	switch id {
	case "link":
		ev, err = decode[probes.LinkEvidence](raw, nil)
	case "control":
		ev, err = decode(raw, func(e *probes.ControlEvidence, p *phasesOf) { p.list(e.Targets, "targets") })
	case "captive":
		ev, err = decode[probes.CaptiveEvidence](raw, nil)
	case "dns":
		ev, err = decode[probes.DNSEvidence](raw, nil)
	case "hosts":
		ev, err = decode[probes.HostsEvidence](raw, nil)
	case "proxy":
		ev, err = decode(raw, func(e *probes.ProxyEvidence, p *phasesOf) {
			if e.Proxied != nil {
				p.one(&e.Proxied.Attempt, "proxied")
			}
			p.one(e.Direct, "direct")
		})
	case "vpn":
		ev, err = decode[probes.VPNEvidence](raw, nil)
	case "reach":
		ev, err = decode(raw, func(e *probes.ReachEvidence, p *phasesOf) {
			p.list(e.SignIn, "signin")
			p.one(e.Push, "push")
		})
	case "tls":
		ev, err = decode(raw, func(e *probes.TLSEvidence, p *phasesOf) {
			for i := range e.Hosts {
				p.at(&e.Hosts[i].Attempt, "hosts", i)
			}
		})
	case "https":
		ev, err = decode(raw, func(e *probes.HTTPSEvidence, p *phasesOf) { p.self(&e.Attempt) })
	case "clock":
		ev, err = decode[probes.ClockEvidence](raw, nil)
	case "system":
		ev, err = decode[probes.SystemEvidence](raw, nil)
	default:
		return json.RawMessage(raw)
	}
	if err != nil {
		return json.RawMessage(raw)
	}
	return ev
}

// decode unmarshals raw into a *T, then lets fix restore the attempts'
// phases: probes.Phases writes {"resolve_ms":…} but has no UnmarshalJSON, so
// a plain Unmarshal leaves them zero.
func decode[T any](raw json.RawMessage, fix func(*T, *phasesOf)) (*T, error) {
	ev := new(T)
	if err := json.Unmarshal(raw, ev); err != nil {
		return nil, err
	}
	if fix != nil {
		var tree map[string]json.RawMessage
		if err := json.Unmarshal(raw, &tree); err != nil {
			return nil, err
		}
		fix(ev, &phasesOf{raw: raw, tree: tree})
	}
	return ev, nil
}

// wirePhases is the JSON form of probes.Phases.
type wirePhases struct {
	Resolve   float64 `json:"resolve_ms"`
	Connect   float64 `json:"connect_ms"`
	TLS       float64 `json:"tls_ms"`
	FirstByte float64 `json:"first_byte_ms"`
}

func (w wirePhases) phases() probes.Phases {
	return probes.Phases{Resolve: fromMillis(w.Resolve), Connect: fromMillis(w.Connect), TLS: fromMillis(w.TLS), FirstByte: fromMillis(w.FirstByte)}
}

type withPhases struct {
	Phases wirePhases `json:"phases_ms"`
}

// phasesOf reads "phases_ms" objects out of an evidence object by field name.
type phasesOf struct {
	raw  json.RawMessage
	tree map[string]json.RawMessage
}

// self: the evidence object is itself an attempt (https).
func (p *phasesOf) self(a *probes.Attempt) {
	var w withPhases
	if json.Unmarshal(p.raw, &w) == nil {
		a.Phases = w.Phases.phases()
	}
}

// one: field holds one attempt (or null).
func (p *phasesOf) one(a *probes.Attempt, field string) {
	var w *withPhases
	if a != nil && json.Unmarshal(p.tree[field], &w) == nil && w != nil {
		a.Phases = w.Phases.phases()
	}
}

// at: field is an array of attempts (or of objects embedding one).
func (p *phasesOf) at(a *probes.Attempt, field string, i int) {
	var ws []withPhases
	if json.Unmarshal(p.tree[field], &ws) == nil && i < len(ws) {
		a.Phases = ws[i].Phases.phases()
	}
}

func (p *phasesOf) list(as []probes.Attempt, field string) {
	for i := range as {
		p.at(&as[i], field, i)
	}
}
