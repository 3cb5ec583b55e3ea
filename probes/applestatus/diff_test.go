package applestatus

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

type ev struct {
	id, typ, status string
	start           int64 // minutes, for readable tables
	end             int64 // minutes; 0 = none
	msg, users      string
}

func (e ev) event() *Event {
	out := &Event{ID: e.id, Type: e.typ, Status: e.status, Message: e.msg, UsersAffected: e.users,
		Start: time.Unix(e.start*60, 0).UTC()}
	if e.end != 0 {
		t := time.Unix(e.end*60, 0).UTC()
		out.End = &t
	}
	return out
}

func snap(evs ...ev) *Snapshot {
	s := &Snapshot{}
	for _, e := range evs {
		s.Events = append(s.Events, e.event())
	}
	return s
}

func render(cs []Change) []string {
	var out []string
	for _, c := range cs {
		r := fmt.Sprintf("%s %s %s", c.Kind, c.Event.ID, c.Event.Status)
		if c.Prev != nil {
			r += " was " + c.Prev.Status
		}
		if c.Vanished {
			r += " vanished"
		}
		out = append(out, r)
	}
	return out
}

// diffCase is two polls and the changes Diff reports between them, rendered.
type diffCase struct {
	name      string
	prev, cur *Snapshot
	want      []string
}

// checkDiffs runs Diff on every case as a subtest.
func checkDiffs(t *testing.T, cases []diffCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := render(Diff(c.prev, c.cur)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Diff =\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	a := ev{id: "a", typ: "Outage", status: "ongoing", start: 100, msg: "down", users: "Some users are affected"}
	checkDiffs(t, []diffCase{
		{
			name: "nil prev reports live events only",
			prev: nil,
			cur: snap(
				ev{id: "old", typ: "Issue", status: "resolved", start: 10, end: 20},
				ev{id: "done", typ: "Maintenance", status: "completed", start: 15, end: 25},
				ev{id: "b", typ: "Maintenance", status: "upcoming", start: 300, end: 400},
				a,
				ev{id: "x", typ: "Degradation", status: "investigating", start: 100},
			),
			want: []string{"new a ongoing", "new x investigating", "new b upcoming"},
		},
		{name: "nil and nil", want: nil},
		{name: "nil cur: everything live vanished", prev: snap(a), cur: nil, want: []string{"resolved a ongoing was ongoing vanished"}},
		{
			name: "new, including one posted already resolved",
			prev: snap(),
			cur:  snap(a, ev{id: "late", typ: "Issue", status: "resolved", start: 50, end: 60}),
			want: []string{"new late resolved", "new a ongoing"},
		},
		{name: "unchanged", prev: snap(a), cur: snap(a), want: nil},
		{name: "status case only", prev: snap(a), cur: snap(ev{id: "a", typ: "OUTAGE", status: "Ongoing", start: 100, msg: "down", users: "Some users are affected"}), want: nil},
		{
			name: "changed status upcoming to ongoing",
			prev: snap(ev{id: "m", typ: "Maintenance", status: "upcoming", start: 100, end: 200}),
			cur:  snap(ev{id: "m", typ: "Maintenance", status: "ongoing", start: 100}),
			want: []string{"changed m ongoing was upcoming"},
		},
		{name: "changed message", prev: snap(a), cur: snap(func() ev { e := a; e.msg = "still down"; return e }()), want: []string{"changed a ongoing was ongoing"}},
		{name: "changed users", prev: snap(a), cur: snap(func() ev { e := a; e.users = "All users are affected"; return e }()), want: []string{"changed a ongoing was ongoing"}},
		{name: "changed type", prev: snap(a), cur: snap(func() ev { e := a; e.typ = "Issue"; return e }()), want: []string{"changed a ongoing was ongoing"}},
		{name: "changed end", prev: snap(a), cur: snap(func() ev { e := a; e.end = 500; return e }()), want: []string{"changed a ongoing was ongoing"}},
		{name: "resolved", prev: snap(a), cur: snap(func() ev { e := a; e.status = "resolved"; e.end = 150; return e }()), want: []string{"resolved a resolved was ongoing"}},
		{
			name: "completed maintenance",
			prev: snap(ev{id: "m", typ: "Maintenance", status: "ongoing", start: 100}),
			cur:  snap(ev{id: "m", typ: "Maintenance", status: "completed", start: 100, end: 200}),
			want: []string{"resolved m completed was ongoing"},
		},
		{
			name: "unknown status to resolved",
			prev: snap(ev{id: "x", typ: "Issue", status: "investigating", start: 100}),
			cur:  snap(ev{id: "x", typ: "Issue", status: "resolved", start: 100, end: 200}),
			want: []string{"resolved x resolved was investigating"},
		},
		{
			name: "reopened",
			prev: snap(ev{id: "r", typ: "Issue", status: "resolved", start: 100, end: 200}),
			cur:  snap(ev{id: "r", typ: "Issue", status: "ongoing", start: 100}),
			want: []string{"changed r ongoing was resolved"},
		},
		{
			name: "resolved to completed is a change, not a resolution",
			prev: snap(ev{id: "r", typ: "Issue", status: "resolved", start: 100, end: 200}),
			cur:  snap(ev{id: "r", typ: "Issue", status: "completed", start: 100, end: 200}),
			want: []string{"changed r completed was resolved"},
		},
		{name: "vanished while ongoing", prev: snap(a), cur: snap(), want: []string{"resolved a ongoing was ongoing vanished"}},
		{
			name: "vanished upcoming",
			prev: snap(ev{id: "m", typ: "Maintenance", status: "upcoming", start: 100}),
			cur:  snap(),
			want: []string{"resolved m upcoming was upcoming vanished"},
		},
		{name: "history ageing out is silent", prev: snap(ev{id: "old", typ: "Issue", status: "resolved", start: 1, end: 2}), cur: snap(), want: nil},
		{
			name: "order by start then id",
			prev: snap(ev{id: "gone", typ: "Outage", status: "ongoing", start: 50}, ev{id: "c", typ: "Issue", status: "ongoing", start: 200}),
			cur: snap(
				ev{id: "z", typ: "Issue", status: "ongoing", start: 100},
				ev{id: "c", typ: "Issue", status: "resolved", start: 200, end: 300},
				ev{id: "y", typ: "Issue", status: "ongoing", start: 100},
			),
			want: []string{"resolved gone ongoing was ongoing vanished", "new y ongoing", "new z ongoing", "resolved c resolved was ongoing"},
		},
	})
}

func TestDiffVanishedEventIsPrev(t *testing.T) {
	prev := snap(ev{id: "a", typ: "Outage", status: "ongoing", start: 1})
	cs := Diff(prev, snap())
	if len(cs) != 1 || cs[0].Event != prev.Events[0] || cs[0].Prev != prev.Events[0] || !cs[0].Vanished {
		t.Fatalf("got %+v", cs)
	}
}

func TestDiffRealFeeds(t *testing.T) {
	consumer := load(t, consumer2021)
	resolvedBody := bytes.Replace(consumer, []byte(`"epochEndDate": null,
          "messageId": "1000000310"`), []byte(`"epochEndDate": 1619450000000,
          "messageId": "1000000310"`), 1)
	resolvedBody = bytes.Replace(resolvedBody, []byte(`"eventStatus": "ongoing"`), []byte(`"eventStatus": "resolved"`), 1)
	if bytes.Equal(resolvedBody, consumer) {
		t.Fatal("fixture edit did not apply")
	}
	c1 := mustParse(t, consumer)
	c2 := mustParse(t, resolvedBody)
	dev := mustParse(t, load(t, developer2020))

	checkDiffs(t, []diffCase{
		{"first poll of consumer", nil, c1, []string{"new 1000000310 ongoing"}},
		{"first poll of developer", nil, dev, []string{"new 2000000024 ongoing"}},
		{"same feed twice", c1, mustParse(t, consumer), nil},
		{"iCloud Mail outage resolved", c1, c2, []string{"resolved 1000000310 resolved was ongoing"}},
	})
}

func TestChangeKindText(t *testing.T) {
	for k, want := range map[ChangeKind]string{ChangeNew: "new", ChangeChanged: "changed", ChangeResolved: "resolved", 0: "unknown"} {
		b, _ := k.MarshalText()
		if string(b) != want || !strings.EqualFold(k.String(), want) {
			t.Errorf("%d: %q", k, b)
		}
	}
}
