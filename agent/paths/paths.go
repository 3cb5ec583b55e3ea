// Package paths says where idpulse keeps what, per user and per OS. Every
// package that reads or writes one of these files asks here, so that the
// agent, the CLI and the README ("Files the agent keeps") tell one story:
//
//	config  settings.json, config.json: what the user or an administrator sets
//	  macOS    ~/Library/Application Support/idpulse
//	  Linux    $XDG_CONFIG_HOME/idpulse (default ~/.config/idpulse)
//	  Windows  %AppData%\idpulse
//	state   state.json, attempts.jsonl, transitions.jsonl: what idpulse records
//	  macOS    ~/Library/Application Support/idpulse
//	  Linux    $XDG_STATE_HOME/idpulse (default ~/.local/state/idpulse)
//	  Windows  %LocalAppData%\idpulse
//	log     idpulse.log and its rotations
//	  macOS    ~/Library/Logs/idpulse (where Console.app looks; launchd puts
//	           the agent's stdout and stderr there too)
//	  Linux    $XDG_STATE_HOME/idpulse/log (default ~/.local/state/idpulse/log)
//	  Windows  %LocalAppData%\idpulse\log
//
// Other Unix systems follow Linux. On macOS config and state share one
// directory, as os.UserConfigDir and Apple's guidelines have it.
//
// Why XDG_STATE_HOME on Linux: the XDG Base Directory spec made it for "state
// data that should persist between (application) restarts" such as "actions
// history (logs, history, recently used files, …)" and the "current state of
// the application": the last check, the fixes tried, the verdict changes and
// the log are exactly that. They are not configuration (idpulse writes them;
// they do not belong with dotfiles), not cache (the history must survive a
// cache purge, and MDM tools read the state file) and not user data worth
// carrying to another machine.
//
// A relative XDG_* value is ignored, as the spec requires ("If an
// implementation encounters a relative path in any of these variables it
// should consider the path invalid and ignore it"): the default below the
// home directory applies.
//
// For is pure (the OS, the environment and the home directory are
// arguments, so every layout is tested on one machine); ConfigDir, StateDir
// and LogDir work the directories out for this process.
package paths

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Dirs are idpulse's per-user directories.
type Dirs struct {
	Config string // settings.json, config.json
	State  string // state.json, attempts.jsonl, transitions.jsonl
	Log    string // idpulse.log and its rotations
}

// For works out all three directories for goos, an environment (getenv) and
// the user's home directory ("" when unknown). The error is that of the
// first directory that cannot be worked out.
func For(goos string, getenv func(string) string, home string) (Dirs, error) {
	var d Dirs
	var err error
	if d.Config, err = config(goos, getenv, home); err != nil {
		return Dirs{}, err
	}
	if d.State, err = state(goos, getenv, home); err != nil {
		return Dirs{}, err
	}
	if d.Log, err = logs(goos, getenv, home); err != nil {
		return Dirs{}, err
	}
	return d, nil
}

// ConfigDir is the config directory of this process's user.
func ConfigDir() (string, error) { return config(runtime.GOOS, os.Getenv, userHome()) }

// StateDir is the state directory of this process's user.
func StateDir() (string, error) { return state(runtime.GOOS, os.Getenv, userHome()) }

// LogDir is the log directory of this process's user.
func LogDir() (string, error) { return logs(runtime.GOOS, os.Getenv, userHome()) }

// ConfigFile is ConfigDir()/name.
func ConfigFile(name string) (string, error) { return file(ConfigDir, name) }

// StateFile is StateDir()/name.
func StateFile(name string) (string, error) { return file(StateDir, name) }

func file(dir func() (string, error), name string) (string, error) {
	d, err := dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, name), nil
}

// place is where one kind of file lives on each system, before idpulse's
// own subdirectory.
type place struct {
	what       string   // "config directory", for errors
	windowsEnv string   // the variable that names it on Windows
	darwin     []string // below $HOME on macOS
	xdgEnv     string   // elsewhere: the XDG variable, else below $HOME:
	xdgHome    []string
}

func (p place) dir(goos string, getenv func(string) string, home string) (string, error) {
	var base string
	var err error
	switch goos {
	case "windows":
		base, err = fromEnv(getenv, p.windowsEnv)
	case "darwin":
		base, err = inHome(home, p.darwin...)
	default:
		base, err = xdg(getenv, p.xdgEnv, home, p.xdgHome...)
	}
	return below(base, err, p.what, "idpulse")
}

// config is where the files people write live: os.UserConfigDir()/idpulse,
// except that a relative XDG_CONFIG_HOME falls back to ~/.config.
func config(goos string, getenv func(string) string, home string) (string, error) {
	return place{what: "config directory", windowsEnv: "AppData", darwin: []string{"Library", "Application Support"},
		xdgEnv: "XDG_CONFIG_HOME", xdgHome: []string{".config"}}.dir(goos, getenv, home)
}

// state is where the files idpulse writes and reads back live: the state
// file and the history logs.
func state(goos string, getenv func(string) string, home string) (string, error) {
	return place{what: "state directory", windowsEnv: "LocalAppData", darwin: []string{"Library", "Application Support"},
		xdgEnv: "XDG_STATE_HOME", xdgHome: []string{".local", "state"}}.dir(goos, getenv, home)
}

// logs is the agent's log directory: a log subdirectory of the state
// directory, but on macOS ~/Library/Logs, where Console.app looks (launchd
// writes the agent's stdout and stderr there too).
func logs(goos string, getenv func(string) string, home string) (string, error) {
	var base string
	var err error
	elem := []string{"idpulse", "log"}
	switch goos {
	case "windows":
		base, err = fromEnv(getenv, "LocalAppData")
	case "darwin":
		base, err = inHome(home, "Library", "Logs")
		elem = elem[:1] // ~/Library/Logs/idpulse
	default:
		base, err = xdg(getenv, "XDG_STATE_HOME", home, ".local", "state")
	}
	return below(base, err, "log directory", elem...)
}

// fromEnv is the directory an environment variable names (Windows).
func fromEnv(getenv func(string) string, name string) (string, error) {
	if dir := getenv(name); dir != "" {
		return dir, nil
	}
	return "", fmt.Errorf("%%%s%% is not defined", name)
}

func inHome(home string, elem ...string) (string, error) {
	if home == "" {
		return "", errors.New("$HOME is not defined")
	}
	return filepath.Join(append([]string{home}, elem...)...), nil
}

// xdg is $env when that is an absolute path, else home/def.
func xdg(getenv func(string) string, env, home string, def ...string) (string, error) {
	if dir := getenv(env); filepath.IsAbs(dir) {
		return dir, nil
	}
	if home == "" {
		return "", fmt.Errorf("neither $%s nor $HOME are defined", env)
	}
	return filepath.Join(append([]string{home}, def...)...), nil
}

// below is base/elem…, or err named after what.
func below(base string, err error, what string, elem ...string) (string, error) {
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return filepath.Join(append([]string{base}, elem...)...), nil
}

// userHome is the home directory, "" when there is none ($HOME unset).
func userHome() string {
	h, _ := os.UserHomeDir()
	return h
}
