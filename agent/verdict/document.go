package verdict

import (
	"time"

	"github.com/idpulse/idpulse/probes"
)

// Schema names the JSON contract of `idpulse check --json` and the state file.
// MDM scripts parse it: fields may be added, never renamed or removed.
const Schema = "idpulse.check/v1"

// Document is one check in the idpulse.check/v1 shape.
type Document struct {
	Schema      string         `json:"schema"`
	Time        time.Time      `json:"time"`
	DurationMS  float64        `json:"duration_ms"`
	Verdict     Verdict        `json:"verdict"`
	Findings    []Finding      `json:"findings"`
	Probes      probes.Results `json:"probes"`
	AppleStatus *AppleStatus   `json:"apple_status"`
	// Services is each Apple service's result, from the services probe;
	// empty when it did not run.
	Services []Service `json:"services"`
}

// Service is one Apple service of the host catalogue (probes/catalog) as
// the services probe found it.
type Service struct {
	ID      string        `json:"id"`
	Title   string        `json:"title"`
	Status  probes.Status `json:"status"` // ok | warn | fail | skip
	Summary string        `json:"summary"`
	Hosts   []ServiceHost `json:"hosts"`
}

// ServiceHost is one host:port of a service.
type ServiceHost struct {
	Host   string        `json:"host"`
	Port   int           `json:"port"`
	Status probes.Status `json:"status"`
	Class  probes.Class  `json:"class"`
	Path   string        `json:"path"` // "direct" or "via <proxy>"
}

// services is the document's view of the services probe's evidence.
func services(rs probes.Results) []Service {
	out := []Service{}
	ev := probes.Evidence[probes.ServicesEvidence](rs)
	if ev == nil {
		return out
	}
	for _, s := range ev.Services {
		svc := Service{ID: string(s.ID), Title: s.Title, Status: s.Status, Summary: s.Summary, Hosts: []ServiceHost{}}
		for _, h := range s.Hosts {
			svc.Hosts = append(svc.Hosts, ServiceHost{Host: h.Host, Port: h.Port, Status: h.Status, Class: h.Class, Path: h.Path})
		}
		out = append(out, svc)
	}
	return out
}

// AppleStatus is Apple's System Status as seen by this check; nil (JSON null)
// when the feed was not consulted.
type AppleStatus struct {
	Fetched  *time.Time     `json:"fetched"`
	Source   string         `json:"source"`
	Error    *string        `json:"error"`
	Services []AppleService `json:"services"`
}

// AppleService is one watched service; sign-in services come first.
type AppleService struct {
	Name   string       `json:"name"`
	Status string       `json:"status"` // ok | issue | outage | maintenance
	SignIn bool         `json:"signin"`
	Events []AppleEvent `json:"events"`
}

// AppleEvent is one System Status event.
type AppleEvent struct {
	ID            string     `json:"id"`
	Type          string     `json:"type"`
	Status        string     `json:"status"`
	Start         *time.Time `json:"start"`
	End           *time.Time `json:"end"`
	UsersAffected string     `json:"users_affected"`
	Message       string     `json:"message"`
}

// NewDocument evaluates results and assembles the document.
func NewDocument(at time.Time, took time.Duration, in Input) Document {
	v, findings := Evaluate(in)
	return Document{
		Schema:      Schema,
		Time:        at.UTC().Truncate(time.Second),
		DurationMS:  probes.Millis(took),
		Verdict:     v,
		Findings:    findings,
		Probes:      in.Results,
		AppleStatus: in.Apple,
		Services:    services(in.Results),
	}
}
