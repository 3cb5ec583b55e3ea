package applestatus

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, ".txt") || strings.HasSuffix(name, ".md") || !isFile(name) {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(fuzzSeed(f, b))
	}
	for _, s := range []string{
		"", "\uFEFF", "null", "[]", "{}", `{"services":[]}`, `{"services":{}}`, `{"services":[1]}`,
		`{"services":[{"events":[1]}]}`, `{"services":[null,{"events":[null]}]}`,
		`jsonCallback(jsonCallback({"services":[]}))`, `jsonCallback({"services":[]}`, `jsonCallback()`,
		`cb({"services":[{"serviceName":"a&amp;b","events":[{"messageId":1,"epochStartDate":"1e3","affectedServices":"x"}]},{"serviceName":"a & b","events":[{"messageId":"1","eventStatus":"ongoing"}]}]});`,
		`{"services":[{"events":[{"epochStartDate":1e300}]}]}`,
		`{"services":[{"serviceName":"A","events":[{"statusType":"Outage"},{"statusType":"Outage"}]},{"serviceName":"A","events":[{"statusType":"Outage"}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := Parse(body)
		if err != nil {
			if s != nil {
				t.Fatal("snapshot returned with error")
			}
			return
		}
		checkInvariants(t, s)
		for i := range s.Services {
			if got := s.Service(s.Services[i].Name); got == nil {
				t.Fatalf("Service(%q) finds nothing", s.Services[i].Name)
			}
		}
		DefaultWatchList().Watched(s)
		if cs := Diff(s, s); len(cs) != 0 {
			t.Fatalf("Diff of a snapshot with itself: %v", render(cs))
		}
		for _, c := range Diff(nil, s) {
			if c.Kind != ChangeNew || c.Event.Past() {
				t.Fatalf("first-poll change %v", render([]Change{c}))
			}
		}
	})
}

func isFile(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}

// fuzzSeed shrinks the large real payloads to their services with events (and
// a couple without) before they enter the corpus. With 7–15 KB seeds the
// fuzzer spends its whole budget minimising each new input (default
// -fuzzminimizetime=60s) and executes almost nothing; the full files are
// exercised by TestParseFixtures and TestParseTruncated instead.
func fuzzSeed(tb testing.TB, b []byte) []byte {
	if len(b) <= 4<<10 {
		return b
	}
	inner, err := unwrap(b)
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(inner, &doc); err != nil {
		tb.Fatal(err)
	}
	var keep []any
	for i, svc := range doc["services"].([]any) {
		if evs, _ := svc.(map[string]any)["events"].([]any); len(evs) > 0 || i < 2 {
			keep = append(keep, svc)
		}
	}
	doc["services"] = keep
	out, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		return out
	}
	return append(append([]byte("jsonCallback("), out...), ");"...)
}
