package incidents_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/incidents"
	"github.com/idpulse/idpulse/agent/timeline"
)

var t0 = time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)

// timelineOf reads a compact timeline: one token per record, "." ok,
// "d" dns_failure (down), "s" slow_network (degraded), "_" a 20-minute gap
// (no record), each record a minute after the previous.
func timelineOf(s string) []timeline.Record {
	var out []timeline.Record
	at := t0
	for _, c := range s {
		switch c {
		case '_':
			at = at.Add(20 * time.Minute)
			continue
		case '.':
			out = append(out, timeline.Record{At: at, Code: "ok", Level: "ok", Cause: "none"})
		case 'd':
			out = append(out, timeline.Record{At: at, Code: "dns_failure", Level: "down", Cause: "network", Headline: "DNS is not working"})
		case 's':
			out = append(out, timeline.Record{At: at, Code: "slow_network", Level: "degraded", Cause: "network", Headline: "This network is slow"})
		}
		at = at.Add(time.Minute)
	}
	return out
}

// describe writes incidents as "start+minutes–end+minutes level code
// [codes] fixes", with "…" for an ongoing end.
func describe(is []incidents.Incident) string {
	var b strings.Builder
	for _, i := range is {
		end := "…"
		if i.End != nil {
			end = fmt.Sprint(i.End.Sub(t0).Minutes())
		}
		fmt.Fprintf(&b, "%v–%s %s %s %v %gs %d checks %v\n", i.Start.Sub(t0).Minutes(), end, i.Level, i.Code, i.Codes, i.DurationS, i.Checks, i.FixesTried)
	}
	return b.String()
}

func TestGroup(t *testing.T) {
	fix := func(min int, id string) history.Attempt {
		return history.Attempt{At: t0.Add(time.Duration(min)*time.Minute + 30*time.Second), Fix: id}
	}
	tests := []struct {
		name     string
		timeline string
		attempts []history.Attempt
		want     string
	}{
		{"all ok", ".....", nil, ""},
		{"empty", "", nil, ""},
		{"one incident, ended by an ok check", "..ddd..", nil,
			"2–5 down dns_failure [dns_failure] 180s 3 checks []\n"},
		{"worst level wins, every code listed", ".sdds.", nil,
			"1–5 down dns_failure [slow_network dns_failure] 240s 4 checks []\n"},
		{"ongoing at the end", "..dd", nil,
			"2–… down dns_failure [dns_failure] 480s 2 checks []\n"},
		{"two incidents", ".d..ss.", nil,
			"1–2 down dns_failure [dns_failure] 60s 1 checks []\n4–6 degraded slow_network [slow_network] 120s 2 checks []\n"},
		{"a gap ends an incident at its last record", "dd_dd.", nil,
			"0–1 down dns_failure [dns_failure] 60s 2 checks []\n22–24 down dns_failure [dns_failure] 120s 2 checks []\n"},
		{"fixes tried inside the incident, once each", ".ddd.d", []history.Attempt{fix(0, "renew-dhcp"), fix(1, "flush-dns"), fix(2, "flush-dns"), fix(3, "renew-dhcp"), fix(6, "try-other-network")},
			"1–4 down dns_failure [dns_failure] 180s 3 checks [flush-dns renew-dhcp]\n5–… down dns_failure [dns_failure] 300s 1 checks [try-other-network]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0.Add(10 * time.Minute)
			if got := describe(incidents.Group(timelineOf(tt.timeline), tt.attempts, now)); got != tt.want {
				t.Errorf("timeline %q\n--- got\n%s--- want\n%s", tt.timeline, got, tt.want)
			}
		})
	}
}

func TestAvailability(t *testing.T) {
	loc := time.FixedZone("UTC+10", 10*3600) // t0 is 00:00 on 2 Dec there
	rs := timelineOf("..d.")
	rs = append(rs, timeline.Record{At: t0.Add(-time.Hour), Code: "ok", Level: "ok"}) // 23:00 on 1 Dec
	rs = append([]timeline.Record{rs[4]}, rs[:4]...)
	got := incidents.Availability(rs, loc)
	want := []incidents.Day{{Date: "2026-12-01", Checks: 1, OK: 1, Ratio: 1}, {Date: "2026-12-02", Checks: 4, OK: 3, Ratio: 0.75}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Availability = %v, want %v", got, want)
	}
}

func TestAlsoLeavesOutTheMainCode(t *testing.T) {
	for _, tt := range []struct {
		code  string
		codes []string
		want  []string
	}{
		{"blocked", []string{"blocked"}, []string{}},
		{"blocked", []string{"slow_network", "blocked", "dns_failure"}, []string{"slow_network", "dns_failure"}},
		{"dns_failure", []string{"dns_failure", "offline"}, []string{"offline"}},
	} {
		i := incidents.Incident{Code: tt.code, Codes: tt.codes}
		if got := i.Also(); !slices.Equal(got, tt.want) {
			t.Errorf("Also() of %s in %v = %v, want %v", tt.code, tt.codes, got, tt.want)
		}
		if len(i.Codes) != len(tt.codes) {
			t.Errorf("Also changed Codes: %v", i.Codes)
		}
	}
}

func TestRank(t *testing.T) {
	for level, want := range map[string]int{"ok": 0, "degraded": 1, "down": 2, "critical": 1, "": 1} {
		if got := incidents.Rank(level); got != want {
			t.Errorf("Rank(%q) = %d, want %d", level, got, want)
		}
	}
	// An incident of a level a newer idpulse wrote is not taken for ok:
	// it outranks nothing worse, and a later down still wins.
	rs := timelineOf(".dd.")
	rs[1].Level = "critical"
	if is := incidents.Group(rs, nil, rs[3].At); len(is) != 1 || is[0].Level != "down" {
		t.Errorf("incidents %s, want one, down", describe(is))
	}
}
