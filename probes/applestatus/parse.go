// Package applestatus reads Apple's System Status feed so that idpulse can
// tell "your Mac cannot reach the Apple ID server" apart from "Apple's Apple ID
// service is down for everyone".
//
// The feed is undocumented. Everything here is shaped by the real payloads in
// testdata/ and by what other clients learned the hard way: the developer feed
// is JSONP, names are HTML-entity encoded, one event is repeated under every
// service it touches, and the enums grow without notice. The parser is strict
// about the shape of the document (a half-read feed could hide an outage) and
// lenient about the values inside it.
package applestatus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Snapshot is one parsed copy of the feed.
type Snapshot struct {
	Services []Service // in feed order
	// Events holds every event once, in order of first appearance, even when
	// the feed repeats it under several services.
	Events    []*Event
	DRMessage string // top-level drMessage when non-empty; meaning undocumented, treat as a site-wide banner
}

// Service is one row of Apple's status page.
type Service struct {
	Name        string // HTML-unescaped and trimmed
	RedirectURL string
	Events      []*Event

	// listed is how each of Events appears under this service. The feed can
	// list one messageId with different states under different services (the
	// 2020-11 developer sample has maintenance 2000000024 "ongoing" under
	// Videos and "completed" under three others), and Apple's page colours each
	// row from its own copy, so the roll-up must too.
	listed []listing
}

type listing struct{ typ, status string }

// Event is one incident or maintenance window, deduplicated by messageId.
type Event struct {
	ID            string     // messageId; synthesised ("noid-…") when the feed leaves it out
	Type          string     // "Outage", "Issue", "Performance", "Maintenance", or unknown verbatim
	Status        string     // "ongoing", "upcoming", "resolved", "completed", or unknown verbatim
	Start         time.Time  // from epochStartDate (UTC); zero if absent
	End           *time.Time // from epochEndDate; nil while ongoing
	Posted        string     // datePosted verbatim (US Pacific local time text)
	UsersAffected string
	Message       string
	// Services names every service the event was listed under (unescaped,
	// deduplicated, feed order).
	Services []string
	// AffectedServices is the union of the affectedServices fields of every
	// copy, unescaped; nil when no copy had one.
	AffectedServices []string
}

// Event statuses and types as Apple spells them. Values outside these sets are
// kept verbatim: a new status is information, not corruption.
const (
	StatusOngoing   = "ongoing"
	StatusUpcoming  = "upcoming"
	StatusResolved  = "resolved"
	StatusCompleted = "completed"

	TypeOutage      = "Outage"
	TypeIssue       = "Issue"
	TypePerformance = "Performance"
	TypeMaintenance = "Maintenance"
)

// Active reports whether Apple says the event is happening now.
func (e *Event) Active() bool { return strings.EqualFold(e.Status, StatusOngoing) }

// Problem reports whether the event is something wrong now: ongoing and not
// maintenance. Maintenance is announced downtime, and past or upcoming
// events are history or plans; everything else ongoing, a type Apple has not
// used before included, is a problem (Service.Status counts it as an issue).
func (e *Event) Problem() bool { return Problem(e.Type, e.Status) }

// Problem is Event.Problem for an event's type and status words as the feed
// spells them (matched without regard to case, like Status), for copies of
// an event such as the check document's.
func Problem(typ, status string) bool {
	return strings.EqualFold(status, StatusOngoing) && !strings.EqualFold(typ, TypeMaintenance)
}

// Upcoming reports whether the event is announced but not started
// (scheduled maintenance).
func (e *Event) Upcoming() bool { return strings.EqualFold(e.Status, StatusUpcoming) }

// Past reports whether the event is over. Unknown statuses are not past, so
// that a status Apple invents tomorrow is surfaced rather than dropped.
func (e *Event) Past() bool { return isPast(e.Status) }

func isPast(status string) bool {
	return strings.EqualFold(status, StatusResolved) || strings.EqualFold(status, StatusCompleted)
}

// Service returns the first service whose name matches name under
// NormalizeName, or nil.
func (s *Snapshot) Service(name string) *Service {
	want := NormalizeName(name)
	for i := range s.Services {
		if NormalizeName(s.Services[i].Name) == want {
			return &s.Services[i]
		}
	}
	return nil
}

// NormalizeName folds the spelling differences seen in service names across
// feeds and years ("iCloud Account &amp; Sign In", trailing spaces, "&" vs
// "and") so that a watch list written once keeps matching.
func NormalizeName(s string) string {
	s = strings.ToLower(html.UnescapeString(s))
	s = strings.ReplaceAll(s, "&", " and ")
	return strings.Join(strings.Fields(s), " ")
}

// Parse decodes a feed body: plain JSON or JSONP (`callback({...});`),
// optionally with a UTF-8 BOM and surrounding whitespace.
func Parse(body []byte) (*Snapshot, error) {
	doc, err := unwrap(body)
	if err != nil {
		return nil, fmt.Errorf("parse status feed: %w", err)
	}
	var raw rawFeed
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("parse status feed: %w", err)
	}
	// Without services this is some other JSON (a proxy's error object, say),
	// and reading it as "no events anywhere" would claim Apple is fine.
	if raw.Services == nil {
		return nil, errors.New(`parse status feed: no "services" array`)
	}
	return build(&raw), nil
}

const utf8BOM = "\uFEFF"

// unwrap returns the JSON object inside body. The JSONP wrapper is found by
// structure (identifier, "(", and the body's final ")"), never by searching
// for ");" or quotes, which messages can contain; encoding/json then decides
// whether what is inside is one well-formed object.
func unwrap(body []byte) ([]byte, error) {
	b := bytes.TrimSpace(body)
	b = bytes.TrimSpace(bytes.TrimPrefix(b, []byte(utf8BOM)))
	if len(b) == 0 {
		return nil, errors.New("empty body")
	}
	if b[0] == '{' {
		return b, nil
	}
	n := identLen(b)
	if n == 0 {
		return nil, fmt.Errorf("neither a JSON object nor a JSONP callback: starts with %q", head(b))
	}
	name := b[:n]
	rest := bytes.TrimSpace(b[n:])
	if len(rest) == 0 || rest[0] != '(' {
		return nil, fmt.Errorf("%q is not followed by '(': starts with %q", name, head(b))
	}
	rest = bytes.TrimSpace(bytes.TrimSuffix(rest[1:], []byte(";")))
	if !bytes.HasSuffix(rest, []byte(")")) {
		return nil, fmt.Errorf("JSONP %s( is not closed by a final ')' (truncated?)", name)
	}
	inner := bytes.TrimSpace(rest[:len(rest)-1])
	if len(inner) == 0 || inner[0] != '{' {
		return nil, fmt.Errorf("JSONP %s(…) does not wrap a JSON object: starts with %q", name, head(inner))
	}
	return inner, nil
}

// identLen is the length of the JavaScript identifier (dots allowed, for
// "window.cb") at the start of b.
func identLen(b []byte) int {
	for i, c := range b {
		switch {
		case c == '_' || c == '$' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '.'):
		default:
			return i
		}
	}
	return len(b)
}

func head(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}

// The raw* types mirror the feed. Fields whose JSON type varies between
// feeds or years have their own decoders; for the rest a wrong type is an
// error, so that a redesigned feed fails loudly instead of reading as empty.
type rawFeed struct {
	DRMessage json.RawMessage `json:"drMessage"`
	Services  *[]*rawService  `json:"services"`
}

type rawService struct {
	Name        string      `json:"serviceName"`
	RedirectURL string      `json:"redirectUrl"`
	Events      []*rawEvent `json:"events"`
}

type rawEvent struct {
	ID            flexString  `json:"messageId"`
	Type          string      `json:"statusType"`
	Status        string      `json:"eventStatus"`
	Start         epochMillis `json:"epochStartDate"`
	End           epochMillis `json:"epochEndDate"`
	Posted        string      `json:"datePosted"`
	UsersAffected string      `json:"usersAffected"`
	Message       string      `json:"message"`
	Affected      stringList  `json:"affectedServices"`
}

func build(raw *rawFeed) *Snapshot {
	// A null entry carries nothing to show; skipping it beats inventing an
	// unnamed service or an empty event.
	services := slices.DeleteFunc(*raw.Services, func(s *rawService) bool { return s == nil })
	snap := &Snapshot{Services: make([]Service, len(services))}
	var msg string
	// drMessage has only ever been seen as null; a non-string is ignored
	// rather than failing the whole feed over a banner.
	if json.Unmarshal(raw.DRMessage, &msg) == nil {
		snap.DRMessage = strings.TrimSpace(msg)
	}

	// Every de-duplication goes through a map: a 2 MB body can hold ~100k
	// events or names, and linear look-ups made such a body take minutes.
	type evName struct {
		ev   *Event
		name string
	}
	byID := map[string]*Event{}
	rank := map[*Event]int{}
	listedUnder := map[evName]bool{}
	affected := map[evName]bool{}
	for i, rs := range services {
		svc := &snap.Services[i]
		svc.Name = cleanName(rs.Name)
		svc.RedirectURL = strings.TrimSpace(rs.RedirectURL)
		var pos map[*Event]int // index in svc.Events
		for _, re := range rs.Events {
			if re == nil {
				continue
			}
			id := strings.TrimSpace(string(re.ID))
			if id == "" {
				id = syntheticID(re)
			}
			l := listing{typ: strings.TrimSpace(re.Type), status: strings.TrimSpace(re.Status)}
			ev := byID[id]
			switch {
			case ev == nil:
				ev = &Event{ID: id}
				fill(ev, re)
				byID[id] = ev
				rank[ev] = activity(ev.Status)
				snap.Events = append(snap.Events, ev)
			case activity(l.status) > rank[ev]:
				// The most active copy speaks for the event as a whole, so a
				// change watcher sees it as ongoing while any service has it so.
				fill(ev, re)
				rank[ev] = activity(ev.Status)
			}
			for _, n := range re.Affected {
				if k := (evName{ev, n}); !affected[k] {
					affected[k] = true
					ev.AffectedServices = append(ev.AffectedServices, n)
				}
			}
			if k := (evName{ev, svc.Name}); !listedUnder[k] {
				listedUnder[k] = true
				ev.Services = append(ev.Services, svc.Name)
			}
			if k, ok := pos[ev]; ok {
				if activity(l.status) > activity(svc.listed[k].status) {
					svc.listed[k] = l
				}
				continue
			}
			if pos == nil {
				pos = map[*Event]int{}
			}
			pos[ev] = len(svc.Events)
			svc.Events = append(svc.Events, ev)
			svc.listed = append(svc.listed, l)
		}
	}
	return snap
}

// fill copies the fields that describe one copy of the event; Services and
// AffectedServices accumulate across copies instead.
func fill(ev *Event, re *rawEvent) {
	ev.Type = strings.TrimSpace(re.Type)
	ev.Status = strings.TrimSpace(re.Status)
	ev.Start = time.Time{}
	if re.Start.set {
		ev.Start = time.UnixMilli(re.Start.ms).UTC()
	}
	ev.End = nil
	if re.End.set {
		t := time.UnixMilli(re.End.ms).UTC()
		ev.End = &t
	}
	ev.Posted = re.Posted
	ev.UsersAffected = strings.TrimSpace(re.UsersAffected)
	ev.Message = re.Message
}

// activity orders statuses by how much they matter right now. Unknown
// statuses rank just below ongoing: a new word such as "investigating" is
// more likely live news than history.
func activity(status string) int {
	switch {
	case strings.EqualFold(status, StatusOngoing):
		return 3
	case isPast(status):
		return 0
	case strings.EqualFold(status, StatusUpcoming):
		return 1
	default:
		return 2
	}
}

// syntheticID keeps an event without messageId deduplicable across services
// and stable across polls, so the differ does not report it new every time.
// Status and end are left out because they change as the event progresses.
func syntheticID(re *rawEvent) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d\x00%s", strings.TrimSpace(re.Type), re.Start.ms, re.Message)
	return fmt.Sprintf("noid-%016x", h.Sum64())
}

func cleanName(s string) string { return strings.TrimSpace(html.UnescapeString(s)) }

// flexString accepts a JSON string or number: messageId has always been a
// string of digits, and a feed that starts sending the number should not
// break deduplication.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	case len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9'):
		*f = flexString(b)
		return nil
	}
	return fmt.Errorf("messageId: want string or number, got %s", head(b))
}

// maxEpochMillis is 9999-12-31T23:59:59.999Z; anything later is corruption,
// and bounding it keeps float-to-int conversion defined.
const maxEpochMillis = 253402300799999

// epochMillis is a Unix time in milliseconds. Apple sends integers; floats
// and numeric strings are accepted because other JSON producers emit them.
// Zero and null mean absent.
type epochMillis struct {
	ms  int64
	set bool
}

func (e *epochMillis) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return fmt.Errorf("epoch milliseconds: cannot read %q", head(b))
		}
		if !(f >= 0 && f <= maxEpochMillis) {
			return fmt.Errorf("epoch milliseconds %s out of range", head(b))
		}
		ms = int64(math.Round(f))
	}
	if ms < 0 || ms > maxEpochMillis {
		return fmt.Errorf("epoch milliseconds %d out of range", ms)
	}
	*e = epochMillis{ms: ms, set: ms != 0}
	return nil
}

// stringList reads affectedServices: null, an array of names, or (tolerated)
// a single name. Names are unescaped like serviceName so the two compare.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s = cleanName(s); s != "" {
			*l = stringList{s}
		}
		return nil
	}
	var items []*string
	if err := json.Unmarshal(b, &items); err != nil {
		return fmt.Errorf("affectedServices: want null, string or array of strings: %w", err)
	}
	var out stringList
	seen := make(map[string]bool, len(items))
	for _, p := range items {
		if p == nil {
			continue
		}
		if s := cleanName(*p); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	*l = out
	return nil
}
