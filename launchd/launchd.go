// Package launchd holds the service definitions idpulse installs, as
// templates in kardianos/service's own mini template syntax ({{Key | html}},
// {{range Arguments}}, {{if Key}}; not text/template), and renders them:
//
//   - agent.plist.tmpl: the macOS LaunchAgent,
//     ~/Library/LaunchAgents/io.idpulse.agent.plist;
//   - systemd.service.tmpl: the Linux systemd user unit,
//     ~/.config/systemd/user/idpulse.service;
//   - autostart.desktop.tmpl: the XDG autostart entry,
//     ~/.config/autostart/idpulse.desktop, for desktops without a systemd
//     user manager.
//
// On macOS the plist is written by kardianos/service itself (its LaunchdConfig
// option takes AgentTemplate); RenderAgent performs exactly the substitution
// kardianos/service does (the same engine, the same data map), which the
// tests prove by rendering through kardianos/service's own engine.
package launchd

import (
	_ "embed"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	"github.com/idpulse/idpulse/launchd/internal/minitmpl"
)

const (
	// Label is idpulse's one identifier on macOS: the LaunchAgent label,
	// the app's CFBundleIdentifier and the managed preferences (MDM)
	// domain. The packaging files repeat it; a test keeps them in step.
	Label = "io.idpulse.agent"

	// UnitName is the systemd user unit; AutostartName the XDG autostart
	// entry's file name.
	UnitName      = "idpulse.service"
	AutostartName = "idpulse.desktop"

	// ThrottleInterval is the LaunchAgent's minimum seconds between two
	// launches: a crash loop restarts at most twice a minute.
	ThrottleInterval = 30
	// RestartSec is the systemd unit's pause before a restart after a crash.
	RestartSec = 30

	// UnitDescription is the unit's Description=.
	UnitDescription = "idpulse - Apple ID connectivity monitor (menu bar agent)"
)

var (
	//go:embed agent.plist.tmpl
	agentTemplate string
	//go:embed systemd.service.tmpl
	unitTemplate string
	//go:embed autostart.desktop.tmpl
	autostartTemplate string
)

// AgentTemplate is the LaunchAgent template, for kardianos/service's
// LaunchdConfig option.
func AgentTemplate() string { return agentTemplate }

// UnitTemplate is the systemd unit template. It uses only the keys and
// functions kardianos/service gives a custom SystemdScript.
func UnitTemplate() string { return unitTemplate }

// AutostartTemplate is the XDG autostart entry template.
func AutostartTemplate() string { return autostartTemplate }

// Agent describes the LaunchAgent.
type Agent struct {
	// Label is the job label; "" means Label.
	Label string
	// Program is the absolute path of the executable; Arguments follow it.
	Program   string
	Arguments []string
	// WorkingDirectory is optional.
	WorkingDirectory string
	// LogDir receives <label>.out.log and <label>.err.log (stdout and
	// stderr). It must exist before launchd starts the job: launchd does not
	// create it, and a log path it cannot open can keep the job from starting.
	LogDir string
	// Env is the job's EnvironmentVariables (optional).
	Env map[string]string
}

func (a Agent) label() string {
	if a.Label == "" {
		return Label
	}
	return a.Label
}

// LogPaths are StandardOutPath and StandardErrorPath, named as
// kardianos/service names them.
func (a Agent) LogPaths() (stdout, stderr string) {
	return fmt.Sprintf("%s/%s.%s.log", a.LogDir, a.label(), "out"),
		fmt.Sprintf("%s/%s.%s.log", a.LogDir, a.label(), "err")
}

// KardianosOptions are the kardianos/service Config.Option values that
// produce this plist: a user service (~/Library/LaunchAgents), our template
// and log directory. KeepAlive, RunAtLoad and SessionCreate only feed
// template keys ours does not use (the plist states its own RunAtLoad and
// KeepAlive); they are listed so that AgentData matches them.
func (a Agent) KardianosOptions() map[string]any {
	return map[string]any{
		"UserService":   true,
		"LaunchdConfig": AgentTemplate(),
		"LogDirectory":  a.LogDir,
		"KeepAlive":     true,
		"RunAtLoad":     true,
		"SessionCreate": false,
	}
}

// plistEscaper is kardianos/service's "html" function for launchd
// (text/template's HTML escaper).
var plistEscaper = strings.NewReplacer(
	`&`, "&amp;",
	`'`, "&#39;",
	`<`, "&lt;",
	`>`, "&gt;",
	`"`, "&#34;",
)

// PlistFuncs are the pipeline functions kardianos/service gives the launchd
// template.
func PlistFuncs() map[string]minitmpl.Func {
	return map[string]minitmpl.Func{
		"html": func(s string) (string, error) { return plistEscaper.Replace(s), nil },
	}
}

// AgentData is the data map kardianos/service v1.3.0's darwin Install builds
// from a Config made of a.KardianosOptions(), a.Program (Config.Executable),
// a.Arguments, a.WorkingDirectory and a.Env.
func AgentData(a Agent) map[string]any {
	out, errPath := a.LogPaths()
	opt := a.KardianosOptions()
	return map[string]any{
		"Name": a.label(),
		// kardianos/service takes filepath.Abs of Config.Executable.
		"Path":              filepath.Clean(a.Program),
		"Arguments":         a.Arguments,
		"ChRoot":            "",
		"UserName":          "",
		"WorkingDirectory":  a.WorkingDirectory,
		"KeepAlive":         launchdBool(opt["KeepAlive"].(bool)),
		"RunAtLoad":         launchdBool(opt["RunAtLoad"].(bool)),
		"SessionCreate":     launchdBool(opt["SessionCreate"].(bool)),
		"StandardOutPath":   out,
		"StandardErrorPath": errPath,
		"EnvVars": minitmpl.EnvVars(a.Env, func(k, v string) string {
			return "\t\t<key>" + plistEscaper.Replace(k) + "</key>\n" +
				"\t\t<string>" + plistEscaper.Replace(v) + "</string>"
		}),
	}
}

func launchdBool(v bool) string {
	if v {
		return "true"
	}
	return "false"
}

// labelRE is what launchd and the file system accept without surprises.
var labelRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

var envKeyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate reports a value the plist cannot carry: a relative path, or a
// control character (XML 1.0 cannot represent most of them, escaped or not).
func (a Agent) Validate() error {
	if !labelRE.MatchString(a.label()) {
		return fmt.Errorf("launch agent label %q: want letters, digits, '.', '-' or '_'", a.label())
	}
	if !filepath.IsAbs(a.Program) {
		return fmt.Errorf("launch agent program %q: not an absolute path", a.Program)
	}
	if !filepath.IsAbs(a.LogDir) {
		return fmt.Errorf("launch agent log directory %q: not an absolute path", a.LogDir)
	}
	if a.WorkingDirectory != "" && !filepath.IsAbs(a.WorkingDirectory) {
		return fmt.Errorf("launch agent working directory %q: not an absolute path", a.WorkingDirectory)
	}
	check := []string{a.Program, a.LogDir, a.WorkingDirectory}
	check = append(check, a.Arguments...)
	for k, v := range a.Env {
		check = append(check, k, v)
	}
	return noControl("launch agent", check...)
}

// RenderAgent renders the LaunchAgent plist.
func RenderAgent(a Agent) ([]byte, error) {
	return render(a.Validate(), "launch agent", agentTemplate, AgentData(a), PlistFuncs())
}

// Unit describes the systemd user unit.
type Unit struct {
	// Description is Description=; "" means UnitDescription.
	Description string
	// Program is the absolute path of the executable; Arguments follow it.
	Program   string
	Arguments []string
	// Env becomes Environment= lines (optional).
	Env map[string]string
}

// UnitFuncs are the pipeline functions kardianos/service gives a
// SystemdScript: cmd quotes a word, cmdEscape writes spaces as \x20.
func UnitFuncs() map[string]minitmpl.Func {
	return map[string]minitmpl.Func{
		"cmd":       func(s string) (string, error) { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`, nil },
		"cmdEscape": func(s string) (string, error) { return strings.ReplaceAll(s, " ", `\x20`), nil },
	}
}

// UnitData is the data map kardianos/service v1.3.0's systemd Install builds
// for a user service with Restart=on-failure.
func UnitData(u Unit) map[string]any {
	desc := u.Description
	if desc == "" {
		desc = UnitDescription
	}
	return map[string]any{
		"Description":       desc,
		"Path":              u.Program,
		"Name":              strings.TrimSuffix(UnitName, ".service"),
		"Dependencies":      []string(nil),
		"Arguments":         u.Arguments,
		"ChRoot":            "",
		"WorkingDirectory":  "",
		"UserName":          "",
		"ReloadSignal":      "",
		"PIDFile":           "",
		"LogDirectory":      "/var/log",
		"OutputFileSupport": "",
		"LimitNOFILE":       "",
		"Restart":           "on-failure",
		"SuccessExitStatus": "",
		"EnvVars":           minitmpl.EnvVars(u.Env, func(k, v string) string { return "Environment=" + k + "=" + v }),
	}
}

// Validate reports a value kardianos/service's cmd/cmdEscape functions
// cannot write safely into a unit: systemd would expand % (specifiers) and $
// (variables) and read \ as an escape, and a control character ends the line.
func (u Unit) Validate() error {
	if !filepath.IsAbs(u.Program) {
		return fmt.Errorf("unit program %q: not an absolute path", u.Program)
	}
	if strings.ContainsAny(u.Program, `"'`) {
		return fmt.Errorf("unit program %q: quotes cannot be written in ExecStart's program path", u.Program)
	}
	words := append([]string{u.Program, u.Description}, u.Arguments...)
	for k, v := range u.Env {
		// kardianos/service writes Environment=K=V unquoted.
		if !envKeyRE.MatchString(k) || strings.ContainsAny(v, " \t\"'") {
			return fmt.Errorf("unit environment %q=%q: want a plain name and a value without spaces or quotes", k, v)
		}
		words = append(words, k, v)
	}
	for _, w := range words {
		if strings.ContainsAny(w, `%$\`) {
			return fmt.Errorf("unit value %q: %%, $ and \\ are not supported (systemd would expand them)", w)
		}
	}
	return noControl("unit", words...)
}

// RenderUnit renders the systemd user unit.
func RenderUnit(u Unit) ([]byte, error) {
	return render(u.Validate(), "unit", unitTemplate, UnitData(u), UnitFuncs())
}

// Autostart describes the XDG autostart entry.
type Autostart struct {
	// Program is the absolute path of the executable; Arguments follow it.
	Program   string
	Arguments []string
}

// AutostartFuncs are the desktop entry's quoting functions: exec quotes one
// Exec= argument, str escapes a string value (Desktop Entry Specification,
// "The Exec key" and "Possible value types").
func AutostartFuncs() map[string]minitmpl.Func {
	return map[string]minitmpl.Func{
		"exec": func(s string) (string, error) { return desktopString(desktopExecArg(s)), nil },
		"str":  func(s string) (string, error) { return desktopString(s), nil },
	}
}

// desktopReserved are the characters that force an Exec argument into
// double quotes.
const desktopReserved = " \t\n\"'\\><~|&;$*?#()`"

func desktopExecArg(s string) string {
	q := s
	if s == "" || strings.ContainsAny(s, desktopReserved) {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range s {
			if strings.ContainsRune("\"`$\\", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
		q = b.String()
	}
	return strings.ReplaceAll(q, "%", "%%")
}

func desktopString(s string) string { return strings.ReplaceAll(s, `\`, `\\`) }

// Validate reports a relative program path or a control character, which
// ends a desktop entry's line.
func (a Autostart) Validate() error {
	if !filepath.IsAbs(a.Program) {
		return fmt.Errorf("autostart program %q: not an absolute path", a.Program)
	}
	return noControl("autostart entry", append([]string{a.Program}, a.Arguments...)...)
}

// RenderAutostart renders the XDG autostart entry.
func RenderAutostart(a Autostart) ([]byte, error) {
	return render(a.Validate(), "autostart entry", autostartTemplate, map[string]any{"Path": a.Program, "Arguments": a.Arguments}, AutostartFuncs())
}

// render renders one of the templates from a description that Validate
// accepted (invalid: its error, returned as is); what names the template in
// a render error.
func render(invalid error, what, tmpl string, data map[string]any, funcs map[string]minitmpl.Func) ([]byte, error) {
	if invalid != nil {
		return nil, invalid
	}
	out, err := minitmpl.Render(tmpl, data, funcs)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", what, err)
	}
	return []byte(out), nil
}

var errControl = errors.New("control characters are not allowed")

// noControl reports the first of values with a control character (or a
// noncharacter XML refuses), naming what it is for.
func noControl(what string, values ...string) error {
	for _, s := range values {
		for _, r := range s {
			if unicode.IsControl(r) || r == '\uFFFE' || r == '\uFFFF' {
				return fmt.Errorf("%s: %q: %w", what, s, errControl)
			}
		}
	}
	return nil
}
