package pac

import (
	"strconv"
	"strings"
	"time"
)

// The clock helpers: weekdayRange, dateRange and timeRange. Each takes the
// script's arguments as strings and the current time already in the zone the
// script asked for (local, or UTC when the last argument is "GMT").
//
// Where the browsers' JavaScript gives an answer nobody can have meant, these
// follow Netscape's documentation instead, and say so: ranges whose end comes
// before their start wrap around (timeRange(22, 6) is the night, as
// weekdayRange("SAT", "TUE") already is in every implementation), and a
// dateRange of two different kinds of field, dateRange(24, "DEC"), is the one
// date Netscape documents it as, not a range from the 24th.

// splitGMT strips a trailing "GMT" argument.
func splitGMT(args []string) ([]string, bool) {
	if n := len(args); n > 0 && args[n-1] == "GMT" {
		return args[:n-1], true
	}
	return args, false
}

var weekdays = map[string]time.Weekday{
	"SUN": time.Sunday, "MON": time.Monday, "TUE": time.Tuesday, "WED": time.Wednesday,
	"THU": time.Thursday, "FRI": time.Friday, "SAT": time.Saturday,
}

var months = map[string]time.Month{
	"JAN": time.January, "FEB": time.February, "MAR": time.March, "APR": time.April,
	"MAY": time.May, "JUN": time.June, "JUL": time.July, "AUG": time.August,
	"SEP": time.September, "OCT": time.October, "NOV": time.November, "DEC": time.December,
}

// weekdayRange(wd1 [, wd2]): names are upper case, as in every browser.
func weekdayRange(now time.Time, args []string) bool {
	if len(args) < 1 || len(args) > 2 {
		return false
	}
	wd1, ok1 := weekdays[args[0]]
	wd2, ok2 := wd1, true
	if len(args) == 2 {
		wd2, ok2 = weekdays[args[1]]
	}
	if !ok1 || !ok2 {
		return false
	}
	return inRange(int(now.Weekday()), int(wd1), int(wd2))
}

// inRange is lo ≤ v ≤ hi, wrapping around when lo > hi.
func inRange(v, lo, hi int) bool {
	if lo <= hi {
		return lo <= v && v <= hi
	}
	return v >= lo || v <= hi
}

// A dateRange argument is a day of the month (1–31), a month name or a year
// (32 and up, as the browsers tell a day from a year).
type dateField int

const (
	fieldYear dateField = iota
	fieldMonth
	fieldDay
)

type dateArg struct {
	field dateField
	n     int
}

func parseDateArg(s string) (dateArg, bool) {
	if m, ok := months[s]; ok {
		return dateArg{fieldMonth, int(m)}, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case err != nil || n < 1:
		return dateArg{}, false
	case n < 32:
		return dateArg{fieldDay, n}, true
	default:
		return dateArg{fieldYear, n}, true
	}
}

// dateKey orders dates on the fields the script named, most significant first.
func dateKey(fields []dateArg) (int, [3]bool) {
	var v [3]int
	var has [3]bool
	for _, f := range fields {
		v[f.field], has[f.field] = f.n, true
	}
	return v[fieldYear]*10000 + v[fieldMonth]*100 + v[fieldDay], has
}

func nowKey(now time.Time, has [3]bool) int {
	k := 0
	if has[fieldYear] {
		k += now.Year() * 10000
	}
	if has[fieldMonth] {
		k += int(now.Month()) * 100
	}
	if has[fieldDay] {
		k += now.Day()
	}
	return k
}

// dateRange accepts Netscape's forms: (day), (month), (year), (d1, d2),
// (m1, m2), (y1, y2), (d1, m1, d2, m2), (m1, y1, m2, y2),
// (d1, m1, y1, d2, m2, y2), and one date such as (24, "DEC") or (24, "DEC", 1995).
func dateRange(now time.Time, args []string) bool {
	if len(args) < 1 || len(args) > 6 {
		return false
	}
	parsed := make([]dateArg, len(args))
	for i, a := range args {
		d, ok := parseDateArg(a)
		if !ok {
			return false
		}
		parsed[i] = d
	}
	if half := len(parsed) / 2; len(parsed)%2 == 0 && sameFields(parsed[:half], parsed[half:]) {
		lo, has := dateKey(parsed[:half])
		hi, _ := dateKey(parsed[half:])
		cur := nowKey(now, has)
		if has[fieldYear] {
			return lo <= cur && cur <= hi // years don't wrap
		}
		return inRange(cur, lo, hi)
	}
	// One date: every field named must match today.
	k, has := dateKey(parsed)
	if !distinctFields(parsed) {
		return false
	}
	return nowKey(now, has) == k
}

func sameFields(a, b []dateArg) bool {
	if !distinctFields(a) {
		return false
	}
	for i := range a {
		if a[i].field != b[i].field {
			return false
		}
	}
	return true
}

func distinctFields(a []dateArg) bool {
	var seen [3]bool
	for _, f := range a {
		if seen[f.field] {
			return false
		}
		seen[f.field] = true
	}
	return true
}

// timeRange accepts (hour), (h1, h2), (h1, m1, h2, m2) and
// (h1, m1, s1, h2, m2, s2). An end without seconds includes its whole hour or
// minute: timeRange(12, 13) is 12:00:00–13:59:59, as Netscape documents.
func timeRange(now time.Time, args []string) bool {
	n := make([]int, len(args))
	for i, a := range args {
		v, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil || v < 0 {
			return false
		}
		n[i] = v
	}
	cur := now.Hour()*3600 + now.Minute()*60 + now.Second()
	var lo, hi int
	switch len(n) {
	case 1:
		return now.Hour() == n[0]
	case 2:
		lo, hi = n[0]*3600, n[1]*3600+3599
	case 4:
		lo, hi = n[0]*3600+n[1]*60, n[2]*3600+n[3]*60+59
	case 6:
		lo, hi = n[0]*3600+n[1]*60+n[2], n[3]*3600+n[4]*60+n[5]
	default:
		return false
	}
	return inRange(cur, lo, hi)
}
