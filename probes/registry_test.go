package probes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// Every probe of the checklist is registered, in checklist order, with the
// evidence type it really reports: run once in a healthy world, each
// probe's result is compared with its registry entry.
func TestRegistryCoversDefault(t *testing.T) {
	w := probetest.NewWorld(t)
	list := probes.Default(w.Config, w.Env())
	reg := probes.Registry()
	if len(reg) != len(list) {
		t.Errorf("registry has %d probes, the checklist %d", len(reg), len(list))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, p := range list {
		r, ok := probes.Lookup(p.ID())
		if !ok {
			t.Errorf("probe %s is not in the registry", p.ID())
			continue
		}
		if i < len(reg) && reg[i].ID != p.ID() {
			t.Errorf("registry entry %d is %s, the checklist has %s", i, reg[i].ID, p.ID())
		}
		res := p.Run(ctx)
		if got, want := reflect.TypeOf(res.Evidence), reflect.TypeOf(r.NewEvidence()); got != want {
			t.Errorf("probe %s reports %v, the registry says %v", p.ID(), got, want)
		}
	}
}

// Labels, and evidence types that name one probe each (Evidence[T] finds a
// probe by its type).
func TestRegistryEntries(t *testing.T) {
	types := map[reflect.Type]probes.ID{}
	for _, r := range probes.Registry() {
		if r.Label == "" || r.ID.Label() != r.Label {
			t.Errorf("probe %s: label %q", r.ID, r.Label)
		}
		ev := r.NewEvidence()
		if reflect.TypeOf(ev).Kind() != reflect.Pointer {
			t.Errorf("probe %s: evidence %T is not a pointer", r.ID, ev)
		}
		if other, dup := types[reflect.TypeOf(ev)]; dup {
			t.Errorf("probes %s and %s share the evidence type %T", other, r.ID, ev)
		}
		types[reflect.TypeOf(ev)] = r.ID
		if r.NewEvidence() == ev {
			t.Errorf("probe %s: NewEvidence returns the same value twice", r.ID)
		}
	}
	if got := probes.ID("future").Label(); got != "future" {
		t.Errorf("unknown probe's label = %q, want its id", got)
	}
	if _, ok := probes.Lookup(probes.IDAppleStatus); ok {
		t.Error("the feed is registered as a probe")
	}
}

// Every registered evidence type, empty and as a real probe reports it,
// comes back from JSON in its own type and re-encodes to the same bytes.
func TestEvidenceRoundTrip(t *testing.T) {
	w := probetest.NewWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var results probes.Results
	for _, r := range probes.Registry() {
		results = append(results, probes.Result{ID: r.ID, Status: probes.StatusOK, Summary: "empty", Evidence: r.NewEvidence()})
	}
	for _, p := range probes.Default(w.Config, w.Env()) {
		r := p.Run(ctx)
		r.ID = p.ID() // the engine's job
		results = append(results, r)
	}
	results = append(results, probes.Result{ID: probes.IDDNS, Status: probes.StatusError, Summary: "hung",
		Evidence: &probes.ErrorEvidence{Error: "probe ignored its deadline", Class: probes.ClassTimeout}})
	for _, r := range results {
		t.Run(fmt.Sprintf("%s %s", r.ID, r.Summary), func(t *testing.T) {
			data, back := roundTrip(t, r)
			if got, want := reflect.TypeOf(back.Evidence), reflect.TypeOf(r.Evidence); got != want {
				t.Fatalf("evidence came back as %v, want %v", got, want)
			}
			again, err := json.Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(data) {
				t.Errorf("re-encoded\n%s\nwant\n%s", again, data)
			}
			if r.Summary == "empty" && !reflect.DeepEqual(back.Evidence, r.Evidence) {
				t.Errorf("empty evidence came back as %#v", back.Evidence)
			}
		})
	}
}

// roundTrip encodes r as JSON and decodes it back, as a stored check is
// read: the bytes, for tests that look at the wire form, and the result.
func roundTrip(t *testing.T, r probes.Result) ([]byte, probes.Result) {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back probes.Result
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	return data, back
}

func TestResultUnmarshal(t *testing.T) {
	tests := []struct {
		name, json string
		want       probes.Result
	}{
		{"phases and duration", `{"id":"https","status":"fail","summary":"s","duration_ms":1.5,"evidence":{"url":"u","ok":false,"target":"t","phases_ms":{"resolve_ms":0.25,"tls_ms":2}}}`,
			probes.Result{ID: probes.IDHTTPS, Status: probes.StatusFail, Summary: "s", Duration: 1500 * time.Microsecond,
				Evidence: &probes.HTTPSEvidence{URL: "u", Attempt: probes.Attempt{Target: "t", Phases: probes.Phases{Resolve: 250 * time.Microsecond, TLS: 2 * time.Millisecond}}}}},
		{"no evidence", `{"id":"proxy","status":"skip","evidence":{}}`, probes.Result{ID: probes.IDProxy, Status: probes.StatusSkip}},
		{"null evidence", `{"id":"proxy","status":"skip","evidence":null}`, probes.Result{ID: probes.IDProxy, Status: probes.StatusSkip}},
		{"unknown probe", `{"id":"future","status":"ok","evidence":{ "a": [1, 2] }}`,
			probes.Result{ID: "future", Status: probes.StatusOK, Evidence: json.RawMessage(`{"a":[1,2]}`)}},
		{"evidence of another shape", `{"id":"clock","status":"ok","evidence":{"offset_ms":"fast"}}`,
			probes.Result{ID: probes.IDClock, Status: probes.StatusOK, Evidence: json.RawMessage(`{"offset_ms":"fast"}`)}},
		{"a probe that broke", `{"id":"tls","status":"error","evidence":{"error":"boom","class":"other"}}`,
			probes.Result{ID: probes.IDTLS, Status: probes.StatusError, Evidence: &probes.ErrorEvidence{Error: "boom", Class: probes.ClassOther}}},
		{"a probe that reported its own error", `{"id":"link","status":"error","evidence":{"interfaces":null,"default_route":null,"error":"boom"}}`,
			probes.Result{ID: probes.IDLink, Status: probes.StatusError, Evidence: &probes.LinkEvidence{Error: "boom"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got probes.Result
			if err := json.Unmarshal([]byte(tt.json), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v (evidence %#v)\nwant %#v (evidence %#v)", got, got.Evidence, tt.want, tt.want.Evidence)
			}
		})
	}
	var r probes.Result
	if err := json.Unmarshal([]byte(`{"id":"dns","duration_ms":"slow"}`), &r); err == nil {
		t.Error("a malformed probe object decoded")
	}
}

func TestEvidenceByType(t *testing.T) {
	dns := &probes.DNSEvidence{Failed: []string{"a"}}
	rs := probes.Results{
		{ID: probes.IDDNS, Evidence: dns},
		{ID: probes.IDTLS, Status: probes.StatusError, Evidence: &probes.ErrorEvidence{Error: "boom"}},
	}
	if got := probes.Evidence[probes.DNSEvidence](rs); got != dns {
		t.Errorf("dns evidence = %v", got)
	}
	if got := probes.Evidence[probes.TLSEvidence](rs); got != nil {
		t.Errorf("evidence of a probe that broke = %v, want nil", got)
	}
	if got := probes.Evidence[probes.ClockEvidence](rs); got != nil {
		t.Errorf("evidence of a probe that did not run = %v, want nil", got)
	}
	if got := probes.Evidence[probes.ErrorEvidence](rs); got != nil {
		t.Errorf("unregistered type = %v, want nil", got)
	}
}
