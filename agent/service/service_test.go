package service

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/launchd"
	"github.com/idpulse/idpulse/probes/command/commandtest"
)

// TestNewBackend: the OS picks the backend once, with what that service
// manager needs.
func TestNewBackend(t *testing.T) {
	a := agentCmd{Program: "/opt/idpulse"}
	r := commandtest.Strict(t)
	for _, goos := range []string{"darwin", "linux", "windows", "freebsd"} {
		switch b := newBackend(goos, r, "/home/j", a).(type) {
		case *launchdBackend:
			if goos != "darwin" || b.Home != "/home/j" || b.UID != os.Getuid() || b.Label != launchd.Label ||
				b.Agent.Program != a.Program || b.Runner != r || (b.Write != nil) != (kardianosWrite != nil) {
				t.Errorf("%s: launchd %+v", goos, b)
			}
		case *systemdBackend:
			if goos != "linux" || !strings.HasSuffix(b.unitPath(), "/systemd/user/idpulse.service") ||
				b.ProcRoot != "/proc" || b.Agent.Program != a.Program || b.Runner != r {
				t.Errorf("%s: systemd %+v", goos, b)
			}
		case unsupported:
			if goos == "darwin" || goos == "linux" {
				t.Errorf("%s: unsupported", goos)
			}
		default:
			t.Errorf("%s: %T", goos, b)
		}
	}
	r.AssertCalls(t) // choosing runs nothing
}

func TestUnsupported(t *testing.T) {
	m := &Manager{b: newBackend("windows", commandtest.Strict(t), `C:\Users\j`, agentCmd{Program: `C:\idpulse.exe`})}
	ctx := context.Background()
	_, statusErr := m.Status(ctx)
	_, enabledErr := m.LoginItem().Enabled(t.Context())
	for name, err := range map[string]error{
		"install": m.Install(ctx, true), "uninstall": m.Uninstall(ctx), "start": m.Start(ctx),
		"stop": m.Stop(ctx), "restart": m.Restart(ctx), "status": statusErr,
		"login item on": m.LoginItem().SetEnabled(t.Context(), true), "login item off": m.LoginItem().SetEnabled(t.Context(), false),
		"login item enabled": enabledErr,
	} {
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestInstallRefusesTemporaryBinary: neither backend installs a binary
// that will not be there at the next login, and nothing runs.
func TestInstallRefusesTemporaryBinary(t *testing.T) {
	for _, tt := range []struct{ program, want string }{
		{"/tmp/go-build123/b001/exe/idpulse", "go run"},
		{"bin/idpulse", "absolute"},
	} {
		_, l, lf := darwinManager(t)
		_, s, sf := linuxManager(t, true)
		l.Agent.Program, s.Agent.Program = tt.program, tt.program
		for name, b := range map[string]backend{"launchd": l, "systemd": s} {
			m := &Manager{b: b}
			if err := m.Install(context.Background(), true); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s %s: error %v, want %q", name, tt.program, err, tt.want)
			}
			if err := m.LoginItem().SetEnabled(t.Context(), true); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s %s: Launch at Login: error %v, want %q", name, tt.program, err, tt.want)
			}
		}
		lf.AssertCalls(t)
		sf.AssertCalls(t)
	}
}
