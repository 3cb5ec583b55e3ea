package currency

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

func rel(t *testing.T, pv, extra, build, posted string, set Set) Release {
	r := Release{Version: mustVersion(t, pv, extra, build), Set: set}
	if posted != "" {
		r.Posted = day(posted)
	}
	return r
}

// The assessment table, clock injected: 29 days behind is behind, 31
// outdated; unknown is never current.
func TestAssess(t *testing.T) {
	posted := day("2026-07-01")
	list := func(t *testing.T) Catalog {
		return Catalog{Releases: []Release{
			// Unsorted, as Apple sends it; 14.7.2 also re-posted later.
			rel(t, "15.7.1", "", "24G231", "2026-07-01", SetPublic),
			rel(t, "14.7.2", "", "23H311", "2026-07-20", SetPublic),
			rel(t, "14.7.2", "", "23H311", "2026-07-01", SetAsset),
			rel(t, "14.7.1", "", "23H222", "2026-06-01", SetAsset),
			rel(t, "10.15.7", "", "19H2026", "2026-07-01", SetPublic),
			rel(t, "13.4.1", "(c)", "22F770820d", "2026-07-01", SetSecurity),
			rel(t, "13.4.1", "", "22F82", "2026-06-20", SetPublic),
		}}
	}
	for _, tt := range []struct {
		name             string
		pv, extra, build string
		catalog          func(*testing.T) Catalog
		now              time.Time
		state            State
		latest, reason   string
	}{
		{"current", "14.7.2", "", "23H311", list, posted.Add(90 * 24 * time.Hour), StateCurrent, "14.7.2", ""},
		{"behind 29 days", "14.7.1", "", "23H222", list, posted.Add(29 * 24 * time.Hour), StateBehind, "14.7.2", ""},
		{"behind exactly 30 days", "14.7.1", "", "23H222", list, posted.Add(30 * 24 * time.Hour), StateBehind, "14.7.2", ""},
		{"outdated after 31 days", "14.7.1", "", "23H222", list, posted.Add(31 * 24 * time.Hour), StateOutdated, "14.7.2", ""},
		// Behind since 14.7.1 (June), not since 14.7.2 (July).
		{"far behind: dated by the first newer release", "14.3", "", "23D56", list, posted.Add(5 * 24 * time.Hour), StateOutdated, "14.7.2", ""},
		{"10.15 is its own line", "10.15.7", "", "19H2026", list, posted, StateCurrent, "10.15.7", ""},
		{"RSR missing", "13.4.1", "", "22F82", list, posted.Add(40 * 24 * time.Hour), StateOutdated, "13.4.1 (c)", ""},
		{"RSR installed", "13.4.1", "(c)", "22F770820d", list, posted.Add(40 * 24 * time.Hour), StateCurrent, "13.4.1 (c)", ""},
		{"beta newer than the list", "15.8", "", "24H5012a", list, posted, StateCurrent, "15.7.1", "a beta?"},
		{"beta of the current release is behind it", "14.7.2", "", "23H5300b", list, posted.Add(31 * 24 * time.Hour), StateOutdated, "14.7.2", ""},
		{"no line", "12.7.6", "", "21H1320", list, posted, StateUnknown, "", "no macOS 12 release"},
		{"10.14 is not 10.15", "10.14.6", "", "18G9323", list, posted, StateUnknown, "", "no macOS 10.14 release"},
		{"no data", "14.7.2", "", "23H311", func(*testing.T) Catalog { return Catalog{} }, posted, StateUnknown, "", "not available"},
		{"no version", "", "", "", list, posted, StateUnknown, "", "not known"},
		{"undated newer release", "14.7.1", "", "", func(t *testing.T) Catalog {
			return Catalog{Releases: []Release{rel(t, "14.7.2", "", "23H311", "", SetPublic)}}
		}, posted.Add(400 * 24 * time.Hour), StateBehind, "14.7.2", "does not date"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var installed Version
			if tt.pv != "" {
				installed = mustVersion(t, tt.pv, tt.extra, tt.build)
			}
			a := Assess(installed, tt.catalog(t), tt.now)
			latest := ""
			if a.Latest != nil {
				latest = a.Latest.Version.String()
			}
			if a.State != tt.state || latest != tt.latest || (tt.reason == "") != (a.Reason == "") || !strings.Contains(a.Reason, tt.reason) {
				t.Errorf("= %s, latest %q, reason %q; want %s, %q, %q", a.State, latest, a.Reason, tt.state, tt.latest, tt.reason)
			}
		})
	}
	// The latest's first posting is its earliest date across the sets.
	a := Assess(mustVersion(t, "14.7.2", "", ""), list(t), posted)
	if !a.LatestPosted.Equal(day("2026-07-01")) || a.Behind(posted) != 0 {
		t.Errorf("latest posted %s, behind %s", a.LatestPosted, a.Behind(posted))
	}
	a = Assess(mustVersion(t, "14.3", "", ""), list(t), posted)
	if !a.Since.Equal(day("2026-06-01")) || a.Behind(posted) != 30*24*time.Hour {
		t.Errorf("since %s, behind %s", a.Since, a.Behind(posted))
	}
}

// The embedded root is Apple Root CA: its fingerprint, a CA, valid until
// 2035, and the only certificate in AppleRoots.
func TestAppleRoot(t *testing.T) {
	root := AppleRoot()
	sum := sha256.Sum256(root.Raw)
	want := "B0B1730ECBC7FF4505142C49F1295E6EDA6BCAED7E2C68C5BE91B5A11001F024"
	if got := strings.ToUpper(hex.EncodeToString(sum[:])); got != want {
		t.Errorf("SHA-256 %s, want %s", got, want)
	}
	if !root.IsCA || !root.BasicConstraintsValid || root.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("not a CA: IsCA %v, key usage %v", root.IsCA, root.KeyUsage)
	}
	if root.NotAfter.Year() != 2035 || root.Subject.CommonName != "Apple Root CA" || root.Subject.Organization[0] != "Apple Inc." {
		t.Errorf("subject %s, valid until %s", root.Subject, root.NotAfter)
	}
	// A root: its own issuer. (Its self-signature is SHA-1, which Go
	// rightly no longer checks; a root's own signature is never verified.)
	if root.Subject.String() != root.Issuer.String() {
		t.Errorf("issuer %s, not its own", root.Issuer)
	}
	//lint:ignore SA1019 the pool's contents are what this test checks
	if subjects := AppleRoots().Subjects(); len(subjects) != 1 {
		t.Errorf("AppleRoots holds %d certificates, want 1", len(subjects))
	}
}
