// Package timelinetest holds helpers for tests that feed timeline records to
// the readers built on timeline.Store.EachDay.
package timelinetest

import "github.com/idpulse/idpulse/agent/timeline"

// Days splits records, oldest first, where their UTC date changes: the
// slices EachDay hands its callback for a store holding exactly these
// records, one day file each.
func Days(records []timeline.Record) [][]timeline.Record {
	var days [][]timeline.Record
	for start := 0; start < len(records); {
		end := start + 1
		for end < len(records) && sameUTCDay(records[end], records[start]) {
			end++
		}
		days = append(days, records[start:end])
		start = end
	}
	return days
}

func sameUTCDay(a, b timeline.Record) bool {
	ay, am, ad := a.At.UTC().Date()
	by, bm, bd := b.At.UTC().Date()
	return ay == by && am == bm && ad == bd
}
