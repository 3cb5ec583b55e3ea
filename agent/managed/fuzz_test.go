package managed_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"howett.net/plist"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/managed"
)

// FuzzOverlay runs any bytes as the device-level and the user-level
// managed preference files through the whole MDM path, pure Go on any OS
// (plutil's conversion is the test's own, howett.net/plist): the plist to
// JSON, the section check, the merge, then agent/config over the defaults.
// A refusal names the file; what comes out is an object of configuration
// sections, each a dictionary, in which every top-level setting of the
// user-level file wins; and agent/config either takes it or says which key
// is wrong.
func FuzzOverlay(f *testing.F) {
	enc := func(v any, format int) []byte {
		b, err := plist.Marshal(v, format)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	dev := map[string]any{
		"PayloadUUID": "7C5A0E1F",
		"check":       map[string]any{"deadline": "10s", "https_port": 8443, "signin_hosts": []any{"a.example"}},
		"agent":       map[string]any{"interval": "5m", "history": true},
	}
	usr := map[string]any{"check": map[string]any{"deadline": "20s"}, "apple_status": map[string]any{"enabled": false}}
	f.Add(enc(dev, plist.XMLFormat), enc(usr, plist.XMLFormat))
	f.Add(enc(dev, plist.BinaryFormat), enc(usr, plist.OpenStepFormat))
	f.Add(enc(map[string]any{"chek": map[string]any{}}, plist.XMLFormat), []byte{})
	f.Add(enc(map[string]any{"check": "x"}, plist.GNUStepFormat), enc([]any{1}, plist.XMLFormat))
	f.Fuzz(func(t *testing.T, device, user []byte) {
		root := t.TempDir()
		devPath := filepath.Join(root, managed.Domain+".plist")
		usrPath := filepath.Join(root, "jane", managed.Domain+".plist")
		for p, data := range map[string][]byte{devPath: device, usrPath: user} {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ov, err := managed.OverlayAt(context.Background(), managed.NewFakePlutil(t), "darwin", "jane", root)
		if err != nil {
			if !strings.Contains(err.Error(), devPath) && !strings.Contains(err.Error(), usrPath) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if ov == nil {
			return
		}
		var merged map[string]json.RawMessage
		if err := json.Unmarshal(ov, &merged); err != nil {
			t.Fatalf("overlay %s is not a JSON object: %v", ov, err)
		}
		for k, v := range merged {
			var section map[string]json.RawMessage
			if !isSection(k) || json.Unmarshal(v, &section) != nil || section == nil {
				t.Fatalf("overlay key %q = %s: want a configuration section holding a dictionary", k, v)
			}
		}
		// The user-level file wins, setting by setting.
		var u map[string]any
		if _, err := plist.Unmarshal(user, &u); err == nil {
			for sec, v := range u {
				kv, ok := v.(map[string]any)
				if !ok {
					continue
				}
				var got map[string]json.RawMessage
				_ = json.Unmarshal(merged[jsonKey(sec)], &got)
				for k, want := range kv {
					if _, dict := want.(map[string]any); dict {
						continue // merged key by key with the device's
					}
					wj, _ := json.Marshal(want)
					var a, b any
					_ = json.Unmarshal(wj, &a)
					_ = json.Unmarshal(got[jsonKey(k)], &b)
					if string(mustJSON(t, a)) != string(mustJSON(t, b)) {
						t.Fatalf("%s.%s = %s, want the user-level %s", sec, k, got[k], wj)
					}
				}
			}
		}
		cfg := config.Default()
		if err := config.Parse(ov, &cfg); err != nil && !startsWithSection(err.Error()) {
			t.Fatalf("config error %q does not name its section", err)
		}
	})
}

// jsonKey is k as it comes out of JSON: a plist key may hold invalid UTF-8,
// which JSON (plutil's output, the merge) carries as U+FFFD, byte by byte.
func jsonKey(k string) string {
	b, _ := json.Marshal(k)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}

func isSection(k string) bool {
	for _, s := range managed.Sections {
		if k == s {
			return true
		}
	}
	return false
}

func startsWithSection(msg string) bool {
	for _, s := range managed.Sections {
		if strings.HasPrefix(msg, s+".") || strings.HasPrefix(msg, s+":") {
			return true
		}
	}
	return false
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
