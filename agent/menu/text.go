package menu

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/applestatus"
)

// slot names the i-th row of a repeated group: "fix.0", "checks.3".
func slot(group string, i int) string { return fmt.Sprintf("%s.%d", group, i) }

// truncate cuts s to at most max runes, ending in "…" when it cut, at a word
// boundary when there is one near the end. Menus grow as wide as their
// widest row, and on macOS they never shrink back.
func truncate(s string, max int) string {
	if !truncated(s, max) {
		return s
	}
	r := []rune(s)[:max-1]
	// Prefer ending on a whole word, unless that throws away too much.
	for i := len(r) - 1; i >= len(r)*2/3; i-- {
		if r[i] == ' ' {
			r = r[:i]
			break
		}
	}
	return strings.TrimRight(string(r), " ,;:·—-") + "…"
}

func truncated(s string, max int) bool { return utf8.RuneCountInString(s) > max }

// dayTime shows t as a clock time, with the day only when it is not today:
// "14:02", "tomorrow 08:00", "yesterday 23:10", "Mar 3 09:15".
func (b builder) dayTime(t time.Time) string {
	t = t.In(b.loc)
	clock := t.Format("15:04")
	switch days := dayDiff(b.in.Now.In(b.loc), t); days {
	case 0:
		return clock
	case 1:
		return "tomorrow " + clock
	case -1:
		return "yesterday " + clock
	}
	return t.Format("Jan 2 15:04")
}

// dayDiff counts calendar days from a to b in a's location, so that DST
// days (23 or 25 hours long) still count as one.
func dayDiff(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.In(a.Location()).Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Round(24*time.Hour) / (24 * time.Hour))
}

// relativeNext says when t comes: "in 45 s", "in 3 min", "at 17:30". The
// agent rebuilds the menu as time passes; seconds only show for the last
// minute, where they change what the user does (wait, or click Check Now).
func (b builder) relativeNext(t time.Time) string {
	d := t.Sub(b.in.Now)
	switch {
	case d < time.Second:
		return "in a moment"
	case d < time.Minute:
		// Round up: "in 0 s" while a second is left would be a lie.
		return fmt.Sprintf("in %d s", (d+time.Second-1)/time.Second)
	}
	if m := (d + 30*time.Second) / time.Minute; m < 60 {
		return fmt.Sprintf("in %d min", m)
	}
	return "at " + b.dayTime(t)
}

// serviceRow is one watched Apple service: "✓ Apple ID",
// "✗ iCloud Mail — Outage since 14:02",
// "⚒ App Store — maintenance 21:00–23:00 (upcoming)".
func (b builder) serviceRow(s verdict.AppleService) (title, tooltip string) {
	e, rank := pickEvent(s.Events)
	if rank == 0 {
		return s.Symbol() + " " + s.Name, ""
	}
	var sym, what string
	switch rank {
	case rankOutage, rankProblem:
		sym, what = "⚠", e.Type
		if rank == rankOutage {
			sym = "✗"
		}
		if e.Start != nil {
			what += " since " + b.dayTime(*e.Start)
		}
	default: // maintenance, ongoing or announced
		sym, what = "⚒", "maintenance"
		if r := b.span(e.Start, e.End); r != "" {
			what += " " + r
		}
		what += " (" + strings.ToLower(e.Status) + ")"
	}
	tooltip = e.Message
	if e.UsersAffected != "" {
		tooltip = strings.TrimSpace(tooltip + " (" + e.UsersAffected + ")")
	}
	return sym + " " + s.Name + " — " + what, tooltip
}

// Event ranks: which of a service's events its row describes.
const (
	rankNone = iota
	rankUpcomingMaintenance
	rankMaintenance
	rankProblem
	rankOutage
)

// pickEvent returns the event that matters most to someone signing in:
// an ongoing outage, then another ongoing problem, then maintenance going
// on now, then maintenance announced. Resolved history is not news.
func pickEvent(events []verdict.AppleEvent) (verdict.AppleEvent, int) {
	var best verdict.AppleEvent
	bestRank := rankNone
	for _, e := range events {
		r := rankNone
		switch {
		case e.Problem() && strings.EqualFold(e.Type, applestatus.TypeOutage):
			r = rankOutage
		case e.Problem():
			r = rankProblem
		case strings.EqualFold(e.Status, applestatus.StatusOngoing):
			r = rankMaintenance
		case strings.EqualFold(e.Status, applestatus.StatusUpcoming) && strings.EqualFold(e.Type, applestatus.TypeMaintenance):
			r = rankUpcomingMaintenance
		}
		if r > bestRank {
			best, bestRank = e, r
		}
	}
	return best, bestRank
}

// span shows a time range: "21:00–23:00", "from 21:00", "until 23:00",
// with the day on the end only when it differs from the start's.
func (b builder) span(start, end *time.Time) string {
	switch {
	case start != nil && end != nil:
		s := b.dayTime(*start)
		e := end.In(b.loc).Format("15:04")
		if dayDiff(start.In(b.loc), *end) != 0 {
			e = b.dayTime(*end)
		}
		return s + "–" + e
	case start != nil:
		return "from " + b.dayTime(*start)
	case end != nil:
		return "until " + b.dayTime(*end)
	}
	return ""
}

// DefaultFixTitle names a fix for a menu row or a notification: "flush-dns"
// is "Flush DNS Cache". Ids the table does not know are spelled out from
// their words, so a new fix shows something sensible before it has a name.
func DefaultFixTitle(id string) string {
	switch id {
	case verdict.FixFlushDNS:
		return "Flush DNS Cache"
	case verdict.FixRemoveHostsEntries:
		return "Remove Apple Entries from Hosts File"
	case verdict.FixOpenNetworkSettings:
		return "Open Network Settings"
	case verdict.FixOpenProxySettings:
		return "Open Proxy Settings"
	case verdict.FixOpenVPNSettings:
		return "Open VPN Settings"
	case verdict.FixDisconnectVPN:
		return "Disconnect VPN"
	case verdict.FixOpenCaptivePortal:
		return "Open Wi-Fi Login Page"
	case verdict.FixTryOtherNetwork:
		return "Try Another Network"
	case verdict.FixToggleWiFi:
		return "Turn Wi-Fi Off and On"
	case verdict.FixRenewDHCP:
		return "Renew DHCP Lease"
	case verdict.FixSyncClock:
		return "Set Clock from Time Server"
	case verdict.FixOpenDateTime:
		return "Open Date & Time Settings"
	case verdict.FixOpenSystemStatus:
		return "Open Apple System Status"
	case verdict.FixContactSupport:
		return "Contact Apple Support"
	}
	return humanize(id)
}

// humanize spells a kebab-case id in title case, with the usual acronyms:
// "reset-ntp-server" → "Reset NTP Server".
func humanize(id string) string {
	words := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for i, w := range words {
		switch lw := strings.ToLower(w); lw {
		case "dns", "vpn", "dhcp", "ntp", "url", "ip", "ipv4", "ipv6", "tls", "http", "https", "id":
			words[i] = strings.ToUpper(lw)
		case "wifi":
			words[i] = "Wi-Fi"
		case "icloud":
			words[i] = "iCloud"
		case "a", "an", "and", "as", "at", "for", "from", "in", "of", "on", "or", "the", "to", "with":
			if i > 0 {
				words[i] = lw
				continue
			}
			fallthrough
		default:
			r, n := utf8.DecodeRuneInString(lw)
			words[i] = strings.ToUpper(string(r)) + lw[n:]
		}
	}
	return strings.Join(words, " ")
}
