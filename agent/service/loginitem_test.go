package service

import (
	"context"
	"errors"
	"testing"

	"github.com/idpulse/idpulse/probes/command/commandtest"
)

// TestLoginItem drives Launch at Login through each backend as the menu
// does (agent.LoginItem): on writes the definition and starts nothing, off
// removes it and stops nothing (either would end the agent asking), and
// Enabled follows.
func TestLoginItem(t *testing.T) {
	yes, no := true, false
	const (
		probe     = sc + " show-environment"
		reload    = sc + " daemon-reload"
		enable    = sc + " enable idpulse.service"
		isEnabled = sc + " is-enabled idpulse.service"
		disable   = sc + " disable idpulse.service"
	)
	// The steps, in order: ask Enabled, or set Launch at Login; on is what
	// it is after the step.
	steps := []struct {
		name string
		set  *bool // nil: Enabled
		on   bool
	}{
		{"fresh", nil, false},
		{"on", &yes, true},
		{"enabled after on", nil, true},
		{"off", &no, false},
		{"enabled after off", nil, false},
		{"off again", &no, false},
	}

	for _, tt := range []struct {
		name string
		// build is the Manager, its fake runner and the definition file
		// that Launch at Login writes.
		build func(t *testing.T) (*Manager, *commandtest.Runner, string)
		calls [][]string // per step
		err   error
	}{
		{"launchd", func(t *testing.T) (*Manager, *commandtest.Runner, string) {
			m, l, f := darwinManager(t)
			f.On(lc+" enable "+target, commandtest.OK(""))
			return m, f, l.plistPath()
		}, [][]string{nil, {lc + " enable " + target}, nil, nil, nil, nil}, nil},
		{"systemd", func(t *testing.T) (*Manager, *commandtest.Runner, string) {
			m, s, f := linuxManager(t, true)
			f.On(reload, commandtest.OK("")).On(enable, commandtest.OK("")).
				On(isEnabled, commandtest.OK("enabled\n")).On(disable, commandtest.OK(""))
			return m, f, s.unitPath()
		}, [][]string{{probe}, {probe, reload, enable}, {probe, isEnabled}, {probe, disable, reload}, {probe}, {probe, reload}}, nil},
		{"autostart", func(t *testing.T) (*Manager, *commandtest.Runner, string) {
			m, s, f := linuxManager(t, false)
			return m, f, s.autostartPath()
		}, [][]string{{probe}, {probe}, {probe}, {probe}, {probe}, {probe}}, nil},
		{"unsupported", func(t *testing.T) (*Manager, *commandtest.Runner, string) {
			return &Manager{b: unsupported{}}, commandtest.Strict(t), ""
		}, make([][]string, len(steps)), ErrUnsupported},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, f, definition := tt.build(t)
			var li interface {
				Enabled(ctx context.Context) (bool, error)
				SetEnabled(ctx context.Context, on bool) error
			} = m.LoginItem()
			for i, st := range steps {
				f.Reset()
				run := func() (bool, error) { return li.Enabled(t.Context()) }
				if st.set != nil {
					run = func() (bool, error) { return *st.set, li.SetEnabled(t.Context(), *st.set) }
				}
				got, err := run()
				f.AssertCalls(t, tt.calls[i]...)
				if tt.err != nil {
					if !errors.Is(err, tt.err) {
						t.Errorf("%s: error %v, want %v", st.name, err, tt.err)
					}
					continue
				}
				if err != nil || got != st.on {
					t.Errorf("%s: %v %v, want %v", st.name, got, err, st.on)
				}
				if fileExists(definition) != st.on {
					t.Errorf("%s: %s exists: %v, want %v", st.name, definition, !st.on, st.on)
				}
			}
		})
	}
}
