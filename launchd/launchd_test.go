package launchd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"howett.net/plist"

	"github.com/idpulse/idpulse/probes/probetest"
)

// agentCases are LaunchAgents whose values need escaping: spaces in paths,
// XML's special characters and quotes in arguments, non-ASCII text.
var agentCases = []struct {
	name string
	a    Agent
}{
	{"app bundle", Agent{
		Program:   "/Applications/idpulse.app/Contents/MacOS/idpulse",
		Arguments: []string{"run"},
		LogDir:    "/Users/me/Library/Logs/idpulse",
	}},
	{"spaces and markup", Agent{
		Program:   "/Users/Jane Doe/My Apps/id pulse.app/Contents/MacOS/idpulse",
		Arguments: []string{"run", "--config", "/Users/Jane Doe/a&b <c> 'd' \"e\".json", "&amp;", "]]>"},
		LogDir:    "/Users/Jane Doe/Library/Logs/id pulse & co",
	}},
	{"no arguments, env and working directory", Agent{
		Label:            "io.idpulse.agent.test",
		Program:          "/opt/idpulse/bin/idpulse",
		Arguments:        []string{},
		LogDir:           "/tmp/logs",
		WorkingDirectory: "/tmp/work dir",
		Env:              map[string]string{"B_VAR": "x<y>&z", "A_VAR": "Grüße 🍏"},
	}},
}

func TestAgentPlist(t *testing.T) {
	for _, tt := range agentCases {
		t.Run(tt.name, func(t *testing.T) {
			out, err := RenderAgent(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			format, err := plist.Unmarshal(out, &got)
			if err != nil {
				t.Fatalf("not a plist: %v\n%s", err, out)
			}
			if format != plist.XMLFormat {
				t.Errorf("format %d, want XML", format)
			}
			label := tt.a.Label
			if label == "" {
				label = Label
			}
			stdout, stderr := tt.a.LogPaths()
			want := map[string]any{
				"Label":                       label,
				"ProgramArguments":            strs(append([]string{tt.a.Program}, tt.a.Arguments...)...),
				"AssociatedBundleIdentifiers": strs(Label),
				"LimitLoadToSessionType":      "Aqua",
				"ProcessType":                 "Interactive",
				"RunAtLoad":                   true,
				"KeepAlive":                   map[string]any{"SuccessfulExit": false},
				"ThrottleInterval":            uint64(ThrottleInterval),
				"StandardOutPath":             stdout,
				"StandardErrorPath":           stderr,
			}
			if tt.a.WorkingDirectory != "" {
				want["WorkingDirectory"] = tt.a.WorkingDirectory
			}
			if len(tt.a.Env) > 0 {
				env := map[string]any{}
				for k, v := range tt.a.Env {
					env[k] = v
				}
				want["EnvironmentVariables"] = env
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("plist:\n got %#v\nwant %#v\n%s", got, want, out)
			}
			if !strings.HasPrefix(stdout, tt.a.LogDir+"/") || !strings.HasSuffix(stdout, label+".out.log") ||
				!strings.HasSuffix(stderr, label+".err.log") {
				t.Errorf("log paths %q %q", stdout, stderr)
			}
		})
	}
}

func strs(s ...string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func TestAgentValidate(t *testing.T) {
	ok := Agent{Program: "/bin/idpulse", LogDir: "/tmp"}
	for _, tt := range []struct {
		name string
		edit func(*Agent)
		want string
	}{
		{"relative program", func(a *Agent) { a.Program = "idpulse" }, "not an absolute path"},
		{"relative log dir", func(a *Agent) { a.LogDir = "Logs" }, "not an absolute path"},
		{"relative working dir", func(a *Agent) { a.WorkingDirectory = "w" }, "not an absolute path"},
		{"label with a slash", func(a *Agent) { a.Label = "../evil" }, "label"},
		{"control character in an argument", func(a *Agent) { a.Arguments = []string{"a\x01b"} }, "control characters"},
		{"newline in env", func(a *Agent) { a.Env = map[string]string{"A": "x\ny"} }, "control characters"},
	} {
		a := ok
		tt.edit(&a)
		if _, err := RenderAgent(a); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestKardianosOptionsMatchData: the data map uses the option values the
// darwin installer hands kardianos/service.
func TestKardianosOptionsMatchData(t *testing.T) {
	a := Agent{Program: "/bin/x", LogDir: "/l"}
	opt := a.KardianosOptions()
	d := AgentData(a)
	if opt["UserService"] != true || opt["LaunchdConfig"] != AgentTemplate() || opt["LogDirectory"] != "/l" {
		t.Errorf("options %v", opt)
	}
	for _, k := range []string{"KeepAlive", "RunAtLoad", "SessionCreate"} {
		if want := launchdBool(opt[k].(bool)); d[k] != want {
			t.Errorf("%s: data %v, option %v", k, d[k], want)
		}
	}
}

// TestTemplatesUseKardianosSyntax: text/template's {{.Name}} fails in
// kardianos/service v1.3.0 ("unknown template key"); only {{.}} inside a
// range is valid.
func TestTemplatesUseKardianosSyntax(t *testing.T) {
	for name, tmpl := range map[string]string{"agent": AgentTemplate(), "unit": UnitTemplate(), "autostart": AutostartTemplate()} {
		for _, bad := range []string{"{{.N", "{{ .N", "{{template", "{{define", "{{with"} {
			if strings.Contains(tmpl, bad) {
				t.Errorf("%s template contains %q: text/template syntax", name, bad)
			}
		}
	}
}

// unitCases exercise ExecStart quoting.
var unitCases = []struct {
	name string
	u    Unit
}{
	{"plain", Unit{Program: "/home/me/.local/bin/idpulse", Arguments: []string{"run"}}},
	{"spaces and quotes", Unit{Program: "/home/Jane Doe/my bin/idpulse", Arguments: []string{"run", "--config", `/home/Jane Doe/it's "cfg".json`, "a&b<c>"}}},
	{"env", Unit{Program: "/usr/bin/idpulse", Arguments: []string{"run"}, Env: map[string]string{"IDPULSE_X": "1"}}},
}

func TestUnit(t *testing.T) {
	for _, tt := range unitCases {
		t.Run(tt.name, func(t *testing.T) {
			out, err := RenderUnit(tt.u)
			if err != nil {
				t.Fatal(err)
			}
			sections := parseINI(t, out)
			want := map[string]map[string][]string{
				"Unit": {
					"Description":   {UnitDescription},
					"Documentation": {"https://github.com/idpulse/idpulse"},
					"PartOf":        {"graphical-session.target"},
					"After":         {"graphical-session.target"},
				},
				"Service": {
					"Type":       {"simple"},
					"ExecStart":  {sections["Service"]["ExecStart"][0]},
					"Restart":    {"on-failure"},
					"RestartSec": {"30"},
				},
				"Install": {"WantedBy": {"graphical-session.target"}},
			}
			for k, v := range tt.u.Env {
				want["Service"]["Environment"] = append(want["Service"]["Environment"], k+"="+v)
			}
			if !reflect.DeepEqual(sections, want) {
				t.Errorf("unit:\n got %v\nwant %v\n%s", sections, want, out)
			}
			argv := systemdWords(t, sections["Service"]["ExecStart"][0])
			if wantArgv := append([]string{tt.u.Program}, tt.u.Arguments...); !reflect.DeepEqual(argv, wantArgv) {
				t.Errorf("ExecStart argv %q, want %q", argv, wantArgv)
			}
			t.Run("systemd-analyze", func(t *testing.T) { verifyUnit(t, out, tt.u.Program) })
		})
	}
}

func TestUnitValidate(t *testing.T) {
	for _, u := range []Unit{
		{Program: "idpulse"},
		{Program: "/bin/100%/idpulse"},
		{Program: "/bin/idpulse", Arguments: []string{"$HOME"}},
		{Program: "/bin/idpulse", Arguments: []string{`a\b`}},
		{Program: `/bin/"x"/idpulse`},
		{Program: "/bin/idpulse", Arguments: []string{"a\nExecStartPre=/bin/evil"}},
		{Program: "/bin/idpulse", Env: map[string]string{"A B": "1"}},
		{Program: "/bin/idpulse", Env: map[string]string{"A": "1 2"}},
	} {
		if out, err := RenderUnit(u); err == nil {
			t.Errorf("%+v: rendered, want an error\n%s", u, out)
		}
	}
}

// verifyUnit runs systemd-analyze verify on the unit, with its program
// present as an executable (verify checks it). Without systemd-analyze it
// skips t, unless IDPULSE_REQUIRE_SYSTEMD_ANALYZE=1 (CI).
func verifyUnit(t *testing.T, unit []byte, program string) {
	t.Helper()
	sa := probetest.RequireTool(t, "IDPULSE_REQUIRE_SYSTEMD_ANALYZE", "systemd-analyze", "apt-get install systemd")
	dir := t.TempDir()
	// The program path inside a private root: the same spelling, under dir.
	prog := filepath.Join(dir, "root", program)
	if err := os.MkdirAll(filepath.Dir(prog), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prog, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	relocated := bytes.Replace(unit, []byte(strings.ReplaceAll(program, " ", `\x20`)),
		[]byte(strings.ReplaceAll(prog, " ", `\x20`)), 1)
	path := filepath.Join(dir, UnitName)
	if err := os.WriteFile(path, relocated, 0o644); err != nil {
		t.Fatal(err)
	}
	rt := filepath.Join(dir, "runtime")
	if err := os.Mkdir(rt, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sa, "--user", "verify", path)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+rt, "HOME="+dir, "SYSTEMD_LOG_LEVEL=notice")
	out, err := cmd.CombinedOutput()
	// verify exits 0 on mere warnings (an unknown key, a bad value), so
	// any output fails too.
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze --user verify: %v\n%s\n--- unit ---\n%s", err, out, relocated)
	}
}

func TestAutostart(t *testing.T) {
	for _, tt := range []struct {
		name string
		a    Autostart
	}{
		{"plain", Autostart{Program: "/home/me/.local/bin/idpulse", Arguments: []string{"run"}}},
		{"reserved characters", Autostart{Program: "/home/Jane Doe/bin/id$pulse", Arguments: []string{"run", `a "b" \c`, "50%", "x&y;z", ""}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := RenderAutostart(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			sections := parseINI(t, out)
			e := sections["Desktop Entry"]
			for k, want := range map[string]string{
				"Type": "Application", "Name": "idpulse", "Terminal": "false", "NoDisplay": "true",
				"X-GNOME-Autostart-enabled": "true",
			} {
				if got := e[k]; len(got) != 1 || got[0] != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if got := unescapeDesktopString(e["TryExec"][0]); got != tt.a.Program {
				t.Errorf("TryExec %q, want %q", got, tt.a.Program)
			}
			argv := desktopExec(t, e["Exec"][0])
			if want := append([]string{tt.a.Program}, tt.a.Arguments...); !reflect.DeepEqual(argv, want) {
				t.Errorf("Exec argv %q, want %q (Exec=%s)", argv, want, e["Exec"][0])
			}
			if dfv, err := exec.LookPath("desktop-file-validate"); err == nil {
				path := filepath.Join(t.TempDir(), AutostartName)
				os.WriteFile(path, out, 0o644)
				if msg, err := exec.Command(dfv, path).CombinedOutput(); err != nil || len(bytes.TrimSpace(msg)) > 0 {
					t.Errorf("desktop-file-validate: %v\n%s", err, msg)
				}
			} else {
				t.Logf("not checked with desktop-file-validate: it is not installed (apt-get install desktop-file-utils)")
			}
		})
	}
	if _, err := RenderAutostart(Autostart{Program: "idpulse"}); err == nil {
		t.Error("relative program: want an error")
	}
	if _, err := RenderAutostart(Autostart{Program: "/bin/x", Arguments: []string{"a\nb"}}); err == nil {
		t.Error("newline: want an error")
	}
}

// parseINI reads a unit or desktop file into section → key → values,
// failing on anything but comments, blank lines, [sections] and key=value.
func parseINI(t *testing.T, data []byte) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	var sec string
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			sec = line[1 : len(line)-1]
			out[sec] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || sec == "" || k != strings.TrimSpace(k) {
				t.Fatalf("line %d: %q is not key=value in a section\n%s", i+1, line, data)
			}
			out[sec][k] = append(out[sec][k], v)
		}
	}
	return out
}

// splitWords splits a command line into words separated by spaces outside
// "double quotes", the rules systemd and the desktop entry spec share. escape
// sees each byte first: it adds what s[i:] means to the word with add and
// returns how many bytes it took, or 0 to leave the byte to the shared rules.
func splitWords(t *testing.T, s string, escape func(i int, quoted bool, add func(byte)) int) []string {
	t.Helper()
	var args []string
	var cur strings.Builder
	in, quoted := false, false // in: inside a word (possibly an empty "")
	add := func(b byte) { cur.WriteByte(b); in = true }
	end := func() {
		if in {
			args = append(args, cur.String())
			cur.Reset()
			in = false
		}
	}
	for i := 0; i < len(s); i++ {
		if n := escape(i, quoted, add); n > 0 {
			i += n - 1
			continue
		}
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted
			in = true
		case c == ' ' && !quoted:
			end()
		default:
			add(c)
		}
	}
	if quoted {
		t.Fatalf("unterminated quote in %q", s)
	}
	end()
	return args
}

// systemdWords splits an ExecStart= line as systemd does for what
// kardianos/service's cmd and cmdEscape produce: words separated by spaces,
// "double quotes" with \" inside, and \xNN escapes.
func systemdWords(t *testing.T, s string) []string {
	t.Helper()
	return splitWords(t, s, func(i int, quoted bool, add func(byte)) int {
		switch {
		case s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x':
			var b byte
			for _, h := range s[i+2 : i+4] {
				b = b<<4 | byte(strings.IndexRune("0123456789abcdef", h))
			}
			add(b)
			return 4
		case s[i] == '\\' && quoted && i+1 < len(s):
			add(s[i+1])
			return 2
		}
		return 0
	})
}

// unescapeDesktopString undoes a desktop entry string value's escapes.
func unescapeDesktopString(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\s`, " ", `\n`, "\n", `\t`, "\t", `\r`, "\r")
	return r.Replace(s)
}

// desktopExec splits an Exec= value as the Desktop Entry Specification
// says: string unescaping, then quoted arguments with \" \` \$ \\, then %%.
func desktopExec(t *testing.T, value string) []string {
	t.Helper()
	s := unescapeDesktopString(value)
	args := splitWords(t, s, func(i int, quoted bool, add func(byte)) int {
		c := s[i]
		switch {
		case quoted && c == '\\' && i+1 < len(s) && strings.IndexByte("\"`$\\", s[i+1]) >= 0:
			add(s[i+1])
			return 2
		case !quoted && strings.IndexByte("\t\n'\\><~|&;$*?#()`", c) >= 0:
			t.Fatalf("reserved character %q outside quotes in Exec=%s", c, value)
		}
		return 0
	})
	for i, a := range args {
		if strings.Contains(strings.ReplaceAll(a, "%%", ""), "%") {
			t.Fatalf("field code or lone %% in %q", a)
		}
		args[i] = strings.ReplaceAll(a, "%%", "%")
	}
	return args
}

// TestTemplatesAreUTF8Text: the embedded files are what ships; keep them
// free of tabs-vs-spaces surprises in the unit and of a BOM.
func TestTemplatesAreUTF8Text(t *testing.T) {
	names := []string{"agent.plist.tmpl", "systemd.service.tmpl", "autostart.desktop.tmpl"}
	sort.Strings(names)
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || !bytes.HasSuffix(data, []byte("\n")) {
			t.Errorf("%s: BOM or no final newline", n)
		}
	}
}
