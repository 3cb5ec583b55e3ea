package applestatus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// feedServer serves one feed body with the validators it is told to use and
// counts full responses against 304s, the number a poller is judged by.
type feedServer struct {
	mu       sync.Mutex
	body     []byte
	etag     string // "" = do not send ETag
	modified time.Time
	sendLM   bool
	status   int // non-zero: answer with this status instead
	full     int
	notMod   int
	last     http.Header // headers of the latest request
}

func (f *feedServer) set(body []byte, etag string, modified time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body, f.etag, f.modified = body, etag, modified
}

func (f *feedServer) counts() (full, notMod int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.full, f.notMod
}

func (f *feedServer) lastRequest() http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func (f *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = r.Header.Clone()
	if f.status != 0 {
		http.Error(w, "boom", f.status)
		return
	}
	h := w.Header()
	if f.etag != "" {
		h.Set("ETag", f.etag)
	}
	if f.sendLM {
		h.Set("Last-Modified", f.modified.UTC().Format(http.TimeFormat))
	}
	// RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only counts
	// without it.
	notModified := false
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		notModified = f.etag != "" && inm == f.etag
	} else if ims := r.Header.Get("If-Modified-Since"); ims != "" && f.sendLM {
		t, err := http.ParseTime(ims)
		notModified = err == nil && !f.modified.Truncate(time.Second).After(t)
	}
	if notModified {
		f.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f.full++
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(f.body)))
	w.Write(f.body)
}

func newFeedServer(t *testing.T, f *feedServer) (*httptest.Server, *Client) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv, &Client{HTTP: srv.Client(), URL: srv.URL + "/system_status_en_US.js"}
}

func fetch(t *testing.T, c *Client) FetchResult {
	t.Helper()
	res, err := c.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return res
}

func TestClientConditionalGET(t *testing.T) {
	consumer, dev := load(t, consumer2021), load(t, "synthetic-upcoming-maintenance.js")
	t0 := time.Date(2021, 4, 26, 13, 30, 0, 0, time.UTC)

	tests := []struct {
		name     string
		etag     bool
		lm       bool
		wantINM  bool
		wantIMS  bool
		wantFull int // after the whole sequence: 200, 304-or-200, change, 304-or-200
	}{
		{name: "etag and last-modified", etag: true, lm: true, wantINM: true, wantIMS: true, wantFull: 2},
		{name: "last-modified only", lm: true, wantIMS: true, wantFull: 2},
		{name: "etag only", etag: true, wantINM: true, wantFull: 2},
		{name: "no validators", wantFull: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &feedServer{sendLM: tt.lm}
			etag := func(v string) string {
				if tt.etag {
					return v
				}
				return ""
			}
			f.set(consumer, etag(`"v1"`), t0)
			_, c := newFeedServer(t, f)

			r1 := fetch(t, c)
			if r1.NotModified || r1.Bytes != int64(len(consumer)) || len(r1.Snapshot.Services) != 63 || r1.Fetched.IsZero() {
				t.Fatalf("first fetch = %+v", r1)
			}
			h := f.lastRequest()
			if h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "" {
				t.Errorf("first request sent validators: %v", h)
			}
			if got := h.Get("Accept"); got != "application/json, application/javascript;q=0.9" {
				t.Errorf("Accept = %q", got)
			}

			r2 := fetch(t, c)
			h = f.lastRequest()
			if got := h.Get("If-None-Match") != ""; got != tt.wantINM {
				t.Errorf("If-None-Match sent = %v, want %v (%q)", got, tt.wantINM, h.Get("If-None-Match"))
			}
			if got := h.Get("If-Modified-Since"); (got != "") != tt.wantIMS {
				t.Errorf("If-Modified-Since = %q, want sent = %v", got, tt.wantIMS)
			}
			conditional := tt.etag || tt.lm
			if r2.NotModified != conditional {
				t.Fatalf("second fetch NotModified = %v, want %v", r2.NotModified, conditional)
			}
			if conditional && (r2.Bytes != 0 || r2.Snapshot != r1.Snapshot || r2.Fetched.Before(r1.Fetched)) {
				t.Errorf("304 result = %+v", r2)
			}

			f.set(dev, etag(`"v2"`), t0.Add(time.Hour))
			r3 := fetch(t, c)
			if r3.NotModified || r3.Bytes != int64(len(dev)) || len(r3.Snapshot.Services) != 2 {
				t.Fatalf("after change = %+v", r3)
			}
			r4 := fetch(t, c)
			if r4.NotModified != conditional || len(r4.Snapshot.Services) != 2 {
				t.Fatalf("fourth fetch = %+v", r4)
			}

			full, notMod := f.counts()
			if full != tt.wantFull || full+notMod != 4 {
				t.Errorf("server sent %d full and %d 304 responses, want %d full of 4", full, notMod, tt.wantFull)
			}
			if cached, ok := c.Cached(); !ok || cached.Snapshot != r4.Snapshot || !cached.Fetched.Equal(r4.Fetched) {
				t.Errorf("Cached = %+v, %v", cached, ok)
			}
		})
	}
}

// A failed poll must not cost the next one its 304: errors keep the cached
// snapshot and the validators.
func TestClientErrorsKeepCache(t *testing.T) {
	consumer := load(t, consumer2021)
	f := &feedServer{sendLM: true}
	f.set(consumer, `"v1"`, time.Now())
	srv, c := newFeedServer(t, f)
	first := fetch(t, c)

	steps := []struct {
		name    string
		serve   func()
		wantErr string
	}{
		{"server error", func() { f.mu.Lock(); f.status = http.StatusInternalServerError; f.mu.Unlock() }, "unexpected HTTP status 500 Internal Server Error"},
		{"not found", func() { f.mu.Lock(); f.status = http.StatusNotFound; f.mu.Unlock() }, "unexpected HTTP status 404"},
		{"captive portal page", func() {
			f.mu.Lock()
			f.status = 0
			f.mu.Unlock()
			f.set([]byte("<html><body>Please log in</body></html>"), `"portal"`, time.Now())
		}, "<html>"},
		{"truncated feed", func() { f.set(consumer[:len(consumer)/2], `"half"`, time.Now()) }, "parse status feed"},
	}
	for _, st := range steps {
		st.serve()
		_, err := c.Fetch(context.Background())
		t.Logf("%s: %v", st.name, err)
		if err == nil || !strings.Contains(err.Error(), st.wantErr) {
			t.Fatalf("%s: err = %v, want %q", st.name, err, st.wantErr)
		}
		if want := "fetch " + srv.URL + "/system_status_en_US.js: "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: err %q lacks prefix %q", st.name, err, want)
		}
		if cached, ok := c.Cached(); !ok || cached.Snapshot != first.Snapshot {
			t.Fatalf("%s: cache lost", st.name)
		}
	}

	f.set(consumer, `"v1"`, time.Now())
	res := fetch(t, c)
	if !res.NotModified || res.Snapshot != first.Snapshot {
		t.Fatalf("after errors: %+v, want 304 with the first snapshot", res)
	}
	if got := f.lastRequest().Get("If-None-Match"); got != `"v1"` {
		t.Errorf("If-None-Match after errors = %q, want the original validator", got)
	}
}

// A 200 without validators replaces the old ones: resending an ETag for a
// body we no longer hold could earn a 304 for the wrong content.
func TestClientDropsStaleValidators(t *testing.T) {
	f := &feedServer{}
	f.set(load(t, consumer2021), `"v1"`, time.Time{})
	_, c := newFeedServer(t, f)
	fetch(t, c)
	f.set(load(t, developer2002), "", time.Time{})
	fetch(t, c) // If-None-Match "v1" no longer matches: full response without ETag
	fetch(t, c)
	if got := f.lastRequest().Get("If-None-Match"); got != "" {
		t.Errorf("sent stale If-None-Match %q", got)
	}
}

func TestClient304WithoutCache(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), URL: srv.URL}
	if _, err := c.Fetch(context.Background()); err == nil || !strings.Contains(err.Error(), "no snapshot cached") {
		t.Fatalf("err = %v", err)
	}
	if _, ok := c.Cached(); ok {
		t.Fatal("Cached reports a snapshot")
	}
}

func TestClientHangingServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	c := &Client{HTTP: srv.Client(), URL: srv.URL}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Fetch(ctx)
	t.Log(err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Fetch took %v after a 150ms deadline", d)
	}
	if !strings.HasPrefix(err.Error(), "fetch "+srv.URL+": ") {
		t.Errorf("err = %q", err)
	}
}

// A zero Client polls ConsumerURL with its own http.Client; an already
// cancelled context shows that without touching the network.
func TestClientDefaultsWithoutNetwork(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Client{}).Fetch(ctx)
	if err == nil || !strings.HasPrefix(err.Error(), "fetch "+ConsumerURL+": ") || !errors.Is(err, context.Canceled) {
		t.Fatalf("zero Client: err = %v, want a canceled fetch of ConsumerURL", err)
	}
}

func TestClientBodyLimit(t *testing.T) {
	body := load(t, consumer2021)
	tests := []struct {
		name    string
		max     int64
		length  bool // send Content-Length
		wantErr string
	}{
		{name: "exactly at the limit", max: int64(len(body)), length: true},
		{name: "one over, declared", max: int64(len(body)) - 1, length: true, wantErr: "exceeds the"},
		{name: "one over, chunked", max: int64(len(body)) - 1, wantErr: "exceeds the"},
		{name: "exactly at the limit, chunked", max: int64(len(body))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.length {
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				}
				w.Write(body[:10])
				w.(http.Flusher).Flush() // forces chunked encoding when no length is set
				w.Write(body[10:])
			}))
			defer srv.Close()
			c := &Client{HTTP: srv.Client(), URL: srv.URL, MaxBody: tt.max}
			res, err := c.Fetch(context.Background())
			if tt.wantErr == "" {
				if err != nil || res.Bytes != int64(len(body)) {
					t.Fatalf("res %+v err %v", res, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// A 50 MB body must be refused after reading MaxBody+1 bytes, without the
// client buffering it. The handler streams from one small buffer so the
// test itself never holds 50 MB either.
func TestClientHugeBody(t *testing.T) {
	const huge = 50 << 20
	for _, declare := range []bool{false, true} {
		t.Run(fmt.Sprintf("content-length=%v", declare), func(t *testing.T) {
			var written atomic.Int64
			done := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(done)
				if declare {
					w.Header().Set("Content-Length", strconv.Itoa(huge))
				}
				chunk := []byte(`{"services":[` + strings.Repeat(" ", 32<<10-13))
				for written.Load() < huge {
					n, err := w.Write(chunk)
					written.Add(int64(n))
					if err != nil {
						return
					}
					copy(chunk, "             ")
				}
			}))
			defer srv.Close()

			c := &Client{HTTP: srv.Client(), URL: srv.URL}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := c.Fetch(context.Background())
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "exceeds the 2097152-byte limit") {
				t.Fatalf("err = %v, want too large", err)
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("server still writing 10s after the client gave up")
			}
			t.Logf("allocated %.1f MB, server wrote %.1f MB", float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), float64(written.Load())/(1<<20))
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("allocated %d MB fetching an oversized body", alloc>>20)
			}
			if w := written.Load(); w >= huge {
				t.Errorf("server wrote all %d MB: the client read the whole body", w>>20)
			}
		})
	}
}

func TestClientConcurrentFetch(t *testing.T) {
	f := &feedServer{sendLM: true}
	f.set(load(t, developer2020), `"v1"`, time.Now())
	_, c := newFeedServer(t, f)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Fetch(context.Background())
			if err == nil && len(res.Snapshot.Events) != 10 {
				err = fmt.Errorf("snapshot with %d events", len(res.Snapshot.Events))
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	full, notMod := f.counts()
	if full+notMod != 16 || full < 1 {
		t.Errorf("full %d, 304 %d", full, notMod)
	}
}

// TestClientRedirects: the feed is followed only over https to Apple's
// domains or within its own origin; never elsewhere, never down to http.
func TestClientRedirects(t *testing.T) {
	body := []byte(`{"services":[{"serviceName":"Apple ID","events":[]}]}`)
	tests := []struct {
		name, location string
		ok             bool
	}{
		{"same origin", "/moved.js", true},
		{"another host", "https://evil.example/feed.js", false},
		{"down to plain http on Apple", "http://www.apple.com/feed.js", false},
		{"a look-alike domain", "https://www.apple.com.evil.example/feed.js", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/moved.js" {
					w.Write(body)
					return
				}
				http.Redirect(w, r, tt.location, http.StatusFound)
			}))
			t.Cleanup(srv.Close)
			c := &Client{HTTP: srv.Client(), URL: srv.URL + "/system_status_en_US.js"}
			_, err := c.Fetch(context.Background())
			if (err == nil) != tt.ok {
				t.Errorf("Fetch after a redirect to %s: %v, want ok=%v", tt.location, err, tt.ok)
			}
			if !tt.ok && err != nil && !strings.Contains(err.Error(), "refusing redirect") {
				t.Errorf("error %q does not say the redirect was refused", err)
			}
		})
	}
}

// TestClientUserAgent: every poll names idpulse and its version, never Go's
// default client name.
func TestClientUserAgent(t *testing.T) {
	for _, tt := range []struct{ set, want string }{{"", "idpulse"}, {UserAgent("v1.4.0"), "idpulse/v1.4.0"}} {
		f := &feedServer{}
		f.set(load(t, consumer2021), `"v1"`, time.Time{})
		_, c := newFeedServer(t, f)
		c.UserAgent = tt.set
		fetch(t, c)
		fetch(t, c) // the conditional GET too
		if got := f.lastRequest().Get("User-Agent"); got != tt.want {
			t.Errorf("UserAgent %q: sent %q, want %q", tt.set, got, tt.want)
		}
	}
}
