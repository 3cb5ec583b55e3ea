package netenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/idpulse/idpulse/probes/command"
)

// SystemInfo identifies the machine in reports: Apple's fixes and known bugs
// are per macOS version and build, and a Rapid Security Response changes
// behaviour without changing ProductVersion.
type SystemInfo struct {
	OS      string `json:"os"`                      // "macOS", "Mac OS X", "Debian GNU/Linux"
	Version string `json:"version"`                 // "14.4.1", "12"
	Extra   string `json:"version_extra,omitempty"` // Rapid Security Response, "(a)"
	Build   string `json:"build,omitempty"`         // "23E224"
	Model   string `json:"model,omitempty"`         // "MacBookPro18,3" or DMI product name
	Kernel  string `json:"kernel,omitempty"`
	Arch    string `json:"arch"`
	// Serial is the hardware serial number. It is never written out (the
	// check's JSON, the state file): it is read only so that reports can
	// redact it wherever it turns up.
	Serial string `json:"-"`
}

// ParseIORegSerial reads IOPlatformSerialNumber from
// `ioreg -rd1 -c IOPlatformExpertDevice`; "" when it is not there.
func ParseIORegSerial(out []byte) string {
	for line := range strings.Lines(string(out)) {
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != `"IOPlatformSerialNumber"` {
			continue
		}
		return cleanSerial(strings.Trim(strings.TrimSpace(v), `"`))
	}
	return ""
}

// cleanSerial drops what firmware puts where it has no serial ("To Be
// Filled By O.E.M.", "0", "None"): redacting those words would only mangle
// text.
func cleanSerial(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 4 || strings.Trim(s, s[:1]) == "" {
		return ""
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-') {
			return ""
		}
	}
	return s
}

// ParseSwVers reads `sw_vers`: "ProductName:<tabs>macOS", ProductVersion,
// ProductVersionExtra (only while a Rapid Security Response is installed) and
// BuildVersion. Each line is split at its first ':' because the tab padding
// varies between releases and pasted copies turn it into spaces. Before
// macOS 11 ProductName was "Mac OS X"; it is reported as printed.
func ParseSwVers(out []byte) (SystemInfo, error) {
	var si SystemInfo
	readFields(string(out), map[string]*string{
		"ProductName": &si.OS, "ProductVersion": &si.Version, "ProductVersionExtra": &si.Extra, "BuildVersion": &si.Build,
	})
	if si.Version == "" {
		return SystemInfo{}, fmt.Errorf("parse sw_vers: no ProductVersion in %q", clip(strings.TrimSpace(string(out))))
	}
	if si.OS == "" {
		si.OS = "macOS"
	}
	return si, nil
}

// ParseOSRelease reads os-release(5): KEY=value lines, values optionally
// shell-quoted. OS is NAME (else PRETTY_NAME, else ID, else the spec's
// default "Linux"); Version is VERSION_ID, else VERSION (Debian testing has
// neither).
func ParseOSRelease(out []byte) (SystemInfo, error) {
	vals := map[string]string{}
	for line := range strings.Lines(string(out)) {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		vals[strings.TrimSpace(k)] = unquoteShell(strings.TrimSpace(v))
	}
	if len(vals) == 0 {
		return SystemInfo{}, errors.New("parse os-release: no KEY=value lines")
	}
	return SystemInfo{
		OS:      firstNonEmpty(vals["NAME"], vals["PRETTY_NAME"], vals["ID"], "Linux"),
		Version: firstNonEmpty(vals["VERSION_ID"], vals["VERSION"]),
	}, nil
}

// unquoteShell undoes the quoting os-release(5) allows: single quotes taken
// literally, double quotes with backslash escapes of $ " \ and `.
func unquoteShell(v string) string {
	if len(v) < 2 {
		return v
	}
	switch q := v[0]; {
	case q == '\'' && v[len(v)-1] == '\'':
		return v[1 : len(v)-1]
	case q == '"' && v[len(v)-1] == '"':
		in := v[1 : len(v)-1]
		var b strings.Builder
		for i := 0; i < len(in); i++ {
			if in[i] == '\\' && i+1 < len(in) && strings.IndexByte("$\"\\`", in[i+1]) >= 0 {
				i++
			}
			b.WriteByte(in[i])
		}
		return b.String()
	}
	return v
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// ReadSystemInfo identifies the OS, its version and the hardware model. On
// darwin sw_vers is required; the model and kernel release (sysctl) are
// best-effort and left empty when unavailable, as are Linux's DMI product name
// and kernel release. Arch is this binary's GOARCH, so an amd64 build under
// Rosetta reports amd64.
func ReadSystemInfo(ctx context.Context, r command.Runner, goos string) (SystemInfo, error) {
	switch goos {
	case "darwin":
		return readSystemInfoDarwin(ctx, r)
	case "linux", "android":
		return readSystemInfoLinux(os.ReadFile)
	}
	return SystemInfo{OS: goos, Arch: runtime.GOARCH}, fmt.Errorf("read system info: not supported on %q", goos)
}

// describeSystem is both readers' shape: the OS's own description, read
// and parsed (required: without it only os and this binary's architecture
// are known), then the model, kernel release and serial number, best effort
// (all of what each returns, trimmed; empty when it fails).
func describeSystem(os string, read func() ([]byte, error), parse func([]byte) (SystemInfo, error), model, kernel, serial func() ([]byte, error)) (SystemInfo, error) {
	si := SystemInfo{OS: os}
	b, err := read()
	if err == nil {
		si, err = parse(b)
	}
	si.Arch = runtime.GOARCH
	if err != nil {
		return SystemInfo{OS: os, Arch: runtime.GOARCH}, fmt.Errorf("read system info: %w", err)
	}
	for _, f := range []struct {
		dst  *string
		read func() ([]byte, error)
	}{{&si.Model, model}, {&si.Kernel, kernel}, {&si.Serial, serial}} {
		if b, err := f.read(); err == nil {
			*f.dst = strings.TrimSpace(string(b))
		}
	}
	si.Serial = cleanSerial(si.Serial)
	return si, nil
}

// ReadSwVers runs sw_vers and parses it: the macOS version, its security
// response and build, without the best-effort rest of ReadSystemInfo (for
// the currency probe, which needs only those).
func ReadSwVers(ctx context.Context, r command.Runner) (SystemInfo, error) {
	out, err := run(ctx, r, swVersPath)
	if err != nil {
		return SystemInfo{}, fmt.Errorf("read macOS version: %w", err)
	}
	si, err := ParseSwVers(out)
	if err != nil {
		return SystemInfo{}, fmt.Errorf("read macOS version: %w", err)
	}
	return si, nil
}

func readSystemInfoDarwin(ctx context.Context, r command.Runner) (SystemInfo, error) {
	sysctl := func(name string) func() ([]byte, error) {
		return func() ([]byte, error) { return run(ctx, r, sysctlPath, "-n", name) }
	}
	return describeSystem("macOS", func() ([]byte, error) { return run(ctx, r, swVersPath) }, ParseSwVers,
		sysctl("hw.model"), sysctl("kern.osrelease"), func() ([]byte, error) {
			out, err := run(ctx, r, ioregPath, "-rd1", "-c", "IOPlatformExpertDevice")
			return []byte(ParseIORegSerial(out)), err
		})
}

// readSystemInfoLinux takes the file reader as a parameter so tests can supply
// a fake filesystem.
func readSystemInfoLinux(readFile func(string) ([]byte, error)) (SystemInfo, error) {
	file := func(path string) func() ([]byte, error) { return func() ([]byte, error) { return readFile(path) } }
	// os-release(5): /etc/os-release, falling back to /usr/lib/os-release.
	osRelease := func() (b []byte, err error) {
		for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
			if b, err = readFile(p); err == nil {
				break
			}
		}
		return b, err
	}
	return describeSystem("Linux", osRelease, ParseOSRelease,
		file("/sys/devices/virtual/dmi/id/product_name"), file("/proc/sys/kernel/osrelease"),
		// Readable by root only on most distributions: a user's report
		// then relies on the generic serial rule.
		file("/sys/devices/virtual/dmi/id/product_serial"))
}
