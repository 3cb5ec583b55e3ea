package settings

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParse feeds the settings parser any file. It never fails with
// anything but the defaults; what it accepts is valid, and encoded as Save
// does and parsed again it gives the same settings.
// Errors about a JSON object name the key; a file that is not one says so.
func FuzzParse(f *testing.F) {
	def, err := json.MarshalIndent(Default(), "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	for _, s := range []string{
		"", "[]", "null", "{", `"x"`,
		`{"notifications_enabled": false, "paused_until": "2025-01-02T15:04:05+01:00", "notify_recovery": false, "quiet_hours": {"enabled": true, "start": "7:00", "end": "22:30"}}`,
		`{"quiet_hours": {"start": "24:00"}}`, `{"quiet_hours": {"start": "07:00", "end": "7:00"}}`,
		`{"quiet_hours": []}`, `{"paused_until": "tomorrow"}`, `{"notify_recovery": "yes", "added_later": 1}`,
	} {
		f.Add([]byte(s))
	}
	keys := []string{"notifications_enabled", "paused_until", "notify_recovery", "quiet_hours", "the file"}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			if !equal(v, Default()) {
				t.Fatalf("error %v came with %+v, want the defaults", err, v)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "the file") && !hasKeyPrefix(msg, keys) {
				t.Fatalf("error %q does not name the key or the file", msg)
			}
			return
		}
		if err := v.Validate(); err != nil {
			t.Fatalf("accepted invalid settings %+v: %v", v, err)
		}
		// Save's encoding, read back as Load would (without Save's
		// fsyncs, which would make the fuzzer measure the disk).
		data, err = json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatalf("encode %+v: %v", v, err)
		}
		got, err := Parse(data)
		if err != nil || !equal(got, v) {
			t.Fatalf("read back as %+v, %v; want %+v", got, err, v)
		}
	})
}

func hasKeyPrefix(msg string, keys []string) bool {
	for _, k := range keys {
		if strings.HasPrefix(msg, k+":") || strings.HasPrefix(msg, k+".") || strings.HasPrefix(msg, k+" ") {
			return true
		}
	}
	return false
}

// equal compares settings, the pause by instant: a time read back from
// JSON has its own *Location.
func equal(a, b Settings) bool {
	pa, pb := a.PausedUntil, b.PausedUntil
	a.PausedUntil, b.PausedUntil = pa.UTC(), pb.UTC()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return pa.Equal(pb) && bytes.Equal(ja, jb)
}
