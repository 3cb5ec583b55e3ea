package settings

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/filetest"
)

var fixedNow = time.Date(2025, 3, 4, 5, 6, 7, 0, time.Local)

func newStore(t *testing.T) (*Store, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	return &Store{
		Path:   filepath.Join(t.TempDir(), "idpulse", "settings.json"),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Now:    func() time.Time { return fixedNow },
	}, &logs
}

func TestDefault(t *testing.T) {
	d := Default()
	if !d.NotificationsEnabled || !d.NotifyRecovery || d.QuietHours.Enabled || !d.PausedUntil.IsZero() {
		t.Errorf("Default() = %+v", d)
	}
	start, end, err := d.QuietHours.Offsets()
	if err != nil || start != 22*time.Hour || end != 7*time.Hour {
		t.Errorf("default quiet hours = %v, %v, %v; want 22h, 7h", start, end, err)
	}
}

func TestOffsets(t *testing.T) {
	tests := []struct {
		start, end string
		wantStart  time.Duration
		wantEnd    time.Duration
		wantErr    string
	}{
		{"22:00", "07:00", 22 * time.Hour, 7 * time.Hour, ""},
		{"00:00", "23:59", 0, 23*time.Hour + 59*time.Minute, ""},
		{"7:30", "08:05", 7*time.Hour + 30*time.Minute, 8*time.Hour + 5*time.Minute, ""},
		{"24:00", "07:00", 0, 0, `quiet_hours.start: "24:00" is not a time of day`},
		{"22:60", "07:00", 0, 0, `quiet_hours.start: "22:60"`},
		{"22:00", "7", 0, 0, `quiet_hours.end: "7" is not a time of day`},
		{"", "07:00", 0, 0, `quiet_hours.start: "" is not`},
		{"22:00", "07:0", 0, 0, `quiet_hours.end: "07:0"`},
		{"-1:00", "07:00", 0, 0, `quiet_hours.start: "-1:00"`},
		{"22:00", " 7:00", 0, 0, `quiet_hours.end: " 7:00"`},
		{"22:00", "07:00pm", 0, 0, `quiet_hours.end`},
		{"08:00", "08:00", 0, 0, "quiet_hours: start and end are both 08:00"},
	}
	for _, tt := range tests {
		t.Run(tt.start+"-"+tt.end, func(t *testing.T) {
			s, e, err := Quiet{Start: tt.start, End: tt.end}.Offsets()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || s != tt.wantStart || e != tt.wantEnd {
				t.Errorf("= %v, %v, %v; want %v, %v", s, e, err, tt.wantStart, tt.wantEnd)
			}
		})
	}
}

func TestLoadMissingFileIsDefault(t *testing.T) {
	s, _ := newStore(t)
	got, err := s.Load()
	if err != nil || !reflect.DeepEqual(got, Default()) {
		t.Fatalf("Load() = %+v, %v; want defaults, nil", got, err)
	}
	if _, err := os.Stat(filepath.Dir(s.Path)); !os.IsNotExist(err) {
		t.Errorf("Load created %s", filepath.Dir(s.Path))
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	s, _ := newStore(t)
	want := Settings{
		NotificationsEnabled: false,
		PausedUntil:          time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC),
		NotifyRecovery:       false,
		QuietHours:           Quiet{Enabled: true, Start: "23:15", End: "6:45"},
	}
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip = %+v, want %+v", got, want)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(s.Path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("settings file mode = %v (%v), want 0600", fi.Mode().Perm(), err)
		}
	}
}

// An unset pause is left out of the file rather than written as year 1.
func TestSaveOmitsZeroPause(t *testing.T) {
	s, _ := newStore(t)
	if err := s.Save(Default()); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(s.Path)
	if bytes.Contains(data, []byte("paused_until")) {
		t.Errorf("file has paused_until:\n%s", data)
	}
}

func TestSaveRejectsInvalid(t *testing.T) {
	s, _ := newStore(t)
	v := Default()
	v.QuietHours.End = "25:00"
	err := s.Save(v)
	if err == nil || !strings.Contains(err.Error(), "quiet_hours.end") {
		t.Fatalf("Save = %v, want a quiet_hours.end error", err)
	}
	if _, err := os.Stat(s.Path); !os.IsNotExist(err) {
		t.Error("an invalid Save wrote the file")
	}
}

func TestLoadLenient(t *testing.T) {
	tests := []struct {
		name string
		file string
		want func(*Settings)
	}{
		{"empty file", "", func(*Settings) {}},
		{"whitespace", " \n\t", func(*Settings) {}},
		{"empty object", "{}", func(*Settings) {}},
		{"missing keys keep defaults", `{"notify_recovery": false}`, func(s *Settings) { s.NotifyRecovery = false }},
		{"partial quiet hours", `{"quiet_hours": {"enabled": true}}`, func(s *Settings) { s.QuietHours.Enabled = true }},
		{"unknown keys ignored", `{"future_key": [1,2], "quiet_hours": {"days": "weekdays"}, "notifications_enabled": false}`,
			func(s *Settings) { s.NotificationsEnabled = false }},
		{"null keeps default", `{"notifications_enabled": null}`, func(*Settings) {}},
		{"pause", `{"paused_until": "2025-03-04T18:00:00Z"}`,
			func(s *Settings) { s.PausedUntil = time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, logs := newStore(t)
			filetest.Write(t, s.Path, tt.file, 0o600)
			want := Default()
			tt.want(&want)
			got, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			if !got.PausedUntil.Equal(want.PausedUntil) {
				t.Errorf("PausedUntil = %v, want %v", got.PausedUntil, want.PausedUntil)
			}
			got.PausedUntil, want.PausedUntil = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load() = %+v, want %+v", got, want)
			}
			if data, _ := os.ReadFile(s.Path); string(data) != tt.file {
				t.Error("Load changed the file")
			}
			if logs.Len() != 0 {
				t.Errorf("unexpected log: %s", logs)
			}
		})
	}
}

func TestLoadCorrupt(t *testing.T) {
	tests := []struct {
		name, file, reason string
	}{
		{"bad JSON", "{\n  \"notifications_enabled\": true,\n}", "the file is not valid JSON: line 3, column 1"},
		{"truncated", `{"notifications_enabled": tr`, "not valid JSON"},
		{"not an object", `[true]`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"wrong type", `{"notifications_enabled": "yes"}`, "notifications_enabled: want true or false, got string"},
		{"wrong nested type", `{"quiet_hours": {"start": 2200}}`, "quiet_hours.start: want a string, got number"},
		{"quiet hours not an object", `{"quiet_hours": "22-7"}`, "quiet_hours: want an object"},
		{"invalid quiet hours", `{"quiet_hours": {"enabled": true, "start": "25:00", "end": "07:00"}}`, `quiet_hours.start: "25:00" is not a time of day`},
		{"bad time", `{"paused_until": "tomorrow"}`, `paused_until: want an RFC 3339 time`},
		{"too large", `{"notifications_enabled": true, "pad": "` + strings.Repeat("x", MaxBytes) + `"}`, "is larger than 64 KiB, the most idpulse reads from it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, logs := newStore(t)
			filetest.Write(t, s.Path, tt.file, 0o600)

			got, err := s.Load()
			if !reflect.DeepEqual(got, Default()) {
				t.Errorf("Load() = %+v, want defaults", got)
			}
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *CorruptError", err)
			}
			wantMoved := s.Path + ".corrupt-20250304-050607"
			if ce.Path != s.Path || ce.MovedTo != wantMoved {
				t.Errorf("CorruptError = %+v, want moved to %s", ce, wantMoved)
			}
			for _, want := range []string{tt.reason, s.Path, wantMoved, "defaults"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if data, err := os.ReadFile(wantMoved); err != nil || string(data) != tt.file {
				t.Errorf("kept-aside file = %q, %v; want the original bytes", data, err)
			}
			if _, err := os.Stat(s.Path); !os.IsNotExist(err) {
				t.Errorf("corrupt file still at %s", s.Path)
			}
			if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "kept_as="+wantMoved) {
				t.Errorf("warning not logged with the new name: %s", logs)
			}
		})
	}
}

// Two corrupt files in the same second must both survive.
func TestLoadCorruptNeverOverwritesKeptFile(t *testing.T) {
	s, _ := newStore(t)
	base := s.Path + ".corrupt-20250304-050607"
	filetest.Write(t, base, "first", 0o600)
	filetest.Write(t, base+"-1", "second", 0o600)
	filetest.Write(t, s.Path, "third{", 0o600)
	_, err := s.Load()
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.MovedTo != base+"-2" {
		t.Fatalf("err = %v, want moved to %s-2", err, base)
	}
	for path, want := range map[string]string{base: "first", base + "-1": "second", base + "-2": "third{"} {
		if data, _ := os.ReadFile(path); string(data) != want {
			t.Errorf("%s = %q, want %q", path, data, want)
		}
	}
}

// Saving over a corrupt file (Load was never called, or the user edited the
// file while the app ran) keeps the corrupt file aside first.
func TestSaveKeepsCorruptFileAside(t *testing.T) {
	s, logs := newStore(t)
	filetest.Write(t, s.Path, "{broken", 0o600)
	if err := s.Save(Default()); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(s.Path + ".corrupt-20250304-050607"); string(data) != "{broken" {
		t.Errorf("corrupt file not kept: %q", data)
	}
	if got, err := s.Load(); err != nil || !reflect.DeepEqual(got, Default()) {
		t.Errorf("after Save: %+v, %v", got, err)
	}
	if !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("no warning logged: %s", logs)
	}
}

// A file that cannot be read is not corrupt: it stays where it is.
func TestLoadUnreadableIsNotMoved(t *testing.T) {
	s, _ := newStore(t)
	if err := os.MkdirAll(s.Path, 0o700); err != nil { // a directory where the file should be
		t.Fatal(err)
	}
	got, err := s.Load()
	if err == nil || !strings.Contains(err.Error(), "read settings") {
		t.Fatalf("err = %v, want a read error", err)
	}
	var ce *CorruptError
	if errors.As(err, &ce) {
		t.Errorf("unreadable file reported as corrupt: %v", err)
	}
	if !reflect.DeepEqual(got, Default()) {
		t.Errorf("Load() = %+v, want defaults", got)
	}
	if fi, err := os.Stat(s.Path); err != nil || !fi.IsDir() {
		t.Error("unreadable path was moved")
	}
}

func TestDefaultPath(t *testing.T) {
	p, err := DefaultPath()
	if err != nil {
		t.Skipf("no config dir here: %v", err)
	}
	dir, _ := os.UserConfigDir()
	if want := filepath.Join(dir, "idpulse", "settings.json"); p != want {
		t.Errorf("DefaultPath() = %q, want %q", p, want)
	}
}
