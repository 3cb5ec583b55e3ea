package currency

import (
	"fmt"
	"time"
)

// State is what Assess concluded. It is tri-state at heart: outdated, not
// outdated (current, or behind for less than Grace), or unknown; unknown is
// never reported as current.
type State string

const (
	StateCurrent  State = "current"  // the newest release of its line, or newer (a beta)
	StateBehind   State = "behind"   // a newer release of its line exists, for Grace or less
	StateOutdated State = "outdated" // a newer release of its line exists, for more than Grace
	StateUnknown  State = "unknown"  // no version, no list, or no line for it in the list
)

// Grace is how long a Mac may stay behind the newest release of its line
// before it counts as outdated: Apple's updates roll out over days, and
// fleets defer minor updates by up to 30 days (MDM's enforcement window),
// so a fresh update is no fault yet.
const Grace = 30 * 24 * time.Hour

// Assessment is the installed version against Apple's list.
type Assessment struct {
	State     State
	Installed Version
	Line      Line
	// Latest is the newest release of the installed line; nil when the
	// list has none.
	Latest *Release
	// LatestPosted is when Latest was first posted (the earliest
	// PostingDate of its version across the lists); zero when undated.
	LatestPosted time.Time
	// Since is when this Mac fell behind: the first posting of the
	// oldest release of its line that is newer than it. Zero when current
	// or when no newer release is dated.
	Since time.Time
	// Reason says why the state is unknown, or what is unusual about it
	// (a pre-release newer than anything Apple lists, an undated update).
	Reason string
}

// Behind is how long this Mac has been behind at now; zero when it is not
// or the update is undated.
func (a Assessment) Behind(now time.Time) time.Duration {
	if a.Since.IsZero() || now.Before(a.Since) {
		return 0
	}
	return now.Sub(a.Since)
}

// Assess compares installed with the newest release of its major line in
// c at now. Security responses count (26.3.1 (a) is newer than 26.3.1), and
// a beta is behind the release of its version but ahead of everything
// older.
func Assess(installed Version, c Catalog, now time.Time) Assessment {
	a := Assessment{State: StateUnknown, Installed: installed, Line: installed.Line()}
	switch {
	case installed.IsZero():
		a.Reason = "the installed macOS version is not known"
		return a
	case len(c.Releases) == 0:
		a.Reason = "Apple's list of releases is not available"
		return a
	}
	var line []Release
	for _, r := range c.Releases {
		if r.Version.Line() == a.Line {
			line = append(line, r)
		}
	}
	if len(line) == 0 {
		a.Reason = fmt.Sprintf("Apple's list has no %s release", a.Line)
		return a
	}
	latest := line[0]
	for _, r := range line[1:] {
		if Compare(r.Version, latest.Version) > 0 {
			latest = r
		}
	}
	a.Latest = &latest
	a.LatestPosted = firstPosted(line, latest.Version)
	if Compare(installed, latest.Version) >= 0 {
		a.State = StateCurrent
		if Compare(installed, latest.Version) > 0 {
			a.Reason = fmt.Sprintf("newer than %s, the newest release Apple lists (a beta?)", latest.Version)
		}
		return a
	}
	for _, r := range line {
		if Compare(r.Version, installed) > 0 && !r.Posted.IsZero() && (a.Since.IsZero() || r.Posted.Before(a.Since)) {
			a.Since = r.Posted
		}
	}
	a.State = StateBehind
	switch {
	case a.Since.IsZero():
		a.Reason = "Apple's list does not date the newer releases"
	case now.Sub(a.Since) > Grace:
		a.State = StateOutdated
	}
	return a
}

// firstPosted is the earliest posting date of version v in rs.
func firstPosted(rs []Release, v Version) time.Time {
	var first time.Time
	for _, r := range rs {
		if Compare(r.Version, v) == 0 && !r.Posted.IsZero() && (first.IsZero() || r.Posted.Before(first)) {
			first = r.Posted
		}
	}
	return first
}
