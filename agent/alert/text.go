package alert

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// Rule 8: the title names the state, the body the cause and what to do.
const (
	titleDown       = "Can't reach Apple ID"
	titleDegraded   = "Apple ID connection degraded"
	titleRecovered  = "Apple ID is reachable again"
	titleBackOnline = "Back online"
	titleUnstable   = "Connection unstable"
	titleReachable  = "Apple ID is reachable"
	titleOffline    = "This Mac is offline" // verdict.OnMachine words it off macOS
)

func (p *Policy) render(t transition) Notification {
	n := Notification{Kind: t.kind, Code: t.key}
	switch t.kind {
	case KindProblem:
		n.Title = stateTitle(t.to)
		// The title already says the state: the body starts with the cause.
		n.Body = sentence(reason(t.to)) + ". " + fixHint(t.to)
	case KindCauseChanged:
		n.Title = stateTitle(t.to)
		n.Body = "Cause changed — " + reason(t.to) + ". " + fixHint(t.to)
	case KindRecovered:
		n.Title = titleRecovered
		n.Body = "The problem (" + label(string(t.from.Code)) + ") lasted " + verdict.Span(t.outage) + " and has cleared; Apple ID sign-in should work now."
	case KindBackOnline:
		n.Title = titleBackOnline
		n.Body = "Back online after " + verdict.Span(t.outage) + "; Apple ID is reachable again."
	}
	return finish(n)
}

func unstable(code verdict.Code) Notification {
	return finish(Notification{
		Kind: KindUnstable, Code: code, Title: titleUnstable,
		Body: "Apple ID connectivity keeps changing (" + label(string(code)) +
			"). idpulse stays quiet about it for a while; open idpulse for the current state.",
	})
}

// summary is the one notification replacing everything a pause or quiet
// hours held back: what happened, then how things stand now.
func (p *Policy) summary() Notification {
	h := p.held
	var parts []string
	if h.problems > 0 {
		causes := h.causes
		more := ""
		if len(causes) > maxCauses {
			causes, more = causes[:maxCauses], ", …"
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s%s)", h.problems, probes.Plural(h.problems, "problem", "problems"),
			strings.Join(causes, ", "), more))
	}
	if h.offline > 0 {
		parts = append(parts, "offline for "+verdict.Span(h.offline))
	}
	if len(parts) == 0 { // only all-clears were held
		parts = append(parts, "the earlier problem cleared")
	}

	var title, now string
	switch a := p.announced; {
	case p.last.Code == verdict.CodeOffline:
		m := p.last.Machine
		title, now = verdict.OnMachine(titleOffline, m), verdict.OnMachine("this Mac is offline.", m)
	case a.Code != "":
		title, now = stateTitle(a), reason(a)+". "+fixHint(a)
	default:
		title, now = titleReachable, "Apple ID is reachable."
	}
	return finish(Notification{
		Kind:  KindSummary,
		Title: title,
		Body:  h.during + ": " + strings.Join(parts, "; ") + ". Now: " + now,
	})
}

func stateTitle(o Observation) string {
	if o.Level == verdict.LevelDegraded {
		return titleDegraded
	}
	return titleDown
}

// reason is the root cause in a few words, from the most specific text given.
func reason(o Observation) string {
	for _, s := range []string{o.Reason, o.Headline} {
		if s = clean(s); s != "" {
			return strings.TrimRight(s, ".")
		}
	}
	return label(string(o.Code))
}

// sentence capitalises s's first letter, for text that begins a body.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func fixHint(o Observation) string {
	if f := clean(o.Fix); f != "" {
		return "Open idpulse → " + f
	}
	return "Open idpulse for details"
}

// label is a cause's name in a list ("2 problems (DNS blocked, clock wrong)"),
// as its verdict rule declares it.
func label(code string) string {
	if l := verdict.Label(verdict.Code(code)); l != "" {
		return l
	}
	return textsafe.Truncate(clean(strings.ReplaceAll(code, "_", " ")), 32)
}

// finish bounds the texts (rule 8). Escaping is the notifier's job; here
// they only lose control characters and excess length.
func finish(n Notification) Notification {
	n.Title = textsafe.Truncate(clean(n.Title), MaxTitle)
	n.Body = textsafe.Truncate(clean(n.Body), MaxBody)
	return n
}

// clean turns control characters (and invalid UTF-8) into spaces and
// collapses runs of white space: a newline from a probe's error text must
// not become a second line in a notification.
func clean(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
