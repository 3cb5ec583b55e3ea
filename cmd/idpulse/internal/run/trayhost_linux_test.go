package run

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSessionBus: without a bus address or a bus in the runtime directory
// there is no session bus, and the agent must not make one appear (godbus
// would autolaunch dbus-daemon through dbus-launch, left running).
func TestSessionBus(t *testing.T) {
	rt := t.TempDir()
	tests := []struct {
		name, addr, runtime string
		socket              bool
		want                bool
	}{
		{"nothing", "", "", false, false},
		{"a runtime directory without a bus", "", rt, false, false},
		{"the user's bus socket", "", rt, true, true},
		{"an address", "unix:path=/run/user/1000/bus", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", tt.addr)
			t.Setenv("XDG_RUNTIME_DIR", tt.runtime)
			sock := filepath.Join(rt, "bus")
			os.Remove(sock)
			if tt.socket {
				if err := os.WriteFile(sock, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := sessionBus(); got != tt.want {
				t.Errorf("sessionBus() = %v, want %v", got, tt.want)
			}
			if !tt.want && trayUnavailable() != "no session bus" {
				t.Errorf("trayUnavailable() = %q without a bus", trayUnavailable())
			}
		})
	}
}
