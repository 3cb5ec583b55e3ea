package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/config"
)

// FuzzParse feeds the configuration parser any file. What it accepts must
// survive a round trip (encoded and parsed again over the defaults it is
// the same configuration) and must not have accepted a key it ignores: an
// administrator's misspelt key, at any depth, inside arrays too, is an
// error. What it refuses is refused with an error that names the key for a
// JSON object and the kind of value otherwise, never Go's own type names.
func FuzzParse(f *testing.F) {
	full, err := os.ReadFile("testdata/full.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add(append([]byte("\xef\xbb\xbf"), full...))
	for _, s := range []string{
		"", "[]", `["check"]`, `"x"`, "null", "1", "{", `{"check": []}`, `{"Check": {}}`,
		`{"check": {"deadline": "9223372036854775807ns"}}`,
		`{"check": {"deadline": "8s", "probe_timeout": "9s"}}`,
		`{"check": {"ntp_server": ""}}`,
		`{"check": {"apple_domains": ["localhost", "com"]}}`,
		`{"check": {"services": {"add": [{"service": "icloud", "host": "p1-contacts.icloud.com", "port": 443, "probe": "tls"}]}}}`,
		`{"apple_status": {"url": "ftp://x"}}`,
		`{"agent": {"interval": "30s", "recheck": "1m"}}`,
		`{"agent": {"metrics_listen": "0.0.0.0:9273"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := config.Default()
		err := config.Parse(data, &cfg)
		// A byte-order mark changes nothing.
		if rest, ok := bytes.CutPrefix(data, []byte("\xef\xbb\xbf")); ok {
			plain := config.Default()
			perr := config.Parse(rest, &plain)
			if fmt.Sprint(perr) != fmt.Sprint(err) || !reflect.DeepEqual(plain, cfg) {
				t.Fatalf("with a byte-order mark: %v; without: %v", err, perr)
			}
		}
		if err != nil {
			checkParseError(t, data, err)
			return
		}
		enc, err := json.Marshal(cfg)
		if err != nil {
			t.Fatalf("encode accepted configuration: %v", err)
		}
		again := config.Default()
		if err := config.Parse(enc, &again); err != nil {
			t.Fatalf("re-parsing the encoded configuration: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(again, cfg) {
			t.Fatalf("round trip changed the configuration:\n%+v\nwant\n%+v", again, cfg)
		}
		// Every key of the file is one the configuration has: its
		// encoding names it at the same place.
		var in, out any
		if json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &in) != nil {
			return // empty file: the defaults
		}
		if err := json.Unmarshal(enc, &out); err != nil {
			t.Fatal(err)
		}
		have := keyPaths(out, "", nil)
		for _, k := range keyPaths(in, "", nil) {
			if !slices.Contains(have, k) {
				t.Fatalf("key %s was accepted but is not a configuration key", k)
			}
		}
	})
}

// sections are the file's top-level keys, which validation errors name
// whether or not the file has them.
var sections = []string{"check", "agent", "apple_status"}

func checkParseError(t *testing.T, data []byte, err error) {
	t.Helper()
	msg := err.Error()
	for _, internal := range []string{"json.RawMessage", "map[", "reflect", "main.", "config.Config"} {
		if strings.Contains(msg, internal) {
			t.Fatalf("error %q shows Go internals (%s)", msg, internal)
		}
	}
	body := bytes.Trim(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	var top map[string]json.RawMessage
	switch {
	case len(body) > 0 && body[0] != '{':
		if !strings.Contains(msg, "must be a JSON object") {
			t.Fatalf("error %q for a non-object does not say a JSON object is wanted", msg)
		}
	case json.Unmarshal(body, &top) != nil:
		if !strings.Contains(msg, "line ") {
			t.Fatalf("syntax error %q does not give the line", msg)
		}
	default:
		keys := slices.Concat(sections, slices.Collect(maps.Keys(top)))
		if !slices.ContainsFunc(keys, func(k string) bool {
			return strings.HasPrefix(msg, k+":") || strings.HasPrefix(msg, k+".")
		}) {
			t.Fatalf("error %q does not start with the key it is about", msg)
		}
	}
}

// keyPaths lists the object keys in v as dotted paths, "[]" standing for
// any array element: "check.services.add[].host".
func keyPaths(v any, prefix string, out []string) []string {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out = keyPaths(c, p, append(out, p))
		}
	case []any:
		for _, c := range v {
			out = keyPaths(c, prefix+"[]", out)
		}
	}
	return out
}
