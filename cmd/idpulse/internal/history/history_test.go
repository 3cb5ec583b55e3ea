package history_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	agenthistory "github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/history"
)

var now = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

// world writes a state folder whose timeline has a check a minute for the
// last two days: ok, with a DNS incident yesterday 14:02–14:14 during which
// flush-dns was tried, and a slow network since 14:55 today.
func world(t *testing.T) string {
	dir := t.TempDir()
	s := timeline.Store{Dir: timeline.In(dir)}
	for at := now.Add(-48 * time.Hour); !at.After(now); at = at.Add(time.Minute) {
		r := timeline.Record{At: at, Code: "ok", Level: "ok", Cause: "none"}
		yday := now.Add(-24 * time.Hour)
		switch {
		case !at.Before(yday.Add(-58*time.Minute)) && at.Before(yday.Add(-46*time.Minute)):
			r.Code, r.Level, r.Cause, r.Headline = "dns_failure", "down", "network", "DNS is not \x1b[2Jworking"
		case !at.Before(now.Add(-5 * time.Minute)):
			r.Code, r.Level, r.Cause, r.Headline = "slow_network", "degraded", "network", "This network is slow"
		}
		if err := s.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := agenthistory.Attempts(dir).Append(agenthistory.Attempt{At: now.Add(-24*time.Hour - 50*time.Minute), Fix: "flush-dns", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func run(t *testing.T, dir string, args ...string) (int, string, string) {
	io, out, errOut := cli.Test()
	opts := &history.Options{Deps: cli.Deps{IO: io, Now: func() time.Time { return now }, LoadConfig: clitest.Loader(config.Default(), nil)}, HistoryDir: dir}
	if err := history.Parse(opts, args); err != nil {
		return cli.Exit(io, err), out.String(), errOut.String()
	}
	return history.Run(t.Context(), opts), out.String(), errOut.String()
}

func TestHistoryJSON(t *testing.T) {
	code, out, errOut := run(t, world(t), "--since", "2d", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Schema    string `json:"schema"`
		Checks    int    `json:"checks"`
		Incidents []struct {
			Start      time.Time  `json:"start"`
			End        *time.Time `json:"end"`
			DurationS  float64    `json:"duration_s"`
			Code       string     `json:"code"`
			Level      string     `json:"level"`
			Cause      string     `json:"cause"`
			Headline   string     `json:"headline"`
			FixesTried []string   `json:"fixes_tried"`
		} `json:"incidents"`
		Days []struct {
			Date   string  `json:"date"`
			Checks int     `json:"checks"`
			OK     int     `json:"ok"`
			Ratio  float64 `json:"availability"`
		} `json:"days"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Schema != "idpulse.history/v1" || doc.Checks != 2*1440+1 || len(doc.Incidents) != 2 {
		t.Fatalf("schema %q, %d checks, %d incidents; want v1, %d, 2:\n%s", doc.Schema, doc.Checks, len(doc.Incidents), 2*1440+1, out)
	}
	slow, dns := doc.Incidents[0], doc.Incidents[1] // newest first
	if slow.Code != "slow_network" || slow.End != nil || slow.DurationS != 300 {
		t.Errorf("newest incident %+v, want slow_network, ongoing, 300 s", slow)
	}
	wantStart := now.Add(-24*time.Hour - 58*time.Minute)
	if dns.Code != "dns_failure" || dns.Level != "down" || dns.Cause != "network" || !dns.Start.Equal(wantStart) ||
		dns.End == nil || !dns.End.Equal(wantStart.Add(12*time.Minute)) || dns.DurationS != 720 ||
		len(dns.FixesTried) != 1 || dns.FixesTried[0] != "flush-dns" {
		t.Errorf("older incident %+v, want dns_failure %v for 12 min with flush-dns tried", dns, wantStart)
	}
	if len(doc.Days) != 3 || doc.Days[1].Checks != 1440 || doc.Days[1].OK != 1440-12 {
		t.Errorf("days %+v, want 3 with 1428 of 1440 ok on the middle one", doc.Days)
	}
}

func TestHistoryHuman(t *testing.T) {
	code, out, _ := run(t, world(t), "--since", "48h")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	clitest.Contains(t, out, "Incidents, newest first (2)", "1 Dec 14:02–14:14  12 min", "(dns_failure); tried flush-dns",
		"2 Dec 14:55–ongoing  5 min", "2026-12-01  ███████████████████░  99.2 %  (1428 of 1440)")
	if strings.ContainsRune(out, '\x1b') {
		t.Errorf("a control character from the record reached the terminal:\n%q", out)
	}
}

func TestHistoryEmptyAndErrors(t *testing.T) {
	code, out, _ := run(t, t.TempDir())
	if code != 0 || !strings.Contains(out, "No checks recorded") {
		t.Errorf("empty history: exit %d, %q", code, out)
	}
	for _, bad := range []string{"0d", "soon", "-1h", "9999d"} {
		if code, _, errOut := run(t, t.TempDir(), "--since", bad); code != cli.ExitUsage || !strings.Contains(errOut, "since") {
			t.Errorf("--since %s: exit %d, %q; want a usage error naming --since", bad, code, errOut)
		}
	}
}
