// Package verdicttest states what a diagnosis must say, once, for the
// tests that diagnose a whole network: the scenario table (in process,
// loopback servers) and the end-to-end tests of the built binary (network
// namespaces).
package verdicttest

import (
	"slices"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/verdict"
)

// Want is the verdict a person should get, and the findings beside it.
type Want struct {
	Code  verdict.Code
	Level verdict.Level
	Cause verdict.Cause
	// Fixes must all be offered, in this order, at the front.
	Fixes []string
	// Headline must be in the verdict's headline; Evidence in one of its
	// evidence lines ("" checks nothing).
	Headline, Evidence string
	// Findings must all be present; Absent must be neither a finding nor
	// the verdict.
	Findings, Absent []verdict.Code
}

// Check fails t for every way v and the finding codes differ from w;
// context is appended to the verdict's mismatch (the probes' summaries).
func (w Want) Check(t testing.TB, v verdict.Verdict, findings []verdict.Code, context string) {
	t.Helper()
	if v.Code != w.Code || v.Level != w.Level || v.Cause != w.Cause {
		t.Errorf("verdict = %s/%s/%s, want %s/%s/%s (%s)\n%s", v.Code, v.Level, v.Cause, w.Code, w.Level, w.Cause, v.Headline, context)
	}
	if len(v.Fixes) < len(w.Fixes) || !slices.Equal(v.Fixes[:len(w.Fixes)], w.Fixes) {
		t.Errorf("fixes = %v, want them to start with %v", v.Fixes, w.Fixes)
	}
	if v.Headline == "" || v.Detail == "" {
		t.Errorf("verdict without words: %+v", v)
	}
	if !strings.Contains(v.Headline, w.Headline) {
		t.Errorf("headline %q, want it to say %q", v.Headline, w.Headline)
	}
	if w.Evidence != "" && !slices.ContainsFunc(v.Evidence, func(e string) bool { return strings.Contains(e, w.Evidence) }) {
		t.Errorf("evidence %q, want a line saying %q", v.Evidence, w.Evidence)
	}
	for _, want := range w.Findings {
		if !slices.Contains(findings, want) {
			t.Errorf("findings = %v, want %s among them\n%s", findings, want, context)
		}
	}
	for _, bad := range w.Absent {
		if slices.Contains(findings, bad) || v.Code == bad {
			t.Errorf("findings = %v, verdict %s: %s must be absent", findings, v.Code, bad)
		}
	}
}
