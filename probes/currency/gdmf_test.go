package currency

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// realPayload is Apple's response as SOFA cached it (see the .source.txt
// files): the "data" member of SOFA's {"etag", "data"} wrapper, byte for
// byte as it sits in the file.
func realPayload(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var wrapper struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &wrapper); err != nil || len(wrapper.Data) == 0 {
		t.Fatalf("%s: no data member: %v", name, err)
	}
	return wrapper.Data
}

const (
	payload2025 = "sofa-gdmf_cached_2025-10-14.json"
	payload2026 = "sofa-gdmf_cached_2026-08-22.json"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func versionsOf(rs []Release, set Set) []string {
	var out []string
	for _, r := range rs {
		if r.Set == set {
			out = append(out, r.Version.String()+" "+r.Version.Build)
		}
	}
	return out
}

func TestParseRealPayloads(t *testing.T) {
	for _, tt := range []struct {
		file     string
		public   []string // in the response's order: not sorted
		assets   int
		security []string
	}{
		{payload2025, []string{"26.0.1 25A362", "14.8.1 23J30", "12.7.6 21H1320", "11.7.10 20G1427", "13.7.8 22H730", "15.7.1 24G231"},
			17, nil},
		{payload2026, []string{"26.6.2 25G83", "14.8.9 23J631", "15.7.9 24G830", "12.7.6 21H1320", "11.7.11 20G1443", "13.7.8 22H730"},
			15, []string{"26.3.2 (a) 25D771400a", "26.3.1 (a) 25D771280a"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			c, err := Parse(realPayload(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := versionsOf(c.Releases, SetPublic); !slices.Equal(got, tt.public) {
				t.Errorf("public = %q, want %q", got, tt.public)
			}
			if got := len(versionsOf(c.Releases, SetAsset)); got != tt.assets {
				t.Errorf("%d asset-set releases, want %d", got, tt.assets)
			}
			if got := versionsOf(c.Releases, SetSecurity); !slices.Equal(got, tt.security) {
				t.Errorf("security = %q, want %q", got, tt.security)
			}
			if c.Skipped != 0 {
				t.Errorf("skipped %d entries", c.Skipped)
			}
			for _, r := range c.Releases {
				if r.Posted.IsZero() {
					t.Errorf("%s: no posting date", r.Version)
				}
			}
		})
	}
	c, _ := Parse(realPayload(t, payload2026))
	for _, r := range c.Releases {
		if r.Set == SetSecurity && (r.Prerequisite == "" || r.Version.Beta()) {
			t.Errorf("%s: prerequisite %q, beta %v", r.Version, r.Prerequisite, r.Version.Beta())
		}
	}
}

// What the real lists say about real Macs, at the day after SOFA cached them.
func TestAssessRealPayloads(t *testing.T) {
	for _, tt := range []struct {
		file, installed, extra, build string
		now                           string
		state                         State
		latest, since                 string
	}{
		{payload2026, "26.6.2", "", "25G83", "2026-08-23", StateCurrent, "26.6.2", ""},
		{payload2026, "26.6.1", "", "25G76", "2026-08-23", StateBehind, "26.6.2", "2026-08-17"},
		// 26.5.2 was overtaken by 26.6, first posted 2026-07-27 (27 days).
		{payload2026, "26.5.2", "", "25F84", "2026-08-23", StateBehind, "26.6.2", "2026-07-27"},
		{payload2026, "26.5.2", "", "25F84", "2026-08-27", StateOutdated, "26.6.2", "2026-07-27"},
		// 26.3.1 without its (a): the response dates from 2026-03-17.
		{payload2026, "26.3.1", "", "25D2128", "2026-08-23", StateOutdated, "26.6.2", "2026-03-17"},
		// 12.7.6 is re-posted in PublicAssetSets with every update; its
		// first posting (AssetSets) is what dates it.
		{payload2026, "12.7.6", "", "21H1320", "2026-08-23", StateCurrent, "12.7.6", ""},
		{payload2026, "14.3", "", "23D56", "2026-08-23", StateOutdated, "14.8.9", "2026-05-18"},
		{payload2026, "27.0", "", "26A5278m", "2026-08-23", StateUnknown, "", ""},
		{payload2026, "10.15.7", "", "19H2026", "2026-08-23", StateUnknown, "", ""},
		{payload2025, "26.0", "", "25A354", "2025-10-15", StateBehind, "26.0.1", "2025-09-29"},
		{payload2025, "15.6.1", "", "24G90", "2025-10-15", StateBehind, "15.7.1", "2025-09-15"},
		{payload2025, "15.5", "", "24F74", "2025-10-15", StateOutdated, "15.7.1", "2025-07-29"},
	} {
		t.Run(tt.installed+" at "+tt.now, func(t *testing.T) {
			c, err := Parse(realPayload(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			a := Assess(mustVersion(t, tt.installed, tt.extra, tt.build), c, day(tt.now))
			latest := ""
			if a.Latest != nil {
				latest = a.Latest.Version.String()
			}
			since := ""
			if !a.Since.IsZero() {
				since = a.Since.Format(time.DateOnly)
			}
			if a.State != tt.state || latest != tt.latest || since != tt.since {
				t.Errorf("= %s latest %q since %q (%s); want %s %q %q", a.State, latest, since, a.Reason, tt.state, tt.latest, tt.since)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for _, tt := range []struct{ name, body, err string }{
		{"empty", "", "not a JSON object"},
		{"portal page", "<html>Sign in to Wi-Fi</html>", "not a JSON object"},
		{"array", "[]", "not a JSON object"},
		{"truncated", `{"PublicAssetSets": {"macOS": [`, "gdmf:"},
		{"no macOS", `{"PublicAssetSets": {"iOS": [{"ProductVersion": "26.0.1"}]}}`, "no macOS release"},
		{"only unreadable", `{"PublicAssetSets": {"macOS": [{"ProductVersion": "soon"}]}}`, "no macOS release in the response (1 unreadable)"},
		{"wrong type", `{"PublicAssetSets": {"macOS": {"ProductVersion": "26.0.1"}}}`, "gdmf:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.body)); err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
	// One bad entry is skipped, not fatal; a bad date leaves it undated.
	c, err := Parse([]byte("\xef\xbb\xbf" + `{"PublicAssetSets": {"macOS": [{"ProductVersion": "x"},
		{"ProductVersion": "14.8.9", "Build": "23J631", "PostingDate": "17/08/2026"}]}}`))
	if err != nil || c.Skipped != 1 || len(c.Releases) != 1 || !c.Releases[0].Posted.IsZero() {
		t.Errorf("= %+v, %v", c, err)
	}
}

// The cache stores releases as JSON: what goes in comes out.
func TestReleaseJSONRoundTrip(t *testing.T) {
	c, err := Parse(realPayload(t, payload2026))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(c.Releases)
	if err != nil {
		t.Fatal(err)
	}
	var back []Release
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(back, c.Releases, func(a, b Release) bool {
		return a.Version == b.Version && a.Posted.Equal(b.Posted) && a.Set == b.Set && a.Prerequisite == b.Prerequisite
	}) {
		t.Errorf("round trip changed the releases:\n%s", data)
	}
	if err := json.Unmarshal([]byte(`{"version":"x","set":"public"}`), new(Release)); err == nil {
		t.Error("a cached release with a bad version was accepted")
	}
}

func BenchmarkParseRealPayload(b *testing.B) {
	body := realPayload(b, payload2026)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
