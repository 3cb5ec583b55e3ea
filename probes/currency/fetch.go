package currency

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// MaxBody caps Apple's response. The real one is about 60 KB (130 KB
// pretty-printed with every platform's device lists); the cap keeps a
// portal or proxy from making a background agent buffer megabytes.
const MaxBody = 2 << 20

// UserAgent names idpulse to Apple, as SOFA asks every client of these
// lists to.
const UserAgent = "idpulse (macOS currency check; +https://github.com/idpulse/idpulse)"

// Fetch GETs Apple's list at rawURL with hc (the caller's transport: its
// proxy, its TLS roots, its timeout) and parses it. Redirects are not
// followed: gdmf answers directly, and a redirect is a portal or a proxy.
func Fetch(ctx context.Context, hc *http.Client, rawURL string) (Catalog, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Catalog{}, fmt.Errorf("gdmf %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/json")
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the method and URL named below
		}
		return Catalog{}, fmt.Errorf("gdmf %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return Catalog{}, fmt.Errorf("gdmf %s: unexpected HTTP status %s", rawURL, resp.Status)
	}
	if resp.ContentLength > MaxBody {
		return Catalog{}, fmt.Errorf("gdmf %s: body of %d bytes exceeds the %d-byte limit", rawURL, resp.ContentLength, MaxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return Catalog{}, fmt.Errorf("gdmf %s: read body: %w", rawURL, err)
	}
	if len(body) > MaxBody {
		return Catalog{}, fmt.Errorf("gdmf %s: body exceeds the %d-byte limit", rawURL, MaxBody)
	}
	cat, err := Parse(body)
	if err != nil {
		return Catalog{}, fmt.Errorf("%s: %w", rawURL, err)
	}
	return cat, nil
}
