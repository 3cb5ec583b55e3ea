// Package verdict turns one cycle's probe results into the root cause and
// the findings that follow it. Pure functions: no I/O, no clock.
//
// Everything about a verdict or finding code is one declaration in Rules:
// its kind, level, cause, the probes it reads, the codes that explain it
// away, its label, its fixes, a detection-only Match and the functions that
// write its words. Evaluate is one generic pass over that table:
//
//  1. Every rule's Match runs on the cycle's Facts; the codes whose rules
//     match form the matched set.
//  2. A rule is explained away when a code it depends on matched.
//     DependsOn is transitive: a rule also depends on whatever the codes it
//     lists depend on, so each row names only its direct explanations (a
//     portal explains DNS filtering, and so does everything that explains
//     a portal). DependsOn names the cause of a consequence, so that
//     a consequence (Apple unreachable) is never reported instead of its
//     cause (no internet).
//  3. The verdict is the first matched verdict rule, in table order, that
//     is not explained away; when there is none, the healthy rule (code ok,
//     the one rule without Match). Table order only breaks ties between
//     rules that do not depend on each other (the hosts file before DNS
//     filtering, say); DependsOn decides everything else.
//  4. The findings are the matched finding rules that are not explained
//     away, in table order.
//  5. Several rows may declare one code, each with its own fixed level and
//     cause and its own Match (a hosts file that pins the sign-in hosts is
//     down, one that pins other Apple names degraded); the first that
//     matches speaks for the code. Their Match functions exclude each other.
//  6. A rule marked VPNSuspect is a network cause a full-tunnel VPN can
//     produce: while a VPN is active its verdict says so and offers
//     disconnect-vpn after its own fixes.
//  7. Evidence lists are capped at five lines for people; every detail is in
//     the probes' evidence anyway.
package verdict

import (
	"github.com/idpulse/idpulse/probes"
)

// Level is how bad things are for Apple ID sign-in.
type Level string

const (
	LevelOK       Level = "ok"
	LevelDegraded Level = "degraded"
	LevelDown     Level = "down"
)

// Rank orders levels: ok < degraded < down.
func (l Level) Rank() int {
	switch l {
	case LevelDegraded:
		return 1
	case LevelDown:
		return 2
	}
	return 0
}

// Cause says where the problem is, which decides what the user can do.
type Cause string

const (
	CauseNone    Cause = "none"
	CauseLocal   Cause = "local"   // this Mac's settings
	CauseNetwork Cause = "network" // the network it is on
	CauseApple   Cause = "apple"   // Apple's side: nothing to fix here
)

// Kind says whether a rule decides the verdict or adds a finding.
type Kind string

const (
	KindVerdict Kind = "verdict"
	KindFinding Kind = "finding"
)

// Verdict is the root cause of the current state, in words a Mac user
// understands, with the fixes that apply.
type Verdict struct {
	Level    Level    `json:"level"`
	Code     Code     `json:"code"`
	Cause    Cause    `json:"cause"`
	Headline string   `json:"headline"`
	Detail   string   `json:"detail"`
	Fixes    []string `json:"fixes"`
	// Evidence is the handful of facts the verdict stands on.
	Evidence []string `json:"evidence"`
}

// Finding is a secondary observation that follows the verdict.
type Finding struct {
	Verdict
	Probe probes.ID `json:"probe"`
}

// Input is everything a verdict is decided from.
type Input struct {
	Results probes.Results
	// Apple is the System Status snapshot, nil when the feed was not read.
	Apple *AppleStatus
}
