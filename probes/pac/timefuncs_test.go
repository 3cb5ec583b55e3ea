package pac

import (
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, time.UTC)
}

// clockCase is a clock function's arguments (space-separated words) at now,
// and its answer.
type clockCase struct {
	now  time.Time
	args string
	want bool
}

// checkClock calls f at every case's now and reports the wrong answers.
func checkClock(t *testing.T, name string, f func(now time.Time, args []string) bool, cases []clockCase) {
	t.Helper()
	for _, c := range cases {
		if got := f(c.now, strings.Fields(c.args)); got != c.want {
			t.Errorf("%s(%q) at %s = %v, want %v", name, c.args, c.now.Format("Mon 2006-01-02 15:04:05"), got, c.want)
		}
	}
}

func TestSplitGMT(t *testing.T) {
	if args, gmt := splitGMT([]string{"MON", "GMT"}); !gmt || len(args) != 1 {
		t.Errorf("splitGMT(MON, GMT) = %v, %v", args, gmt)
	}
	if args, gmt := splitGMT([]string{"GMT", "MON"}); gmt || len(args) != 2 {
		t.Errorf("splitGMT(GMT, MON) = %v, %v", args, gmt)
	}
	if _, gmt := splitGMT(nil); gmt {
		t.Error("splitGMT(nil) is GMT")
	}
}

func TestWeekdayRange(t *testing.T) {
	// 2026-03-07 is a Saturday.
	sat, sun, mon, tue, wed := day(2026, 3, 7, 12, 0, 0), day(2026, 3, 8, 12, 0, 0),
		day(2026, 3, 9, 12, 0, 0), day(2026, 3, 10, 12, 0, 0), day(2026, 3, 11, 12, 0, 0)
	checkClock(t, "weekdayRange", weekdayRange, []clockCase{
		{mon, "MON", true},
		{tue, "MON", false},
		{mon, "MON FRI", true},
		{wed, "MON FRI", true},
		{sat, "MON FRI", false},
		{sun, "MON FRI", false},
		{sat, "SAT TUE", true}, // wraps over the weekend
		{sun, "SAT TUE", true},
		{mon, "SAT TUE", true},
		{tue, "SAT TUE", true},
		{wed, "SAT TUE", false},
		{wed, "WED WED", true},
		{sun, "SUN SAT", true},
		{wed, "mon fri", false}, // names are upper case
		{wed, "MON XYZ", false},
		{wed, "", false},
		{wed, "MON TUE WED", false},
	})
}

func TestDateRange(t *testing.T) {
	xmasEve := day(1995, 12, 24, 18, 0, 0)
	midJune := day(2026, 6, 15, 12, 0, 0)
	checkClock(t, "dateRange", dateRange, []clockCase{
		// Netscape's documented examples.
		{day(2026, 5, 1, 0, 0, 0), "1", true},
		{day(2026, 5, 2, 0, 0, 0), "1", false},
		{xmasEve, "24 DEC", true},
		{day(1996, 12, 24, 0, 0, 0), "24 DEC", true},
		{day(1995, 12, 25, 0, 0, 0), "24 DEC", false},
		{xmasEve, "24 DEC 1995", true},
		{day(1996, 12, 24, 0, 0, 0), "24 DEC 1995", false},
		{day(2026, 2, 10, 0, 0, 0), "JAN MAR", true},
		{day(2026, 3, 31, 23, 59, 59), "JAN MAR", true},
		{day(2026, 4, 1, 0, 0, 0), "JAN MAR", false},
		{midJune, "1 JUN 15 AUG", true},
		{day(2026, 8, 15, 23, 0, 0), "1 JUN 15 AUG", true},
		{day(2026, 8, 16, 0, 0, 0), "1 JUN 15 AUG", false},
		{day(2026, 5, 31, 0, 0, 0), "1 JUN 15 AUG", false},
		{day(1995, 7, 1, 0, 0, 0), "1 JUN 1995 15 AUG 1995", true},
		{day(1996, 7, 1, 0, 0, 0), "1 JUN 1995 15 AUG 1995", false},
		{day(1995, 11, 1, 0, 0, 0), "OCT 1995 MAR 1996", true},
		{day(1996, 2, 29, 0, 0, 0), "OCT 1995 MAR 1996", true},
		{day(1996, 4, 1, 0, 0, 0), "OCT 1995 MAR 1996", false},
		{day(1995, 9, 30, 0, 0, 0), "OCT 1995 MAR 1996", false},
		{day(1995, 6, 1, 0, 0, 0), "1995", true},
		{day(1996, 6, 1, 0, 0, 0), "1995 1997", true},
		{day(1998, 1, 1, 0, 0, 0), "1995 1997", false},
		{midJune, "JUN", true},
		{midJune, "JUL", false},
		// Day ranges within every month, and ranges that wrap.
		{midJune, "1 15", true},
		{midJune, "16 31", false},
		{day(2026, 1, 3, 0, 0, 0), "DEC JAN", true},
		{day(2026, 12, 3, 0, 0, 0), "DEC JAN", true},
		{midJune, "DEC JAN", false},
		{day(2026, 1, 5, 0, 0, 0), "20 DEC 10 JAN", true},
		{day(2026, 1, 11, 0, 0, 0), "20 DEC 10 JAN", false},
		{day(2026, 5, 30, 0, 0, 0), "28 3", true},
		{day(2027, 1, 1, 0, 0, 0), "1997 1995", false}, // years don't wrap
		// Nonsense.
		{midJune, "", false},
		{midJune, "FOO", false},
		{midJune, "0", false},
		{midJune, "1 2 3 4 5 6 7", false},
		{midJune, "JUN JUL JUN", false},
		{midJune, "JUN 1995 JUL", false},
		{midJune, "jun", false},
	})
}

func TestTimeRange(t *testing.T) {
	noon := day(2026, 3, 11, 12, 0, 0)
	checkClock(t, "timeRange", timeRange, []clockCase{
		{noon, "12", true},
		{day(2026, 3, 11, 12, 59, 59), "12", true},
		{day(2026, 3, 11, 13, 0, 0), "12", false},
		{noon, "12 13", true},
		{day(2026, 3, 11, 13, 59, 59), "12 13", true}, // the end hour is whole
		{day(2026, 3, 11, 14, 0, 0), "12 13", false},
		{day(2026, 3, 11, 11, 59, 59), "12 13", false},
		{day(2026, 3, 11, 9, 0, 0), "9 17", true},
		{day(2026, 3, 11, 18, 0, 0), "9 17", false},
		{day(2026, 3, 11, 23, 0, 0), "22 6", true}, // wraps over midnight
		{day(2026, 3, 11, 3, 0, 0), "22 6", true},
		{day(2026, 3, 11, 6, 59, 59), "22 6", true},
		{day(2026, 3, 11, 7, 0, 0), "22 6", false},
		{day(2026, 3, 11, 8, 30, 0), "8 30 17 0", true},
		{day(2026, 3, 11, 8, 29, 59), "8 30 17 0", false},
		{day(2026, 3, 11, 17, 0, 59), "8 30 17 0", true}, // the end minute is whole
		{day(2026, 3, 11, 17, 1, 0), "8 30 17 0", false},
		{day(2026, 3, 11, 0, 0, 0), "0 0 0 0 0 30", true},
		{day(2026, 3, 11, 0, 0, 30), "0 0 0 0 0 30", true},
		{day(2026, 3, 11, 0, 0, 31), "0 0 0 0 0 30", false},
		{day(2026, 3, 11, 23, 59, 59), "0 0 23 59", true},
		{noon, "", false},
		{noon, "1 2 3", false},
		{noon, "1 2 3 4 5", false},
		{noon, "noon", false},
		{noon, "-1 13", false},
	})
}

// "GMT" picks UTC over Env.Location, across a date line: at 00:30 on
// Thursday in UTC+1 it is still Wednesday in GMT.
func TestClockZones(t *testing.T) {
	env, _ := testEnv()
	thu := time.Date(2026, time.March, 12, 0, 30, 0, 0, testZone)
	env.Now = func() time.Time { return thu }
	checkJS(t, env, []jsCase{
		{`weekdayRange("THU")`, "true"},
		{`weekdayRange("WED", "GMT")`, "true"},
		{`dateRange(12)`, "true"},
		{`dateRange(11, "GMT")`, "true"},
		{`timeRange(0)`, "true"},
		{`timeRange(23, "GMT")`, "true"},
		{`timeRange(23, 0, 23, 59, "GMT")`, "true"},
	})
}
