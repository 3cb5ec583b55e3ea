package timeline_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/idpulse/idpulse/agent/timeline"
)

// FuzzReadSegment puts any bytes in a day's segment (a torn write, a
// disk error, a hand edit). Read never fails on them; the records come back
// ordered, at or after since; they are exactly the complete lines that
// encoding/json decodes into a record with a time, read the same by the
// fast decoder (which may also take lenient numbers, "ms":01, but never a
// line holding a NUL byte: see readSegment); a torn
// last line is dropped and not counted; and an append after it stands on a
// line of its own and is read back.
func FuzzReadSegment(f *testing.F) {
	line := func(r timeline.Record) string {
		b, err := json.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		return string(b) + "\n"
	}
	good := line(cycle(1)) + line(cycle(9)) + line(cycle(3))
	f.Add([]byte(good))
	f.Add([]byte(good + "\n \n{\"t\": \"2026-11-02T00:00:00Z\"}\n{}\n" + good[:50]))
	f.Add([]byte(`{"t":"2026-11-01T23:59:59Z","code":"ok"}` + "\n" + `{"t":"2026-11-02T00:00:00Z","ms":"1"}` + "\n"))
	f.Add([]byte(`{"t":"2026-11-02T05:00:00+05:00","timings":{"dns":null,"tls":1e3},"probes":"a=b c"}`))
	since := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := timeline.Store{Dir: filepath.Join(t.TempDir(), "timeline")}
		if err := os.MkdirAll(s.Dir, 0o700); err != nil {
			t.Fatal(err)
		}
		seg := filepath.Join(s.Dir, "2026-11-02.jsonl")
		if err := os.WriteFile(seg, data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, skipped, err := s.Read(since)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if !slices.IsSortedFunc(got, func(a, b timeline.Record) int { return a.At.Compare(b.At) }) {
			t.Fatal("records out of time order")
		}
		// What encoding/json makes of the complete lines.
		complete := data[:bytes.LastIndexByte(data, '\n')+1]
		var want []timeline.Record
		wantSkipped := 0
		for ln := range bytes.Lines(complete) {
			if len(bytes.TrimSpace(ln)) == 0 {
				continue
			}
			var r timeline.Record
			if err := json.Unmarshal(ln, &r); err != nil {
				// Tolerated: goccy's lenient numbers ("ms":01), which
				// nothing of ours writes; never a line with a NUL, and not
				// on a line of invalid UTF-8, which readSegment leaves to
				// encoding/json alone.
				r = timeline.Record{}
				if bytes.IndexByte(ln, 0) >= 0 || !utf8.Valid(ln) || gojson.Unmarshal(ln, &r) != nil {
					r = timeline.Record{}
				}
			}
			if r.At.IsZero() {
				wantSkipped++
				continue
			}
			if !r.At.Before(since) {
				want = append(want, r)
			}
		}
		slices.SortStableFunc(want, func(a, b timeline.Record) int { return a.At.Compare(b.At) })
		if skipped != wantSkipped || !sameRecords(got, want) {
			t.Fatalf("Read = %+v (%d skipped)\nwant %+v (%d skipped)", got, skipped, want, wantSkipped)
		}
		r := cycle(9)
		r.At = since.Add(23 * time.Hour)
		if err := s.Append(r); err != nil {
			t.Fatalf("Append: %v", err)
		}
		after, _, err := s.Read(since)
		found := slices.ContainsFunc(after, func(x timeline.Record) bool { return sameRecords([]timeline.Record{x}, []timeline.Record{r}) })
		if err != nil || len(after) < len(got)+1 || !found {
			t.Fatalf("after Append: %d records (%v), %v; want at least %d including %+v", len(after), found, err, len(got)+1, r)
		}
	})
}

// sameRecords compares records by their encoding: times read back carry
// their own *Location.
func sameRecords(a, b []timeline.Record) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		ja, _ := json.Marshal(a[i])
		jb, _ := json.Marshal(b[i])
		if !bytes.Equal(ja, jb) || !a[i].At.Equal(b[i].At) {
			return false
		}
	}
	return true
}
