package check_test

import (
	"bytes"
	"testing"

	"github.com/idpulse/idpulse/agent/metrics"
	"github.com/idpulse/idpulse/agent/metrics/metricstest"
	"github.com/idpulse/idpulse/agent/verdict"
)

// promtoolAccepts is the last step of every row of the scenario table
// (TestScenarios): the row's document rendered as `idpulse metrics` and the
// agent's endpoint render it, through `promtool check metrics`.
func promtoolAccepts(t *testing.T, doc verdict.Document) {
	t.Helper()
	e := metrics.New("test", true)
	e.Observe(doc)
	var b bytes.Buffer
	if err := e.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("idpulse_verdict_info{cause=\""+string(doc.Verdict.Cause)+"\",code=\""+string(doc.Verdict.Code)+"\"")) {
		t.Errorf("the exposition lacks the row's verdict:\n%s", b.String())
	}
	metricstest.Promtool(t, b.Bytes())
}
