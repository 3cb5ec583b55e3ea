package currency

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DefaultURL is Apple's list of current OS releases ("Apple Software Lookup
// Service", gdmf.apple.com/v2/pmv), what MDM servers and SOFA read.
const DefaultURL = "https://gdmf.apple.com/v2/pmv"

// Set names the list of Apple's response a release came from.
type Set string

const (
	// SetPublic is PublicAssetSets: the newest release of each major line
	// that Apple offers everyone.
	SetPublic Set = "public"
	// SetAsset is AssetSets: what managed Macs may be held at, earlier
	// minors included; their posting dates date releases PublicAssetSets
	// re-posts.
	SetAsset Set = "asset"
	// SetSecurity is PublicBackgroundSecurityImprovements (formerly
	// PublicRapidSecurityResponses): the "(a)" responses.
	SetSecurity Set = "security"
)

// Release is one macOS entry of Apple's list.
type Release struct {
	Version Version
	// Posted is the entry's PostingDate (a day, UTC); zero when Apple gave
	// none. It is when the entry was (re)posted, not always when the
	// release came out: PublicAssetSets re-posts old lines with every
	// update, so the earliest date across the sets is the one that counts.
	Posted time.Time
	Set    Set
	// Prerequisite is the build a security response applies to.
	Prerequisite string
}

// releaseJSON is a Release in the cache file.
type releaseJSON struct {
	Version      string `json:"version"`
	Extra        string `json:"extra,omitempty"`
	Build        string `json:"build,omitempty"`
	Posted       string `json:"posted,omitempty"`
	Set          Set    `json:"set"`
	Prerequisite string `json:"prerequisite,omitempty"`
}

func (r Release) MarshalJSON() ([]byte, error) {
	w := releaseJSON{Version: r.Version.Number(), Extra: r.Version.Extra, Build: r.Version.Build, Set: r.Set, Prerequisite: r.Prerequisite}
	if !r.Posted.IsZero() {
		w.Posted = r.Posted.Format(time.DateOnly)
	}
	return json.Marshal(w)
}

func (r *Release) UnmarshalJSON(data []byte) error {
	var w releaseJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	rel, err := newRelease(asset{ProductVersion: w.Version, Extra: w.Extra, Build: w.Build, PostingDate: w.Posted, Prerequisite: w.Prerequisite}, w.Set)
	if err != nil {
		return err
	}
	*r = rel
	return nil
}

// Catalog is the macOS part of Apple's list.
type Catalog struct {
	Releases []Release
	// Skipped counts entries that could not be read (no or a malformed
	// version): they are left out rather than failing the whole list.
	Skipped int
}

// asset is one entry of a gdmf list. SupportedDevices is not read: it
// names board IDs, and currency is judged per major line (see Assess).
type asset struct {
	ProductVersion string `json:"ProductVersion"`
	Extra          string `json:"ProductVersionExtra"`
	Build          string `json:"Build"`
	PostingDate    string `json:"PostingDate"`
	Prerequisite   string `json:"PrerequisiteBuild"`
}

type platforms struct {
	MacOS []asset `json:"macOS"`
}

// pmv is the response: lists per platform; only macOS is decoded.
type pmv struct {
	PublicAssetSets                      *platforms `json:"PublicAssetSets"`
	AssetSets                            *platforms `json:"AssetSets"`
	PublicBackgroundSecurityImprovements *platforms `json:"PublicBackgroundSecurityImprovements"`
	PublicRapidSecurityResponses         *platforms `json:"PublicRapidSecurityResponses"`
}

// Parse reads Apple's gdmf response. The lists are not sorted and hold one
// entry per build (several per version where Apple forked builds for new
// hardware); Parse keeps them all, in the response's order. A response with
// no macOS release at all is an error: it is not Apple's list (a captive
// portal's page, a proxy's error) or its shape changed.
func Parse(body []byte) (Catalog, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return Catalog{}, errors.New("gdmf: the response is not a JSON object")
	}
	var p pmv
	if err := json.Unmarshal(body, &p); err != nil {
		return Catalog{}, fmt.Errorf("gdmf: %w", err)
	}
	var c Catalog
	for _, l := range []struct {
		set Set
		p   *platforms
	}{{SetPublic, p.PublicAssetSets}, {SetAsset, p.AssetSets},
		{SetSecurity, p.PublicBackgroundSecurityImprovements}, {SetSecurity, p.PublicRapidSecurityResponses}} {
		if l.p == nil {
			continue
		}
		for _, a := range l.p.MacOS {
			r, err := newRelease(a, l.set)
			if err != nil {
				c.Skipped++
				continue
			}
			c.Releases = append(c.Releases, r)
		}
	}
	if len(c.Releases) == 0 {
		return Catalog{}, fmt.Errorf("gdmf: no macOS release in the response (%d unreadable)", c.Skipped)
	}
	return c, nil
}

func newRelease(a asset, set Set) (Release, error) {
	v, err := ParseVersion(a.ProductVersion, a.Extra, a.Build)
	if err != nil {
		return Release{}, err
	}
	r := Release{Version: v, Set: set, Prerequisite: a.Prerequisite}
	if a.PostingDate != "" {
		// A malformed date leaves the release undated, not unread: the
		// version alone still says whether this Mac is behind.
		if t, err := time.Parse(time.DateOnly, a.PostingDate); err == nil {
			r.Posted = t
		}
	}
	return r, nil
}
