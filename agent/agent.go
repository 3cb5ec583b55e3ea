// Package agent is the long-running loop behind `idpulse run`: it schedules
// check cycles, turns their verdicts into a menu, notifications, a state file
// and log lines, and carries out what the user clicks.
//
// Concurrency: one loop goroutine owns all state and never blocks on the
// world. Everything that can take time runs on a worker goroutine with Run's
// context: a cycle (never two at once), a fix (one at a time), Launch at Login
// (reading it at start-up and setting it from the menu: systemctl on Linux,
// up to 30 s), copying the report, each notification and opening a URL.
// Workers with a result report it to the loop over a channel, and only the
// loop updates state from it. One UI goroutine is the only caller of UI.Show,
// so the tray library is only ever touched from one place. When Run ends it
// cancels the context and waits for every goroutine it started, so nothing
// of the agent outlives it.
package agent

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
	"unicode"

	"github.com/idpulse/idpulse/agent/alert"
	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/diagnose"
	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/metrics"
	"github.com/idpulse/idpulse/agent/notify"
	"github.com/idpulse/idpulse/agent/schedule"
	"github.com/idpulse/idpulse/agent/settings"
	"github.com/idpulse/idpulse/agent/statefile"
	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/applestatus"
)

// UI presents the agent's state: the menu bar, or lines on stdout when there
// is none.
type UI interface {
	// Show presents m; doc is the latest check (nil before the first).
	// The agent calls it from one goroutine only.
	Show(m menu.Model, doc *verdict.Document)
	// Actions delivers the user's clicks.
	Actions() <-chan menu.Action
}

// LoginItem turns "Launch at Login" on and off. Both calls may run commands
// (systemctl) and must return when ctx is done.
type LoginItem interface {
	Enabled(ctx context.Context) (bool, error)
	SetEnabled(ctx context.Context, on bool) error
}

// Deps are the agent's connections to the world, injected so that tests run
// the real loop against loopback fakes.
type Deps struct {
	Env      probes.Env
	Logger   *slog.Logger
	UI       UI
	Notifier notify.Notifier
	Settings *settings.Store
	// StatePath receives the last check after every cycle ("" = none).
	StatePath string
	// Transitions keeps verdict changes for the report (zero Path = none).
	Transitions history.Log[history.Transition]
	// Timeline receives every cycle (zero Dir = none; agent.history off).
	Timeline timeline.Store
	// NetChanges signals network changes (nil = none).
	NetChanges <-chan struct{}
	// Open opens a URL in the user's browser.
	Open func(ctx context.Context, url string) error
	// LoginItem is nil where Launch at Login is not available.
	LoginItem LoginItem
	// Fixer runs one-click fixes; Reporter copies the diagnostic report.
	Fixer    Fixer
	Reporter Reporter
	Version  string
	// Now and Mono are the wall clock and a monotonic reading; their
	// disagreement reveals sleep. Nil means the real clocks.
	Now  func() time.Time
	Mono func() time.Duration
	// Random draws the schedule's jitter; nil means math/rand.
	Random func() float64
	// LogFailing reports that the log file cannot be written (nil: it
	// never fails); the menu's status row says so.
	LogFailing func() bool
}

// Agent is the running loop. Its fields are owned by the loop goroutine.
type Agent struct {
	cfg  config.Config
	d    Deps
	log  *slog.Logger
	feed *applestatus.Client
	// metrics is the last check for Prometheus (nil: both outputs off).
	metrics *metrics.Exporter

	sched *schedule.Scheduler
	wake  *schedule.WakeDetector
	// catalogue picks the cycles that check Apple's whole host catalogue;
	// sampleFailed is whether the last cycle's sample found a service
	// failing, which brings the next full check forward.
	catalogue    schedule.Catalogue
	sampleFailed bool
	policy       *alert.Policy
	set          settings.Settings

	last        *verdict.Document
	apple       *verdict.AppleStatus
	prevSnap    *applestatus.Snapshot
	lastChecked time.Time
	checking    bool
	// loginOn is Launch at Login as last read or set (nil: unknown or not
	// available); loginBusy, a call to the LoginItem in flight, showing
	// loginWant when it is a toggle.
	loginOn    *bool
	loginBusy  bool
	loginWant  *bool
	runningFix string
	fixPending *fixDone

	// wg counts every goroutine Run starts; the channels bring workers'
	// results to the loop.
	wg      sync.WaitGroup
	cycles  chan cycleDone
	fixes   chan fixDone
	logins  chan loginDone
	reports chan reportDone
}

// New prepares an agent; Run starts it.
func New(cfg config.Config, d Deps) *Agent {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Mono == nil {
		start := time.Now()
		d.Mono = func() time.Duration { return time.Since(start) }
	}
	sc := schedule.DefaultConfig()
	sc.Interval = time.Duration(cfg.Agent.Interval)
	sc.FeedInterval = time.Duration(cfg.Agent.FeedInterval)
	sc.Recheck = time.Duration(cfg.Agent.Recheck)
	a := &Agent{
		cfg:       cfg,
		d:         d,
		log:       d.Logger,
		sched:     schedule.New(sc, d.Random),
		wake:      schedule.NewWakeDetector(sc.WakeGap),
		policy:    alert.New(alert.DefaultConfig()),
		catalogue: schedule.DefaultCatalogue(),
	}
	if cfg.AppleStatus.Enabled {
		a.feed = &applestatus.Client{URL: cfg.AppleStatus.URL, UserAgent: applestatus.UserAgent(d.Version)}
	}
	if cfg.Agent.MetricsListen != "" || cfg.Agent.MetricsTextfile != "" {
		a.metrics = metrics.New(d.Version, true)
	}
	return a
}

// cycleDone is a finished cycle, reported by its worker.
type cycleDone struct {
	diagnose.Cycle
	withFeed bool
}

// Run runs the loop until ctx is cancelled or the user quits. It returns nil
// on a user's Quit and ctx's error on cancellation.
func (a *Agent) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		// Every worker returns once ctx is done. Waiting for them also
		// means no UI call can happen after Run returns and the caller goes
		// on to quit the tray (a tray call after quit deadlocks on macOS).
		a.wg.Wait()
	}()
	a.cycles = make(chan cycleDone)
	a.fixes = make(chan fixDone)
	a.logins = make(chan loginDone)
	a.reports = make(chan reportDone)
	a.loadSettings()
	a.catalogue.Started(a.d.Now())
	if a.d.Timeline.Dir != "" {
		// Appends prune only when a new day starts; a retention lowered in
		// the config applies from this start.
		if err := a.d.Timeline.Prune(a.d.Now()); err != nil {
			a.log.Warn("old history not dropped", "err", err)
		}
	}
	a.serveMetrics(ctx)
	ui := newUIPump(a.d.UI)
	a.wg.Go(func() { ui.run(ctx) })
	a.readLogin(ctx)
	ui.show(a.model(a.d.Now()), a.last)

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	tick := time.NewTimer(time.Hour)
	defer tick.Stop()
	var actions <-chan menu.Action
	if a.d.UI != nil {
		actions = a.d.UI.Actions()
	}

	for {
		now := a.d.Now()
		if slept, jumped := a.wake.Observe(now, a.d.Mono()); slept > 0 {
			a.log.Info("woke from sleep", "slept", slept.Round(time.Second))
			a.policy.Woke(now)
			a.sched.Trigger(schedule.ReasonWake, now)
		} else if jumped {
			a.log.Info("wall clock jumped backwards")
		}
		due, withFeed, why := a.sched.Next()
		if !a.checking && !due.After(now) {
			a.startCycle(ctx, now, withFeed, why)
			ui.show(a.model(now), a.last)
			due, _, _ = a.sched.Next()
		}
		resetTimer(timer, due.Sub(now))
		if at := a.policy.NextTick(now, a.alertSettings()); !at.IsZero() {
			resetTimer(tick, at.Sub(now))
		} else {
			resetTimer(tick, time.Hour)
		}

		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		case <-tick.C:
			a.notify(ctx, a.policy.Tick(a.d.Now(), a.alertSettings()))
		case <-a.d.NetChanges:
			a.log.Debug("network changed")
			a.sched.Trigger(schedule.ReasonNetwork, a.d.Now())
		case res := <-a.cycles:
			a.finishCycle(ctx, res)
			ui.show(a.model(a.d.Now()), a.last)
			releaseMemory()
		case f := <-a.fixes:
			a.finishFix(ctx, f)
			ui.show(a.model(a.d.Now()), a.last)
		case l := <-a.logins:
			a.finishLogin(l)
			ui.show(a.model(a.d.Now()), a.last)
		case r := <-a.reports:
			a.finishReport(ctx, r)
		case act, ok := <-actions:
			if !ok {
				actions = nil
				continue
			}
			if quit := a.handle(ctx, act); quit {
				a.log.Info("quit from the menu")
				return nil
			}
			ui.show(a.model(a.d.Now()), a.last)
		}
	}
}

// serveMetrics serves /metrics on agent.metrics_listen until ctx is done. An
// address that cannot be bound is logged and the agent runs on without it:
// the menu matters more to the person at this computer than the fleet's
// scrape. The server idles in Accept: no wake-ups while nobody scrapes.
func (a *Agent) serveMetrics(ctx context.Context) {
	addr := a.cfg.Agent.MetricsListen
	if addr == "" {
		return
	}
	l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		a.log.Warn("metrics endpoint not started", "addr", addr, "err", err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}
	a.log.Info("metrics endpoint", "url", "http://"+l.Addr().String()+"/metrics")
	a.wg.Go(func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Warn("metrics endpoint stopped", "err", err)
		}
	})
	a.wg.Go(func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	})
}

func resetTimer(t *time.Timer, d time.Duration) {
	t.Stop()
	t.Reset(max(d, 0))
}

// spawn runs work on a worker goroutine that Run waits for, and hands its
// result to the loop on ch; once Run has stopped listening (ctx done) the
// result is dropped. Call it from the loop goroutine only.
func spawn[T any](ctx context.Context, a *Agent, ch chan<- T, work func() T) {
	a.wg.Go(func() {
		r := work()
		select {
		case ch <- r:
		case <-ctx.Done():
		}
	})
}

// startCycle runs one cycle on a worker goroutine.
func (a *Agent) startCycle(ctx context.Context, now time.Time, withFeed bool, why schedule.Reason) {
	a.checking = true
	full := a.catalogue.Full(now, a.sampleFailed)
	a.log.Debug("cycle start", "reason", why, "feed", withFeed, "all_services", full)
	var feed *applestatus.Client
	if withFeed && a.feed != nil {
		feed = a.feed
	}
	d := a.diagnoser(now)
	d.Config.Check.AllServices = full
	spawn(ctx, a, a.cycles, func() cycleDone {
		return cycleDone{Cycle: d.Run(ctx, feed), withFeed: withFeed}
	})
}

// diagnoser runs a cycle that started at now (the loop's clock).
func (a *Agent) diagnoser(now time.Time) diagnose.Diagnoser {
	return diagnose.Diagnoser{Config: a.cfg, Env: a.d.Env, Logger: a.log, Now: func() time.Time { return now }}
}

// finishCycle turns a cycle's results into everything the user sees.
func (a *Agent) finishCycle(ctx context.Context, res cycleDone) {
	a.checking = false
	if f := res.Feed; f != nil {
		var cached *applestatus.FetchResult
		if c, ok := a.feed.Cached(); ok {
			cached = &c
		}
		a.apple = a.diagnoser(res.Started).AppleStatus(res.Cycle, cached)
		if f.Err != nil {
			a.log.Warn("apple status unavailable", "err", f.Err)
		} else if !f.Result.NotModified {
			a.notify(ctx, a.feedNotifications(applestatus.Diff(a.prevSnap, f.Result.Snapshot), a.prevSnap == nil))
			a.prevSnap = f.Result.Snapshot
		}
	}
	doc := diagnose.Document(res.Cycle, a.apple)
	a.sampleFailed = sampleFailed(doc)
	prev := a.last
	a.last = &doc
	a.lastChecked = res.Started

	if prev == nil || prev.Verdict.Code != doc.Verdict.Code || prev.Verdict.Level != doc.Verdict.Level {
		from := verdict.Code("")
		if prev != nil {
			from = prev.Verdict.Code
		}
		a.log.Info("verdict", "from", from, "to", doc.Verdict.Code, "level", doc.Verdict.Level,
			"cause", doc.Verdict.Cause, "headline", doc.Verdict.Headline, "evidence", doc.Verdict.Evidence)
		if a.d.Transitions.Path != "" {
			if err := a.d.Transitions.Append(transition(res.Started, from, doc.Verdict)); err != nil {
				a.log.Warn("transition not recorded", "err", err)
			}
		}
	}
	if a.d.Timeline.Dir != "" {
		if err := a.d.Timeline.Append(timeline.FromDocument(doc)); err != nil {
			a.log.Warn("check not recorded in the history", "err", err)
		}
	}
	if a.d.StatePath != "" {
		if err := statefile.Write(a.d.StatePath, doc); err != nil {
			a.log.Warn("state file not written", "path", a.d.StatePath, "err", err)
		}
	}
	if a.metrics != nil {
		a.metrics.Observe(doc)
		if p := a.cfg.Agent.MetricsTextfile; p != "" {
			if err := a.metrics.WriteTextfile(p); err != nil {
				a.log.Warn("metrics textfile not written", "path", p, "err", err)
			}
		}
	}
	a.notify(ctx, a.policy.Observe(a.observation(doc), a.alertSettings()))
	// A fix's outcome is an answer to a click: it is sent whatever the
	// anti-noise policy would say, but not while notifications are off.
	if out := a.fixOutcome(doc); out != nil && a.set.NotificationsEnabled {
		a.notify(ctx, out)
	}
	a.sched.Ran(res.Started, res.withFeed, doc.Verdict.Level == verdict.LevelOK)
}

// sampleFailed reports whether doc's services probe checked only the sample
// and found an Apple service failing or partly failing.
func sampleFailed(doc verdict.Document) bool {
	for _, r := range doc.Probes {
		if ev, ok := r.Evidence.(*probes.ServicesEvidence); ok && r.ID == probes.IDServices {
			return !ev.Full && (r.Status == probes.StatusFail || r.Status == probes.StatusWarn)
		}
	}
	return false
}

// transition is the history line for a change of verdict to v. The history
// keeps plain strings on disk; this is the one place they are made.
func transition(at time.Time, from verdict.Code, v verdict.Verdict) history.Transition {
	return history.Transition{At: at.UTC(), From: string(from), To: string(v.Code), Level: string(v.Level), Headline: v.Headline}
}

// observation is what the alert policy needs of a check.
func (a *Agent) observation(doc verdict.Document) alert.Observation {
	v := doc.Verdict
	o := alert.Observation{At: a.d.Now(), Level: v.Level, Code: v.Code, Headline: v.Headline, Reason: lowerFirst(v.Headline),
		Machine: verdict.Machine(doc.Probes)}
	if len(v.Fixes) > 0 {
		o.Fix = menu.DefaultFixTitle(v.Fixes[0])
	}
	return o
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	// "This Mac's clock…" reads well lower-cased after a dash; "DNS is…"
	// and "Apple…" must keep their capitals.
	if len(r) > 1 && unicode.IsLower(r[1]) && r[0] != 'A' {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// feedNotifications announces new events on watched services that are not
// sign-in services (sign-in outages come through the verdict and the alert
// policy). The first poll only establishes the baseline: no burst at start.
func (a *Agent) feedNotifications(changes []applestatus.Change, first bool) []alert.Notification {
	if first || a.apple == nil {
		return nil
	}
	watched := map[string]bool{}
	for _, s := range a.apple.Services {
		if !s.SignIn {
			watched[s.Name] = true
		}
	}
	var out []alert.Notification
	for _, c := range changes {
		if c.Kind != applestatus.ChangeNew || !c.Event.Problem() {
			continue
		}
		for _, name := range c.Event.Services {
			if watched[name] {
				out = append(out, alert.Notification{
					Kind:  alert.KindAppleEvent,
					Title: "Apple reports a problem with " + name,
					Body:  c.Event.Type + ": " + c.Event.Message,
					Code:  verdict.FindingAppleIssue,
				})
				break
			}
		}
	}
	if !a.quietNow() {
		return out
	}
	return nil
}

// quietNow reports whether notifications are held (disabled, paused, quiet hours).
func (a *Agent) quietNow() bool {
	s := a.alertSettings()
	now := a.d.Now()
	return !s.Enabled || now.Before(s.PausedUntil) || (s.Quiet.Enabled && s.Quiet.Contains(now))
}

// notify sends each notification on its own worker: the desktop notifier
// execs a process and must never block the loop or the menu. Call it from
// the loop goroutine only.
func (a *Agent) notify(ctx context.Context, ns []alert.Notification) {
	for _, n := range ns {
		attrs := []any{"kind", n.Kind, "code", n.Code, "title", n.Title, "body", n.Body}
		if n.Fix != "" {
			attrs = append(attrs, "fix", n.Fix)
		}
		a.log.Info("notification", attrs...)
		if a.d.Notifier == nil {
			continue
		}
		a.wg.Go(func() {
			if err := a.d.Notifier.Notify(ctx, n.Title, n.Body); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Warn("notification failed", "err", err)
			}
		})
	}
}
