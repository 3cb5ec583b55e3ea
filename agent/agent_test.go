package agent_test

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent"
	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/fixes"
	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/remedy"
	"github.com/idpulse/idpulse/agent/settings"
	"github.com/idpulse/idpulse/agent/statefile"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/probetest"
)

// fakeUI records what the agent shows and lets the test click.
type fakeUI struct {
	mu      sync.Mutex
	model   menu.Model
	doc     *verdict.Document
	changed chan struct{}
	clicks  chan menu.Action
	shows   int
}

func newFakeUI() *fakeUI {
	return &fakeUI{changed: make(chan struct{}, 1), clicks: make(chan menu.Action, 4)}
}

func (u *fakeUI) Show(m menu.Model, doc *verdict.Document) {
	u.mu.Lock()
	u.model, u.doc = m, doc // only the latest: the soak benchmark measures the agent's memory, not ours
	u.shows++
	u.mu.Unlock()
	select {
	case u.changed <- struct{}{}:
	default:
	}
}

func (u *fakeUI) Actions() <-chan menu.Action { return u.clicks }

func (u *fakeUI) last() (menu.Model, *verdict.Document, int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.model, u.doc, u.shows
}

// waitFor polls the UI until cond holds; the cap only stops a hung test.
func (u *fakeUI) waitFor(t testing.TB, what string, cond func(menu.Model, *verdict.Document) bool) (menu.Model, *verdict.Document) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		m, doc, _ := u.last()
		if cond(m, doc) {
			return m, doc
		}
		select {
		case <-u.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; last headline %q", what, title(m, "headline"))
		}
	}
}

func title(m menu.Model, id string) string {
	it, _ := m.Find(id)
	return it.Title
}

// fakeNotifier records notifications.
type fakeNotifier struct {
	mu   sync.Mutex
	sent []string
}

func (n *fakeNotifier) Notify(_ context.Context, title, body string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, title+" | "+body)
	return nil
}

func (n *fakeNotifier) list() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.sent...)
}

type harness struct {
	w      *probetest.World
	ui     *fakeUI
	notes  *fakeNotifier
	state  string
	done   chan error
	cancel context.CancelFunc
}

func start(t testing.TB) *harness { return startWith(t, nil) }

func startWith(t testing.TB, tweak func(*agent.Deps, *probetest.World)) *harness {
	t.Helper()
	w := probetest.NewWorld(t)
	cfg := config.Default()
	cfg.Check = w.Config
	cfg.Check.Deadline = probes.Duration(3 * time.Second)
	cfg.Check.ProbeTimeout = probes.Duration(2 * time.Second)
	cfg.AppleStatus.URL = w.FeedURL()
	// Long intervals: the test drives cycles with Check Now.
	cfg.Agent.Interval = probes.Duration(time.Hour)
	cfg.Agent.Recheck = probes.Duration(time.Hour)
	dir := t.TempDir()
	h := &harness{w: w, ui: newFakeUI(), notes: &fakeNotifier{}, state: filepath.Join(dir, "state.json"), done: make(chan error, 1)}
	deps := agent.Deps{
		Env:       w.Env(),
		UI:        h.ui,
		Notifier:  h.notes,
		Settings:  &settings.Store{Path: filepath.Join(dir, "settings.json"), Now: time.Now},
		StatePath: h.state,
		Version:   "test",
	}
	if tweak != nil {
		tweak(&deps, w)
	}
	a := agent.New(cfg, deps)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-h.done
	})
	return h
}

func (h *harness) checkNow(t testing.TB) *verdict.Document {
	t.Helper()
	_, prev, _ := h.ui.last()
	h.ui.clicks <- menu.Action{Kind: menu.ActionCheckNow}
	// Each finished cycle shows a new document; wait for one that is not
	// the document from before the click.
	_, doc := h.ui.waitFor(t, "a fresh check", func(m menu.Model, d *verdict.Document) bool {
		return d != nil && d != prev
	})
	return doc
}

func TestAgentShowsVerdictNotifiesOnceAndRecovers(t *testing.T) {
	h := start(t)
	m, doc := h.ui.waitFor(t, "the first verdict", func(m menu.Model, d *verdict.Document) bool { return d != nil })
	if doc.Verdict.Code != verdict.CodeOK || m.Icon != menu.IconOK {
		t.Fatalf("first verdict %s, icon %s", doc.Verdict.Code, m.Icon)
	}
	if got := title(m, "headline"); got != doc.Verdict.Headline {
		t.Errorf("headline row %q, want %q", got, doc.Verdict.Headline)
	}
	if st, err := statefile.Read(h.state); err != nil || st.Verdict.Code != verdict.CodeOK {
		t.Errorf("state file: %v %v", st.Verdict.Code, err)
	}

	// Break it: a hosts entry. The first failing check must not notify
	// (hysteresis), the second must, exactly once.
	h.w.WriteHosts("0.0.0.0 appleid.apple.com\n")
	doc = h.checkNow(t)
	if doc.Verdict.Code != verdict.CodeHostsOverride {
		t.Fatalf("verdict %s after the fault", doc.Verdict.Code)
	}
	m, _, _ = h.ui.last()
	if m.Icon != menu.IconDown || !strings.HasPrefix(title(m, "fix.0"), "Fix: ") {
		t.Errorf("icon %s, first fix row %q", m.Icon, title(m, "fix.0"))
	}
	if n := h.notes.list(); len(n) != 0 {
		t.Errorf("notified after one failing check: %v", n)
	}
	h.checkNow(t)
	h.checkNow(t)
	waitNotes(t, h.notes, 1)
	if n := h.notes.list(); len(n) != 1 || !strings.Contains(n[0], "Can't reach Apple ID") || !strings.Contains(n[0], "hosts") {
		t.Errorf("notifications after the fault held = %q, want exactly one naming the hosts file", n)
	}

	// Mend it: recovery is announced after one good check.
	h.w.WriteHosts("127.0.0.1 localhost\n")
	doc = h.checkNow(t)
	if doc.Verdict.Code != verdict.CodeOK {
		t.Fatalf("verdict %s after the repair", doc.Verdict.Code)
	}
	waitNotes(t, h.notes, 2)
	if n := h.notes.list(); len(n) != 2 || !strings.Contains(n[1], "reachable again") {
		t.Errorf("notifications = %q, want a recovery second", n)
	}
	if st, _ := statefile.Read(h.state); st.Verdict.Code != verdict.CodeOK {
		t.Errorf("state file still says %s", st.Verdict.Code)
	}

	h.ui.clicks <- menu.Action{Kind: menu.ActionQuit}
	if err := <-h.done; err != nil {
		t.Errorf("Run after Quit = %v, want nil", err)
	}
	h.done <- nil // for Cleanup
}

func waitNotes(t *testing.T, n *fakeNotifier, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(n.list()) < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAgentCyclesDoNotLeak runs many cycles and compares the goroutine count
// between an early and a late one: every cycle must clean up after itself.
func TestAgentCyclesDoNotLeak(t *testing.T) {
	h := start(t)
	h.ui.waitFor(t, "the first verdict", func(m menu.Model, d *verdict.Document) bool { return d != nil })
	cycles := 80
	if testing.Short() {
		cycles = 30
	}
	var early int
	for i := 0; i < cycles; i++ {
		h.checkNow(t)
		if i == 10 {
			early = goroutines()
		}
	}
	if late := goroutines(); late > early {
		t.Errorf("goroutines grew from %d to %d over %d cycles", early, late, cycles-10)
	}
}

func goroutines() int {
	// Give finished workers a moment to exit before counting.
	for i := 0; i < 50; i++ {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	return runtime.NumGoroutine()
}

// BenchmarkAgentSoak drives b.N whole cycles through the real loop, one
// every 100 ms (Check Now, as fast as the soak test asks), and
// reports heap and goroutine growth between the first tenth and the end.
// Run it as: go test -run '^$' -bench AgentSoak -benchtime 2000x ./agent/
func BenchmarkAgentSoak(b *testing.B) {
	h := start(b)
	h.ui.waitFor(b, "the first verdict", func(m menu.Model, d *verdict.Document) bool { return d != nil })
	var heap0, g0 uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		time.Sleep(100 * time.Millisecond)
		h.checkNow(b)
		if i == b.N/10 {
			heap0, g0 = liveHeap(), uint64(goroutines())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(int64(liveHeap())-int64(heap0))/1e6, "MB-live-heap-growth")
	b.ReportMetric(float64(int64(goroutines())-int64(g0)), "goroutine-growth")
}

// liveHeap is the bytes of live objects after a full collection: what a
// leak would grow (HeapInuse also counts partly used spans, which is noise).
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestAgentFixClosesTheLoop clicks "Fix: Remove Hosts Entries" and expects
// the hosts file mended, an immediate re-check, one notification with the
// outcome, and the attempt recorded with the verdict after it.
func TestAgentFixClosesTheLoop(t *testing.T) {
	histDir := t.TempDir()
	h := startWith(t, func(d *agent.Deps, w *probetest.World) {
		w.WriteHosts("127.0.0.1 localhost\n0.0.0.0 appleid.apple.com\n")
		d.Fixer = remedy.Service{
			Exec:      fixes.Executor{GOOS: "linux", Runner: command.Exec{}, Euid: 0},
			HostsPath: w.HostsFile, Attempts: history.Attempts(histDir),
		}
		d.Transitions = history.Transitions(histDir)
	})
	m, _ := h.ui.waitFor(t, "the hosts verdict", func(m menu.Model, d *verdict.Document) bool {
		return d != nil && d.Verdict.Code == verdict.CodeHostsOverride
	})
	fix, _ := m.Find("fix.0")
	if fix.Action.Kind != menu.ActionFix || fix.Action.Arg != verdict.FixRemoveHostsEntries {
		t.Fatalf("first fix row = %+v", fix)
	}
	h.ui.clicks <- fix.Action
	h.ui.waitFor(t, "a healthy check after the fix", func(m menu.Model, d *verdict.Document) bool {
		return d != nil && d.Verdict.Code == verdict.CodeOK
	})
	waitNotes(t, h.notes, 1)
	if n := h.notes.list(); len(n) != 1 || !strings.Contains(n[0], "Apple ID is reachable again") {
		t.Errorf("notifications = %q, want the fix's outcome", n)
	}
	attempts, err := history.Attempts(histDir).Recent(5)
	if err != nil || len(attempts) != 1 || attempts[0].VerdictAfter != "ok" {
		t.Errorf("attempts = %+v, %v", attempts, err)
	}
	trans, _ := history.Transitions(histDir).Recent(5)
	if len(trans) != 2 || trans[0].To != "hosts_override" || trans[1].To != "ok" {
		t.Errorf("transitions = %+v", trans)
	}
}
