package root_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/probes/probetest"
)

func TestAppleStatusCommand(t *testing.T) {
	real, err := os.ReadFile("../../../../probes/applestatus/testdata/consumer-ongoing-outage-plus-resolved_2021-04.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		feed    string
		down    bool
		args    []string
		code    int
		want    []string
		notWant []string
	}{
		{name: "all clear", feed: probetest.HealthyFeed, code: 0,
			want: []string{"Apple System Status", "● Apple ID", "Available  sign-in", "● iCloud Account & Sign In"}},
		{name: "real 2021 outage", feed: string(real), code: 1,
			want:    []string{"● Apple ID", "● iCloud Mail", "Outage", "Ongoing Outage — since"},
			notWant: []string{"Photos"}},
		{name: "all services", feed: string(real), args: []string{"--all"}, code: 1,
			want: []string{"● Photos", "● iCloud Mail"}},
		{name: "feed unreachable", down: true, code: 2, want: []string{"could not be read"}},
		// Not "ongoing", so not a problem: shown, never a crash (it was).
		{name: "event without a status does not crash", code: 0,
			feed: `{"services":[{"serviceName":"Apple ID","events":[{"statusType":"Outage","epochStartDate":1700000000000,"epochEndDate":null,"message":"m"}]},` +
				`{"serviceName":"iCloud Mail","events":[{"statusType":"Issue","eventStatus":"","epochStartDate":1700000000000,"epochEndDate":null,"message":"n"}]}]}`,
			want: []string{"● Apple ID", "Unknown status Outage", "Unknown status Issue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := probetest.NewWorld(t)
			w.SetFeed(tt.feed)
			if tt.down {
				w.Route("www.apple.com", "tcp", 443, probetest.Route{To: probetest.ClosedPort(t)})
			}
			args := append([]string{"apple-status"}, tt.args...)
			code, out, errOut := run(t, w, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			clitest.Contains(t, out, tt.want...)
			for _, s := range tt.notWant {
				if strings.Contains(out, s) {
					t.Errorf("output has %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestAppleStatusJSON(t *testing.T) {
	w := probetest.NewWorld(t)
	code, out, _ := run(t, w, "apple-status", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	// The contract's names, as a script reads them.
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	svcs, _ := st["services"].([]any)
	if st["fetched"] == nil || st["error"] != nil || st["source"] != w.FeedURL() || len(svcs) == 0 {
		t.Fatalf("apple_status = %v", st)
	}
	first, _ := svcs[0].(map[string]any)
	if first["name"] != "Apple ID" || first["status"] != "ok" {
		t.Errorf("first service = %v, want Apple ID, ok", first)
	}
	if _, ok := first["events"].([]any); !ok {
		t.Errorf("events = %v, want an array", first["events"])
	}
}
