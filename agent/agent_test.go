package agent_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	"github.com/idpulse/idpulse/probes/applestatus"
	"github.com/idpulse/idpulse/probes/catalog"
	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/command/commandtest"
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

// fakeNotifier records the notifications delivered. The agent sends each on
// a worker of its own, so a test knows they are all in only once Run has
// returned (Run waits for its workers).
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

// logRecorder keeps the agent's log. The loop logs each notification it
// decides on before it hands it to a worker and before it shows the check
// that called for it, so once a test has seen a check the list of
// notifications told is exact: no waiting on the asynchronous send.
type logRecorder struct {
	mu      sync.Mutex
	msgs    []string
	told    []string // "title | body", like fakeNotifier
	changed chan struct{}
}

func newLogRecorder() *logRecorder { return &logRecorder{changed: make(chan struct{}, 1)} }

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var title, body string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "title":
			title = a.Value.String()
		case "body":
			body = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.msgs = append(l.msgs, r.Message)
	if r.Message == "notification" {
		l.told = append(l.told, title+" | "+body)
	}
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
	return nil
}

// notifications is what the agent decided to notify so far.
func (l *logRecorder) notifications() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.told...)
}

// waitFor waits until msg has been logged n times; the cap only stops a
// hung test.
func (l *logRecorder) waitFor(t *testing.T, msg string, n int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		l.mu.Lock()
		got := 0
		for _, m := range l.msgs {
			if m == msg {
				got++
			}
		}
		l.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-l.changed:
		case <-deadline:
			t.Fatalf("%q logged %d times, want %d", msg, got, n)
		}
	}
}

type harness struct {
	w       *probetest.World
	ui      *fakeUI
	notes   *fakeNotifier
	log     *logRecorder
	state   string
	cancel  context.CancelFunc
	stopped chan struct{} // closed when Run has returned
	runErr  error
	// baseline is the goroutine count just before Run started.
	baseline int
}

func start(t testing.TB) *harness { return startWith(t, nil) }

func startWith(t testing.TB, tweak func(*agent.Deps, *probetest.World)) *harness {
	t.Helper()
	return startConfigured(t, nil, tweak)
}

// startConfigured is startWith with the configuration changed by tweakCfg
// first (nil: the harness's).
func startConfigured(t testing.TB, tweakCfg func(*config.Config), tweak func(*agent.Deps, *probetest.World)) *harness {
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
	if tweakCfg != nil {
		tweakCfg(&cfg)
	}
	dir := t.TempDir()
	h := &harness{w: w, ui: newFakeUI(), notes: &fakeNotifier{}, log: newLogRecorder(), state: filepath.Join(dir, "state.json"), stopped: make(chan struct{})}
	deps := agent.Deps{
		Env:       w.Env(),
		Logger:    slog.New(h.log),
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
	h.baseline = runtime.NumGoroutine()
	go func() {
		defer close(h.stopped)
		h.runErr = a.Run(ctx)
	}()
	t.Cleanup(func() { h.stop() })
	return h
}

// wait returns Run's error once Run has returned.
func (h *harness) wait() error {
	<-h.stopped
	return h.runErr
}

// stop cancels Run's context and waits for Run to return.
func (h *harness) stop() error {
	h.cancel()
	return h.wait()
}

// noneLeft fails unless, once Run has returned, the goroutine count falls
// back to what it was before Run. The cap only stops a hung test: the count
// is normally back at once, apart from the goroutine that called Run and
// loopback servers noticing their clients are gone.
func (h *harness) noneLeft(t *testing.T) {
	t.Helper()
	h.wait()
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() > h.baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after Run returned, %d before it started:\n%s",
				runtime.NumGoroutine(), h.baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
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
	if n := h.log.notifications(); len(n) != 0 {
		t.Errorf("notified after one failing check: %v", n)
	}
	h.checkNow(t)
	h.checkNow(t)
	if n := h.log.notifications(); len(n) != 1 || !strings.Contains(n[0], "Can't reach Apple ID") || !strings.Contains(n[0], "hosts") {
		t.Errorf("notifications after the fault held = %q, want exactly one naming the hosts file", n)
	}

	// Mend it: recovery is announced after one good check.
	h.w.WriteHosts("127.0.0.1 localhost\n")
	doc = h.checkNow(t)
	if doc.Verdict.Code != verdict.CodeOK {
		t.Fatalf("verdict %s after the repair", doc.Verdict.Code)
	}
	told := h.log.notifications()
	if len(told) != 2 || !strings.Contains(told[1], "reachable again") {
		t.Errorf("notifications = %q, want a recovery second", told)
	}
	if st, _ := statefile.Read(h.state); st.Verdict.Code != verdict.CodeOK {
		t.Errorf("state file still says %s", st.Verdict.Code)
	}

	h.ui.clicks <- menu.Action{Kind: menu.ActionQuit}
	if err := h.wait(); err != nil {
		t.Errorf("Run after Quit = %v, want nil", err)
	}
	// Run has waited for the sends: every notification decided is delivered.
	if sent := h.notes.list(); !slices.Equal(sent, told) {
		t.Errorf("delivered %q, want %q", sent, told)
	}
	h.noneLeft(t)
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
	told := h.log.notifications()
	if len(told) != 1 || !strings.Contains(told[0], "Apple ID is reachable again") {
		t.Errorf("notifications = %q, want the fix's outcome", told)
	}
	attempts, err := history.Attempts(histDir).Recent(5)
	if err != nil || len(attempts) != 1 || attempts[0].VerdictAfter != "ok" {
		t.Errorf("attempts = %+v, %v", attempts, err)
	}
	trans, _ := history.Transitions(histDir).Recent(5)
	if len(trans) != 2 || trans[0].To != "hosts_override" || trans[1].To != "ok" {
		t.Errorf("transitions = %+v", trans)
	}
	h.stop()
	if sent := h.notes.list(); !slices.Equal(sent, told) {
		t.Errorf("delivered %q, want %q", sent, told)
	}
}

// hang records calls that hold until their context is done, like a
// systemctl or a notification daemon that does not answer.
type hang struct {
	entered  chan string
	mu       sync.Mutex
	returned []string
}

func newHang() *hang { return &hang{entered: make(chan string, 16)} }

func (h *hang) hold(ctx context.Context, what string) error {
	h.entered <- what
	<-ctx.Done()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.returned = append(h.returned, what)
	return ctx.Err()
}

func (h *hang) done() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Sorted(slices.Values(h.returned))
}

// waitEntered waits until the calls in want are all in progress.
func (h *hang) waitEntered(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	var got []string
	for len(got) < len(want) {
		select {
		case w := <-h.entered:
			got = append(got, w)
		case <-deadline:
			t.Fatalf("calls in progress %q, want %q", got, want)
		}
	}
	if slices.Sort(got); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Fatalf("calls in progress %q, want %q", got, want)
	}
}

type hangingLogin struct{ *hang }

func (l hangingLogin) Enabled(ctx context.Context) (bool, error) {
	return false, l.hold(ctx, "login")
}
func (l hangingLogin) SetEnabled(ctx context.Context, on bool) error { return l.hold(ctx, "login") }

type hangingNotifier struct{ *hang }

func (n hangingNotifier) Notify(ctx context.Context, _, _ string) error { return n.hold(ctx, "notify") }

type hangingReporter struct{ *hang }

func (r hangingReporter) Copy(ctx context.Context, _ *verdict.Document) (string, error) {
	return "", r.hold(ctx, "report")
}

func (r hangingReporter) HistoryPage(ctx context.Context, _ *verdict.Document) (string, error) {
	return "", r.hold(ctx, "history")
}

type hangingFixer struct{ *hang }

func (f hangingFixer) List() []menu.Fix { return nil }
func (f hangingFixer) Run(ctx context.Context, _ string, _ *verdict.Document) (string, error) {
	return "", f.hold(ctx, "fix")
}
func (f hangingFixer) Record(string, string, error, string) {}

// TestAgentFixWhenNothingWasWrong: a fix run while Apple ID was reachable
// must not announce that it is reachable "again".
func TestAgentFixWhenNothingWasWrong(t *testing.T) {
	h := startWith(t, func(d *agent.Deps, w *probetest.World) {
		rec := commandtest.New()
		rec.Reply = func([]string) ([]byte, error) { return nil, nil }
		d.Fixer = remedy.Service{
			Exec:     fixes.Executor{GOOS: "linux", Runner: rec, Euid: 0},
			LookPath: func(string) bool { return true },
		}
	})
	h.ui.waitFor(t, "a healthy check", func(m menu.Model, d *verdict.Document) bool {
		return d != nil && d.Verdict.Code == verdict.CodeOK
	})
	h.ui.clicks <- menu.Action{Kind: menu.ActionFix, Arg: verdict.FixFlushDNS}
	h.log.waitFor(t, "notification", 1)
	told := h.log.notifications()
	if len(told) != 1 || strings.Contains(told[0], "again") || !strings.Contains(told[0], "Apple ID is reachable.") {
		t.Errorf("notifications = %q, want the outcome without \"again\"", told)
	}
}

// TestRunWaitsForItsWorkers leaves every kind of worker hanging — Launch at
// Login at start-up, a notification, a fix, the report copy, opening a URL,
// writing the history page — and expects the loop to carry on regardless,
// and Run, once cancelled, to return only after each of them has, leaving
// no goroutine behind.
func TestRunWaitsForItsWorkers(t *testing.T) {
	hg := newHang()
	h := startWith(t, func(d *agent.Deps, w *probetest.World) {
		w.WriteHosts("0.0.0.0 appleid.apple.com\n")
		d.LoginItem = hangingLogin{hg}
		d.Notifier = hangingNotifier{hg}
		d.Reporter = hangingReporter{hg}
		d.Fixer = hangingFixer{hg}
		d.Open = func(ctx context.Context, _ string) error { return hg.hold(ctx, "open") }
	})
	// The start-up read of Launch at Login hangs, yet the first check comes.
	hg.waitEntered(t, "login")
	m, _ := h.ui.waitFor(t, "the first verdict", func(m menu.Model, d *verdict.Document) bool { return d != nil })
	if it, _ := m.Find("launch-at-login"); it.Enabled {
		t.Errorf("Launch at Login row enabled before its state is known: %+v", it)
	}
	h.checkNow(t) // the second failing check: a notification, which hangs
	h.ui.clicks <- menu.Action{Kind: menu.ActionFix, Arg: verdict.FixFlushDNS}
	h.ui.clicks <- menu.Action{Kind: menu.ActionCopyReport}
	h.ui.clicks <- menu.Action{Kind: menu.ActionOpenURL, Arg: applestatus.PageURL}
	h.ui.clicks <- menu.Action{Kind: menu.ActionShowHistory}
	hg.waitEntered(t, "notify", "fix", "report", "open", "history")
	h.checkNow(t) // and the loop still runs cycles

	if err := h.stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel = %v, want context.Canceled", err)
	}
	if got, want := hg.done(), []string{"fix", "history", "login", "notify", "open", "report"}; !slices.Equal(got, want) {
		t.Errorf("Run returned with calls still in progress: returned %q, want %q", got, want)
	}
	h.noneLeft(t)
}

// gatedLogin answers each Launch at Login call when the test says so.
type gatedLogin struct {
	calls   chan string // "enabled", "set true", "set false"
	replies chan loginReply
}

type loginReply struct {
	on  bool
	err error
}

func newGatedLogin() *gatedLogin {
	return &gatedLogin{calls: make(chan string, 4), replies: make(chan loginReply)}
}

func (g *gatedLogin) Enabled(ctx context.Context) (bool, error) {
	g.calls <- "enabled"
	select {
	case r := <-g.replies:
		return r.on, r.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

func (g *gatedLogin) SetEnabled(ctx context.Context, on bool) error {
	g.calls <- fmt.Sprint("set ", on)
	select {
	case r := <-g.replies:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gatedLogin) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-g.calls:
		if got != want {
			t.Fatalf("Launch at Login call %q, want %q", got, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no Launch at Login call, want %q", want)
	}
}

// TestLaunchAtLoginToggle: the row waits for the start-up read, shows a
// toggle as asked while it is in flight (the menu stays live), ignores
// clicks meanwhile, and goes back to the old state when the toggle fails.
func TestLaunchAtLoginToggle(t *testing.T) {
	g := newGatedLogin()
	h := startWith(t, func(d *agent.Deps, _ *probetest.World) { d.LoginItem = g })
	row := func(enabled, checked bool) func(menu.Model, *verdict.Document) bool {
		return func(m menu.Model, _ *verdict.Document) bool {
			it, ok := m.Find("launch-at-login")
			return ok && it.Enabled == enabled && it.Checked == checked
		}
	}
	toggle := menu.Action{Kind: menu.ActionToggleLaunchAtLogin}

	// Each answer is logged as "launch at login" once the loop has it.
	answers := 0
	answer := func(r loginReply) {
		t.Helper()
		g.replies <- r
		answers++
		h.log.waitFor(t, "launch at login", answers)
	}

	g.expect(t, "enabled")
	h.ui.waitFor(t, "the first verdict", func(m menu.Model, d *verdict.Document) bool { return d != nil })
	h.ui.clicks <- toggle
	h.checkNow(t) // the toggle is handled before the answer: nothing to toggle yet
	answer(loginReply{on: false})
	h.ui.waitFor(t, "the row, off", row(true, false))

	h.ui.clicks <- toggle
	g.expect(t, "set true")
	h.ui.waitFor(t, "the row showing the toggle in flight", row(true, true))
	h.ui.clicks <- toggle // in flight: ignored
	h.checkNow(t)         // and the loop is not held by the call
	answer(loginReply{err: errors.New("systemctl: exit status 1")})
	h.ui.waitFor(t, "the row back off after the failure", row(true, false))

	h.ui.clicks <- toggle
	g.expect(t, "set true")
	answer(loginReply{})
	h.ui.waitFor(t, "the row, on", row(true, true))
	h.ui.clicks <- toggle
	g.expect(t, "set false")
	answer(loginReply{})
	h.ui.waitFor(t, "the row, off again", row(true, false))
	h.stop()
	if len(g.calls) != 0 {
		t.Errorf("unexpected Launch at Login call %q", <-g.calls)
	}
	h.noneLeft(t)
}

// The menu's status row says when the log cannot be written (a full disk),
// and goes back to the check times once it can.
func TestAgentMenuSaysLogCannotBeWritten(t *testing.T) {
	var failing atomic.Bool
	failing.Store(true)
	h := startWith(t, func(d *agent.Deps, _ *probetest.World) { d.LogFailing = failing.Load })
	h.ui.waitFor(t, "the log row", func(m menu.Model, d *verdict.Document) bool {
		return d != nil && title(m, "status") == menu.LogFailingTitle
	})
	failing.Store(false)
	h.checkNow(t)
	h.ui.waitFor(t, "the check times again", func(m menu.Model, d *verdict.Document) bool {
		return strings.HasPrefix(title(m, "status"), "Last checked")
	})
}

// TestAgentChecksTheWholeCatalogueAfterAFailingSample: the agent checks
// the sample of Apple's hosts, and the whole catalogue in the cycle after a
// sample found a service failing, then the sample again (schedule.Catalogue
// has the rest of the rules).
func TestAgentChecksTheWholeCatalogueAfterAFailingSample(t *testing.T) {
	h := startWith(t, func(_ *agent.Deps, w *probetest.World) {
		for _, host := range catalog.Hosts() {
			if host.Service == catalog.ICloud && host.Sample {
				w.Route(host.Host, host.Network(), host.Port, probetest.Route{To: probetest.ClosedPort(t)})
			}
		}
	})
	_, first := h.ui.waitFor(t, "the first verdict", func(m menu.Model, d *verdict.Document) bool { return d != nil })
	scope := func(doc *verdict.Document) (full bool, hosts int) {
		t.Helper()
		r, ok := doc.Probes.Get(probes.IDServices)
		if !ok {
			t.Fatal("no services result")
		}
		ev := r.Evidence.(*probes.ServicesEvidence)
		for _, s := range ev.Services {
			hosts += len(s.Hosts)
		}
		return ev.Full, hosts
	}
	var got []string
	for _, doc := range []*verdict.Document{first, h.checkNow(t), h.checkNow(t)} {
		full, n := scope(doc)
		got = append(got, fmt.Sprintf("full=%v hosts>%d=%v", full, 20, n > 20))
	}
	want := []string{"full=false hosts>20=false", "full=true hosts>20=true", "full=false hosts>20=false"}
	if !slices.Equal(got, want) {
		t.Errorf("cycles checked %q, want %q", got, want)
	}
}
