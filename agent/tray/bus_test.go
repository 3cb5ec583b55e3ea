package tray

import (
	"testing"
	"time"
)

func TestConfigFor(t *testing.T) {
	tests := []struct {
		goos string
		want config
	}{
		{"darwin", config{template: true, iconPx: 32}},
		{"linux", config{iconPx: 32, reassert: time.Second, needsBus: true}},
		{"freebsd", config{iconPx: 32, reassert: time.Second, needsBus: true}},
		{"windows", config{iconPx: 32}},
	}
	for _, tt := range tests {
		if got := configFor(tt.goos); got != tt.want {
			t.Errorf("configFor(%q) = %+v, want %+v", tt.goos, got, tt.want)
		}
	}
}

func TestSessionBusAvailable(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		exists []string
		want   bool
	}{
		{"address set", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}, nil, true},
		{"systemd user bus", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"}, []string{"/run/user/1000/bus"}, true},
		{"runtime dir without a bus", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"}, nil, false},
		{"nothing (ssh session, service)", nil, []string{"/bus"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			exists := func(p string) bool {
				for _, e := range tt.exists {
					if e == p {
						return true
					}
				}
				return false
			}
			if got := sessionBusAvailable(getenv, exists); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
