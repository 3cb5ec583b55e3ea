package statefile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/applestatus"
)

// FuzzParse feeds the state file reader any file (`idpulse status` and MDM
// scripts read it; anyone who can write the folder can plant one). What it
// accepts re-encodes stably (encoded, read and encoded again gives the same
// bytes: Read keeps everything it knows), and what Write would store of it
// reads back with Apple's feed summary bounded, whatever the document held.
func FuzzParse(f *testing.F) {
	feed, err := os.ReadFile(filepath.Join("testdata", "consumer-ongoing-outage-plus-resolved_2021-04.json"))
	if err != nil {
		f.Fatal(err)
	}
	snap, err := applestatus.Parse(feed)
	if err != nil {
		f.Fatal(err)
	}
	doc := sampleDoc()
	doc.AppleStatus = verdict.FromFeed(applestatus.ConsumerURL,
		applestatus.FetchResult{Snapshot: snap, Fetched: time.Date(2021, 4, 26, 10, 0, 0, 0, time.UTC)}, nil, nil, applestatus.DefaultWatchList())
	for _, d := range []verdict.Document{sampleDoc(), doc} {
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"schema": "idpulse.check/v1", "probes": [{"id": "future", "status": "ok", "evidence": {"a": [1]}}, {"id": "clock", "evidence": null}]}`))
	f.Add([]byte(`{"schema": "idpulse.check/v1", "apple_status": {"services": [{"name": "Apple ID", "events": [{"status": "ongoing", "message": "ééé"}]}]}}`))
	f.Add([]byte(`{"schema": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := parse(data)
		if err != nil {
			return
		}
		enc, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatalf("encode what was read: %v", err)
		}
		again, err := parse(enc)
		if err != nil {
			t.Fatalf("reading the re-encoded document: %v\n%s", err, enc)
		}
		if enc2, _ := json.MarshalIndent(again, "", "  "); !bytes.Equal(enc2, enc) {
			t.Fatalf("re-encoding is not stable:\n%s\nthen\n%s", enc, enc2)
		}
		// What Write stores (bound, then the same encoding), without its
		// fsyncs: a fuzzer running them thousands of times a second
		// measures the disk, not the code.
		stored, err := json.MarshalIndent(bound(doc), "", "  ")
		if err != nil {
			t.Fatalf("encode the bounded document: %v", err)
		}
		got, err := parse(stored)
		if err != nil {
			t.Fatalf("reading the bounded document: %v", err)
		}
		checkBounded(t, got.AppleStatus)
	})
}

// checkBounded fails t unless the feed summary is within the state file's
// bounds, cut on character boundaries.
func checkBounded(t *testing.T, a *verdict.AppleStatus) {
	t.Helper()
	if a == nil {
		return
	}
	if len(a.Services) > MaxServices {
		t.Fatalf("%d services, more than %d", len(a.Services), MaxServices)
	}
	if a.Error != nil {
		checkField(t, *a.Error, MaxMessageBytes)
	}
	for _, s := range a.Services {
		checkField(t, s.Name, maxFieldBytes)
		checkField(t, s.Status, maxFieldBytes)
		if len(s.Events) > MaxEventsPerService {
			t.Fatalf("%s: %d events, more than %d", s.Name, len(s.Events), MaxEventsPerService)
		}
		for _, e := range s.Events {
			for _, v := range []string{e.ID, e.Type, e.Status, e.UsersAffected} {
				checkField(t, v, maxFieldBytes)
			}
			checkField(t, e.Message, MaxMessageBytes)
		}
	}
}

func checkField(t *testing.T, v string, max int) {
	t.Helper()
	if len(v) > max || !utf8.ValidString(v) {
		t.Fatalf("field of %d bytes (%.40q), want at most %d of valid UTF-8", len(v), v, max)
	}
}
