package applestatus

import (
	"reflect"
	"testing"
)

func TestServiceStatus(t *testing.T) {
	ev := func(typ, status string) *Event { return &Event{ID: typ + status, Type: typ, Status: status} }
	tests := []struct {
		name   string
		events []*Event
		want   string
	}{
		{"no events", nil, "ok"},
		{"ongoing outage", []*Event{ev("Outage", "ongoing")}, "outage"},
		{"ongoing issue", []*Event{ev("Issue", "ongoing")}, "issue"},
		{"ongoing performance", []*Event{ev("Performance", "ongoing")}, "issue"},
		{"ongoing unknown type", []*Event{ev("Degradation", "ongoing")}, "issue"},
		{"ongoing maintenance", []*Event{ev("Maintenance", "ongoing")}, "maintenance"},
		{"upcoming maintenance", []*Event{ev("Maintenance", "upcoming")}, "ok"},
		{"resolved outage", []*Event{ev("Outage", "resolved")}, "ok"},
		{"completed maintenance", []*Event{ev("Maintenance", "completed")}, "ok"},
		// Only "ongoing" is live by the brief; an unknown status is surfaced
		// by Diff but does not colour the service.
		{"unknown status", []*Event{ev("Outage", "investigating")}, "ok"},
		{"outage beats maintenance", []*Event{ev("Maintenance", "ongoing"), ev("Outage", "ongoing")}, "outage"},
		{"issue beats maintenance", []*Event{ev("Maintenance", "ongoing"), ev("Issue", "ongoing")}, "issue"},
		{"outage beats issue", []*Event{ev("Outage", "ongoing"), ev("Issue", "ongoing")}, "outage"},
		{"history does not count", []*Event{ev("Outage", "resolved"), ev("Maintenance", "ongoing")}, "maintenance"},
		{"case and spaces tolerated", []*Event{ev("OUTAGE", "Ongoing")}, "outage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Service{Name: "X", Events: tt.events}
			if got := s.Status(); got != tt.want {
				t.Errorf("Status() = %q, want %q", got, tt.want)
			}
		})
	}
}

type watched struct {
	Name, Status string
	SignIn       bool
}

func summarize(ws []WatchedService) []watched {
	var out []watched
	for _, w := range ws {
		out = append(out, watched{w.Name, w.Status(), w.SignIn})
	}
	return out
}

func TestWatched(t *testing.T) {
	renamed := []byte(`{"services":[
		{"serviceName":"Find My","events":[]},
		{"serviceName":"Apple Account","events":[{"messageId":"1","statusType":"Outage","eventStatus":"ongoing"}]},
		{"serviceName":"iCloud Account and Sign In","events":[]},
		{"serviceName":"Weather","events":[]}]}`)
	tests := []struct {
		name string
		list WatchList
		body []byte
		want []watched
	}{
		{
			name: "real consumer feed", list: DefaultWatchList(), body: load(t, consumer2021),
			want: []watched{
				{"Apple ID", "ok", true},
				{"iCloud Account & Sign In", "ok", true},
				{"App Store", "ok", false},
				{"Mac App Store", "ok", false},
				{"iMessage", "ok", false},
				{"FaceTime", "ok", false},
				{"iCloud Mail", "outage", false},
				{"iCloud Drive", "ok", false},
				{"iCloud Keychain", "ok", false},
				{"macOS Software Update", "ok", false},
				{"Find My", "ok", false},
				{"Sign in with Apple", "ok", false},
			},
		},
		{
			name: "renamed account, and instead of &", list: DefaultWatchList(), body: renamed,
			want: []watched{
				{"Apple Account", "outage", true},
				{"iCloud Account and Sign In", "ok", true},
				{"Find My", "ok", false},
			},
		},
		{
			name: "developer feed has none", list: DefaultWatchList(), body: load(t, developer2002),
			want: nil,
		},
		{
			name: "a name in both groups is sign-in, once",
			list: WatchList{SignIn: []string{"find my"}, Others: []string{"Find  My", "Weather", "weather"}},
			body: renamed,
			want: []watched{{"Find My", "ok", true}, {"Weather", "ok", false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(tt.list.Watched(mustParse(t, tt.body)))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Watched =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
	if DefaultWatchList().Watched(nil) != nil {
		t.Error("Watched(nil) != nil")
	}
}

func TestDefaultWatchListIsFresh(t *testing.T) {
	a := DefaultWatchList()
	a.SignIn[0] = "mutated"
	a.Others = append(a.Others[:0], "mutated")
	b := DefaultWatchList()
	if b.SignIn[0] != "Apple ID" || b.Others[0] != "App Store" || len(b.Others) != 10 {
		t.Fatalf("DefaultWatchList shares state: %+v", b)
	}
	for _, n := range b.SignIn {
		if n == "Sign in with Apple" {
			t.Error("Sign in with Apple belongs in Others")
		}
	}
}
