//go:build linux

package desktoptest

import (
	"os"
	"strings"
	"testing"
)

func TestStartBus(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []Option
		want string
	}{
		{"default", nil, "unix:"},
		{"socket file", []Option{SocketFile()}, "unix:path="},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bus := StartBus(t, tt.opts...)
			if !strings.HasPrefix(bus.Address(), tt.want) {
				t.Errorf("address %q, want %s…", bus.Address(), tt.want)
			}
			if path, ok := strings.CutPrefix(bus.Address(), "unix:path="); ok {
				path, _, _ = strings.Cut(path, ",")
				if _, err := os.Stat(path); err != nil {
					t.Errorf("socket file: %v", err)
				}
			}
			conn := bus.Connect(t)
			var id string
			if err := conn.BusObject().Call("org.freedesktop.DBus.GetId", 0).Store(&id); err != nil || id == "" {
				t.Errorf("GetId = %q, %v", id, err)
			}
		})
	}
}
