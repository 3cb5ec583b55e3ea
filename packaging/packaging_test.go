package packaging

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/launchd"
	"github.com/idpulse/idpulse/probes/filetest"
	"github.com/idpulse/idpulse/probes/probetest"
)

func bash(t *testing.T) string {
	t.Helper()
	b, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	return b
}

// renderInfoPlist runs the real script, as build-app.sh does.
func renderInfoPlist(t *testing.T, env []string, args ...string) ([]byte, string, error) {
	t.Helper()
	cmd := exec.Command(bash(t), append([]string{"macos/render-info-plist.sh"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.String(), err
}

func TestInfoPlist(t *testing.T) {
	describe := `v1.2.3-4-gabcdef0-dirty&<>"'`
	out, stderr, err := renderInfoPlist(t, nil, describe, "42")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	var got map[string]any
	format, err := plist.Unmarshal(out, &got)
	if err != nil || format != plist.XMLFormat {
		t.Fatalf("not an XML plist (%v):\n%s", err, out)
	}
	want := map[string]any{
		"CFBundleDevelopmentRegion":     "en",
		"CFBundleDisplayName":           "idpulse",
		"CFBundleExecutable":            "idpulse",
		"CFBundleIconFile":              "idpulse",
		"CFBundleIdentifier":            launchd.Label,
		"CFBundleInfoDictionaryVersion": "6.0",
		"CFBundleName":                  "idpulse",
		"CFBundlePackageType":           "APPL",
		"CFBundleShortVersionString":    "1.2.3",
		"CFBundleVersion":               "42",
		"IDPulseVersion":                describe,
		"LSApplicationCategoryType":     "public.app-category.utilities",
		"LSMinimumSystemVersion":        "12.0",
		"LSUIElement":                   true,
		"NSHighResolutionCapable":       true,
		"NSHumanReadableCopyright":      "Copyright © " + strconv.Itoa(time.Now().UTC().Year()) + " The idpulse authors",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Info.plist\n got %#v\nwant %#v\n%s", got, want, out)
	}
	if bytes.Contains(out, []byte("@")) {
		t.Errorf("unreplaced placeholder:\n%s", out)
	}
}

func TestInfoPlistVersions(t *testing.T) {
	for describe, short := range map[string]string{
		"v1.2.3": "1.2.3", "v2.0": "2.0.0", "v3": "3.0.0", "1.4.0-rc1": "1.4.0", "v0.9.1-12-g0123abc": "0.9.1",
		"abcdef0": "0.0.0", "abcdef0-dirty": "0.0.0", "dev": "0.0.0",
	} {
		out, stderr, err := renderInfoPlist(t, nil, describe, "7")
		if err != nil {
			t.Fatalf("%s: %v %s", describe, err, stderr)
		}
		var got struct {
			Short   string `plist:"CFBundleShortVersionString"`
			Version string `plist:"IDPulseVersion"`
		}
		if _, err := plist.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if got.Short != short || got.Version != describe {
			t.Errorf("%s: short %q, version %q; want %q", describe, got.Short, got.Version, short)
		}
	}
	// Defaults: VERSION / BUILD_NUMBER (as make passes them).
	out, stderr, err := renderInfoPlist(t, []string{"VERSION=v5.6.7", "BUILD_NUMBER=123"})
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	if !bytes.Contains(out, []byte("<string>5.6.7</string>")) || !bytes.Contains(out, []byte("<string>123</string>")) {
		t.Errorf("defaults from the environment:\n%s", out)
	}
	if _, stderr, err := renderInfoPlist(t, nil, "v1.0.0", "12a"); err == nil || !strings.Contains(stderr, "build number") {
		t.Errorf("bad build number: %v %s", err, stderr)
	}
}

// configKeys are the configuration file's keys, section by section, from
// agent/config's own structs.
func configKeys(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	ct := reflect.TypeOf(config.Config{})
	for i := 0; i < ct.NumField(); i++ {
		sec := strings.Split(ct.Field(i).Tag.Get("json"), ",")[0]
		st := ct.Field(i).Type
		for j := 0; j < st.NumField(); j++ {
			if k := strings.Split(st.Field(j).Tag.Get("json"), ",")[0]; k != "" && k != "-" {
				out[sec] = append(out[sec], k)
			}
		}
		sort.Strings(out[sec])
	}
	return out
}

func TestMobileconfig(t *testing.T) {
	path := filepath.Join("mdm", launchd.Label+".mobileconfig")
	raw := filetest.Read(t, path)
	var profile struct {
		PayloadType, PayloadIdentifier, PayloadUUID, PayloadDisplayName, PayloadScope string
		PayloadVersion                                                                int
		PayloadContent                                                                []map[string]any
	}
	format, err := plist.Unmarshal([]byte(raw), &profile)
	if err != nil || format != plist.XMLFormat {
		t.Fatalf("%s: %v", path, err)
	}
	uuid := regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)
	if profile.PayloadType != "Configuration" || profile.PayloadVersion != 1 || !uuid.MatchString(profile.PayloadUUID) ||
		profile.PayloadIdentifier == "" || profile.PayloadDisplayName == "" || profile.PayloadScope != "System" {
		t.Errorf("profile header %+v", profile)
	}
	if len(profile.PayloadContent) != 1 {
		t.Fatalf("%d payloads, want 1", len(profile.PayloadContent))
	}
	p := profile.PayloadContent[0]
	if p["PayloadType"] != launchd.Label || p["PayloadVersion"] != uint64(1) || !uuid.MatchString(p["PayloadUUID"].(string)) ||
		p["PayloadUUID"] == profile.PayloadUUID || !strings.HasPrefix(p["PayloadIdentifier"].(string), launchd.Label) {
		t.Errorf("payload header %v", p)
	}

	// Every configuration key is in the sample, with a comment documenting it.
	settings := map[string]any{}
	for k, v := range p {
		if !strings.HasPrefix(k, "Payload") {
			settings[k] = v
		}
	}
	keys := configKeys(t)
	for sec, want := range keys {
		m, ok := settings[sec].(map[string]any)
		if !ok {
			t.Errorf("section %s missing", sec)
			continue
		}
		var got []string
		for k := range m {
			got = append(got, k)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s keys %v, want %v", sec, got, want)
		}
		for _, k := range want {
			if !strings.Contains(raw, "<!-- "+sec+"."+k+": ") {
				t.Errorf("%s.%s has no <!-- %s.%s: … --> comment", sec, k, sec, k)
			}
		}
	}
	if len(settings) != len(keys) {
		t.Errorf("sections %v, want %v", settings, keys)
	}

	// The sample is the defaults, in types agent/config accepts: decoded
	// over the defaults it changes nothing.
	data, err := json.Marshal(settings)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	if err := config.Parse(data, &cfg); err != nil {
		t.Fatalf("the sample profile is not a valid configuration: %v", err)
	}
	if !reflect.DeepEqual(cfg, config.Default()) {
		t.Errorf("the sample profile differs from the defaults:\n got %+v\nwant %+v", cfg, config.Default())
	}
}

// TestIdentifiersAgree: one bundle id / label everywhere.
func TestIdentifiersAgree(t *testing.T) {
	id := launchd.Label
	for file, want := range map[string][]string{
		"macos/lib.sh":                   {"BUNDLE_ID=" + id, "PKG_ID=" + id + ".pkg"},
		"macos/uninstall.sh":             {"label=" + id, "pkg_id=" + id + ".pkg"},
		"macos/Info.plist.in":            {"<string>@BUNDLE_ID@</string>"},
		"homebrew/idpulse.rb":            {`launchctl: "` + id + `"`, `quit:      "` + id + `"`, "~/Library/LaunchAgents/" + id + ".plist", `app "idpulse.app"`},
		"mdm/" + id + ".mobileconfig":    {"<string>" + id + "</string>"},
		"../launchd/agent.plist.tmpl":    {"<string>" + id + "</string>"},
		"../.github/workflows/macos.yml": {"make universal app", "make pkg dmg"},
	} {
		text := filetest.Read(t, file)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", file, w)
			}
		}
	}
	// The cask downloads what build-dmg.sh names: idpulse-<git describe>.dmg,
	// and a release tag is v<version>.
	if !strings.Contains(filetest.Read(t, "homebrew/idpulse.rb"), "/idpulse-v#{version}.dmg") ||
		!strings.Contains(filetest.Read(t, "macos/build-dmg.sh"), `dist/$APP_NAME-$version.dmg`) {
		t.Error("the cask's url and build-dmg.sh's file name disagree")
	}
}

// TestWorkflowNamesExist: the macOS workflow runs tests and targets that exist.
func TestWorkflowNamesExist(t *testing.T) {
	wf := filetest.Read(t, "../.github/workflows/macos.yml")
	src := filetest.Read(t, "../agent/service/darwin_test.go")
	for _, m := range regexp.MustCompile(`-run '(\w+)'`).FindAllStringSubmatch(wf, -1) {
		if !strings.Contains(src, "func "+m[1]+"(t *testing.T)") {
			t.Errorf("the workflow runs %s, which agent/service/darwin_test.go does not define", m[1])
		}
	}
	mk := filetest.Read(t, "../Makefile")
	for _, target := range []string{"universal", "app", "pkg", "dmg", "lint-shell", "install-linux"} {
		if !regexp.MustCompile(`(?m)^` + target + `:`).MatchString(mk) {
			t.Errorf("Makefile has no %s target", target)
		}
	}
}

// TestMacScriptsNeedMacOS: on anything else they stop at once, saying so.
func TestMacScriptsNeedMacOS(t *testing.T) {
	if runtime.GOOS == "darwin" {
		t.Skip("this is macOS")
	}
	for _, s := range []string{"build-universal.sh", "build-app.sh", "make-icns.sh", "build-pkg.sh", "build-dmg.sh", "sign-notarize.sh"} {
		out, err := exec.Command(bash(t), filepath.Join("macos", s)).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "needs macOS") {
			t.Errorf("%s: %v: %s", s, err, out)
		}
	}
	out, err := exec.Command(bash(t), "macos/uninstall.sh").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "needs macOS") {
		t.Errorf("uninstall.sh: %v: %s", err, out)
	}
}

// units reads a unit file's directives, minus comments.
func directives(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// TestLinuxUnitMatchesTemplate: the packagers' unit says what the per-user
// unit says, but for ExecStart.
func TestLinuxUnitMatchesTemplate(t *testing.T) {
	rendered, err := launchd.RenderUnit(launchd.Unit{Program: "/usr/bin/idpulse", Arguments: []string{"run"}})
	if err != nil {
		t.Fatal(err)
	}
	ours := directives(filetest.Read(t, "linux/idpulse.service"))
	theirs := directives(string(rendered))
	for i, l := range theirs {
		if strings.HasPrefix(l, "ExecStart=") {
			theirs[i] = "ExecStart=/usr/bin/idpulse run"
		}
	}
	if !reflect.DeepEqual(ours, theirs) {
		t.Errorf("packaging/linux/idpulse.service:\n%s\nlaunchd/systemd.service.tmpl:\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}
}

// fakeTools are a stand-in `go` (for the icon) and idpulse binary (which
// records its arguments), so install.sh runs in seconds.
func fakeTools(t *testing.T) (dir, bin, argsFile string) {
	t.Helper()
	dir = t.TempDir()
	argsFile = filepath.Join(dir, "idpulse-args")
	bin = filepath.Join(dir, "build", "idpulse")
	os.MkdirAll(filepath.Dir(bin), 0o755)
	os.WriteFile(bin, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > '"+argsFile+"'\n"), 0o755)
	goFake := filepath.Join(dir, "go")
	os.WriteFile(goFake, []byte("#!/bin/sh\n# go run ./packaging/cmd/icons -png OUT -size N\nwhile [ $# -gt 0 ]; do [ \"$1\" = -png ] && printf 'PNG' > \"$2\"; shift; done\n"), 0o755)
	return dir, bin, argsFile
}

func TestInstallLinuxSystem(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("install.sh is for Linux")
	}
	dir, bin, _ := fakeTools(t)
	prefix := filepath.Join(dir, "pre fix")
	cmd := exec.Command(bash(t), "linux/install.sh", "--system", bin)
	cmd.Env = append(os.Environ(), "PREFIX="+prefix, "DESTDIR=", "GO="+filepath.Join(dir, "go"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, f := range []string{"bin/idpulse", "lib/systemd/user/idpulse.service", "share/applications/idpulse.desktop", "share/icons/hicolor/256x256/apps/idpulse.png"} {
		if _, err := os.Stat(filepath.Join(prefix, f)); err != nil {
			t.Error(err)
		}
	}
	unit := filetest.Read(t, filepath.Join(prefix, "lib/systemd/user/idpulse.service"))
	want := "ExecStart=" + strings.ReplaceAll(filepath.Join(prefix, "bin", "idpulse"), " ", `\x20`) + " run\n"
	if !strings.Contains(unit, want) {
		t.Errorf("unit lacks %q:\n%s", want, unit)
	}
	t.Run("systemd-analyze", func(t *testing.T) { verifyUnit(t, filepath.Join(prefix, "lib/systemd/user/idpulse.service")) })
	if st, _ := os.Stat(filepath.Join(prefix, "bin/idpulse")); st.Mode().Perm() != 0o755 {
		t.Errorf("binary mode %v", st.Mode())
	}
}

func TestInstallLinuxUser(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("install.sh is for Linux")
	}
	dir, bin, argsFile := fakeTools(t)
	home := filepath.Join(dir, "home", "Jane Doe")
	cmd := exec.Command(bash(t), "linux/install.sh", bin)
	env := []string{"HOME=" + home, "GO=" + filepath.Join(dir, "go"), "PATH=" + os.Getenv("PATH")}
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	exe := filepath.Join(home, ".local", "bin", "idpulse")
	if got := strings.TrimSpace(filetest.Read(t, argsFile)); got != "install" {
		t.Errorf("ran idpulse %q, want install", got)
	}
	desktop := filetest.Read(t, filepath.Join(home, ".local/share/applications/idpulse.desktop"))
	for _, want := range []string{"TryExec=" + exe + "\n", `Exec="` + exe + `" run` + "\n", "Icon=idpulse\n"} {
		if !strings.Contains(desktop, want) {
			t.Errorf("desktop entry lacks %q:\n%s", want, desktop)
		}
	}
	if _, err := os.Stat(filepath.Join(home, ".local/share/icons/hicolor/256x256/apps/idpulse.png")); err != nil {
		t.Error(err)
	}
	// Under sudo it refuses: it would install into root's home.
	cmd = exec.Command(bash(t), "linux/install.sh", bin)
	cmd.Env = append(env, "SUDO_USER=jane")
	if os.Getuid() == 0 {
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "without sudo") {
			t.Errorf("under sudo: %v %s", err, out)
		}
	}
}

// verifyUnit runs systemd-analyze verify; without it it skips t, unless
// IDPULSE_REQUIRE_SYSTEMD_ANALYZE=1 (CI).
func verifyUnit(t *testing.T, path string) {
	t.Helper()
	sa := probetest.RequireTool(t, "IDPULSE_REQUIRE_SYSTEMD_ANALYZE", "systemd-analyze", "apt-get install systemd")
	rt := t.TempDir()
	os.Chmod(rt, 0o700)
	cmd := exec.Command(sa, "--user", "verify", path)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+rt, "HOME="+t.TempDir(), "SYSTEMD_LOG_LEVEL=notice")
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze --user verify %s: %v\n%s", path, err, out)
	}
}

func TestDesktopLauncher(t *testing.T) {
	lines := directives(filetest.Read(t, "linux/idpulse.desktop"))
	if lines[0] != "[Desktop Entry]" {
		t.Fatalf("first line %q", lines[0])
	}
	kv := map[string]string{}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("line %q", l)
		}
		kv[k] = v
	}
	for k, want := range map[string]string{"Type": "Application", "Name": "idpulse", "Exec": "idpulse run", "TryExec": "idpulse", "Icon": "idpulse", "Terminal": "false"} {
		if kv[k] != want {
			t.Errorf("%s=%q, want %q", k, kv[k], want)
		}
	}
	if dfv, err := exec.LookPath("desktop-file-validate"); err == nil {
		if out, err := exec.Command(dfv, "linux/idpulse.desktop").CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("desktop-file-validate: %v %s", err, out)
		}
	} else {
		t.Logf("not checked with desktop-file-validate: it is not installed (apt-get install desktop-file-utils)")
	}
}

// TestPlistIsTestOnly: howett.net/plist checks plists in tests; the binary
// converts managed preferences with /usr/bin/plutil and never links it.
func TestPlistIsTestOnly(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, goos := range []string{"darwin", "linux"} {
		cmd := exec.Command(goCmd, "list", "-e", "-deps", "github.com/idpulse/idpulse/cmd/idpulse")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "CGO_ENABLED=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		if bytes.Contains(out, []byte("howett.net/plist")) {
			t.Errorf("GOOS=%s: the idpulse binary depends on howett.net/plist", goos)
		}
	}
}
