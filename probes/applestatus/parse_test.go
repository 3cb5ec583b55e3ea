package applestatus

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/filetest"
)

const (
	consumer2021  = "consumer-ongoing-outage-plus-resolved_2021-04.json"
	developer2020 = "developer-ongoing-resolved-completed-maintenance_2020-11.json"
	developer2002 = "developer-resolved-minified-drpost_2020-02.json"
)

func load(t testing.TB, name string) []byte { t.Helper(); return filetest.Testdata(t, name) }

func mustParse(t testing.TB, body []byte) *Snapshot {
	t.Helper()
	s, err := Parse(body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkInvariants(t, s)
	return s
}

func eventByID(t testing.TB, s *Snapshot, id string) *Event {
	t.Helper()
	for _, e := range s.Events {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("event %s not in snapshot", id)
	return nil
}

func service(t testing.TB, s *Snapshot, name string) *Service {
	t.Helper()
	svc := s.Service(name)
	if svc == nil {
		t.Fatalf("service %q not in snapshot", name)
	}
	return svc
}

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func eventStatusCounts(s *Snapshot) map[string]int {
	m := map[string]int{}
	for _, e := range s.Events {
		m[e.Status]++
	}
	return m
}

// listingCounts counts events per service row, as Apple's page shows them.
func listingCounts(s *Snapshot) map[string]int {
	m := map[string]int{}
	for i := range s.Services {
		for _, l := range s.Services[i].listed {
			m[l.status]++
		}
	}
	return m
}

func notOK(s *Snapshot) map[string]string {
	m := map[string]string{}
	for i := range s.Services {
		if st := s.Services[i].Status(); st != ServiceOK {
			m[s.Services[i].Name] = st
		}
	}
	return m
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file      string
		services  int
		events    int // after dedupe
		statuses  map[string]int
		listings  map[string]int // before dedupe
		notOK     map[string]string
		drMessage string
		check     func(t *testing.T, s *Snapshot)
	}{
		{
			file: consumer2021, services: 63, events: 2,
			statuses: map[string]int{"ongoing": 1, "resolved": 1},
			listings: map[string]int{"ongoing": 1, "resolved": 1},
			notOK:    map[string]string{"iCloud Mail": "outage"},
			check: func(t *testing.T, s *Snapshot) {
				out := eventByID(t, s, "1000000310")
				if out.Type != "Outage" || !out.Active() || out.End != nil ||
					!out.Start.Equal(time.Date(2021, 4, 26, 11, 13, 0, 0, time.UTC)) ||
					out.Posted != "04/26/2021 06:30 PDT" || out.UsersAffected != "Some users are affected" ||
					!reflect.DeepEqual(out.Services, []string{"iCloud Mail"}) || out.AffectedServices != nil {
					t.Errorf("iCloud Mail outage = %+v", out)
				}
				res := eventByID(t, s, "2000000560")
				if res.Type != "Issue" || res.Active() || !res.Past() || res.End == nil || !res.End.Equal(ms(1619304900000)) {
					t.Errorf("iCloud Keychain issue = %+v", res)
				}
				if got := service(t, s, "iCloud Keychain").Status(); got != ServiceOK {
					t.Errorf("resolved issue rolls up to %q, want ok", got)
				}
				for _, n := range []string{"iCloud Account & Sign In", "iCloud Bookmarks & Tabs", "Maps Routing & Navigation"} {
					if svc := service(t, s, n); svc.Name != n {
						t.Errorf("name %q, want %q", svc.Name, n)
					}
				}
				for _, svc := range s.Services {
					if strings.Contains(svc.Name, "&amp;") {
						t.Errorf("still escaped: %q", svc.Name)
					}
				}
				if s.Services[0].Name != "App Store" || s.Services[62].Name != "Weather" {
					t.Errorf("feed order lost: first %q last %q", s.Services[0].Name, s.Services[62].Name)
				}
				if got := service(t, s, "Apple Pay").RedirectURL; got != "https://web.archive.org/web/20210426135940/https://developer.apple.com/apple-pay/" {
					t.Errorf("Apple Pay redirect = %q", got)
				}
			},
		},
		{
			file: developer2020, services: 33, events: 10,
			statuses: map[string]int{"ongoing": 1, "resolved": 8, "completed": 1},
			listings: map[string]int{"ongoing": 1, "resolved": 8, "completed": 7},
			notOK:    map[string]string{"Videos": "maintenance"},
			check: func(t *testing.T, s *Snapshot) {
				four := []string{"Contact Us", "Program Enrollment and Renewals", "Software Downloads", "Videos"}
				m := eventByID(t, s, "2000000024")
				if !m.Active() || m.Type != "Maintenance" || m.End != nil ||
					!reflect.DeepEqual(m.Services, four) || !reflect.DeepEqual(m.AffectedServices, four) {
					t.Errorf("maintenance 2000000024 = %+v", m)
				}
				old := eventByID(t, s, "2000000002")
				if old.Status != "completed" || !reflect.DeepEqual(old.Services, four) || old.End == nil || !old.End.Equal(ms(1602266400000)) {
					t.Errorf("maintenance 2000000002 = %+v", old)
				}
				// Same pointers under every service: one event each, not four.
				for _, n := range four {
					svc := service(t, s, n)
					if !slices.Contains(svc.Events, m) || !slices.Contains(svc.Events, old) {
						t.Errorf("%s does not list both maintenances", n)
					}
				}
				if got := len(service(t, s, "Developer ID Notary Service").Events); got != 4 {
					t.Errorf("notary events = %d, want 4", got)
				}
				if got := service(t, s, "App Store Sandbox").RedirectURL; got != "https://developer.apple.com/documentation/storekit/in-app_purchase/testing_in-app_purchases_with_sandbox" {
					t.Errorf("redirect not trimmed: %q", got)
				}
			},
		},
		{
			file: developer2002, services: 27, events: 1,
			statuses: map[string]int{"resolved": 1},
			listings: map[string]int{"resolved": 1},
			notOK:    map[string]string{},
			check: func(t *testing.T, s *Snapshot) {
				e := eventByID(t, s, "1003214")
				if e.Type != "Issue" || !e.Start.Equal(time.Date(2020, 2, 10, 19, 45, 0, 0, time.UTC)) ||
					e.End == nil || !e.End.Equal(time.Date(2020, 2, 12, 11, 0, 0, 0, time.UTC)) ||
					e.Posted != "02/15/2020 01:00 PST" || !reflect.DeepEqual(e.Services, []string{"TestFlight"}) {
					t.Errorf("TestFlight event = %+v", e)
				}
				if svc := service(t, s, "certificates, identifiers and profiles"); svc.Name != "Certificates, Identifiers & Profiles" {
					t.Errorf("got %q", svc.Name)
				}
			},
		},
		{
			file: "synthetic-bom-whitespace.json", services: 2, events: 1,
			statuses:  map[string]int{"ongoing": 1},
			listings:  map[string]int{"ongoing": 1},
			notOK:     map[string]string{"iCloud Account & Sign In": "issue"},
			drMessage: "Some services are being updated.",
			check: func(t *testing.T, s *Snapshot) {
				if s.Services[0].Name != "Apple ID" || s.Services[0].RedirectURL != "https://appleid.apple.com/" {
					t.Errorf("not trimmed: %+v", s.Services[0])
				}
			},
		},
		{
			file: "synthetic-tricky-message.js", services: 2, events: 1,
			statuses: map[string]int{"ongoing": 1},
			listings: map[string]int{"ongoing": 1},
			notOK:    map[string]string{"App Store Connect": "issue"},
			check: func(t *testing.T, s *Snapshot) {
				want := `Calls such as "upload(file);" fail. Do not strip "); or jsonCallback( from this text);`
				e := eventByID(t, s, "2000003600")
				if e.Message != want {
					t.Errorf("message = %q\nwant      %q", e.Message, want)
				}
				if !e.Start.Equal(time.Date(2024, 5, 14, 18, 0, 0, 0, time.UTC)) {
					t.Errorf("start = %v", e.Start)
				}
			},
		},
		{
			file: "synthetic-affected-variants.json", services: 3, events: 3,
			statuses: map[string]int{"ongoing": 2, "resolved": 1},
			listings: map[string]int{"ongoing": 4, "resolved": 1},
			notOK:    map[string]string{"App Store": "outage", "Mac App Store": "outage", "iTunes Store & Podcasts": "outage"},
			check: func(t *testing.T, s *Snapshot) {
				three := []string{"App Store", "Mac App Store", "iTunes Store & Podcasts"}
				o := eventByID(t, s, "800001")
				if !reflect.DeepEqual(o.Services, three) || !reflect.DeepEqual(o.AffectedServices, three) ||
					!o.Start.Equal(ms(1700000000000)) || o.End != nil {
					t.Errorf("800001 = %+v", o)
				}
				r := eventByID(t, s, "800002")
				if !reflect.DeepEqual(r.AffectedServices, []string{"App Store"}) ||
					!r.Start.Equal(ms(1699990000000)) || r.End == nil || !r.End.Equal(ms(1699993600000)) {
					t.Errorf("800002 (string forms) = %+v", r)
				}
				p := eventByID(t, s, "800003")
				if p.AffectedServices != nil || p.UsersAffected != "" || p.Posted != "" || p.End != nil || p.Type != "Performance" {
					t.Errorf("800003 (missing keys) = %+v", p)
				}
			},
		},
		{
			file: "synthetic-unknown-enums.json", services: 2, events: 2,
			statuses: map[string]int{"investigating": 1, "ongoing": 1},
			listings: map[string]int{"investigating": 1, "ongoing": 1},
			notOK:    map[string]string{"iCloud Drive": "issue"},
			check: func(t *testing.T, s *Snapshot) {
				e := eventByID(t, s, "700001")
				if e.Type != "Degradation" || e.Status != "investigating" || e.Active() || e.Upcoming() || e.Past() {
					t.Errorf("700001 = %+v", e)
				}
			},
		},
		{
			file: "synthetic-upcoming-maintenance.js", services: 2, events: 1,
			statuses: map[string]int{"upcoming": 1},
			listings: map[string]int{"upcoming": 2},
			notOK:    map[string]string{},
			check: func(t *testing.T, s *Snapshot) {
				e := eventByID(t, s, "2000003601")
				if !e.Upcoming() || e.Active() || e.End == nil || len(e.Services) != 2 {
					t.Errorf("upcoming = %+v", e)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := mustParse(t, load(t, tt.file))
			if len(s.Services) != tt.services {
				t.Errorf("services = %d, want %d", len(s.Services), tt.services)
			}
			if len(s.Events) != tt.events {
				t.Errorf("events = %d, want %d", len(s.Events), tt.events)
			}
			if got := eventStatusCounts(s); !reflect.DeepEqual(got, tt.statuses) {
				t.Errorf("event statuses = %v, want %v", got, tt.statuses)
			}
			if got := listingCounts(s); !reflect.DeepEqual(got, tt.listings) {
				t.Errorf("listings = %v, want %v", got, tt.listings)
			}
			if got := notOK(s); !reflect.DeepEqual(got, tt.notOK) {
				t.Errorf("services not ok = %v, want %v", got, tt.notOK)
			}
			if s.DRMessage != tt.drMessage {
				t.Errorf("drMessage = %q, want %q", s.DRMessage, tt.drMessage)
			}
			tt.check(t, s)
		})
	}
}

func TestParseJSONPMatchesPlain(t *testing.T) {
	plain := mustParse(t, load(t, consumer2021))
	wrapped := mustParse(t, load(t, "synthetic-consumer-jsonp.js"))
	if !reflect.DeepEqual(plain, wrapped) {
		t.Fatal("JSONP-wrapped consumer feed parses differently from the plain one")
	}
}

func TestParseBodies(t *testing.T) {
	const empty = `{"services":[]}`
	tests := []struct {
		name    string
		body    string
		wantErr string // substring; "" means success
		check   func(t *testing.T, s *Snapshot)
	}{
		{name: "plain", body: empty},
		{name: "jsonp", body: `jsonCallback(` + empty + `)`},
		{name: "jsonp semicolon spaces", body: " \n jsonCallback ( " + empty + " ) ;\r\n"},
		{name: "jsonp dotted callback", body: `window.cb_1(` + empty + `);`},
		{name: "bom", body: "\uFEFF" + empty},
		{name: "whitespace then bom", body: " \n\uFEFF " + empty + "\n"},
		{name: "bom jsonp", body: "\uFEFFjsonCallback(" + empty + ");"},
		{name: "drMessage number ignored", body: `{"drMessage":5,"services":[]}`},
		{name: "null service and event skipped", body: `{"services":[null,{"serviceName":"A","events":[null]}]}`,
			check: func(t *testing.T, s *Snapshot) {
				if len(s.Services) != 1 || len(s.Services[0].Events) != 0 {
					t.Errorf("got %+v", s.Services)
				}
			}},
		{name: "numeric messageId", body: `{"services":[{"serviceName":"A","events":[{"messageId":123,"eventStatus":"ongoing"}]}]}`,
			check: func(t *testing.T, s *Snapshot) {
				if s.Events[0].ID != "123" {
					t.Errorf("id = %q", s.Events[0].ID)
				}
			}},
		{name: "missing messageId dedupes by content", body: `{"services":[
			{"serviceName":"A","events":[{"statusType":"Outage","eventStatus":"ongoing","epochStartDate":1700000000000,"message":"m"}]},
			{"serviceName":"B","events":[{"statusType":"Outage","eventStatus":"ongoing","epochStartDate":1700000000000,"message":"m"}]}]}`,
			check: func(t *testing.T, s *Snapshot) {
				if len(s.Events) != 1 || !strings.HasPrefix(s.Events[0].ID, "noid-") || len(s.Events[0].Services) != 2 {
					t.Errorf("got %+v", s.Events)
				}
			}},
		{name: "same event twice under one service", body: `{"services":[{"serviceName":"A","events":[
			{"messageId":"1","eventStatus":"resolved","statusType":"Outage"},{"messageId":"1","eventStatus":"ongoing","statusType":"Outage"}]}]}`,
			check: func(t *testing.T, s *Snapshot) {
				svc := &s.Services[0]
				if len(svc.Events) != 1 || svc.Status() != ServiceOutage || !s.Events[0].Active() {
					t.Errorf("got %d events, status %s", len(svc.Events), svc.Status())
				}
			}},
		{name: "affectedServices with null and duplicates", body: `{"services":[{"serviceName":"A","events":[{"messageId":"1","affectedServices":["A &amp; B",null,"A & B"," "]}]}]}`,
			check: func(t *testing.T, s *Snapshot) {
				if !reflect.DeepEqual(s.Events[0].AffectedServices, []string{"A & B"}) {
					t.Errorf("got %q", s.Events[0].AffectedServices)
				}
			}},
		{name: "epoch float and string", body: `{"services":[{"serviceName":"A","events":[{"messageId":"1","epochStartDate":1.6194355800e12,"epochEndDate":" 1619435640000 "}]}]}`,
			check: func(t *testing.T, s *Snapshot) {
				e := s.Events[0]
				if !e.Start.Equal(ms(1619435580000)) || e.End == nil || !e.End.Equal(ms(1619435640000)) {
					t.Errorf("start %v end %v", e.Start, e.End)
				}
			}},
		{name: "epoch empty string and zero are absent", body: `{"services":[{"serviceName":"A","events":[{"messageId":"1","epochStartDate":"","epochEndDate":0}]}]}`,
			check: func(t *testing.T, s *Snapshot) {
				if !s.Events[0].Start.IsZero() || s.Events[0].End != nil {
					t.Errorf("got %+v", s.Events[0])
				}
			}},

		{name: "empty", body: "", wantErr: "empty body"},
		{name: "blank", body: " \r\n\t", wantErr: "empty body"},
		{name: "bom only", body: "\uFEFF", wantErr: "empty body"},
		{name: "null", body: "null", wantErr: "not followed by '('"},
		{name: "array", body: "[]", wantErr: "neither a JSON object"},
		{name: "captive portal html", body: "<HTML><HEAD><TITLE>Login</TITLE></HEAD></HTML>", wantErr: "<HTML>"},
		{name: "no services", body: `{}`, wantErr: `no "services"`},
		{name: "services null", body: `{"services":null}`, wantErr: `no "services"`},
		{name: "proxy error object", body: `{"error":"blocked by policy"}`, wantErr: `no "services"`},
		{name: "services object", body: `{"services":{}}`, wantErr: "cannot unmarshal"},
		{name: "services string", body: `{"services":"App Store"}`, wantErr: "cannot unmarshal"},
		{name: "service number", body: `{"services":[1]}`, wantErr: "cannot unmarshal"},
		{name: "serviceName number", body: `{"services":[{"serviceName":5}]}`, wantErr: "cannot unmarshal"},
		{name: "events object", body: `{"services":[{"serviceName":"A","events":{}}]}`, wantErr: "cannot unmarshal"},
		{name: "event number", body: `{"services":[{"serviceName":"A","events":[1]}]}`, wantErr: "cannot unmarshal"},
		{name: "messageId bool", body: `{"services":[{"events":[{"messageId":true}]}]}`, wantErr: "messageId"},
		{name: "epoch word", body: `{"services":[{"events":[{"epochStartDate":"soon"}]}]}`, wantErr: "epoch"},
		{name: "epoch negative", body: `{"services":[{"events":[{"epochStartDate":-5}]}]}`, wantErr: "out of range"},
		{name: "epoch huge", body: `{"services":[{"events":[{"epochStartDate":1e300}]}]}`, wantErr: "out of range"},
		{name: "epoch NaN string", body: `{"services":[{"events":[{"epochStartDate":"NaN"}]}]}`, wantErr: "out of range"},
		{name: "affectedServices number", body: `{"services":[{"events":[{"affectedServices":5}]}]}`, wantErr: "affectedServices"},
		{name: "trailing garbage", body: empty + ` x`, wantErr: "invalid character"},
		{name: "nested callback", body: `jsonCallback(jsonCallback(` + empty + `))`, wantErr: "does not wrap a JSON object"},
		{name: "nested callback with semicolons", body: `jsonCallback(jsonCallback(` + empty + `););`, wantErr: "does not wrap a JSON object"},
		{name: "jsonp unclosed", body: `jsonCallback(` + empty, wantErr: "not closed"},
		{name: "jsonp empty", body: `jsonCallback()`, wantErr: "does not wrap a JSON object"},
		{name: "jsonp string", body: `jsonCallback("` + empty + `")`, wantErr: "does not wrap a JSON object"},
		{name: "jsonp two statements", body: `jsonCallback(` + empty + `); alert(1)`, wantErr: "invalid character"},
		{name: "jsonp double semicolon", body: `jsonCallback(` + empty + `);;`, wantErr: "not closed"},
		{name: "jsonp two args", body: `jsonCallback(` + empty + `, 1)`, wantErr: "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.body))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse succeeded, want error containing %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "parse status feed: ") {
					t.Fatalf("err = %q, want it to contain %q", err, tt.wantErr)
				}
				if s != nil {
					t.Fatal("non-nil snapshot with error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkInvariants(t, s)
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

// Every proper prefix of a feed must fail cleanly: a connection cut mid-body
// is the commonest corruption, and a truncated feed must never read as a
// smaller feed with fewer outages.
func TestParseTruncated(t *testing.T) {
	for _, name := range []string{consumer2021, developer2020, "synthetic-consumer-jsonp.js", "synthetic-tricky-message.js"} {
		body := load(t, name)
		end := bytes.LastIndexByte(body, '}')
		for cut := 0; cut <= end; cut++ {
			if _, err := Parse(body[:cut]); err == nil {
				t.Fatalf("%s cut at %d/%d parsed without error", name, cut, len(body))
			}
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"iCloud Account &amp; Sign In", "icloud account and sign in"},
		{"iCloud Account & Sign In", "icloud account and sign in"},
		{"iCloud Account and Sign In", "icloud account and sign in"},
		{"  iCloud   Account\t&\nSign In ", "icloud account and sign in"},
		{"Bookmarks&amp;Tabs", "bookmarks and tabs"},
		{"App Store Connect - App Processing ", "app store connect - app processing"},
		{"Apple\u00a0ID", "apple id"},
		{"APPLE ID", "apple id"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// checkInvariants is what every successful Parse promises; the fuzzer leans
// on it too.
func checkInvariants(t testing.TB, s *Snapshot) {
	t.Helper()
	if s == nil {
		t.Fatal("nil snapshot without error")
	}
	ids := map[string]*Event{}
	for _, e := range s.Events {
		if e == nil {
			t.Fatal("nil event")
		}
		if e.ID == "" {
			t.Fatal("event without id")
		}
		if ids[e.ID] != nil {
			t.Fatalf("duplicate event id %q", e.ID)
		}
		ids[e.ID] = e
		if e.End != nil && e.End.IsZero() {
			t.Fatalf("event %s: End set but zero", e.ID)
		}
	}
	reached := map[*Event]bool{}
	listedUnder := map[*Event]map[string]bool{}
	for i := range s.Services {
		svc := &s.Services[i]
		if len(svc.listed) != len(svc.Events) {
			t.Fatalf("service %q: %d listings for %d events", svc.Name, len(svc.listed), len(svc.Events))
		}
		seen := map[*Event]bool{}
		for _, e := range svc.Events {
			if ids[e.ID] != e {
				t.Fatalf("service %q lists event %q that is not in Snapshot.Events", svc.Name, e.ID)
			}
			if seen[e] {
				t.Fatalf("service %q lists event %q twice", svc.Name, e.ID)
			}
			seen[e] = true
			reached[e] = true
			if listedUnder[e] == nil {
				listedUnder[e] = map[string]bool{}
			}
			listedUnder[e][svc.Name] = true
		}
		switch svc.Status() {
		case ServiceOK, ServiceIssue, ServiceOutage, ServiceMaintenance:
		default:
			t.Fatalf("service %q: status %q", svc.Name, svc.Status())
		}
		if svc.Name != strings.TrimSpace(svc.Name) || svc.RedirectURL != strings.TrimSpace(svc.RedirectURL) {
			t.Fatalf("untrimmed service %q %q", svc.Name, svc.RedirectURL)
		}
	}
	for _, e := range s.Events {
		if !reached[e] {
			t.Fatalf("event %q not reachable from any service", e.ID)
		}
		if len(e.Services) != len(listedUnder[e]) {
			t.Fatalf("event %q: Services %q, listed under %v", e.ID, e.Services, listedUnder[e])
		}
		for _, n := range e.Services {
			if !listedUnder[e][n] {
				t.Fatalf("event %q names service %q that does not list it", e.ID, n)
			}
		}
	}
}

// The largest bodies the client accepts must parse in linear time: before
// de-duplication used maps, a 2 MB affectedServices array took 3.5 minutes.
func TestParseWorstCaseBodies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 2 MB bodies")
	}
	build := func(head, item, tail string) []byte {
		var b strings.Builder
		b.WriteString(head)
		for i := 0; b.Len() < MaxBodySize-len(tail)-64; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, item, i)
		}
		b.WriteString(tail)
		return []byte(b.String())
	}
	tests := []struct {
		name  string
		body  []byte
		check func(s *Snapshot) bool
	}{
		{"100k events under one service",
			build(`{"services":[{"serviceName":"A","events":[`, `{"messageId":"%d"}`, `]}]}`),
			func(s *Snapshot) bool { return len(s.Events) > 90000 && len(s.Services[0].Events) == len(s.Events) }},
		{"one event under 40k services",
			build(`{"services":[`, `{"serviceName":"%d","events":[{"messageId":"1"}]}`, `]}`),
			func(s *Snapshot) bool { return len(s.Events) == 1 && len(s.Events[0].Services) == len(s.Services) }},
		{"240k affected services",
			build(`{"services":[{"serviceName":"A","events":[{"messageId":"1","affectedServices":[`, `"%d"`, `]}]}]}`),
			func(s *Snapshot) bool { return len(s.Events[0].AffectedServices) > 200000 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			s, err := Parse(tt.body)
			d := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Error("unexpected shape")
			}
			t.Logf("%d bytes in %v", len(tt.body), d)
			if d > 20*time.Second {
				t.Errorf("took %v: super-linear de-duplication?", d)
			}
		})
	}
}
