package statefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/idpulse/idpulse/agent/readcap"
	"github.com/idpulse/idpulse/probes/applestatus"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
)

func sampleDoc() verdict.Document {
	res := probes.Results{
		{ID: probes.IDClock, Status: probes.StatusOK, Summary: "clock within 0.2 s", Duration: 12345678 * time.Nanosecond,
			Evidence: &probes.ClockEvidence{Source: "ntp", Server: "time.apple.com", OffsetMS: 210.5, UncertaintyMS: 20}},
		{ID: probes.IDProxy, Status: probes.StatusSkip, Summary: "no proxy", Duration: 3 * time.Microsecond},
	}
	return verdict.NewDocument(time.Date(2025, 3, 4, 5, 6, 7, 890, time.UTC), 1500*time.Millisecond, verdict.Input{Results: res})
}

func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idpulse", "state.json")
	doc := sampleDoc()
	if err := Write(path, doc); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.MarshalIndent(doc, "", "  ")
	if !bytes.Equal(data, append(want, '\n')) {
		t.Errorf("file =\n%s\nwant the indented document", data)
	}
	if !bytes.HasPrefix(data, []byte("{\n  \"schema\": \"idpulse.check/v1\",\n")) {
		t.Errorf("file does not start with the schema:\n%.80s", data)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
			t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
		}
	}

	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Verdict.Headline != doc.Verdict.Headline || !got.Time.Equal(doc.Time) || got.DurationMS != doc.DurationMS {
		t.Errorf("Read = %+v, want %+v", got, doc)
	}
	if len(got.Probes) != 2 || got.Probes[0].Duration != 12346*time.Microsecond || got.Probes[1].Duration != 3*time.Microsecond {
		t.Errorf("probes = %+v", got.Probes)
	}
	if ev, ok := got.Probes[0].Evidence.(*probes.ClockEvidence); !ok || ev.Server != "time.apple.com" {
		t.Errorf("evidence = %#v, want the clock's own type", got.Probes[0].Evidence)
	}
	if got.Probes[1].Evidence != nil {
		t.Errorf("evidence of a probe without any = %#v, want nil", got.Probes[1].Evidence)
	}
	// Re-encoding what was read reproduces the file: nothing is lost.
	again, _ := json.MarshalIndent(got, "", "  ")
	if !bytes.Equal(append(again, '\n'), data) {
		t.Errorf("re-encoded document differs:\n%s\nwant\n%s", again, data)
	}
}

func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	first, second := sampleDoc(), sampleDoc()
	second.Verdict.Headline = "second"
	for _, d := range []verdict.Document{first, second} {
		if err := Write(path, d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Read(path)
	if err != nil || got.Verdict.Headline != "second" {
		t.Errorf("Read = %q, %v; want the second document", got.Verdict.Headline, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1", len(entries))
	}
}

func TestWriteRejectsZeroDocument(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	err := Write(path, verdict.Document{})
	if err == nil || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("err = %v, want a schema error", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("file written")
	}
}

func TestRead(t *testing.T) {
	tests := []struct {
		name, file, wantErr string
	}{
		{"missing", "", "read state file"},
		{"not JSON", "{", "not an idpulse.check/v1 document"},
		{"no schema", `{"verdict": {}}`, "schema is none"},
		{"other schema", `{"schema": "idpulse.check/v2"}`, `schema is "idpulse.check/v2"`},
		{"wrong type", `{"schema": "idpulse.check/v1", "duration_ms": "fast"}`, "duration_ms"},
		{"unknown fields ok", `{"schema": "idpulse.check/v1", "added_later": 1, "probes": []}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if tt.name != "missing" {
				if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			doc, err := Read(path)
			if tt.wantErr == "" {
				if err != nil || doc.Schema != verdict.Schema || doc.Probes == nil {
					t.Errorf("Read = %+v, %v", doc, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.name != "missing" && !strings.Contains(err.Error(), path) {
				t.Errorf("err %q does not name the file", err)
			}
		})
	}
}

// Evidence comes back in the probe's type; absent, null and empty evidence
// as nil; a probe this version does not know keeps its raw JSON, compacted.
func TestReadEvidence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	data := []byte(`{"schema": "idpulse.check/v1", "probes": [
		{"id": "clock", "status": "ok", "duration_ms": 1.5, "evidence": { "source": "ntp" }},
		{"id": "proxy", "status": "skip", "evidence": null},
		{"id": "vpn", "status": "ok"},
		{"id": "future", "status": "ok", "evidence": { "jitter_ms": 3 }}]}`)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Probes) != 4 {
		t.Fatalf("probes = %+v", doc.Probes)
	}
	if ev, ok := doc.Probes[0].Evidence.(*probes.ClockEvidence); !ok || ev.Source != "ntp" || doc.Probes[0].Duration != 1500*time.Microsecond {
		t.Errorf("clock = %+v", doc.Probes[0])
	}
	if doc.Probes[1].Evidence != nil || doc.Probes[2].Evidence != nil {
		t.Errorf("null and absent evidence = %#v, %#v; want nil", doc.Probes[1].Evidence, doc.Probes[2].Evidence)
	}
	if ev, ok := doc.Probes[3].Evidence.(json.RawMessage); !ok || string(ev) != `{"jitter_ms":3}` {
		t.Errorf("unknown probe's evidence = %#v, want the raw object", doc.Probes[3].Evidence)
	}
}

// hugeFeed is a feed body of about 2 MiB (applestatus.MaxBodySize): every
// watched service lists thousands of long events, one of them ongoing.
func hugeFeed(t *testing.T) []byte {
	t.Helper()
	type event struct {
		MessageID     string `json:"messageId"`
		StatusType    string `json:"statusType"`
		EventStatus   string `json:"eventStatus"`
		EpochStart    int64  `json:"epochStartDate"`
		UsersAffected string `json:"usersAffected"`
		Message       string `json:"message"`
	}
	type service struct {
		Name   string  `json:"serviceName"`
		Events []event `json:"events"`
	}
	var feed struct {
		Services []service `json:"services"`
	}
	w := applestatus.DefaultWatchList()
	names := append(append([]string{}, w.SignIn...), w.Others...)
	msg := strings.Repeat("Users may be experiencing a problem. ", 60) // ~2 KiB
	perService := (applestatus.MaxBodySize / len(names)) / (len(msg) + 450)
	id := 0
	for _, n := range names {
		s := service{Name: n}
		for i := 0; i < perService; i++ {
			id++
			st := "resolved"
			if i == perService/2 {
				st = "ongoing"
			}
			s.Events = append(s.Events, event{MessageID: strconv.Itoa(id), StatusType: "Issue", EventStatus: st,
				EpochStart: int64(1600000000000 + i*60000), UsersAffected: strings.Repeat("some users ", 30), Message: msg})
		}
		feed.Services = append(feed.Services, s)
	}
	body, err := json.Marshal(feed)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) < applestatus.MaxBodySize*3/4 || len(body) > applestatus.MaxBodySize {
		t.Fatalf("feed is %d bytes, want about %d", len(body), applestatus.MaxBodySize)
	}
	return body
}

// A 2 MiB feed once made a 5.9 MB state file, rewritten every cycle; the
// file now holds a bounded summary and stays under 128 KiB.
func TestWriteBoundsAppleEvents(t *testing.T) {
	body := hugeFeed(t)
	snap, err := applestatus.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	fetched := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	apple := verdict.FromFeed("https://feed.test/", applestatus.FetchResult{Snapshot: snap, Fetched: fetched}, nil, nil, applestatus.DefaultWatchList())
	doc := sampleDoc()
	doc.AppleStatus = apple
	before, _ := json.Marshal(doc)

	path := filepath.Join(t.TempDir(), "state.json")
	if err := Write(path, doc); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	const want = 128 << 10
	if fi.Size() > want {
		t.Fatalf("state file is %d bytes for a %d-byte feed, want at most %d", fi.Size(), len(body), want)
	}
	if after, _ := json.Marshal(doc); !bytes.Equal(before, after) {
		t.Error("Write changed the caller's document")
	}

	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Schema != verdict.Schema || len(got.AppleStatus.Services) != len(apple.Services) {
		t.Fatalf("read back %q with %d services, want %q with %d", got.Schema, len(got.AppleStatus.Services), verdict.Schema, len(apple.Services))
	}
	for i, s := range got.AppleStatus.Services {
		if s.Status != apple.Services[i].Status {
			t.Errorf("%s: status %q, want the roll-up of all events %q", s.Name, s.Status, apple.Services[i].Status)
		}
		if len(s.Events) != MaxEventsPerService {
			t.Errorf("%s: %d events, want %d", s.Name, len(s.Events), MaxEventsPerService)
		}
		ongoing := 0
		for _, e := range s.Events {
			if e.Status == "ongoing" {
				ongoing++
			}
			if len(e.Message) > MaxMessageBytes || !strings.HasSuffix(e.Message, "…") || !utf8.ValidString(e.Message) {
				t.Errorf("%s: message of %d bytes (%.20q…), want at most %d ending in …", s.Name, len(e.Message), e.Message, MaxMessageBytes)
			}
		}
		if ongoing != 1 {
			t.Errorf("%s: %d ongoing events kept, want the one ongoing event", s.Name, ongoing)
		}
	}
}

func TestBoundKeepsActiveThenNewest(t *testing.T) {
	at := func(min int) *time.Time { v := time.Date(2025, 1, 1, 0, min, 0, 0, time.UTC); return &v }
	var events []verdict.AppleEvent
	for i := 0; i < 10; i++ {
		events = append(events, verdict.AppleEvent{ID: strconv.Itoa(i), Status: "resolved", Start: at(i)})
	}
	events[2].Status = "ongoing"
	events[3].Status = "upcoming"
	var ids []string
	for _, e := range boundEvents(events) {
		ids = append(ids, e.ID)
	}
	// ongoing 2, upcoming 3, then the newest resolved 9, 8, 7; in feed order.
	if got, want := strings.Join(ids, ","), "2,3,7,8,9"; got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
}

func TestReadRefusesHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	data := append([]byte(`{"schema":"idpulse.check/v1","pad":"`), bytes.Repeat([]byte("x"), MaxBytes)...)
	if err := os.WriteFile(path, append(data, `"}`...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Read(path)
	var tl *readcap.TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "1 MiB") {
		t.Fatalf("err = %v, want a too-large error naming %s and 1 MiB", err, path)
	}
}
