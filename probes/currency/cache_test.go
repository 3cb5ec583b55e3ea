package currency

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCacheRoundTripAndPolicy(t *testing.T) {
	dir := t.TempDir()
	c := Cache{Path: filepath.Join(dir, "sub", "gdmf-cache.json")}
	e, err := c.Load()
	if err != nil || !e.Due(time.Now(), DefaultURL) {
		t.Fatalf("missing file: %+v, %v; want an empty, due entry", e, err)
	}
	cat, err := Parse(realPayload(t, payload2026))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 8, 23, 9, 0, 0, 0, time.UTC)
	half := func(n time.Duration) time.Duration { return n / 2 }
	e = e.Succeeded(DefaultURL, cat, now, half)
	if want := now.Add(Refresh + RefreshJitter/2); !e.Next.Equal(want) {
		t.Errorf("next = %s, want %s", e.Next, want)
	}
	if err := c.Save(e); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(c.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file: %v, %v", fi, err)
	}
	got, err := c.Load()
	if err != nil || len(got.Releases) != len(cat.Releases) || !got.Fetched.Equal(now) || got.URL != DefaultURL {
		t.Fatalf("loaded %d releases fetched %s from %q, %v", len(got.Releases), got.Fetched, got.URL, err)
	}
	for _, tt := range []struct {
		at  time.Time
		url string
		due bool
	}{
		{now.Add(time.Hour), DefaultURL, false},
		{now.Add(Refresh), DefaultURL, false}, // the jitter pushes it on
		{now.Add(Refresh + RefreshJitter/2), DefaultURL, true},
		{now.Add(time.Hour), "https://gdmf.example/v2/pmv", true}, // another URL's list
	} {
		if got.Due(tt.at, tt.url) != tt.due {
			t.Errorf("Due(%s, %s) = %v, want %v", tt.at.Sub(now), tt.url, !tt.due, tt.due)
		}
	}

	// A failure keeps the last good list and retries after an hour.
	later := now.Add(30 * time.Hour)
	f := got.Failed(DefaultURL, Failure{Error: "x509: certificate signed by unknown authority", Class: "cert_untrusted", Interception: true, Issuer: "Corp Inspection CA"}, later, half)
	if len(f.Releases) != len(cat.Releases) || !f.Fetched.Equal(now) || f.Error == "" || !f.Interception ||
		!f.Next.Equal(later.Add(Retry+RetryJitter/2)) {
		t.Errorf("after a failure: %d releases, fetched %s, error %q, next %s", len(f.Releases), f.Fetched, f.Error, f.Next)
	}
	// A success clears the failure.
	if s := f.Succeeded(DefaultURL, cat, later, half); s.Error != "" || s.Interception || s.Issuer != "" {
		t.Errorf("success kept the failure: %+v", s)
	}
	// A failure for another URL does not keep this one's list.
	if o := got.Failed("https://gdmf.example/v2/pmv", Failure{Error: "refused"}, later, nil); len(o.Releases) != 0 || !o.Fetched.IsZero() {
		t.Errorf("another URL's failure kept %d releases", len(o.Releases))
	}
	// Random jitter stays in range.
	for range 100 {
		if j := jit(nil, RetryJitter); j < 0 || j >= RetryJitter {
			t.Fatalf("jitter %s out of [0, %s)", j, RetryJitter)
		}
	}
}

// A corrupt, foreign or oversized file is kept aside, never read as a list
// and never overwritten.
func TestCacheKeepsCorruptFilesAside(t *testing.T) {
	at := time.Date(2026, 8, 23, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, content, reason string
	}{
		{"not JSON", "{\"schema\": \"idpulse.gdmf-cache/v1\", \"releases\": [", "unexpected end"},
		{"another schema", `{"schema": "other/v9", "releases": []}`, `schema "other/v9"`},
		{"bad release", `{"schema": "idpulse.gdmf-cache/v1", "releases": [{"version": "x"}]}`, "macOS version"},
		{"too large", `{"schema": "idpulse.gdmf-cache/v1", "pad": "` + strings.Repeat("x", MaxCacheBytes) + `"}`, "larger than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Cache{Path: filepath.Join(t.TempDir(), "gdmf-cache.json"), Now: func() time.Time { return at }}
			if err := os.WriteFile(c.Path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			e, err := c.Load()
			var ce *CorruptError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.reason) || len(e.Releases) != 0 {
				t.Fatalf("Load = %+v, %v; want a CorruptError about %q", e, err, tt.reason)
			}
			kept, err := os.ReadFile(c.Path + ".corrupt-20260823-090000")
			if err != nil || string(kept) != tt.content {
				t.Fatalf("not kept aside as is: %v", err)
			}
			if _, err := os.Stat(c.Path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the corrupt file is still in place: %v", err)
			}
		})
	}
	// A directory where the file should be is not ours either.
	c := Cache{Path: filepath.Join(t.TempDir(), "gdmf-cache.json"), Now: func() time.Time { return at }}
	if err := os.Mkdir(c.Path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load(); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}
