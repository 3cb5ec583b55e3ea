package applestatus

import (
	"slices"
	"strings"
	"time"
)

// ChangeKind says what happened to an event between two snapshots.
type ChangeKind int

const (
	// ChangeNew: the id was not in the previous snapshot. The event may
	// already be resolved (Apple posts some incidents after the fact);
	// callers that only alert on live events filter on Event.Status.
	ChangeNew ChangeKind = iota + 1
	// ChangeChanged: same id, different status, type, message, end or
	// users-affected text, and not a resolution.
	ChangeChanged
	// ChangeResolved: the status went from not-past to resolved/completed,
	// or an event that was not past vanished from the feed.
	ChangeResolved
)

func (k ChangeKind) String() string {
	switch k {
	case ChangeNew:
		return "new"
	case ChangeChanged:
		return "changed"
	case ChangeResolved:
		return "resolved"
	}
	return "unknown"
}

// MarshalText makes kinds read as words in JSON output and logs.
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Change is one difference between two snapshots.
type Change struct {
	Kind ChangeKind
	// Event is the event as it is now. For an event that vanished it is the
	// last version seen, the same pointer as Prev, so callers can always
	// read Event without a nil check.
	Event *Event
	Prev  *Event // nil for ChangeNew
	// Vanished marks a ChangeResolved inferred from the event dropping out
	// of the feed rather than from Apple marking it resolved.
	Vanished bool
}

// Diff lists what changed from prev to cur, ordered by event start, then id.
// With prev nil (first poll) only events that are not past are reported, as
// ChangeNew: the history already in the feed is not news.
func Diff(prev, cur *Snapshot) []Change {
	var out []Change
	if cur == nil {
		cur = &Snapshot{}
	}
	if prev == nil {
		for _, e := range cur.Events {
			if !e.Past() {
				out = append(out, Change{Kind: ChangeNew, Event: e})
			}
		}
		sortChanges(out)
		return out
	}

	before := make(map[string]*Event, len(prev.Events))
	for _, e := range prev.Events {
		before[e.ID] = e
	}
	now := make(map[string]bool, len(cur.Events))
	for _, e := range cur.Events {
		now[e.ID] = true
		p, ok := before[e.ID]
		switch {
		case !ok:
			out = append(out, Change{Kind: ChangeNew, Event: e})
		case e.Past() && !p.Past():
			out = append(out, Change{Kind: ChangeResolved, Event: e, Prev: p})
		case differs(p, e):
			out = append(out, Change{Kind: ChangeChanged, Event: e, Prev: p})
		}
	}
	for _, p := range prev.Events {
		// Past events ageing out of the feed are routine; a live one
		// disappearing is Apple closing it without saying so.
		if !now[p.ID] && !p.Past() {
			out = append(out, Change{Kind: ChangeResolved, Event: p, Prev: p, Vanished: true})
		}
	}
	sortChanges(out)
	return out
}

func differs(a, b *Event) bool {
	return !strings.EqualFold(a.Status, b.Status) ||
		!strings.EqualFold(a.Type, b.Type) ||
		a.Message != b.Message ||
		a.UsersAffected != b.UsersAffected ||
		!sameTime(a.End, b.End)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func sortChanges(cs []Change) {
	slices.SortFunc(cs, func(a, b Change) int {
		if c := a.Event.Start.Compare(b.Event.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Event.ID, b.Event.ID)
	})
}
