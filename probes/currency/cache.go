package currency

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/idpulse/idpulse/probes/keepaside"
)

// CacheSchema names the cache file's format.
const CacheSchema = "idpulse.gdmf-cache/v1"

// The refresh policy. Apple's list changes a few times a month; a day-old
// copy is as good as a fresh one for "is this Mac a month behind". The
// jitter spreads a fleet's requests (Macs restarted together by MDM would
// otherwise all ask at the same minute every day); a failed request is
// retried after an hour, not every cycle, so a network that blocks gdmf
// costs one attempt an hour.
const (
	Refresh       = 24 * time.Hour
	RefreshJitter = 2 * time.Hour
	Retry         = time.Hour
	RetryJitter   = 15 * time.Minute
)

// MaxCacheBytes caps the cache file: it holds a few dozen releases (a few
// KB); anything bigger is not ours and is kept aside like a corrupt file.
const MaxCacheBytes = 256 << 10

// Entry is the cache file: the last list read from Apple (macOS releases
// only) and when to ask again.
type Entry struct {
	Schema string `json:"schema"`
	// URL is where Releases came from; a cache of another URL is not used.
	URL      string    `json:"url"`
	Fetched  time.Time `json:"fetched,omitzero"` // the last successful fetch
	Releases []Release `json:"releases"`
	Skipped  int       `json:"skipped,omitempty"` // unreadable entries in that response
	// Attempted is the last request, Error and Class its failure ("" when
	// it succeeded): a failure is reported again from the cache until Next.
	Attempted time.Time `json:"attempted,omitzero"`
	Error     string    `json:"error,omitempty"`
	Class     string    `json:"class,omitempty"`
	// Interception and Issuer are the last failure's TLS facts.
	Interception bool   `json:"interception,omitempty"`
	Issuer       string `json:"issuer,omitempty"`
	// Next is when to ask Apple again.
	Next time.Time `json:"next"`
}

// Catalog is the cached list.
func (e Entry) Catalog() Catalog { return Catalog{Releases: e.Releases, Skipped: e.Skipped} }

// Due reports whether the list for url must be asked for at now: the cache
// is of another URL (or empty), or its Next has come.
func (e Entry) Due(now time.Time, url string) bool {
	return e.URL != url || !now.Before(e.Next)
}

// Succeeded is e after a successful fetch of url at now; jitter returns a
// duration in [0, n) (nil: random).
func (e Entry) Succeeded(url string, c Catalog, now time.Time, jitter func(n time.Duration) time.Duration) Entry {
	return Entry{Schema: CacheSchema, URL: url, Fetched: now, Releases: c.Releases, Skipped: c.Skipped,
		Attempted: now, Next: now.Add(Refresh + jit(jitter, RefreshJitter))}
}

// Failed is e after a failed fetch of url at now. The last good list is
// kept (it still says whether this Mac is behind); a list of another URL
// is dropped.
func (e Entry) Failed(url string, f Failure, now time.Time, jitter func(n time.Duration) time.Duration) Entry {
	if e.URL != url {
		e = Entry{}
	}
	e.Schema, e.URL, e.Attempted = CacheSchema, url, now
	e.Error, e.Class, e.Interception, e.Issuer = f.Error, f.Class, f.Interception, f.Issuer
	e.Next = now.Add(Retry + jit(jitter, RetryJitter))
	return e
}

// Failure is what a failed fetch leaves in the cache.
type Failure struct {
	Error, Class string
	Interception bool
	Issuer       string
}

func jit(f func(time.Duration) time.Duration, n time.Duration) time.Duration {
	if f == nil {
		return rand.N(n)
	}
	return min(max(f(n), 0), n)
}

// Cache is the cache file at Path.
type Cache struct {
	Path string
	// Now names a corrupt file kept aside; nil means time.Now.
	Now func() time.Time
}

// CorruptError says the cache file was unusable and where it was kept.
type CorruptError struct {
	Path, KeptAs string
	Reason       error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("gdmf cache %s is unusable (%v); kept aside as %s", e.Path, e.Reason, e.KeptAs)
}

func (e *CorruptError) Unwrap() error { return e.Reason }

// Load reads the cache. A missing file is an empty Entry and no error. A
// file that is not a cache of this schema, or is over MaxCacheBytes, is
// renamed aside (…corrupt-YYYYMMDD-HHMMSS) and reported as a
// *CorruptError with an empty Entry: it is never silently overwritten.
func (c Cache) Load() (Entry, error) {
	data, reason, err := c.read()
	if errors.Is(err, fs.ErrNotExist) {
		return Entry{}, nil
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read gdmf cache: %w", err)
	}
	if reason == nil {
		var e Entry
		if reason = json.Unmarshal(data, &e); reason == nil && e.Schema != CacheSchema {
			reason = fmt.Errorf("schema %q, want %q", e.Schema, CacheSchema)
		}
		if reason == nil {
			return e, nil
		}
	}
	kept, err := c.setAside()
	if err != nil {
		return Entry{}, fmt.Errorf("gdmf cache %s is unusable (%v) and could not be kept aside: %w", c.Path, reason, err)
	}
	return Entry{}, &CorruptError{Path: c.Path, KeptAs: kept, Reason: reason}
}

// read reads the file whole: err when it cannot be read, reason when it is
// too large to be ours.
func (c Cache) read() (data []byte, reason, err error) {
	f, err := os.Open(c.Path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type()), nil
	}
	data, err = io.ReadAll(io.LimitReader(f, MaxCacheBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxCacheBytes {
		return nil, fmt.Errorf("larger than %d bytes", MaxCacheBytes), nil
	}
	return data, nil, nil
}

// Save replaces the cache file atomically (0600; its folder is created).
// Load runs first in every cycle, so a corrupt file has been kept aside
// before Save would replace it.
func (c Cache) Save(e Entry) error {
	e.Schema = CacheSchema
	if e.Releases == nil {
		e.Releases = []Release{}
	}
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("save gdmf cache: %w", err)
	}
	if err := replace(c.Path, append(data, '\n')); err != nil {
		return fmt.Errorf("save gdmf cache: %w", err)
	}
	return nil
}

// replace writes path through a temporary file in its folder and a rename,
// so a reader or a crash sees the old list or the new one. It is the small
// part of agent/atomicfile a cache needs, here because probes never import
// agent (cmd/idpulse's import-boundary test).
func replace(path string, data []byte) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// setAside keeps the unusable file under a name not taken yet.
func (c Cache) setAside() (string, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	return keepaside.Rename(c.Path, now())
}
