package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"testing"
)

// FuzzRecent reads any bytes as attempts.jsonl (the report quotes it; a
// crash or a hand edit can leave anything there). Whatever the file holds:
// Recent(n) is the last n of Recent(0); every line is an entry, blank, or
// reported corrupt by number (ascending, in range, each one that does not
// decode) — except a torn last line, which is dropped silently; and the
// entries re-encode to lines that read back the same.
func FuzzRecent(f *testing.F) {
	line := func(a Attempt) string {
		b, err := json.Marshal(a)
		if err != nil {
			f.Fatal(err)
		}
		return string(b) + "\n"
	}
	good := line(Attempt{At: at(1), Fix: "flush-dns", Outcome: "ok", VerdictAfter: "ok"}) +
		line(Attempt{At: at(2), Fix: "sync-clock", Outcome: "failed", Error: "sntp: exit status 1", Cancelled: true})
	f.Add([]byte(good), 1)
	f.Add([]byte(good+"\n  \n{\"at\": 5}\n"+good[:40]), 0)
	f.Add([]byte("{\"at\":\"2026-03-14T09:01:00Z\",\"fix\":\"x\"}"), 3)
	f.Add([]byte("\r\n\x00\n[]\n"), 2)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		n %= 8
		l := Attempts(t.TempDir())
		if err := os.WriteFile(l.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		all, err := l.Recent(0)
		var bad []int
		var cle *CorruptLinesError
		if errors.As(err, &cle) {
			bad = cle.Lines
		} else if err != nil {
			t.Fatalf("Recent(0): %v", err)
		}
		lines := bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'})
		if len(data) == 0 {
			lines = nil
		}
		if !slices.IsSorted(bad) || len(slices.Compact(slices.Clone(bad))) != len(bad) {
			t.Fatalf("corrupt lines %v are not ascending", bad)
		}
		blank, torn := 0, 0
		for i, ln := range lines {
			ln = bytes.TrimSpace(ln)
			var v Attempt
			decodes := json.Unmarshal(ln, &v) == nil
			switch reported := slices.Contains(bad, i+1); {
			case len(ln) == 0:
				blank++
				if reported {
					t.Fatalf("blank line %d reported corrupt", i+1)
				}
			case decodes && reported:
				t.Fatalf("line %d decodes but is reported corrupt", i+1)
			case !decodes && !reported:
				if i != len(lines)-1 || bytes.HasSuffix(data, []byte{'\n'}) {
					t.Fatalf("corrupt line %d %q not reported", i+1, ln)
				}
				torn++
			}
		}
		if len(all)+len(bad)+blank+torn != len(lines) {
			t.Fatalf("%d entries, %d corrupt, %d blank, %d torn of %d lines", len(all), len(bad), blank, torn, len(lines))
		}
		if n > 0 {
			last, err := l.Recent(n)
			if err != nil && !errors.As(err, &cle) {
				t.Fatalf("Recent(%d): %v", n, err)
			}
			if want := all[max(len(all)-n, 0):]; !reflect.DeepEqual(last, want) && !(len(last) == 0 && len(want) == 0) {
				t.Fatalf("Recent(%d) = %+v, want the last of %+v", n, last, all)
			}
		}
		for _, a := range all {
			b, err := json.Marshal(a)
			if err != nil {
				t.Fatalf("re-encode %+v: %v", a, err)
			}
			var back Attempt
			if err := json.Unmarshal(b, &back); err != nil || !back.At.Equal(a.At) {
				t.Fatalf("%s read back as %+v, %v", b, back, err)
			}
			if bytes.ContainsRune(b, '\n') {
				t.Fatalf("an entry's line %q holds a newline", b)
			}
		}
	})
}
