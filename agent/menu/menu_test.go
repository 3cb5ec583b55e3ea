package menu

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
)

// zone is a fixed UTC+2 so the tests show local times without depending on
// the machine's time zone database.
const zoneOffset = 2 * 3600

var zone = time.FixedZone("test", zoneOffset)

func at(hh, mm, ss int) time.Time { return time.Date(2026, 3, 14, hh, mm, ss, 0, zone) }

func ptr[T any](v T) *T { return &v }

func healthyDoc() *verdict.Document {
	return &verdict.Document{
		Time: at(14, 2, 0).UTC(),
		Verdict: verdict.Verdict{Level: verdict.LevelOK, Code: verdict.CodeOK, Headline: "Apple ID connectivity is healthy",
			Detail: "This Mac reaches Apple's sign-in servers with genuine certificates.", Fixes: []string{}},
		Probes: probes.Results{
			{ID: probes.IDLink, Status: probes.StatusOK, Summary: "en0 up, default route via 192.168.1.1"},
			{ID: probes.IDDNS, Status: probes.StatusOK, Summary: "7 Apple names resolve"},
			{ID: probes.IDProxy, Status: probes.StatusSkip, Summary: "no proxy configured"},
			{ID: probes.IDClock, Status: probes.StatusWarn, Summary: "clock 3 s fast"},
		},
		AppleStatus: &verdict.AppleStatus{Services: []verdict.AppleService{
			{Name: "Apple ID", Status: "ok", SignIn: true},
			{Name: "App Store", Status: "ok", Events: []verdict.AppleEvent{
				{Type: "Maintenance", Status: "upcoming", Start: ptr(at(21, 0, 0).UTC()), End: ptr(at(23, 0, 0).UTC()), Message: "Purchases may be unavailable."},
			}},
		}},
	}
}

// servicesResult is a services probe that found the software-update hosts
// blocked.
func servicesResult() probes.Result {
	return probes.Result{ID: probes.IDServices, Status: probes.StatusFail,
		Summary: "3 services checked (sampled hosts): software_update fails",
		Evidence: &probes.ServicesEvidence{Services: []probes.ServiceResult{
			{ID: "sign_in", Title: "Sign-in", Status: probes.StatusSkip, Summary: "checked by the reach, tls and https probes"},
			{ID: "icloud", Title: "iCloud", Status: probes.StatusOK, Summary: "2 of 2 hosts reachable"},
			{ID: "software_update", Title: "Software Update", Status: probes.StatusFail,
				Summary: "all 2 hosts fail: swscan.apple.com:443 refused at connect"},
		}}}
}

func downDoc() *verdict.Document {
	d := healthyDoc()
	d.Verdict = verdict.Verdict{Level: verdict.LevelDown, Code: verdict.CodeDNSFailure, Headline: "DNS is not working",
		Detail: "The network's DNS server is down or unreachable.",
		Fixes:  []string{verdict.FixFlushDNS, verdict.FixRenewDHCP, verdict.FixOpenNetworkSettings, verdict.FixTryOtherNetwork, verdict.FixDisconnectVPN}}
	d.Probes[1] = probes.Result{ID: probes.IDDNS, Status: probes.StatusFail, Summary: "gs.apple.com, idmsa.apple.com and 5 more cannot be looked up: the DNS server at 192.168.1.1 does not answer"}
	return d
}

func outageDoc() *verdict.Document {
	d := healthyDoc()
	d.Verdict = verdict.Verdict{Level: verdict.LevelDown, Code: verdict.CodeAppleOutage, Cause: verdict.CauseApple,
		Headline: "Apple reports an outage with Apple ID — nothing to fix on this Mac",
		Detail:   "Apple System Status shows an ongoing event on a sign-in service.",
		Fixes:    []string{verdict.FixOpenSystemStatus}}
	d.AppleStatus.Services = []verdict.AppleService{
		{Name: "Apple ID", Status: "outage", SignIn: true, Events: []verdict.AppleEvent{
			{Type: "Outage", Status: "resolved", Start: ptr(at(9, 0, 0).UTC())},
			{Type: "Outage", Status: "ongoing", Start: ptr(at(14, 2, 0).UTC()), UsersAffected: "Some users", Message: "Users may be unable to sign in."},
		}},
		{Name: "iCloud Mail", Status: "issue", Events: []verdict.AppleEvent{
			{Type: "Performance", Status: "ongoing", Start: ptr(time.Date(2026, 3, 13, 22, 30, 0, 0, zone).UTC())},
		}},
		{Name: "App Store", Status: "maintenance", Events: []verdict.AppleEvent{
			{Type: "Maintenance", Status: "ongoing", Start: ptr(at(13, 0, 0).UTC()), End: ptr(time.Date(2026, 3, 15, 1, 0, 0, 0, zone).UTC())},
		}},
	}
	return d
}

func baseInput() Input {
	return Input{
		Now:         at(14, 2, 15),
		LastChecked: at(14, 2, 0),
		NextCheck:   at(14, 3, 0),
		Notifications: Notifications{
			Enabled: true, Recovery: true, QuietLabel: "22:00–07:00",
		},
		LaunchAtLogin: ptr(true),
		AllFixes:      []Fix{{ID: verdict.FixFlushDNS}, {ID: "reset-ntp-server", Title: ""}, {ID: verdict.FixRenewDHCP, Title: "Renew Lease"}},
		Version:       "1.2.3",
		StatusURL:     "https://status.example/",
	}
}

// render writes the visible menu as text, one row per line: indentation for
// submenus, "[x]"/"[ ]" for checkboxes, "(off)" for disabled rows and the
// action after an arrow. It is what a person would see, in a diffable form.
func render(m Model) string {
	var b strings.Builder
	fmt.Fprintf(&b, "icon=%s tooltip=%q\n", m.Icon, m.Tooltip)
	var walk func(items []Item, depth int)
	walk = func(items []Item, depth int) {
		for _, it := range items {
			if it.Hidden {
				continue
			}
			b.WriteString(strings.Repeat("  ", depth))
			if it.Separator {
				b.WriteString("---\n")
				continue
			}
			if it.Checkable {
				if it.Checked {
					b.WriteString("[x] ")
				} else {
					b.WriteString("[ ] ")
				}
			}
			b.WriteString(it.Title)
			if !it.Enabled {
				b.WriteString(" (off)")
			}
			if it.Action.Kind != ActionNone {
				b.WriteString(" → " + string(it.Action.Kind))
				if it.Action.Arg != "" {
					b.WriteString(":" + it.Action.Arg)
				}
			}
			b.WriteString("\n")
			walk(it.Children, depth+1)
		}
	}
	walk(m.Items, 0)
	return b.String()
}

// TestBuildRows compares the rendered menu of each state with its golden
// file, testdata/rows/<name>.txt: the menu as a person would read it.
func TestBuildRows(t *testing.T) {
	tests := []struct {
		name string // also the golden file's name
		in   func(in *Input)
	}{
		{
			name: "healthy",
			in:   func(in *Input) { in.Doc = healthyDoc() },
		},
		{
			name: "down-with-fixes-more-than-fit",
			in: func(in *Input) {
				in.Doc = downDoc()
				in.AllFixes = nil
				in.LaunchAtLogin = nil
				in.NextCheck = at(14, 5, 40)
			},
		},
		{
			name: "paused-until-tomorrow-notifications-otherwise-off",
			in: func(in *Input) {
				in.Doc = downDoc()
				in.Paused = true
				in.PausedUntil = time.Date(2026, 3, 15, 8, 0, 0, 0, zone)
				in.Notifications = Notifications{Enabled: false, QuietHours: true}
				in.NextCheck = at(15, 30, 0)
				in.AllFixes = nil
			},
		},
		{
			name: "checking-for-the-first-time",
			in: func(in *Input) {
				in.Checking = true
				in.LastChecked = time.Time{}
				in.AllFixes = nil
				in.Version = ""
				in.StatusURL = ""
			},
		},
		{
			name: "apple-outage-re-checking",
			in: func(in *Input) {
				in.Doc = outageDoc()
				in.Checking = true
				in.AllFixes = nil
			},
		},
		{
			// The services probe shows as one row per Apple service it
			// checked; sign-in, left to the other probes, shows none.
			name: "update-hosts-blocked",
			in: func(in *Input) {
				in.Doc = healthyDoc()
				in.Doc.Verdict = verdict.Verdict{Level: verdict.LevelDegraded, Code: verdict.CodeUpdateBlocked,
					Headline: "macOS installs, updates and restores will fail (error 3014)", Fixes: []string{}}
				in.Doc.Probes = append(in.Doc.Probes, servicesResult())
				in.AllFixes = nil
			},
		},
		{
			name: "fix-running",
			in: func(in *Input) {
				in.Doc = downDoc()
				in.RunningFix = verdict.FixRenewDHCP
				in.AllFixes = []Fix{{ID: verdict.FixRenewDHCP}}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput()
			tt.in(&in)
			want, err := os.ReadFile(filepath.Join("testdata", "rows", tt.name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			if got := render(Build(in)); got != string(want) {
				t.Errorf("menu differs from testdata/rows/%s.txt\n--- got\n%s--- want\n%s", tt.name, got, want)
			}
		})
	}
}

// TestBuildDetails covers what render leaves out: tooltips and rows only
// some states show.
func TestBuildDetails(t *testing.T) {
	tests := []struct {
		name   string
		in     func(in *Input)
		id     string
		title  string
		tip    string
		hidden bool
	}{
		{"headline tooltip is the detail", func(in *Input) { in.Doc = downDoc() },
			"headline", "DNS is not working", "The network's DNS server is down or unreachable.", false},
		{"check tooltip is the full summary", func(in *Input) { in.Doc = downDoc() },
			"checks.1", "✗ DNS — gs.apple.com, idmsa.apple.com and 5 more cannot be looked…",
			"gs.apple.com, idmsa.apple.com and 5 more cannot be looked up: the DNS server at 192.168.1.1 does not answer", false},
		{"service tooltip is Apple's message", func(in *Input) { in.Doc = outageDoc() },
			"services.0", "✗ Apple ID — Outage since 14:02", "Users may be unable to sign in. (Some users)", false},
		{"feed error", func(in *Input) {
			in.Doc = healthyDoc()
			in.Doc.AppleStatus = &verdict.AppleStatus{Error: ptr("HTTP 503"), Services: []verdict.AppleService{}}
		}, "services.note", "Status unavailable", "HTTP 503", false},
		{"feed error with the last known services", func(in *Input) {
			in.Doc = healthyDoc()
			in.Doc.AppleStatus.Error = ptr("timeout")
		}, "services.note", "Status unavailable — showing the last known", "timeout", false},
		{"feed not read", func(in *Input) { in.Doc = healthyDoc(); in.Doc.AppleStatus = nil },
			"services.note", "Not checked yet", "Apple System Status has not been read yet.", false},
		{"services note hidden when services show", func(in *Input) { in.Doc = healthyDoc() },
			"services.note", "", "", true},
		{"fixes beyond the slots are cut", func(in *Input) { in.Doc = downDoc() },
			"fix.3", "Fix: Try Another Network", "", false},
		{"no status row while the first check runs", func(in *Input) { in.Checking = true },
			"status", "", "", true},
		{"status row without a last check", func(in *Input) { in.LastChecked = time.Time{} },
			"status", "Next check in 45 s", "", false},
		{"status row falls back to the document time", func(in *Input) { in.Doc = healthyDoc(); in.LastChecked = time.Time{}; in.NextCheck = time.Time{} },
			"status", "Last checked 14:02", "", false},
		{"status row says the log cannot be written", func(in *Input) { in.LogFailing = true },
			"status", "idpulse cannot write its log", "Its records are lost until it can (is the disk full?); it retries with each one.", false},
		{"even while a check runs", func(in *Input) { in.LogFailing = true; in.Checking = true },
			"status", "idpulse cannot write its log", "Its records are lost until it can (is the disk full?); it retries with each one.", false},
		{"an incident says since when, and the tooltip when it was checked", func(in *Input) { in.Doc = downDoc(); in.IncidentSince = at(13, 50, 0) },
			"status", "Down since 13:50 (12 min)", "Last checked 14:02 · next in 45 s", false},
		{"even while a recheck runs", func(in *Input) { in.Doc = downDoc(); in.IncidentSince = at(13, 50, 0); in.Checking = true },
			"status", "Down since 13:50 (12 min)", "Last checked 14:02 · next in 45 s", false},
		{"a degraded incident", func(in *Input) {
			in.Doc = downDoc()
			in.Doc.Verdict.Level = verdict.LevelDegraded
			in.IncidentSince = at(14, 1, 0)
		}, "status", "Degraded since 14:01 (1 min)", "Last checked 14:02 · next in 45 s", false},
		{"an incident that started yesterday", func(in *Input) { in.Doc = downDoc(); in.IncidentSince = at(14, 2, 15).Add(-25 * time.Hour) },
			"status", "Down since yesterday 13:02 (25 h)", "Last checked 14:02 · next in 45 s", false},
		{"no incident row once the verdict is ok", func(in *Input) { in.Doc = healthyDoc(); in.IncidentSince = at(13, 50, 0) },
			"status", "Last checked 14:02 · next in 45 s", "", false},
		{"paused without an end", func(in *Input) { in.Paused = true },
			"paused", "Notifications paused", "", false},
		{"launch at login unavailable", func(in *Input) { in.LaunchAtLogin = nil },
			"launch-at-login", "Launch at Login", "Not available on this system", false},
		{"custom fix titles", func(in *Input) {
			in.Doc = downDoc()
			in.FixTitle = func(id string) string { return strings.ToUpper(id) }
		}, "fix.0", "Fix: FLUSH-DNS", "", false},
		{"long headline is cut, tooltip keeps it", func(in *Input) {
			in.Doc = healthyDoc()
			in.Doc.Verdict.Headline = strings.Repeat("word ", 20)
			in.Doc.Verdict.Detail = "Detail."
		}, "headline", strings.TrimSpace(strings.Repeat("word ", 15)) + "…", strings.Repeat("word ", 20) + ". Detail.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput()
			tt.in(&in)
			it, ok := Build(in).Find(tt.id)
			if !ok {
				t.Fatalf("no item %q", tt.id)
			}
			if it.Hidden != tt.hidden {
				t.Errorf("Hidden = %v, want %v", it.Hidden, tt.hidden)
			}
			if tt.hidden {
				return
			}
			if it.Title != tt.title {
				t.Errorf("Title = %q, want %q", it.Title, tt.title)
			}
			if it.Tooltip != tt.tip {
				t.Errorf("Tooltip = %q, want %q", it.Tooltip, tt.tip)
			}
		})
	}
}

func TestIcon(t *testing.T) {
	degraded := healthyDoc()
	degraded.Verdict.Level = verdict.LevelDegraded
	tests := []struct {
		name string
		in   Input
		want IconState
	}{
		{"before the first result", Input{}, IconChecking},
		{"first check running", Input{Checking: true}, IconChecking},
		{"ok", Input{Doc: healthyDoc()}, IconOK},
		{"re-checking keeps the result", Input{Doc: downDoc(), Checking: true}, IconDown},
		{"degraded", Input{Doc: degraded}, IconDegraded},
		{"paused wins over the verdict", Input{Doc: downDoc(), Paused: true}, IconPaused},
		{"paused before the first result", Input{Paused: true, Checking: true}, IconPaused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Build(tt.in).Icon; got != tt.want {
				t.Errorf("Icon = %q, want %q", got, tt.want)
			}
		})
	}
}

// shape is an item tree reduced to what the tray creates items from.
func shape(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%s sep=%v check=%v children=%d", it.ID, it.Separator, it.Checkable, len(it.Children)))
		for _, c := range shape(it.Children) {
			out = append(out, it.ID+"/"+c)
		}
	}
	return out
}

// randomInput draws an input from the states the agent can be in, and
// some it should never be in (more fixes than slots, empty strings).
func randomInput(r *rand.Rand) Input {
	pick := func(n int) int { return r.IntN(n) }
	now := at(pick(24), pick(60), pick(60))
	in := Input{
		Checking:    pick(2) == 0,
		Now:         now,
		Paused:      pick(3) == 0,
		RunningFix:  []string{"", verdict.FixFlushDNS, "unknown-fix"}[pick(3)],
		Version:     []string{"", "1.0.0"}[pick(2)],
		StatusURL:   []string{"", "https://x/"}[pick(2)],
		LastChecked: now.Add(-time.Duration(pick(7200)) * time.Second),
		NextCheck:   now.Add(time.Duration(pick(7200)-600) * time.Second),
	}
	if pick(2) == 0 {
		in.PausedUntil = now.Add(time.Duration(pick(48)) * time.Hour)
	}
	if pick(2) == 0 {
		in.LaunchAtLogin = ptr(pick(2) == 0)
	}
	in.Notifications = Notifications{Enabled: pick(2) == 0, Recovery: pick(2) == 0, QuietHours: pick(2) == 0}
	for range pick(MaxAllFixes + 5) {
		in.AllFixes = append(in.AllFixes, Fix{ID: fmt.Sprintf("fix-%d", pick(100))})
	}
	if pick(4) == 0 {
		return in
	}
	doc := []*verdict.Document{healthyDoc(), downDoc(), outageDoc()}[pick(3)]
	doc.Verdict.Level = []verdict.Level{verdict.LevelOK, verdict.LevelDegraded, verdict.LevelDown}[pick(3)]
	doc.Verdict.Fixes = nil
	for range pick(MaxFixes + 4) {
		doc.Verdict.Fixes = append(doc.Verdict.Fixes, []string{verdict.FixFlushDNS, verdict.FixOpenSystemStatus, "x"}[pick(3)])
	}
	doc.Probes = nil
	for i := range pick(MaxChecks + 5) {
		doc.Probes = append(doc.Probes, probes.Result{ID: probes.ID(fmt.Sprint("p", i)),
			Status:  []probes.Status{probes.StatusOK, probes.StatusWarn, probes.StatusFail, probes.StatusSkip, probes.StatusError}[pick(5)],
			Summary: strings.Repeat("é", pick(100))})
	}
	switch pick(4) {
	case 0:
		doc.AppleStatus = nil
	case 1:
		doc.AppleStatus.Error = ptr("boom")
	case 2:
		for range pick(MaxServices + 5) {
			doc.AppleStatus.Services = append(doc.AppleStatus.Services, outageDoc().AppleStatus.Services[pick(3)])
		}
	}
	in.Doc = doc
	return in
}

// TestBuildShapeIsSkeleton is the tray's contract: whatever the state,
// Build's tree has Skeleton's slots in Skeleton's order.
func TestBuildShapeIsSkeleton(t *testing.T) {
	want := strings.Join(shape(Skeleton().Items), "\n")
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		in := randomInput(r)
		m := Build(in)
		if got := strings.Join(shape(m.Items), "\n"); got != want {
			t.Fatalf("input %d: shape differs from Skeleton\n--- got\n%s\n--- want\n%s", i, got, want)
		}
		checkInvariants(t, m)
		if t.Failed() {
			t.Fatalf("input %d: %+v\n%s", i, in, render(m))
		}
	}
}

// checkInvariants are the rules that keep the menu tidy in every state.
func checkInvariants(t *testing.T, m Model) {
	t.Helper()
	seen := map[string]bool{}
	var walk func(items []Item, parent string)
	walk = func(items []Item, parent string) {
		visible := 0
		section := 0 // visible rows since the last separator
		for i, it := range items {
			if seen[it.ID] {
				t.Errorf("duplicate ID %q", it.ID)
			}
			seen[it.ID] = true
			switch {
			case it.Separator && it.Hidden:
				t.Errorf("separator %q hidden", it.ID)
			case it.Separator:
				if section == 0 {
					t.Errorf("%q: empty section before separator %q", parent, it.ID)
				}
				section = 0
			case !it.Hidden:
				visible++
				section++
				if it.Title == "" {
					t.Errorf("visible item %q has no title", it.ID)
				}
				if utf8Len(it.Title) > maxHeadline+len(" (running…)") {
					t.Errorf("item %q too wide: %q", it.ID, it.Title)
				}
			}
			if i == len(items)-1 && it.Separator {
				t.Errorf("%q ends in a separator", parent)
			}
			if it.Action.Kind == ActionNone && it.Enabled && it.Children == nil {
				t.Errorf("item %q is clickable but does nothing", it.ID)
			}
			if it.Children != nil {
				walk(it.Children, it.ID)
			}
		}
		if parent != "" && visible == 0 {
			if p, _ := m.Find(parent); !p.Hidden {
				t.Errorf("submenu %q is visible with no visible rows", parent)
			}
		}
	}
	walk(m.Items, "")
	if m.Tooltip == "" || m.Icon == "" {
		t.Errorf("icon %q tooltip %q", m.Icon, m.Tooltip)
	}
}

func utf8Len(s string) int { return len([]rune(s)) }

func TestSkeletonIDs(t *testing.T) {
	s := Skeleton()
	counts := map[string]int{}
	var walk func(items []Item)
	walk = func(items []Item) {
		for _, it := range items {
			if i := strings.LastIndexByte(it.ID, '.'); i > 0 && strings.Trim(it.ID[i+1:], "0123456789") == "" {
				counts[it.ID[:i]]++
			}
			walk(it.Children)
		}
	}
	walk(s.Items)
	want := map[string]int{"fix": MaxFixes, "all-fixes": MaxAllFixes, "checks": MaxChecks, "services": MaxServices}
	for g, n := range want {
		if counts[g] != n {
			t.Errorf("%d %s slots, want %d", counts[g], g, n)
		}
	}
	for _, id := range []string{"headline", "status", "check-now", "quit", "notifications.enabled", "launch-at-login"} {
		if _, ok := s.Find(id); !ok {
			t.Errorf("skeleton has no %q", id)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"one two three four", 10, "one two…"},
		{"ééééééééééé", 5, "éééé…"},
		{"cut, after comma", 5, "cut…"},
		{"", 3, ""},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.max); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if utf8Len(truncate(tt.in, tt.max)) > tt.max {
			t.Errorf("truncate(%q, %d) longer than %d", tt.in, tt.max, tt.max)
		}
	}
}

func TestTimes(t *testing.T) {
	now := at(14, 2, 15)
	b := builder{in: Input{Now: now}, loc: zone}
	rel := []struct {
		next time.Time
		want string
	}{
		{now.Add(45 * time.Second), "in 45 s"},
		{now.Add(44*time.Second + time.Millisecond), "in 45 s"},
		{now.Add(500 * time.Millisecond), "in a moment"},
		{now.Add(-time.Minute), "in a moment"},
		{now.Add(time.Minute), "in 1 min"},
		{now.Add(3*time.Minute + 20*time.Second), "in 3 min"},
		{now.Add(3*time.Minute + 40*time.Second), "in 4 min"},
		{now.Add(59*time.Minute + 40*time.Second), "at 15:01"},
		{now.Add(2 * time.Hour), "at 16:02"},
		{now.Add(12 * time.Hour), "at tomorrow 02:02"},
	}
	for _, tt := range rel {
		if got := b.relativeNext(tt.next); got != tt.want {
			t.Errorf("relativeNext(now+%v) = %q, want %q", tt.next.Sub(now), got, tt.want)
		}
	}
	day := []struct {
		t    time.Time
		want string
	}{
		{at(0, 0, 0), "00:00"},
		{at(23, 59, 0), "23:59"},
		{at(23, 59, 0).UTC(), "23:59"}, // shown in Now's zone
		{time.Date(2026, 3, 15, 0, 1, 0, 0, zone), "tomorrow 00:01"},
		{time.Date(2026, 3, 13, 23, 0, 0, 0, zone), "yesterday 23:00"},
		{time.Date(2026, 3, 16, 9, 0, 0, 0, zone), "Mar 16 09:00"},
		{time.Date(2025, 3, 14, 9, 0, 0, 0, zone), "Mar 14 09:00"},
	}
	for _, tt := range day {
		if got := b.dayTime(tt.t); got != tt.want {
			t.Errorf("dayTime(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

// TestDayTimeAcrossDST: a 23-hour day is still one day.
func TestDayTimeAcrossDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	// Clocks went forward at 02:00 on 29 March 2026.
	b := builder{in: Input{Now: time.Date(2026, 3, 28, 23, 30, 0, 0, berlin)}, loc: berlin}
	if got := b.dayTime(time.Date(2026, 3, 29, 23, 0, 0, 0, berlin)); got != "tomorrow 23:00" {
		t.Errorf("got %q, want tomorrow 23:00", got)
	}
}

func TestDefaultFixTitle(t *testing.T) {
	for id, want := range map[string]string{
		verdict.FixFlushDNS:            "Flush DNS Cache",
		verdict.FixRemoveHostsEntries:  "Remove Apple Entries from Hosts File",
		verdict.FixOpenNetworkSettings: "Open Network Settings",
		verdict.FixOpenProxySettings:   "Open Proxy Settings",
		verdict.FixOpenVPNSettings:     "Open VPN Settings",
		verdict.FixDisconnectVPN:       "Disconnect VPN",
		verdict.FixOpenCaptivePortal:   "Open Wi-Fi Login Page",
		verdict.FixTryOtherNetwork:     "Try Another Network",
		verdict.FixToggleWiFi:          "Turn Wi-Fi Off and On",
		verdict.FixRenewDHCP:           "Renew DHCP Lease",
		verdict.FixSyncClock:           "Set Clock from Time Server",
		verdict.FixOpenDateTime:        "Open Date & Time Settings",
		verdict.FixOpenSystemStatus:    "Open Apple System Status",
		verdict.FixContactSupport:      "Contact Apple Support",
		// Ids without a hand-written title are spelled out.
		"reset-ntp-server":     "Reset NTP Server",
		"open-icloud-settings": "Open iCloud Settings",
		"turn-wifi-off":        "Turn Wi-Fi Off",
		"sign-in-with-apple":   "Sign in with Apple",
		"of-course":            "Of Course",
		"":                     "",
	} {
		if got := DefaultFixTitle(id); got != want {
			t.Errorf("DefaultFixTitle(%q) = %q, want %q", id, got, want)
		}
	}
}
