package paths

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestDirs is every layout on one machine. A want starting with "error: " is
// a substring of the expected error.
func TestDirs(t *testing.T) {
	const home = "/Users/ana"
	winEnv := map[string]string{"AppData": `C:\Users\ana\AppData\Roaming`, "LocalAppData": `C:\Users\ana\AppData\Local`}
	tests := []struct {
		name              string
		goos              string
		env               map[string]string
		home              string
		config, state, lg string
	}{
		{"darwin", "darwin", nil, home,
			"/Users/ana/Library/Application Support/idpulse",
			"/Users/ana/Library/Application Support/idpulse",
			"/Users/ana/Library/Logs/idpulse"},
		{"darwin ignores XDG", "darwin", map[string]string{"XDG_CONFIG_HOME": "/x", "XDG_STATE_HOME": "/y"}, home,
			"/Users/ana/Library/Application Support/idpulse",
			"/Users/ana/Library/Application Support/idpulse",
			"/Users/ana/Library/Logs/idpulse"},
		{"darwin without home", "darwin", nil, "",
			"error: config directory: $HOME is not defined",
			"error: state directory: $HOME is not defined",
			"error: log directory: $HOME is not defined"},
		{"linux default", "linux", nil, home,
			"/Users/ana/.config/idpulse",
			"/Users/ana/.local/state/idpulse",
			"/Users/ana/.local/state/idpulse/log"},
		{"linux XDG", "linux", map[string]string{"XDG_CONFIG_HOME": "/etc/xdg", "XDG_STATE_HOME": "/var/xdg"}, home,
			"/etc/xdg/idpulse",
			"/var/xdg/idpulse",
			"/var/xdg/idpulse/log"},
		{"linux XDG without home", "linux", map[string]string{"XDG_CONFIG_HOME": "/etc/xdg", "XDG_STATE_HOME": "/var/xdg"}, "",
			"/etc/xdg/idpulse",
			"/var/xdg/idpulse",
			"/var/xdg/idpulse/log"},
		{"linux relative XDG ignored", "linux", map[string]string{"XDG_CONFIG_HOME": "conf", "XDG_STATE_HOME": "state"}, home,
			"/Users/ana/.config/idpulse",
			"/Users/ana/.local/state/idpulse",
			"/Users/ana/.local/state/idpulse/log"},
		{"linux state XDG only, without home", "linux", map[string]string{"XDG_STATE_HOME": "/var/xdg"}, "",
			"error: config directory: neither $XDG_CONFIG_HOME nor $HOME are defined",
			"/var/xdg/idpulse",
			"/var/xdg/idpulse/log"},
		{"linux without home", "linux", nil, "",
			"error: config directory: neither $XDG_CONFIG_HOME nor $HOME are defined",
			"error: state directory: neither $XDG_STATE_HOME nor $HOME are defined",
			"error: log directory: neither $XDG_STATE_HOME nor $HOME are defined"},
		{"freebsd like linux", "freebsd", nil, home,
			"/Users/ana/.config/idpulse",
			"/Users/ana/.local/state/idpulse",
			"/Users/ana/.local/state/idpulse/log"},
		{"windows", "windows", winEnv, home,
			filepath.Join(`C:\Users\ana\AppData\Roaming`, "idpulse"),
			filepath.Join(`C:\Users\ana\AppData\Local`, "idpulse"),
			filepath.Join(`C:\Users\ana\AppData\Local`, "idpulse", "log")},
		{"windows unset", "windows", nil, home,
			"error: config directory: %AppData% is not defined",
			"error: state directory: %LocalAppData% is not defined",
			"error: log directory: %LocalAppData% is not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			var want Dirs
			failed := false
			for _, c := range []struct {
				what string
				dir  func(string, func(string) string, string) (string, error)
				want string
				into *string
			}{{"config", config, tt.config, &want.Config}, {"state", state, tt.state, &want.State}, {"log", logs, tt.lg, &want.Log}} {
				got, err := c.dir(tt.goos, getenv, tt.home)
				if msg, ok := strings.CutPrefix(c.want, "error: "); ok {
					failed = true
					if err == nil || !strings.Contains(err.Error(), msg) {
						t.Errorf("%s = %q, %v; want error %q", c.what, got, err, msg)
					}
					continue
				}
				if err != nil || got != filepath.FromSlash(c.want) && got != c.want {
					t.Errorf("%s = %q, %v; want %q", c.what, got, err, c.want)
				}
				*c.into = got
			}
			// For is the three together, or an error.
			if d, err := For(tt.goos, getenv, tt.home); failed && err == nil || !failed && (err != nil || d != want) {
				t.Errorf("For = %+v, %v; want %+v (error: %v)", d, err, want, failed)
			}
		})
	}
}

// The wrappers read this process's environment: on Linux a config directory
// from os.UserConfigDir, which idpulse used before this package, agrees.
func TestThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("the XDG and macOS layouts only")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_STATE_HOME", "")
	dirs, err := For(runtime.GOOS, os.Getenv, home)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		fn   func() (string, error)
		want string
	}{{"ConfigDir", ConfigDir, dirs.Config}, {"StateDir", StateDir, dirs.State}, {"LogDir", LogDir, dirs.Log}} {
		if got, err := c.fn(); err != nil || got != c.want {
			t.Errorf("%s = %q, %v; want %q", c.what, got, err, c.want)
		}
	}
	if got, err := StateFile("state.json"); err != nil || got != filepath.Join(dirs.State, "state.json") {
		t.Errorf("StateFile = %q, %v", got, err)
	}
	if got, err := ConfigFile("config.json"); err != nil || got != filepath.Join(dirs.Config, "config.json") {
		t.Errorf("ConfigFile = %q, %v", got, err)
	}
	ucd, err := os.UserConfigDir()
	if err != nil || filepath.Join(ucd, "idpulse") != dirs.Config {
		t.Errorf("os.UserConfigDir()/idpulse = %q, %v; ConfigDir = %q", filepath.Join(ucd, "idpulse"), err, dirs.Config)
	}

	t.Setenv("HOME", "")
	if _, err := StateFile("state.json"); err == nil || !strings.Contains(err.Error(), "state directory: ") {
		t.Errorf("StateFile without a home: err = %v", err)
	}
}
