package applestatus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// PageURL is Apple's System Status page for people, the page the feeds
// below are the data of.
const PageURL = "https://www.apple.com/support/systemstatus/"

// Feed locations. Both are served as .js: the developer one is JSONP, the
// consumer one has been plain JSON; Parse takes either.
const (
	ConsumerURL  = "https://www.apple.com/support/systemstatus/data/system_status_en_US.js"
	DeveloperURL = "https://www.apple.com/support/systemstatus/data/developer/system_status_en_US.js"
)

// MaxBodySize bounds a feed body. Real feeds are tens of kilobytes; the cap
// keeps a misbehaving proxy or captive portal from making a background agent
// buffer megabytes.
const MaxBodySize = 2 << 20

const defaultTimeout = 10 * time.Second

// Client polls one feed with conditional GETs, so an unchanged feed costs a
// 304 and no body. It is safe for concurrent use; concurrent fetches are not
// coalesced. The zero value polls ConsumerURL.
type Client struct {
	// HTTP carries the caller's transport and proxy settings; nil means a
	// client with a 10 s timeout on the default transport.
	HTTP *http.Client
	// URL is the feed to poll; empty means ConsumerURL.
	URL string
	// MaxBody caps the body in bytes; 0 means MaxBodySize.
	MaxBody int64
	// UserAgent names the poller to Apple (see UserAgent); empty means
	// UserAgent("").
	UserAgent string

	mu           sync.Mutex
	etag         string
	lastModified string
	snap         *Snapshot
	fetched      time.Time
}

// UserAgent is the User-Agent of a poll by idpulse version ("idpulse/v1.2.0";
// "idpulse" when the version is unknown): a fleet's polls are then
// recognisable as one program's, as SOFA's README asks of its clients.
func UserAgent(version string) string {
	if version == "" {
		return "idpulse"
	}
	return "idpulse/" + version
}

// FetchResult is the outcome of one successful Fetch.
type FetchResult struct {
	Snapshot    *Snapshot
	Fetched     time.Time // when the current snapshot was (re)validated
	NotModified bool      // server said 304; Snapshot is the cached one
	Bytes       int64     // body bytes read this fetch (0 on 304)
}

// Fetch polls the feed. On any error the cached snapshot and validators are
// left as they were, so a failed poll does not cost the next one its 304;
// Cached still returns the last good snapshot for a "last known" display.
func (c *Client) Fetch(ctx context.Context) (FetchResult, error) {
	feed := c.URL
	if feed == "" {
		feed = ConsumerURL
	}
	res, err := c.fetch(ctx, feed)
	if err != nil {
		return FetchResult{}, fmt.Errorf("fetch %s: %w", feed, err)
	}
	return res, nil
}

// Cached returns the last good snapshot and when it was last validated, or
// false before the first successful Fetch.
func (c *Client) Cached() (FetchResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap == nil {
		return FetchResult{}, false
	}
	return FetchResult{Snapshot: c.snap, Fetched: c.fetched}, true
}

func (c *Client) fetch(ctx context.Context, feed string) (FetchResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feed, nil)
	if err != nil {
		return FetchResult{}, err
	}
	req.Header.Set("Accept", "application/json, application/javascript;q=0.9")
	ua := c.UserAgent
	if ua == "" {
		ua = UserAgent("")
	}
	req.Header.Set("User-Agent", ua)

	c.mu.Lock()
	// Validators are only worth sending with a snapshot to fall back on:
	// a 304 with nothing cached would leave us empty-handed.
	if c.snap != nil {
		if c.etag != "" {
			req.Header.Set("If-None-Match", c.etag)
		}
		if c.lastModified != "" {
			req.Header.Set("If-Modified-Since", c.lastModified)
		}
	}
	c.mu.Unlock()

	hc := http.Client{Timeout: defaultTimeout}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = feedRedirect
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error repeats the method and URL that Fetch already names.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return FetchResult{}, err
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified:
		drain(resp.Body)
		now := time.Now()
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.snap == nil {
			return FetchResult{}, errors.New("304 Not Modified but no snapshot cached")
		}
		// A 304 may carry refreshed validators (RFC 9110 §15.4.5).
		if v := resp.Header.Get("ETag"); v != "" {
			c.etag = v
		}
		if v := resp.Header.Get("Last-Modified"); v != "" {
			c.lastModified = v
		}
		c.fetched = now
		return FetchResult{Snapshot: c.snap, Fetched: now, NotModified: true}, nil

	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		limit := c.MaxBody
		if limit <= 0 {
			limit = MaxBodySize
		}
		if resp.ContentLength > limit {
			return FetchResult{}, fmt.Errorf("body of %d bytes exceeds the %d-byte limit", resp.ContentLength, limit)
		}
		// One byte past the cap tells "exactly at the limit" from "over it"
		// without reading the rest of an oversized body.
		body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err != nil {
			return FetchResult{}, fmt.Errorf("read body: %w", err)
		}
		if int64(len(body)) > limit {
			return FetchResult{}, fmt.Errorf("body exceeds the %d-byte limit", limit)
		}
		snap, err := Parse(body)
		if err != nil {
			return FetchResult{}, err
		}
		now := time.Now()
		c.mu.Lock()
		defer c.mu.Unlock()
		// Validators belong to this body: keeping an old ETag the server no
		// longer sends would earn a 304 for content we do not hold.
		c.snap = snap
		c.etag = resp.Header.Get("ETag")
		c.lastModified = resp.Header.Get("Last-Modified")
		c.fetched = now
		return FetchResult{Snapshot: snap, Fetched: now, Bytes: int64(len(body))}, nil

	default:
		drain(resp.Body)
		return FetchResult{}, fmt.Errorf("unexpected HTTP status %s", resp.Status)
	}
}

// drain reads a little of a body we do not need so the connection can be
// reused for the next poll; a large body is cut off and the connection
// dropped instead.
func drain(r io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 4<<10))
}

// maxRedirects bounds a feed request's redirects.
const maxRedirects = 5

// feedRedirect follows a redirect of the feed only where the feed can be:
// over https to Apple's domains, or to the same origin as the request
// (scheme and host: a test server, a configured mirror). Anything else, a
// downgrade to plain http included, is refused.
func feedRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	to, from := req.URL, via[0].URL
	host := strings.ToLower(to.Hostname())
	switch {
	case to.Scheme == from.Scheme && strings.EqualFold(to.Host, from.Host):
		return nil
	case to.Scheme == "https" && (host == "apple.com" || strings.HasSuffix(host, ".apple.com")):
		return nil
	}
	return fmt.Errorf("refusing redirect to %s: the feed is only read from Apple over https", to.Redacted())
}
