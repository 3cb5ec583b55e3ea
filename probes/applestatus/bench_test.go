package applestatus

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// payload20KB grows the real 2020-11 developer feed (minified, as Apple
// serves it) with synthetic resolved incidents until it is about 20 KB, and
// wraps it in jsonCallback(...) like the live developer feed.
func payload20KB(tb testing.TB) []byte {
	tb.Helper()
	var doc map[string]any
	if err := json.Unmarshal(load(tb, developer2020), &doc); err != nil {
		tb.Fatal(err)
	}
	services := doc["services"].([]any)
	for i := 0; ; i++ {
		b, err := json.Marshal(doc)
		if err != nil {
			tb.Fatal(err)
		}
		if len(b) >= 20<<10 {
			return append(append([]byte("jsonCallback("), b...), ");"...)
		}
		svc := services[(i*7)%len(services)].(map[string]any)
		start := int64(1603000000000) + int64(i)*3600_000
		svc["events"] = append(svc["events"].([]any), map[string]any{
			"usersAffected": "Some users were affected", "epochStartDate": start, "epochEndDate": start + 1800_000,
			"messageId": fmt.Sprint(3000000000 + i), "statusType": "Issue", "datePosted": "11/02/2020 10:12 PST",
			"startDate": "10/22/2020 16:28 PDT", "endDate": "10/22/2020 16:58 PDT", "affectedServices": nil,
			"eventStatus": "resolved", "message": "Users experienced a problem with this service.",
		})
	}
}

func BenchmarkParse20KB(b *testing.B) {
	body := payload20KB(b)
	if _, err := Parse(body); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(body)), "payload-bytes")
}

// countingListener counts bytes on the server side of every connection:
// written = response status line + headers + body, read = requests.
type countingListener struct {
	net.Listener
	written, read *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.written, l.read}, nil
}

type countingConn struct {
	net.Conn
	written, read *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func benchFetch(b *testing.B, conditional bool) {
	body := payload20KB(b)
	f := &feedServer{sendLM: true}
	f.set(body, `"5f2b-1a7c3e"`, time.Date(2020, 11, 2, 18, 12, 0, 0, time.UTC))
	var written, read atomic.Int64
	srv := httptest.NewUnstartedServer(f)
	srv.Listener = countingListener{srv.Listener, &written, &read}
	srv.Start()
	defer srv.Close()

	c := &Client{HTTP: srv.Client(), URL: srv.URL + "/support/systemstatus/data/developer/system_status_en_US.js"}
	ctx := context.Background()
	prime, err := c.Fetch(ctx)
	if err != nil || prime.NotModified {
		b.Fatalf("priming fetch: %+v %v", prime, err)
	}
	fullWire := written.Load()
	if !conditional {
		// Forget the validators so every poll is a full download, the cost
		// of polling the way StatusBuddy does (cache-busting, no validators).
		c = &Client{HTTP: srv.Client(), URL: c.URL}
	}

	written.Store(0)
	read.Store(0)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		res, err := c.Fetch(ctx)
		if err != nil || res.NotModified != conditional {
			b.Fatalf("fetch: %+v %v", res, err)
		}
		if !conditional {
			c = &Client{HTTP: srv.Client(), URL: c.URL}
		}
		n++
	}
	b.ReportMetric(float64(written.Load())/float64(n), "wire-bytes/op")
	b.ReportMetric(float64(read.Load())/float64(n), "request-bytes/op")
	b.ReportMetric(float64(fullWire), "full-response-wire-bytes")
}

// BenchmarkFetchNotModified: what an unchanged poll costs on the wire.
func BenchmarkFetchNotModified(b *testing.B) { benchFetch(b, true) }

// BenchmarkFetchFull: the same poll without validators, for comparison.
func BenchmarkFetchFull(b *testing.B) { benchFetch(b, false) }
