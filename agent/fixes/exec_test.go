package fixes

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/command/commandtest"
	"github.com/idpulse/idpulse/probes/filetest"
)

// replying is a runner that records every command and answers each with
// reply.
func replying(reply func(argv []string) ([]byte, error)) *commandtest.Runner {
	r := commandtest.New()
	r.Reply = reply
	return r
}

// fixture is an Executor with everything recorded; its runner answers
// every command with success and no output unless a test sets rec.
type fixture struct {
	rec      *commandtest.Runner
	opened   []string
	launched [][]string
	log      bytes.Buffer
}

func (fx *fixture) executor(goos string, euid int) Executor {
	if fx.rec == nil {
		fx.rec = replying(func([]string) ([]byte, error) { return nil, nil })
	}
	return Executor{
		GOOS: goos, Runner: fx.rec, Euid: euid,
		Open:   func(_ context.Context, u string) error { fx.opened = append(fx.opened, u); return nil },
		Launch: func(argv []string) error { fx.launched = append(fx.launched, argv); return nil },
		Logger: slog.New(slog.NewTextHandler(&fx.log, nil)),
	}
}

// calls are the commands the runner was given, in order.
func (fx *fixture) calls() [][]string {
	var argvs [][]string
	for _, c := range fx.rec.Calls() {
		argvs = append(argvs, c.Argv)
	}
	return argvs
}

func plan(t *testing.T, id string, c Context) Plan {
	t.Helper()
	f, ok := Lookup(id)
	if !ok {
		t.Fatalf("no fix %q", id)
	}
	p, err := f.Plan(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const osa = "/usr/bin/osascript"

func TestExecutorCommands(t *testing.T) {
	tests := []struct {
		name     string
		goos     string
		euid     int
		fix      string
		c        Context
		want     [][]string
		limit    time.Duration
		opened   []string
		launched [][]string
		outcome  string
	}{
		{name: "flush-dns darwin user: one prompt for both commands", goos: "darwin", euid: 501, fix: "flush-dns",
			want:    [][]string{{osa, "-e", `do shell script "'/usr/bin/dscacheutil' '-flushcache' && '/usr/bin/killall' '-HUP' 'mDNSResponder'" with administrator privileges`}},
			limit:   AdminTimeout,
			outcome: "DNS cache flushed"},
		{name: "flush-dns darwin root: direct", goos: "darwin", euid: 0, fix: "flush-dns",
			want:    [][]string{{"/usr/bin/dscacheutil", "-flushcache"}, {"/usr/bin/killall", "-HUP", "mDNSResponder"}},
			limit:   StepTimeout,
			outcome: "DNS cache flushed"},
		{name: "flush-dns linux user: pkexec", goos: "linux", euid: 1000, fix: "flush-dns",
			want:  [][]string{{"/usr/bin/pkexec", "/usr/bin/resolvectl", "flush-caches"}},
			limit: AdminTimeout, outcome: "DNS cache flushed"},
		{name: "flush-dns linux root: direct", goos: "linux", euid: 0, fix: "flush-dns",
			want:  [][]string{{"/usr/bin/resolvectl", "flush-caches"}},
			limit: StepTimeout, outcome: "DNS cache flushed"},
		{name: "sync-clock darwin user", goos: "darwin", euid: 501, fix: "sync-clock",
			want:  [][]string{{osa, "-e", `do shell script "'/usr/bin/sntp' '-sS' 'time.apple.com'" with administrator privileges`}},
			limit: AdminTimeout, outcome: "Clock synchronised with time.apple.com"},
		{name: "sync-clock linux user", goos: "linux", euid: 1000, fix: "sync-clock",
			want:  [][]string{{"/usr/bin/pkexec", "/usr/bin/chronyc", "makestep"}},
			limit: AdminTimeout, outcome: "Clock stepped to the time server (chrony)"},
		{name: "renew-dhcp darwin user", goos: "darwin", euid: 501, fix: "renew-dhcp", c: Context{Doc: docOf(linkResult("en0"))},
			want:  [][]string{{osa, "-e", `do shell script "'/usr/sbin/ipconfig' 'set' 'en0' 'DHCP'" with administrator privileges`}},
			limit: AdminTimeout, outcome: "DHCP lease renewed on en0"},
		{name: "toggle-wifi darwin: no prompt", goos: "darwin", euid: 501, fix: "toggle-wifi",
			want:  [][]string{{"/usr/sbin/networksetup", "-setairportpower", "en0", "off"}, {"/usr/sbin/networksetup", "-setairportpower", "en0", "on"}},
			limit: StepTimeout, outcome: "Wi-Fi turned off and on again"},
		{name: "disconnect-vpn darwin: the name is one argv element", goos: "darwin", euid: 501, fix: "disconnect-vpn",
			c:     Context{Doc: docOf(vpnResult(true, connected("", `Work "VPN"; $(rm -rf ~)`)))},
			want:  [][]string{{"/usr/sbin/scutil", "--nc", "stop", `Work "VPN"; $(rm -rf ~)`}},
			limit: StepTimeout, outcome: `Disconnected VPN "Work \"VPN\"; $(rm -rf ~)"`},
		{name: "open-date-time darwin: a URL, advice not run", goos: "darwin", euid: 501, fix: "open-date-time",
			opened:  []string{"x-apple.systempreferences:com.apple.Date-Time-Settings.extension"},
			outcome: "Opened Date & Time settings"},
		{name: "open-network-settings linux: detached window", goos: "linux", euid: 1000, fix: "open-network-settings",
			launched: [][]string{{"/usr/bin/gnome-control-center", "network"}},
			outcome:  "Opened Network settings"},
		{name: "try-other-network: nothing runs", goos: "linux", euid: 1000, fix: "try-other-network",
			outcome: "Suggested trying another network"},
		{name: "copy-report: the caller's job", goos: "darwin", euid: 501, fix: "copy-report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := &fixture{}
			tt.c.GOOS, tt.c.LookPath = tt.goos, allLinuxTools
			out, err := fx.executor(tt.goos, tt.euid).Apply(context.Background(), plan(t, tt.fix, tt.c))
			if err != nil {
				t.Fatal(err)
			}
			if out != tt.outcome {
				t.Errorf("outcome = %q, want %q", out, tt.outcome)
			}
			if got := fx.calls(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("commands\n got %q\nwant %q", got, tt.want)
			}
			for _, c := range fx.rec.Calls() {
				if c.Limit > tt.limit || c.Limit < tt.limit-5*time.Second {
					t.Errorf("%s: time limit %v, want %v", c.Cmdline(), c.Limit, tt.limit)
				}
			}
			if !reflect.DeepEqual(fx.opened, tt.opened) {
				t.Errorf("opened %q, want %q", fx.opened, tt.opened)
			}
			if !reflect.DeepEqual(fx.launched, tt.launched) {
				t.Errorf("launched %q, want %q", fx.launched, tt.launched)
			}
		})
	}
}

// Consecutive administrator steps share a prompt; anything in between
// splits them.
func TestExecutorBatchesAdminSteps(t *testing.T) {
	fx := &fixture{}
	p := Plan{Fix: "test", Available: true, Outcome: "done", Steps: []Step{
		{Argv: []string{"/bin/a"}, Admin: true}, {Argv: []string{"/bin/b"}, Admin: true},
		{Argv: []string{"/bin/c"}},
		{Text: "advice"},
		{Argv: []string{"/bin/d"}, Admin: true},
	}}
	if _, err := fx.executor("linux", 1000).Apply(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"/usr/bin/pkexec", "/bin/sh", "-c", "'/bin/a' && '/bin/b'"},
		{"/bin/c"},
		{"/usr/bin/pkexec", "/bin/d"},
	}
	if got := fx.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("commands\n got %q\nwant %q", got, want)
	}
}

func TestExecutorCancelAndFailure(t *testing.T) {
	tests := []struct {
		name       string
		goos       string
		fix        string
		reply      error
		wantCancel bool
		wantErr    string
	}{
		{name: "osascript cancel", goos: "darwin", fix: "flush-dns",
			reply: commandtest.Failed(osa, 1, "0:139: execution error: User canceled. (-128)"), wantCancel: true},
		{name: "osascript -128 only", goos: "darwin", fix: "sync-clock",
			reply: commandtest.Failed(osa, 1, "execution error: (-128)"), wantCancel: true},
		{name: "osascript command failed", goos: "darwin", fix: "flush-dns",
			reply:   commandtest.Failed(osa, 1, "0:139: execution error: No matching processes belonging to you were found (1)"),
			wantErr: "No matching processes"},
		{name: "osascript output mentioning -128 mid-text is a failure", goos: "darwin", fix: "sync-clock",
			reply:   commandtest.Failed(osa, 1, "0:80: execution error: sntp: offset -128.5 rejected (1)"),
			wantErr: "offset -128.5"},
		{name: "pkexec dismissed", goos: "linux", fix: "flush-dns", reply: commandtest.Failed("/usr/bin/pkexec", 126, ""), wantCancel: true},
		{name: "pkexec not authorised", goos: "linux", fix: "flush-dns", reply: commandtest.Failed("/usr/bin/pkexec", 127, "Not authorized"),
			wantErr: "not authorised to run resolvectl as administrator"},
		{name: "pkexec command failed", goos: "linux", fix: "sync-clock", reply: commandtest.Failed("/usr/bin/pkexec", 1, "503 No such command"),
			wantErr: "503 No such command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := &fixture{rec: replying(func([]string) ([]byte, error) { return nil, tt.reply })}
			out, err := fx.executor(tt.goos, 1000).Apply(context.Background(), plan(t, tt.fix, Context{GOOS: tt.goos, LookPath: allLinuxTools}))
			if out != "" {
				t.Errorf("outcome %q after a failure", out)
			}
			if got := errors.Is(err, ErrCancelled); got != tt.wantCancel {
				t.Fatalf("err = %v, cancelled = %v, want %v", err, got, tt.wantCancel)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

// A failing step stops the plan: Wi-Fi is not turned on by a step that
// follows a failed "off".
func TestExecutorStopsAtFirstFailure(t *testing.T) {
	fx := &fixture{rec: replying(func(argv []string) ([]byte, error) {
		return nil, commandtest.Failed(argv[0], 10, "en9 is not a Wi-Fi interface.")
	})}
	_, err := fx.executor("darwin", 501).Apply(context.Background(), plan(t, "toggle-wifi", Context{GOOS: "darwin", Doc: docOf(linkResult("en9"))}))
	if err == nil || !strings.Contains(err.Error(), "not a Wi-Fi interface") || !strings.HasPrefix(err.Error(), "toggle-wifi: ") {
		t.Errorf("err = %v", err)
	}
	if n := len(fx.calls()); n != 1 {
		t.Errorf("%d commands ran, want 1", n)
	}
}

func TestExecutorLogsOutput(t *testing.T) {
	fx := &fixture{rec: replying(func(argv []string) ([]byte, error) { return []byte("stdout of " + argv[3]), nil })}
	if _, err := fx.executor("darwin", 501).Apply(context.Background(), plan(t, "toggle-wifi", Context{GOOS: "darwin"})); err != nil {
		t.Fatal(err)
	}
	fx2 := &fixture{rec: replying(func(argv []string) ([]byte, error) {
		return []byte("partial output"), commandtest.Failed(argv[0], 1, "scutil: no service")
	})}
	_, err := fx2.executor("darwin", 501).Apply(context.Background(), plan(t, "disconnect-vpn", Context{GOOS: "darwin", Doc: docOf(vpnResult(true, connected(vpnID, "W")))}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, c := range []struct {
		log  *bytes.Buffer
		want []string
	}{
		{&fx.log, []string{"stdout of off", "stdout of on", "fix=toggle-wifi", "-setairportpower", `outcome="Wi-Fi turned off and on again"`}},
		{&fx2.log, []string{"partial output", "scutil: no service", vpnID}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.log.String(), w) {
				t.Errorf("log lacks %q:\n%s", w, c.log.String())
			}
		}
	}
}

func TestExecutorRefuses(t *testing.T) {
	tests := []struct {
		name string
		p    Plan
		want string
	}{
		{"unavailable", Plan{Fix: "flush-dns", Why: "systemd-resolved not present"}, "flush-dns is not available: systemd-resolved not present"},
		{"relative program", Plan{Fix: "x", Available: true, Steps: []Step{{Argv: []string{"killall", "x"}}}}, `"killall" is not an absolute path`},
		{"relative admin program", Plan{Fix: "x", Available: true, Steps: []Step{{Argv: []string{"sntp"}, Admin: true}}}, `"sntp" is not an absolute path`},
		{"NUL in an argument", Plan{Fix: "x", Available: true, Steps: []Step{{Argv: []string{"/bin/x", "a\x00b"}}}}, "contains NUL"},
		{"NUL in an admin argument", Plan{Fix: "x", Available: true, Steps: []Step{{Argv: []string{"/bin/x", "a\x00b"}, Admin: true}}}, "contains NUL"},
		{"javascript URL", Plan{Fix: "x", Available: true, Steps: []Step{{URL: "javascript:alert(1)"}}}, "refusing to open"},
		{"option-like URL", Plan{Fix: "x", Available: true, Steps: []Step{{URL: "--args"}}}, "refusing to open"},
		{"URL with a line break", Plan{Fix: "x", Available: true, Steps: []Step{{URL: "https://a.example/\n-x"}}}, "refusing to open"},
		{"empty step", Plan{Fix: "x", Available: true, Steps: []Step{{}}}, "empty step"},
		{"relative detached program", Plan{Fix: "x", Available: true, Steps: []Step{{Argv: []string{"gnome-control-center"}, Detach: true}}}, "not an absolute path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := &fixture{}
			_, err := fx.executor("darwin", 501).Apply(context.Background(), tt.p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if len(fx.calls())+len(fx.opened)+len(fx.launched) > 0 {
				t.Errorf("something ran: %q %q %q", fx.calls(), fx.opened, fx.launched)
			}
		})
	}
}

func TestExecutorMissingDependencies(t *testing.T) {
	p := plan(t, "toggle-wifi", Context{GOOS: "darwin"})
	if _, err := (Executor{GOOS: "darwin", Euid: 501}).Apply(context.Background(), p); err == nil || !strings.Contains(err.Error(), "no Runner") {
		t.Errorf("nil Runner: %v", err)
	}
	admin := plan(t, "flush-dns", Context{GOOS: "darwin"})
	if _, err := (Executor{GOOS: "windows", Euid: 501, Runner: commandtest.New()}).Apply(context.Background(), admin); err == nil ||
		!strings.Contains(err.Error(), "run idpulse as root") {
		t.Errorf("admin on windows: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Executor{GOOS: "darwin", Euid: 501, Runner: commandtest.New()}).Apply(ctx, p); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// Without an Open, URLs go to open(1) on macOS (through the Runner) and to
// a detached xdg-open on Linux.
func TestExecutorDefaultOpen(t *testing.T) {
	fx := &fixture{}
	x := fx.executor("darwin", 501)
	x.Open = nil
	if _, err := x.Apply(context.Background(), plan(t, "open-system-status", Context{GOOS: "darwin"})); err != nil {
		t.Fatal(err)
	}
	if got, want := fx.calls(), [][]string{{"/usr/bin/open", "https://www.apple.com/support/systemstatus/"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("darwin: %q, want %q", got, want)
	}
	fx = &fixture{}
	x = fx.executor("linux", 1000)
	x.Open = nil
	if _, err := x.Apply(context.Background(), plan(t, "open-captive-portal", Context{GOOS: "linux", LookPath: tools(xdgOpen),
		Doc: docOf(captiveResult("http://captive.apple.com/hotspot-detect.html", "http://10.0.0.1/login"))})); err != nil {
		t.Fatal(err)
	}
	if got, want := fx.launched, [][]string{{"/usr/bin/xdg-open", "http://10.0.0.1/login"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("linux: %q, want %q", got, want)
	}
}

// The hosts fix through the Executor: root edits in process; a user is
// prompted to re-run idpulse, with hostile paths surviving both quoting
// layers intact.
func TestExecutorHostsFix(t *testing.T) {
	t.Run("root edits in process", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "hosts")
		filetest.Write(t, path, "127.0.0.1 localhost\n0.0.0.0 gs.apple.com\n", 0o644)
		fx := &fixture{}
		x := fx.executor("linux", 0)
		p := plan(t, "remove-hosts-entries", Context{GOOS: "linux", HostsPath: path, Self: "/usr/bin/idpulse"})
		out, err := x.Apply(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if got := filetest.Read(t, path); got != "127.0.0.1 localhost\n" {
			t.Errorf("hosts = %q", got)
		}
		if !strings.HasPrefix(out, "Removed Apple entries from 1 line of "+path+" (backup: "+path+".idpulse-") {
			t.Errorf("outcome = %q", out)
		}
		if len(fx.calls()) > 0 {
			t.Errorf("commands ran: %q", fx.calls())
		}
		out, err = x.Apply(context.Background(), p)
		if err != nil || out != "No Apple entries left to remove in "+path {
			t.Errorf("second run: %q, %v", out, err)
		}
	})
	for _, h := range hostile {
		for _, goos := range []string{"darwin", "linux"} {
			self := "/Applications/id" + h + "pulse.app/Contents/MacOS/idpulse"
			hostsPath := "/etc/" + h + "/hosts"
			fx := &fixture{}
			p := plan(t, "remove-hosts-entries", Context{GOOS: goos, HostsPath: hostsPath, Self: self})
			if _, err := fx.executor(goos, 501).Apply(context.Background(), p); err != nil {
				t.Fatalf("%s %q: %v", goos, h, err)
			}
			calls := fx.calls()
			if len(calls) != 1 {
				t.Fatalf("%s %q: %d calls", goos, h, len(calls))
			}
			back, err := decodeAdminArgv(goos, calls[0])
			want := [][]string{{self, "fix", "remove-hosts-entries", "--yes", "--hosts-file", hostsPath}}
			if err != nil || !reflect.DeepEqual(back, want) {
				t.Errorf("%s %q: ran %q, decoded %q, %v", goos, h, calls[0], back, err)
			}
		}
	}
	t.Run("user without Self", func(t *testing.T) {
		fx := &fixture{}
		p := plan(t, "remove-hosts-entries", Context{GOOS: "darwin"})
		_, err := fx.executor("darwin", 501).Apply(context.Background(), p)
		if err == nil || !strings.Contains(err.Error(), "run it with sudo") {
			t.Errorf("err = %v", err)
		}
	})
}

// VPN names and portal URLs from the evidence reach the system as single
// argv elements or are refused, whatever they contain.
func TestExecutorInjectionFromEvidence(t *testing.T) {
	for _, h := range hostile {
		fx := &fixture{}
		doc := docOf(vpnResult(true, connected("", "VPN"+h)), captiveResult("http://captive.apple.com/hotspot-detect.html", "http://portal.example/"+h),
			linkResult("en0"+h))
		for _, id := range []string{"disconnect-vpn", "open-captive-portal", "toggle-wifi", "renew-dhcp"} {
			if _, err := fx.executor("darwin", 501).Apply(context.Background(), plan(t, id, Context{GOOS: "darwin", Doc: doc})); err != nil {
				t.Fatalf("%s %q: %v", id, h, err)
			}
		}
		calls := fx.calls()
		if got := calls[0]; !reflect.DeepEqual(got, []string{"/usr/sbin/scutil", "--nc", "stop", "VPN" + h}) {
			t.Errorf("%q: disconnect ran %q", h, got)
		}
		for _, c := range calls[1:] {
			if c[0] == osa {
				back, err := decodeAdminArgv("darwin", c)
				if err != nil || !reflect.DeepEqual(back, [][]string{{"/usr/sbin/ipconfig", "set", "en0", "DHCP"}}) {
					t.Errorf("%q: renew ran %q (%q, %v)", h, c, back, err)
				}
			} else if !reflect.DeepEqual(c[:2], []string{"/usr/sbin/networksetup", "-setairportpower"}) || c[2] != "en0" {
				t.Errorf("%q: ran %q", h, c)
			}
		}
		// The portal URL is opened only as a normalised http(s) URL; one
		// with blanks or control characters is replaced by the probe URL.
		const fallback = "http://captive.apple.com/hotspot-detect.html"
		switch {
		case len(fx.opened) != 1:
			t.Errorf("%q: opened %q", h, fx.opened)
		case strings.IndexFunc(h, func(r rune) bool { return r <= ' ' }) >= 0:
			if fx.opened[0] != fallback {
				t.Errorf("%q: opened %q, want the fallback", h, fx.opened[0])
			}
		case !openable(fx.opened[0]) || !strings.HasPrefix(fx.opened[0], "http://portal.example/") ||
			strings.ContainsAny(fx.opened[0], " \n\r\t\"'`\\"):
			t.Errorf("%q: opened %q", h, fx.opened[0])
		}
	}
}

// Real commands on this machine, through the real Runner: output reaches
// the log and a failure's stderr reaches the error.
func TestExecutorRealRunner(t *testing.T) {
	for _, p := range []string{"/bin/echo", "/bin/sh", "/bin/true"} {
		if !exists(p) {
			t.Skip("no " + p)
		}
	}
	var log bytes.Buffer
	x := Executor{GOOS: "linux", Runner: NewRunner(), Euid: 1000, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	out, err := x.Apply(context.Background(), Plan{Fix: "echo", Available: true, Outcome: "echoed",
		Steps: []Step{{Argv: []string{"/bin/echo", "hello from echo", "$(not expanded)"}}}})
	if err != nil || out != "echoed" {
		t.Fatalf("%q, %v", out, err)
	}
	if !strings.Contains(log.String(), `hello from echo $(not expanded)`) {
		t.Errorf("log lacks the output:\n%s", log.String())
	}
	_, err = x.Apply(context.Background(), Plan{Fix: "fail", Available: true,
		Steps: []Step{{Argv: []string{"/bin/sh", "-c", "echo broken >&2; exit 3"}}}})
	if err == nil || !strings.Contains(err.Error(), "broken") || command.ExitCode(err) != 3 {
		t.Errorf("err = %v (exit %d)", err, command.ExitCode(err))
	}
	// A detached start returns at once, whatever the program does next.
	start := time.Now()
	if err := startDetached([]string{"/bin/sh", "-c", "sleep 2"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("startDetached waited %v", d)
	}
	if err := startDetached([]string{"/nonexistent/program"}); err == nil {
		t.Error("starting a missing program succeeded")
	}
}
