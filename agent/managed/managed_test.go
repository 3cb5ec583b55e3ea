package managed

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/command/commandtest"
	"howett.net/plist"
)

// fakePlutil is a runner standing in for `/usr/bin/plutil -convert json
// -o - FILE`: it parses the plist with howett.net/plist and writes JSON,
// failing like plutil on values JSON cannot hold (<date>, <data>). It
// records every call, as any commandtest runner does.
func fakePlutil(t *testing.T) *commandtest.Runner {
	r := commandtest.New()
	r.Reply = func(argv []string) ([]byte, error) {
		path, args := argv[0], argv[1:]
		if path != "/usr/bin/plutil" || len(args) != 5 || strings.Join(args[:4], " ") != "-convert json -o -" {
			t.Errorf("unexpected command %q", argv)
			return nil, errors.New("unexpected command")
		}
		data, err := os.ReadFile(args[4])
		if err != nil {
			return nil, &command.RunError{Path: path, Stderr: args[4] + ": file does not exist or is not readable", Err: err}
		}
		var v any
		if _, err := plist.Unmarshal(data, &v); err != nil {
			return nil, &command.RunError{Path: path, Stderr: args[4] + ": Property List error: " + err.Error(), Err: err}
		}
		if bad := jsonless(v); bad != "" {
			return nil, &command.RunError{Path: path, Stderr: "invalid object in plist for destination format (" + bad + ")", Err: errors.New("exit status 1")}
		}
		return json.Marshal(v)
	}
	return r
}

func jsonless(v any) string {
	switch t := v.(type) {
	case time.Time:
		return "date"
	case []byte:
		return "data"
	case map[string]any:
		for _, x := range t {
			if b := jsonless(x); b != "" {
				return b
			}
		}
	case []any:
		for _, x := range t {
			if b := jsonless(x); b != "" {
				return b
			}
		}
	}
	return ""
}

// writePlist writes v as an XML plist at root/rel.
func writePlist(t *testing.T, root, rel string, v any) string {
	t.Helper()
	data, err := plist.MarshalIndent(v, plist.XMLFormat, "\t")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	return m
}

func TestFiles(t *testing.T) {
	want := []string{"/Library/Managed Preferences/io.idpulse.agent.plist", "/Library/Managed Preferences/jane/io.idpulse.agent.plist"}
	if got := Files("jane"); !reflect.DeepEqual(got, want) {
		t.Errorf("Files(jane) = %q", got)
	}
	for _, u := range []string{"", "..", ".", "a/b", `a\b`} {
		if got := Files(u); len(got) != 1 {
			t.Errorf("Files(%q) = %q, want the device file only", u, got)
		}
	}
}

func TestOverlayNothingManaged(t *testing.T) {
	f := fakePlutil(t)
	for _, goos := range []string{"linux", "windows"} {
		if b, err := overlay(context.Background(), f, goos, "jane", t.TempDir()); b != nil || err != nil {
			t.Errorf("%s: %s %v", goos, b, err)
		}
	}
	if b, err := overlay(context.Background(), f, "darwin", "jane", t.TempDir()); b != nil || err != nil {
		t.Errorf("no profile: %s %v", b, err)
	}
	if calls := f.Cmdlines(); len(calls) != 0 {
		t.Errorf("plutil ran without a file: %v", calls)
	}
	// Only profile bookkeeping: nothing managed.
	root := t.TempDir()
	writePlist(t, root, "io.idpulse.agent.plist", map[string]any{"PayloadUUID": "x"})
	if b, err := overlay(context.Background(), f, "darwin", "", root); b != nil || err != nil {
		t.Errorf("bookkeeping only: %s %v", b, err)
	}
}

func TestOverlayDeviceThenUser(t *testing.T) {
	root := t.TempDir()
	dev := writePlist(t, root, "io.idpulse.agent.plist", map[string]any{
		"PayloadUUID": "7C5A…", // left behind by some MDMs: ignored
		"check": map[string]any{
			"deadline": "10s", "https_port": 8443,
			"signin_hosts": []any{"a.example", "b.example"},
		},
		"agent": map[string]any{"interval": "5m"},
	})
	usr := writePlist(t, root, "jane/io.idpulse.agent.plist", map[string]any{
		"check":        map[string]any{"deadline": "20s", "signin_hosts": []any{"c.example"}},
		"apple_status": map[string]any{"enabled": false},
	})
	f := fakePlutil(t)
	got, err := overlay(context.Background(), f, "darwin", "jane", root)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"check":        map[string]any{"deadline": "20s", "https_port": 8443.0, "signin_hosts": []any{"c.example"}},
		"agent":        map[string]any{"interval": "5m"},
		"apple_status": map[string]any{"enabled": false},
	}
	if m := decode(t, got); !reflect.DeepEqual(m, want) {
		t.Errorf("overlay\n got %v\nwant %v", m, want)
	}
	if !strings.Contains(string(got), `"https_port":8443`) {
		t.Errorf("integer not kept as an integer: %s", got)
	}
	if want := []string{"/usr/bin/plutil -convert json -o - " + dev, "/usr/bin/plutil -convert json -o - " + usr}; !reflect.DeepEqual(f.Cmdlines(), want) {
		t.Errorf("commands %q", f.Cmdlines())
	}
}

func TestOverlayErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		prefs any
		raw   string
		want  string
	}{
		{"misspelt section", map[string]any{"chek": map[string]any{}}, "", `unknown key "chek" (known: agent, apple_status, check)`},
		{"section not a dictionary", map[string]any{"agent": "fast"}, "", "agent: want a dictionary"},
		{"date value", map[string]any{"check": map[string]any{"deadline": time.Unix(0, 0)}}, "", "invalid object in plist"},
		{"not a dictionary", []any{"a"}, "", "not a dictionary"},
		{"broken file", nil, "<plist><dict><key>x", "Property List error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			var path string
			if tt.raw != "" {
				path = filepath.Join(root, "io.idpulse.agent.plist")
				os.WriteFile(path, []byte(tt.raw), 0o644)
			} else {
				path = writePlist(t, root, "io.idpulse.agent.plist", tt.prefs)
			}
			_, err := overlay(context.Background(), fakePlutil(t), "darwin", "", root)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "managed preferences "+path) {
				t.Errorf("error %v, want one naming %s and %q", err, path, tt.want)
			}
		})
	}
	root := t.TempDir()
	writePlist(t, root, "io.idpulse.agent.plist", map[string]any{"agent": map[string]any{}})
	if _, err := overlay(context.Background(), nil, "darwin", "", root); err == nil || !strings.Contains(err.Error(), "no Runner") {
		t.Errorf("nil runner: %v", err)
	}
}

func TestMerge(t *testing.T) {
	dst := map[string]any{"a": map[string]any{"x": 1, "y": []any{1}}, "b": 1}
	src := map[string]any{"a": map[string]any{"y": []any{2, 3}, "z": map[string]any{"k": "v"}}, "b": map[string]any{"n": 1}}
	merge(dst, src)
	want := map[string]any{"a": map[string]any{"x": 1, "y": []any{2, 3}, "z": map[string]any{"k": "v"}}, "b": map[string]any{"n": 1}}
	if !reflect.DeepEqual(dst, want) {
		t.Errorf("%v", dst)
	}
	// src's maps are copied, not shared.
	src["a"].(map[string]any)["z"].(map[string]any)["k"] = "changed"
	if dst["a"].(map[string]any)["z"].(map[string]any)["k"] != "v" {
		t.Error("merge shares maps with its source")
	}
}
