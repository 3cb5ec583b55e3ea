package timeline

import (
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// EachDay calls fn with the records at or after since, one day's segment
// at a time, oldest first, and returns how many lines were skipped (see
// Read). A reader that keeps only a summary of a month (the HTML report)
// holds one day's records in memory rather than 43,000: Read's whole
// month is some 25 MB of records, more than the agent's budget. The days
// come in Read's order: a record's segment is its own UTC day, so sorting
// each day sorts the whole.
func (s Store) EachDay(since time.Time, fn func(day []Record) error) (skipped int, err error) {
	names, err := s.segments()
	if err != nil {
		return 0, err
	}
	first := since.UTC().Format(segmentLayout)
	for _, n := range names {
		if strings.TrimSuffix(n, ".jsonl") < first {
			continue
		}
		rs, bad, err := readSegment(filepath.Join(s.Dir, n), since)
		if err != nil {
			return 0, err
		}
		skipped += bad
		slices.SortStableFunc(rs, func(a, b Record) int { return a.At.Compare(b.At) })
		if len(rs) > 0 {
			if err := fn(rs); err != nil {
				return skipped, err
			}
		}
	}
	return skipped, nil
}
