package timeline

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// EachDay calls fn with the records at or after since, one day's segment
// at a time, oldest first, and returns how many lines were skipped (see
// Read). A reader that keeps only a summary of a month (the HTML report)
// holds a few days' records in memory rather than 43,000: Read's whole
// month is some 25 MB of records, more than the agent's budget. The days
// come in Read's order: a record's segment is its own UTC day, so sorting
// each day sorts the whole.
//
// Decoding is most of the cost (goccy/go-json, about 5 µs a record), so
// up to readAhead days are decoded side by side before fn sees them in
// order: a month in less time, at a few days' memory.
func (s Store) EachDay(since time.Time, fn func(day []Record) error) (skipped int, err error) {
	names, err := s.segments()
	if err != nil {
		return 0, err
	}
	first := since.UTC().Format(segmentLayout)
	names = slices.DeleteFunc(names, func(n string) bool { return strings.TrimSuffix(n, ".jsonl") < first })
	type day struct {
		records []Record
		skipped int
		err     error
	}
	ahead := readAhead()
	for len(names) > 0 {
		batch := names[:min(ahead, len(names))]
		names = names[len(batch):]
		days := make([]day, len(batch))
		var wg sync.WaitGroup
		for i, n := range batch {
			wg.Go(func() {
				rs, bad, err := readSegment(filepath.Join(s.Dir, n), since)
				slices.SortStableFunc(rs, func(a, b Record) int { return a.At.Compare(b.At) })
				days[i] = day{rs, bad, err}
			})
		}
		wg.Wait()
		for _, d := range days {
			if d.err != nil {
				return 0, d.err
			}
			skipped += d.skipped
			if len(d.records) > 0 {
				if err := fn(d.records); err != nil {
					return skipped, err
				}
			}
		}
	}
	return skipped, nil
}

// readAhead is how many days EachDay decodes at once: one a core, at most
// four (a day is about 0.8 MB of records).
func readAhead() int { return min(max(runtime.GOMAXPROCS(0), 1), 4) }
