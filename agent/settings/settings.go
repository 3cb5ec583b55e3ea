// Package settings persists the choices a user makes in the menu bar app
// (notifications, pause, quiet hours). Unlike agent/config, which an
// administrator pushes, this file is written by the app itself; when it turns
// out unreadable the user is told once, the file is kept aside for whoever
// wants to look at it, and the app goes on with the defaults.
//
// Unknown keys are ignored (and dropped on the next Save): a newer version's
// file must still load in an older one.
package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/agent/paths"
	"github.com/idpulse/idpulse/agent/readcap"
	"github.com/idpulse/idpulse/probes/keepaside"
)

// Settings is everything the user can change from the menu.
type Settings struct {
	NotificationsEnabled bool `json:"notifications_enabled"`
	// PausedUntil silences notifications until then; zero means not paused.
	PausedUntil    time.Time `json:"paused_until,omitzero"`
	NotifyRecovery bool      `json:"notify_recovery"`
	QuietHours     Quiet     `json:"quiet_hours"`
}

// Quiet is a daily window, in local time, without notifications. Start after
// End means the window spans midnight (22:00–07:00).
type Quiet struct {
	Enabled bool   `json:"enabled"`
	Start   string `json:"start"` // "HH:MM"
	End     string `json:"end"`   // "HH:MM"
}

// Default is what a new user gets: notifications on, recovery announced,
// quiet hours prepared (22:00–07:00) but off.
func Default() Settings {
	return Settings{
		NotificationsEnabled: true,
		NotifyRecovery:       true,
		QuietHours:           Quiet{Enabled: false, Start: "22:00", End: "07:00"},
	}
}

// Validate reports the first invalid value, naming its key.
func (s Settings) Validate() error {
	_, _, err := s.QuietHours.Offsets()
	return err
}

// Offsets returns Start and End as durations after midnight. The times are
// checked even while quiet hours are off, so turning them on from the menu
// can never produce a broken window.
func (q Quiet) Offsets() (start, end time.Duration, err error) {
	if start, err = parseClock(q.Start); err != nil {
		return 0, 0, fmt.Errorf("quiet_hours.start: %w", err)
	}
	if end, err = parseClock(q.End); err != nil {
		return 0, 0, fmt.Errorf("quiet_hours.end: %w", err)
	}
	if start == end {
		return 0, 0, fmt.Errorf("quiet_hours: start and end are both %s (an empty window; turn quiet hours off instead)", q.Start)
	}
	return start, end, nil
}

// parseClock reads "HH:MM" (a one-digit hour is accepted, people type "7:00").
func parseClock(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a time of day (want HH:MM between 00:00 and 23:59)", s)
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 || !digits(hh) || !digits(mm) {
		return 0, bad
	}
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	if h > 23 || m > 59 {
		return 0, bad
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// DefaultPath is settings.json in the config directory (see agent/paths):
// ~/Library/Application Support/idpulse on macOS, $XDG_CONFIG_HOME/idpulse
// (default ~/.config/idpulse) on Linux.
func DefaultPath() (string, error) { return paths.ConfigFile("settings.json") }

// CorruptError says the settings file could not be used and where it went.
// The caller shows it to the user once; the defaults are in effect.
type CorruptError struct {
	Path    string // the settings file
	MovedTo string // where the unreadable file now is
	Reason  error  // what was wrong with it
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("settings file %s could not be used (%v); it was kept as %s and the defaults are in effect", e.Path, e.Reason, e.MovedTo)
}

func (e *CorruptError) Unwrap() error { return e.Reason }

// Store reads and writes one settings file.
type Store struct {
	Path   string
	Logger *slog.Logger     // nil: discard
	Now    func() time.Time // nil: time.Now; names the kept-aside file
}

// Load reads the settings. A missing or empty file means the defaults, with
// no error. A file that is not valid settings, or is over MaxBytes, is renamed aside
// (settings.json.corrupt-YYYYMMDD-HHMMSS), a warning is logged, and Load
// returns Default() with a *CorruptError. A file that cannot be read at all
// (permissions, I/O) is left where it is and the error returned with the
// defaults.
func (s *Store) Load() (Settings, error) {
	v, reason, err := s.read()
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return Default(), fmt.Errorf("read settings: %w", err)
	}
	if reason == nil {
		return v, nil
	}
	moved, err := s.setAside(reason)
	if err != nil {
		return Default(), err
	}
	return Default(), &CorruptError{Path: s.Path, MovedTo: moved, Reason: reason}
}

// Save validates v and replaces the file atomically (0600). If the file on
// disk is corrupt (Load could not move it, or someone edited it since), it is
// set aside first: a corrupt file is never silently overwritten.
func (s *Store) Save(v Settings) error {
	if err := v.Validate(); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if _, reason, err := s.read(); err == nil && reason != nil {
		if _, err := s.setAside(reason); err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := atomicfile.Write(s.Path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// MaxBytes caps the settings file. Real ones are a few hundred bytes; a
// bigger file is unusable like a corrupt one, and kept aside the same way.
const MaxBytes = 64 << 10

// read reads and parses the file: err when it cannot be read at all, reason
// when it is not usable settings (corrupt, or over MaxBytes).
func (s *Store) read() (v Settings, reason, err error) {
	data, err := readcap.ReadFile(s.Path, MaxBytes)
	var tooLarge *readcap.TooLargeError
	if errors.As(err, &tooLarge) {
		return Default(), err, nil
	}
	if err != nil {
		return Default(), nil, err
	}
	v, reason = Parse(data)
	return v, reason, nil
}

// setAside keeps the corrupt file under a name not taken yet and logs why.
func (s *Store) setAside(reason error) (string, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	dst, err := keepaside.Rename(s.Path, now())
	if err != nil {
		return "", fmt.Errorf("settings file %s is unusable (%v) and could not be kept aside: %w", s.Path, reason, err)
	}
	s.logger().Warn("settings file unusable; kept aside, using defaults",
		"path", s.Path, "kept_as", dst, "reason", reason.Error())
	return dst, nil
}

func (s *Store) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Parse decodes a settings file over the defaults (a missing key keeps its
// default) and validates it. Errors name the key: "quiet_hours.start: …".
func Parse(data []byte) (Settings, error) {
	v := Default()
	if len(bytes.TrimSpace(data)) == 0 {
		return v, nil
	}
	top, err := object(data, "")
	if err != nil {
		return Default(), err
	}
	fields := []struct {
		key string
		dst any
	}{
		{"notifications_enabled", &v.NotificationsEnabled},
		{"paused_until", &v.PausedUntil},
		{"notify_recovery", &v.NotifyRecovery},
	}
	if raw, ok := top["quiet_hours"]; ok {
		q, err := object(raw, "quiet_hours")
		if err != nil {
			return Default(), err
		}
		for _, f := range []struct {
			key string
			dst any
		}{{"enabled", &v.QuietHours.Enabled}, {"start", &v.QuietHours.Start}, {"end", &v.QuietHours.End}} {
			if raw, ok := q[f.key]; ok {
				if err := value(raw, "quiet_hours."+f.key, f.dst); err != nil {
					return Default(), err
				}
			}
		}
	}
	for _, f := range fields {
		if raw, ok := top[f.key]; ok {
			if err := value(raw, f.key, f.dst); err != nil {
				return Default(), err
			}
		}
	}
	if err := v.Validate(); err != nil {
		return Default(), err
	}
	return v, nil
}

// object decodes a JSON object into its members; key names it in errors ("" for the file).
func object(data []byte, key string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	err := json.Unmarshal(data, &m)
	if err == nil && m != nil {
		return m, nil
	}
	what := "the file"
	if key != "" {
		what = key
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
		col := int(se.Offset) - bytes.LastIndexByte(data[:se.Offset], '\n') - 1
		return nil, fmt.Errorf("%s is not valid JSON: line %d, column %d: %v", what, line, col, se)
	case key == "":
		return nil, errors.New("the file is not a JSON object")
	default:
		return nil, fmt.Errorf("%s: want an object", key)
	}
}

func value(raw json.RawMessage, key string, dst any) error {
	err := json.Unmarshal(raw, dst)
	if err == nil {
		return nil
	}
	if _, ok := dst.(*time.Time); ok {
		// time's own message quotes its layout string; say it plainly.
		return fmt.Errorf("%s: want an RFC 3339 time such as \"2025-01-02T15:04:05Z\", got %s", key, raw)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: want %s, got %s", key, kind(te.Type), te.Value)
	}
	return fmt.Errorf("%s: %w", key, err)
}

func kind(t reflect.Type) string {
	switch {
	case t == nil:
		return "another type"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.String:
		return "a string"
	}
	return t.String()
}
