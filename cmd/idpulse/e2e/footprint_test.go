//go:build linux

package e2e

// What the running agent costs the machine it watches: how soon it has a
// verdict, how much memory it holds, and whether it uses any CPU between
// cycles. Measured on the built binary, headless, in a healthy namespace, and
// reported as benchmark metrics; nothing here passes or fails on a number.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// The idle window is [t+idleFrom, t+idleTo], t being when the first
	// cycle's state file was written. With the default 60 s interval and
	// ±10% jitter the next cycle starts at least 54 s after the first one
	// started, so the window lies strictly between the two cycles as long
	// as the first cycle took under 2 s (checked: idleMaxCycle).
	idleFrom = 2 * time.Second
	idleTo   = 52 * time.Second
	// idleMaxCycle is the longest first cycle for which the window above
	// still ends before the earliest next cycle, with a margin.
	idleMaxCycle = 1500 * time.Millisecond
	// defaultMaxGap bounds the wait for the second cycle: 66 s (60 s +10%)
	// after the first, plus slack. A hang guard, not a measurement.
	defaultMaxGap = 66*time.Second + waitCap
	// rssSettle is how long after the second cycle's state file RSS is read,
	// so the cycle's goroutines and connections have wound down.
	rssSettle = 2 * time.Second

	// The growth run: a cycle every second, RSS compared between two
	// points growthFrom and growthTo cycles in.
	growthFrom    = 20
	growthTo      = 200
	growthSamples = 5 // RSS after each of this many consecutive cycles; the median is kept

	// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
	// 100 on every Linux architecture Go supports (the kernel's ABI, fixed
	// whatever CONFIG_HZ is).
	clockTicks = 100
)

// growthConfig is the default world's config with the fastest schedule the
// agent accepts: a cycle every second (interval and recheck at their 1 s
// minimum) and the feed at its 10 s minimum, so ~200 cycles include ~20
// feed polls.
const growthConfig = `{
  "check": {"deadline": "3s", "probe_timeout": "2s"},
  "apple_status": {"url": "` + feedURL + `"},
  "agent": {"interval": "1s", "feed_interval": "10s", "recheck": "1s"}
}
`

// BenchmarkAgentFootprint measures the real headless agent
// (`ip netns exec NS idpulse run --headless --config F`) in a healthy
// namespace. Every iteration is the whole measurement (about five minutes,
// one and a half with -short), so run it once:
//
//	sudo go test -run '^$' -bench AgentFootprint -benchtime 1x -timeout 20m ./cmd/idpulse/e2e/
//
// Run 1, the default schedule (F has no "agent" section: interval 60 s ±10%,
// recheck 15 s, feed 5 min), info log level as shipped:
//
//   - first-verdict-ms: from just before the process is started (so the
//     `ip netns exec` hop is in it) to the moment the first transition line
//     is read from its stdout pipe. The line is seen by a writer on the pipe,
//     not by polling.
//   - idle-ctxsw, idle-wakeups-per-min, idle-cpu-ms, idle-oncpu-us: t is
//     the first cycle's state file mtime (the cycle is done). At t+2 s and
//     t+52 s every thread's voluntary+nonvoluntary context switches
//     (/proc/PID/task/*/status), its time on a CPU (task/*/schedstat, ns)
//     and the process's utime+stime (/proc/PID/stat, 10 ms ticks) are read;
//     the metrics are the differences (a thread born in the window counts
//     in full), wakeups normalised to a minute. The state file is checked
//     unchanged at t+52 s: no cycle ran in the window.
//   - rss-MiB, peak-rss-MiB: VmRSS and VmHWM (/proc/PID/status) in MiB
//     (2^20 bytes) 2 s after the second cycle's state file, at about 56-68 s.
//     The second cycle is the default schedule's own, not a shortened one.
//     The budget is 25 MB (decimal) = 23.84 MiB; BenchmarkAgentRSS splits
//     the reading into RssAnon and RssFile for each combination of the
//     metrics outputs and the history.
//
// Run 2, unless -short (growthConfig: a cycle every second, --log-level
// debug): rss-growth-MiB is the median VmRSS after cycles 200-204 minus the
// median after cycles 20-24, cycles counted by the "cycle start" lines of
// the JSON log under the run's XDG_STATE_HOME (rotated files included).
//
// With -benchtime Nx each metric is the median of the N iterations. ns/op
// (mostly sleeping) is suppressed.
func BenchmarkAgentFootprint(b *testing.B) {
	requireNetns(b)
	ns := newNetns(b, "")
	ns.startServers(b, helperConfig{})
	ns.settle(b)
	growthCfg := filepath.Join(ns.dir, "growth.json")
	if err := os.WriteFile(growthCfg, []byte(growthConfig), 0o644); err != nil {
		b.Fatal(err)
	}

	var m medians
	for b.Loop() {
		footprintDefault(b, ns, ns.configPath(), m.add, nil)
		if testing.Short() {
			b.Log("-short: no growth run (rss-growth-MiB)")
		} else {
			footprintGrowth(b, ns, growthCfg, m.add)
		}
	}
	m.report(b)
}

// settle waits until the new namespace's links have finished IPv6 duplicate
// address detection. A link-local address leaving "tentative" a second or two
// after the link came up is a netlink change the agent answers, rightly, with
// a network cycle: one that a real machine, whose links came up long before
// the agent, does not see, and that would land in the idle window.
func (ns *netns) settle(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(execTimeout)
	for {
		out, err := ipCmd(nil, "-n", ns.Name, "-6", "address", "show", "tentative")
		if err != nil {
			tb.Fatalf("ip -n %s -6 address show tentative: %v: %s", ns.Name, err, out)
		}
		if len(out) == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("addresses in %s still tentative after %s:\n%s", ns.Name, execTimeout, out)
		}
		time.Sleep(pollEvery)
	}
}

// metricsListen is where BenchmarkAgentFootprintMetrics's agent serves
// /metrics: the namespace's own loopback.
const metricsListen = "127.0.0.1:9273"

// BenchmarkAgentFootprintMetrics is BenchmarkAgentFootprint's run 1 with both
// metrics outputs on: agent.metrics_listen (nobody scrapes it during the
// idle window: the server waits in accept, which must cost no wake-ups) and
// agent.metrics_textfile (rewritten by each cycle, so only at its end). The
// metrics are run 1's. After the idle window the endpoint is scraped once
// from inside the namespace and the textfile read, proof that both were on;
// rss-MiB is then read after the second cycle as in run 1, so it includes
// the HTTP server that has served a scrape.
//
//	sudo go test -run '^$' -bench AgentFootprintMetrics -benchtime 1x -timeout 10m ./cmd/idpulse/e2e/
func BenchmarkAgentFootprintMetrics(b *testing.B) {
	requireNetns(b)
	ns := newNetns(b, "")
	ns.startServers(b, helperConfig{})
	ns.settle(b)
	cfg, textfile := footprintConfig(b, ns, "metrics", true, true)
	var m medians
	for b.Loop() {
		footprintDefault(b, ns, cfg, m.add, func(b *testing.B, _ *agentProc) { checkMetricsOutputs(b, ns, textfile) })
	}
	m.report(b)
}

// footprintConfig writes ns's default config (the default schedule) with
// the optional outputs that cost memory switched on or off: both metrics
// outputs (agent.metrics_listen on metricsListen and agent.metrics_textfile,
// returned; "" when off) and the per-cycle history (agent.history, on by
// default). It returns the config's path.
func footprintConfig(tb testing.TB, ns *netns, name string, metrics, history bool) (path, textfile string) {
	tb.Helper()
	agent := map[string]any{"history": history}
	if metrics {
		textfile = filepath.Join(ns.dir, name+"-textfile", "idpulse.prom")
		agent["metrics_listen"], agent["metrics_textfile"] = metricsListen, textfile
	}
	data, err := json.Marshal(map[string]any{
		"check":        map[string]string{"deadline": "3s", "probe_timeout": "2s"},
		"apple_status": map[string]string{"url": feedURL},
		"agent":        agent,
	})
	if err != nil {
		tb.Fatal(err)
	}
	path = filepath.Join(ns.dir, name+".json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path, textfile
}

// checkMetricsOutputs is the proof that both metrics outputs are on once a
// healthy cycle has run: the endpoint, scraped from inside the namespace,
// and the textfile both hold its verdict.
func checkMetricsOutputs(tb testing.TB, ns *netns, textfile string) {
	tb.Helper()
	body := scrapeIn(tb, ns, "http://"+metricsListen+"/metrics")
	if !strings.Contains(body, "idpulse_verdict_level 0\n") || !strings.Contains(body, `idpulse_checks_total{code="ok"} 1`) {
		tb.Fatalf("/metrics after the first cycle:\n%s", body)
	}
	if text, err := os.ReadFile(textfile); err != nil || !strings.Contains(string(text), "idpulse_verdict_level 0\n") {
		tb.Fatalf("textfile %s: %v\n%s", textfile, err, text)
	}
}

// scrapeIn GETs url from inside the namespace.
func scrapeIn(tb testing.TB, ns *netns, url string) string {
	tb.Helper()
	client := &http.Client{Timeout: execTimeout, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return ns.Dial(ctx, &net.Dialer{}, network, addr)
		},
	}}
	resp, err := client.Get(url)
	if err != nil {
		tb.Fatalf("GET %s in %s: %v", url, ns.Name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: HTTP %d, %v", url, resp.StatusCode, err)
	}
	return string(body)
}

// footprintDefault is run 1: the default schedule, with the configuration
// at cfg. afterIdle, when not nil, runs after the idle window's samples.
func footprintDefault(b *testing.B, ns *netns, cfg string, report func(string, float64), afterIdle func(*testing.B, *agentProc)) {
	fv := &firstLine{seen: make(chan struct{})}
	a := ns.startAgentTee(b, "", fv, "run", "--headless", "--config", cfg)
	select {
	case <-fv.seen:
	case <-a.exited:
		b.Fatalf("idpulse exited before its first verdict: %v\n--- stderr:\n%s", a.waitErr, a.stderr)
	case <-time.After(waitCap):
		b.Fatalf("no verdict line on stdout within %s\n--- stdout:\n%s--- stderr:\n%s", waitCap, a.stdout, a.stderr)
	}
	firstVerdict := fv.at.Sub(a.started)
	if l := fv.line; len(l) < 5 || l[2] != "OK" || l[3] != "ok" {
		b.Fatalf("first verdict line %q, want OK ok: the healthy world is not healthy\n--- stderr:\n%s", strings.Join(l, " "), a.stderr)
	}
	if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", a.pid)); strings.TrimSpace(string(comm)) != "idpulse" {
		b.Fatalf("pid %d is %q, not idpulse: `ip netns exec` did not exec it", a.pid, comm)
	}
	report("first-verdict-ms", ms(firstVerdict))

	// The first cycle is done when its state file is there (it is written
	// before the transition line is printed).
	var first stateInfo
	waitFor(b, a, "the first cycle's state file", func() (bool, string) {
		first = readState(a)
		return first.ok, "no state file yet"
	})
	b.Logf("first verdict %s after start; first cycle took %s (state file at start+%s)",
		firstVerdict.Round(time.Millisecond), first.took.Round(time.Millisecond), first.mtime.Sub(a.started).Round(time.Millisecond))
	if first.took > idleMaxCycle {
		b.Fatalf("the first cycle took %s (> %s): the idle window t+%s…t+%s might reach the next cycle", first.took, idleMaxCycle, idleFrom, idleTo)
	}

	// The idle window.
	sleepUntil(first.mtime.Add(idleFrom))
	s1 := sampleProc(b, a.pid)
	sleepUntil(first.mtime.Add(idleTo))
	s2 := sampleProc(b, a.pid)
	a.running(b)
	if now := readState(a); !now.same(first) {
		b.Fatalf("a cycle ran inside the idle window (state file rewritten at t+%s): the window is not between cycles",
			now.mtime.Sub(first.mtime).Round(time.Millisecond))
	}
	d := s2.since(s1)
	window := s2.at.Sub(s1.at)
	b.Logf("idle window %s (t+%s … t+%s), %d threads: %d context switches (%s), %d ticks, %s on CPU",
		window.Round(time.Millisecond), s1.at.Sub(first.mtime).Round(time.Millisecond), s2.at.Sub(first.mtime).Round(time.Millisecond),
		len(s2.threads), d.ctxsw, d.perThread, d.ticks, d.oncpu)
	b.Logf("since start, at t+%s: %d context switches, %d ticks, %s on CPU (the counters work)",
		idleFrom, s1.since(procSample{}).ctxsw, s1.ticks, s1.since(procSample{}).oncpu.Round(time.Microsecond))
	if len(d.gone) > 0 {
		b.Logf("threads gone during the window (their switches are not counted): %v", d.gone)
	}
	report("idle-ctxsw", float64(d.ctxsw))
	report("idle-wakeups-per-min", float64(d.ctxsw)*float64(time.Minute)/float64(window))
	report("idle-cpu-ms", float64(d.ticks)*1000/clockTicks)
	if d.oncpuKnown {
		report("idle-oncpu-us", float64(d.oncpu)/float64(time.Microsecond))
	}
	if afterIdle != nil {
		afterIdle(b, a)
	}

	s3 := afterSecondCycle(b, a, first)
	report("rss-MiB", mib(s3.rssKB))
	report("peak-rss-MiB", mib(s3.hwmKB))

	stopAgent(b, a)
}

// afterSecondCycle waits for the default schedule's own second cycle (the
// state file no longer holds first) and samples the process rssSettle after
// it: the agent's steady state between cycles.
func afterSecondCycle(b *testing.B, a *agentProc, first stateInfo) procSample {
	b.Helper()
	var second stateInfo
	waitForUpTo(b, a, "the second cycle (default 60 s interval)", time.Until(first.mtime.Add(defaultMaxGap)), func() (bool, string) {
		second = readState(a)
		return second.ok && !second.same(first), "the state file still holds the first cycle"
	})
	sleepUntil(second.mtime.Add(rssSettle))
	s := sampleProc(b, a.pid)
	b.Logf("second cycle %s after the first (took %s); %s later: VmRSS %.1f MiB (RssAnon %.1f MiB, RssFile %.1f MiB), VmHWM %.1f MiB, %d threads",
		second.mtime.Sub(first.mtime).Round(time.Second), second.took.Round(time.Millisecond), rssSettle,
		mib(s.rssKB), mib(s.anonKB), mib(s.fileKB), mib(s.hwmKB), len(s.threads))
	return s
}

// footprintGrowth is run 2: a cycle a second, RSS around cycle 20 and 200.
func footprintGrowth(b *testing.B, ns *netns, cfg string, report func(string, float64)) {
	a := ns.startAgent(b, "", "run", "--headless", "--config", cfg, "--log-level", "debug")
	at20 := rssAfterCycles(b, a, growthFrom)
	at200 := rssAfterCycles(b, a, growthTo)
	b.Logf("growth run: median VmRSS %.2f MiB after cycles %d-%d, %.2f MiB after cycles %d-%d (%d cycles in all, VmHWM %.1f MiB)",
		at20, growthFrom, growthFrom+growthSamples-1, at200, growthTo, growthTo+growthSamples-1, cycleStarts(a), mib(sampleProc(b, a.pid).hwmKB))
	if v := verdictLines(a.stdout.String()); len(v) != 1 || v[0][3] != "ok" {
		b.Fatalf("growth run verdict lines %q, want one: ok (the world must stay healthy)\n%s", v, a.stdout)
	}
	report("rss-growth-MiB", at200-at20)
	stopAgent(b, a)
}

// rssAfterCycles waits for cycle n to start, then reads VmRSS just after
// each of the next growthSamples cycles finishes (state file rewritten) and
// returns the median in MiB.
func rssAfterCycles(b *testing.B, a *agentProc, n int) float64 {
	b.Helper()
	waitForUpTo(b, a, fmt.Sprintf("cycle %d", n), time.Duration(n)*3*time.Second+waitCap, func() (bool, string) {
		c := cycleStarts(a)
		return c >= n, fmt.Sprintf("%d cycles started", c)
	})
	var rss []float64
	prev := readState(a)
	for range growthSamples {
		waitFor(b, a, "the next cycle to finish", func() (bool, string) {
			cur := readState(a)
			if !cur.ok || cur.same(prev) {
				return false, "state file unchanged"
			}
			prev = cur
			return true, ""
		})
		rss = append(rss, mib(sampleProc(b, a.pid).rssKB))
	}
	return median(rss)
}

// cycleStarts counts the "cycle start" lines (debug level) in the agent's
// log and its rotated predecessors.
func cycleStarts(a *agentProc) int {
	n := 0
	for _, suffix := range []string{"", ".1", ".2", ".3"} {
		data, _ := os.ReadFile(a.logPath() + suffix)
		n += bytes.Count(data, []byte(`"msg":"cycle start"`))
	}
	return n
}

// stopAgent ends the agent with SIGTERM, as a service manager would.
func stopAgent(b *testing.B, a *agentProc) {
	b.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	if code := a.waitExit(b); code != 0 {
		b.Errorf("exit status after SIGTERM = %d, want 0\n--- stderr:\n%s", code, a.stderr)
	}
}

// firstLine is a stdout tee that notes when the first verdict line has been
// read whole from the agent's pipe.
type firstLine struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	at   time.Time
	line []string
	seen chan struct{}
}

func (w *firstLine) Write(p []byte) (int, error) {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.line == nil {
		w.buf.Write(p)
		if v := verdictLines(w.buf.String()); len(v) > 0 {
			w.at, w.line = now, v[0]
			close(w.seen)
		}
	}
	return len(p), nil
}

// stateInfo is what the benchmark needs of the state file.
type stateInfo struct {
	ok    bool
	data  []byte
	mtime time.Time     // when the cycle's document was written
	took  time.Duration // the cycle's duration_ms
}

func readState(a *agentProc) stateInfo {
	path := filepath.Join(a.root, "state", "idpulse", "state.json")
	fi, err := os.Stat(path)
	if err != nil {
		return stateInfo{}
	}
	data := a.stateFile()
	if len(data) == 0 {
		return stateInfo{}
	}
	s := stateInfo{ok: true, data: data, mtime: fi.ModTime()}
	// "duration_ms": 123.4, without decoding the whole document.
	if i := bytes.Index(data, []byte(`"duration_ms":`)); i >= 0 {
		rest := bytes.TrimSpace(data[i+len(`"duration_ms":`):])
		if j := bytes.IndexAny(rest, ",\n}"); j > 0 {
			if v, err := strconv.ParseFloat(string(bytes.TrimSpace(rest[:j])), 64); err == nil {
				s.took = time.Duration(v * float64(time.Millisecond))
			}
		}
	}
	return s
}

func (s stateInfo) same(o stateInfo) bool {
	return s.ok == o.ok && s.mtime.Equal(o.mtime) && bytes.Equal(s.data, o.data)
}

// procSample is one reading of /proc for a process and its threads.
type procSample struct {
	at      time.Time
	threads map[int]threadSample
	ticks   int64 // utime+stime of the whole process, in clockTicks
	rssKB   int64
	hwmKB   int64
	anonKB  int64 // RssAnon: heap, stacks
	fileKB  int64 // RssFile: the pages of the binary (text, rodata, pclntab) and libraries touched so far
}

type threadSample struct {
	ctxsw int64         // voluntary + nonvoluntary
	oncpu time.Duration // schedstat's first field; -1 if unreadable
}

// sampleProc reads pid's memory, CPU time and every thread's context switches.
func sampleProc(tb testing.TB, pid int) procSample {
	tb.Helper()
	s := procSample{at: time.Now(), threads: map[int]threadSample{}}
	base := fmt.Sprintf("/proc/%d", pid)
	status, err := os.ReadFile(base + "/status")
	if err != nil {
		tb.Fatalf("idpulse (pid %d) is gone: %v", pid, err)
	}
	s.rssKB = statusField(status, "VmRSS")
	s.hwmKB = statusField(status, "VmHWM")
	s.anonKB = statusField(status, "RssAnon")
	s.fileKB = statusField(status, "RssFile")

	stat, err := os.ReadFile(base + "/stat")
	if err != nil {
		tb.Fatal(err)
	}
	// Fields after "(comm) ": state is field 3, utime 14, stime 15.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 13 {
		tb.Fatalf("short %s/stat: %q", base, stat)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("%s/stat utime %q stime %q", base, f[11], f[12])
	}
	s.ticks = utime + stime

	tasks, err := os.ReadDir(base + "/task")
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		st, err := os.ReadFile(filepath.Join(base, "task", t.Name(), "status"))
		if err != nil {
			continue // the thread exited since ReadDir
		}
		ts := threadSample{ctxsw: statusField(st, "voluntary_ctxt_switches") + statusField(st, "nonvoluntary_ctxt_switches"), oncpu: -1}
		if sched, err := os.ReadFile(filepath.Join(base, "task", t.Name(), "schedstat")); err == nil {
			if ff := strings.Fields(string(sched)); len(ff) > 0 {
				if ns, err := strconv.ParseInt(ff[0], 10, 64); err == nil {
					ts.oncpu = time.Duration(ns)
				}
			}
		}
		s.threads[tid] = ts
	}
	return s
}

// statusField is a /proc status line's number ("VmRSS:  1234 kB" → 1234).
func statusField(status []byte, name string) int64 {
	for _, l := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok || k != name {
			continue
		}
		n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
		return n
	}
	return 0
}

// procDelta is what happened between two samples.
type procDelta struct {
	ctxsw      int64
	perThread  string // "tid:n" for the threads that switched
	ticks      int64
	oncpu      time.Duration
	oncpuKnown bool
	gone       []int // threads of the first sample missing from the second
}

func (s procSample) since(prev procSample) procDelta {
	d := procDelta{ticks: s.ticks - prev.ticks, oncpuKnown: true}
	tids := make([]int, 0, len(s.threads))
	for tid := range s.threads {
		tids = append(tids, tid)
	}
	slices.Sort(tids)
	var busy []string
	for _, tid := range tids {
		cur := s.threads[tid]
		old, ok := prev.threads[tid]
		if !ok {
			old = threadSample{} // born in the window: all of it counts
		}
		n := cur.ctxsw - old.ctxsw
		d.ctxsw += n
		if n != 0 {
			busy = append(busy, fmt.Sprintf("%d:%d", tid, n))
		}
		if cur.oncpu < 0 || old.oncpu < 0 {
			d.oncpuKnown = false
		} else {
			d.oncpu += cur.oncpu - old.oncpu
		}
	}
	for tid := range prev.threads {
		if _, ok := s.threads[tid]; !ok {
			d.gone = append(d.gone, tid)
		}
	}
	d.perThread = "per thread: none"
	if len(busy) > 0 {
		d.perThread = "per thread " + strings.Join(busy, " ")
	}
	return d
}

func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(kB int64) float64 { return float64(kB) / 1024 }

// medians collects each iteration's figures and reports each unit's median,
// in the order the units were first seen; ns/op is suppressed, as an
// iteration is minutes of mostly sleeping.
type medians struct {
	units []string
	vals  map[string][]float64
}

func (m *medians) add(unit string, v float64) {
	if m.vals == nil {
		m.vals = map[string][]float64{}
	}
	if _, ok := m.vals[unit]; !ok {
		m.units = append(m.units, unit)
	}
	m.vals[unit] = append(m.vals[unit], v)
}

func (m *medians) report(b *testing.B) {
	for _, u := range m.units {
		b.ReportMetric(median(m.vals[u]), u)
	}
	b.ReportMetric(0, "ns/op")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else if n > 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return 0
}
