package probes_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/currency"
	"github.com/idpulse/idpulse/probes/probetest"
)

// gdmfPayload is Apple's real response of 2026-08-22 (see
// currency/testdata/*.source.txt), unwrapped from SOFA's cache format.
func gdmfPayload(t testing.TB) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("currency", "testdata", "sofa-gdmf_cached_2026-08-22.json"))
	if err != nil {
		t.Fatal(err)
	}
	var w struct{ Data json.RawMessage }
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	return string(w.Data)
}

// gdmfWorld is a healthy world with gdmf.apple.com served on its Apple-like
// chain, a Mac on macOS version/build (sw_vers), and the clock at now.
type gdmfWorld struct {
	*probetest.World
	GDMF  *probetest.HTTPSServer
	Now   time.Time
	Cache string
}

func newGDMFWorld(t *testing.T, version, build string, now time.Time) *gdmfWorld {
	w := &gdmfWorld{World: probetest.NewWorld(t), Now: now, Cache: filepath.Join(t.TempDir(), "gdmf-cache.json")}
	w.GDMF = probetest.NewHTTPSServer(t, w.Inter.ValidLeaf(t, "gdmf.apple.com"))
	w.GDMF.SetBehavior(probetest.HTTPSBehavior{Body: gdmfPayload(t)})
	w.Route("gdmf.apple.com", "tcp", 443, probetest.Route{To: w.GDMF.Addr()})
	w.Runner.Set("/usr/bin/sw_vers", []byte("ProductName:\t\tmacOS\nProductVersion:\t\t"+version+"\nBuildVersion:\t\t"+build+"\n"), nil)
	return w
}

func (w *gdmfWorld) run(t *testing.T) (probes.Result, *probes.CurrencyEvidence) {
	t.Helper()
	env := w.Env().WithProxy(context.Background())
	env.GOOS = "darwin"
	env.Now = func() time.Time { return w.Now }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p := probes.Currency{Env: env, URL: currency.DefaultURL, Cache: w.Cache, Jitter: func(time.Duration) time.Duration { return 0 }}
	res := p.Run(ctx)
	ev, ok := res.Evidence.(*probes.CurrencyEvidence)
	if !ok {
		t.Fatalf("evidence %T", res.Evidence)
	}
	return res, ev
}

var aug23 = time.Date(2026, 8, 23, 9, 0, 0, 0, time.UTC)

func TestCurrencyOutdatedAndCurrent(t *testing.T) {
	for _, tt := range []struct {
		name, version, build string
		status               probes.Status
		state                currency.State
		summary              string
	}{
		{"current", "26.6.2", "25G83", probes.StatusOK, currency.StateCurrent, "macOS 26.6.2 is current (newest of macOS 26)"},
		{"behind for days", "26.6.1", "25G76", probes.StatusOK, currency.StateBehind, "macOS 26.6.1; 26.6.2 is out since 2026-08-17 (6 days, within 30)"},
		{"outdated", "14.3", "23D56", probes.StatusWarn, currency.StateOutdated, "macOS 14.3 is 97 days behind: 14.8.9 is current"},
		{"no line for it", "10.15.7", "19H2026", probes.StatusWarn, currency.StateUnknown, "macOS 10.15.7: currency unknown: Apple's list has no macOS 10.15 release"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newGDMFWorld(t, tt.version, tt.build, aug23)
			res, ev := w.run(t)
			if res.Status != tt.status || ev.State != tt.state || res.Summary != tt.summary {
				t.Errorf("= %s %s %q; want %s %s %q", res.Status, ev.State, res.Summary, tt.status, tt.state, tt.summary)
			}
			if w.GDMF.Requests() != 1 || ev.Cached || !ev.Fetched.Equal(aug23) || ev.Error != "" {
				t.Errorf("requests %d, cached %v, fetched %s, error %q", w.GDMF.Requests(), ev.Cached, ev.Fetched, ev.Error)
			}
		})
	}
	w := newGDMFWorld(t, "14.3", "23D56", aug23)
	_, ev := w.run(t)
	want := probes.CurrencyEvidence{Installed: "14.3", Build: "23D56", State: currency.StateOutdated, Line: "macOS 14",
		Latest: "14.8.9", LatestBuild: "23J631", LatestPosted: "2026-08-06", BehindSince: "2026-05-18", DaysBehind: 97,
		Source: currency.DefaultURL, Fetched: aug23}
	if !reflect.DeepEqual(*ev, want) {
		t.Errorf("evidence\n%+v\nwant\n%+v", *ev, want)
	}
}

// Fresh cache: no request at all. Stale: exactly one, and the cache is
// renewed. The server counts.
func TestCurrencyCache(t *testing.T) {
	w := newGDMFWorld(t, "14.3", "23D56", aug23)
	if _, ev := w.run(t); ev.Cached || w.GDMF.Requests() != 1 {
		t.Fatalf("first run: cached %v, %d requests", ev.Cached, w.GDMF.Requests())
	}
	// Within the day: from the cache, no request.
	w.Now = aug23.Add(23 * time.Hour)
	res, ev := w.run(t)
	if !ev.Cached || w.GDMF.Requests() != 1 || ev.State != currency.StateOutdated || !ev.Fetched.Equal(aug23) {
		t.Errorf("fresh cache: cached %v, %d requests, state %s, fetched %s (%s)", ev.Cached, w.GDMF.Requests(), ev.State, ev.Fetched, res.Summary)
	}
	// A day later: stale, one request, the cache renewed.
	w.Now = aug23.Add(currency.Refresh)
	if _, ev := w.run(t); ev.Cached || w.GDMF.Requests() != 2 || !ev.Fetched.Equal(w.Now) {
		t.Errorf("stale cache: cached %v, %d requests, fetched %s", ev.Cached, w.GDMF.Requests(), ev.Fetched)
	}
	e, err := currency.Cache{Path: w.Cache}.Load()
	if err != nil || !e.Fetched.Equal(w.Now) || !e.Next.Equal(w.Now.Add(currency.Refresh)) || len(e.Releases) == 0 {
		t.Errorf("cache after refresh: fetched %s next %s, %d releases, %v", e.Fetched, e.Next, len(e.Releases), err)
	}
	// A corrupt cache is kept aside and the list fetched again.
	if err := os.WriteFile(w.Cache, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ev := w.run(t); ev.Cached || w.GDMF.Requests() != 3 || !strings.Contains(ev.CacheError, "kept aside") || ev.State != currency.StateOutdated {
		t.Errorf("corrupt cache: cached %v, %d requests, cache error %q, state %s", ev.Cached, w.GDMF.Requests(), ev.CacheError, ev.State)
	}
}

// A proxy that re-signs gdmf.apple.com with its own CA fails verification
// against Apple's root even though this Mac trusts the proxy's CA: the
// probe says so (class, interception, issuer), never "outdated", and does
// not ask again until the retry is due.
func TestCurrencyInterception(t *testing.T) {
	w := newGDMFWorld(t, "14.3", "23D56", aug23)
	w.TrustInspectionCA()
	w.GDMF.SetCertificate(w.Inspection.ValidLeaf(t, "gdmf.apple.com"))
	res, ev := w.run(t)
	if res.Status != probes.StatusWarn || res.Summary != "gdmf.apple.com's certificate is not Apple's (TLS interception?)" ||
		!ev.Interception || ev.Class != probes.ClassCertUntrusted || ev.Issuer != "Contoso SSL Inspection CA, Contoso Ltd" ||
		ev.State != currency.StateUnknown || !strings.Contains(ev.Error, "does not chain to Apple Root CA") {
		t.Errorf("= %s %q, evidence %+v", res.Status, res.Summary, ev)
	}
	// The handshake failed: no request reached the server.
	if w.GDMF.Handshakes() != 1 || w.GDMF.Requests() != 0 {
		t.Errorf("%d handshakes, %d requests; want 1, 0", w.GDMF.Handshakes(), w.GDMF.Requests())
	}
	// Reported again from the cache, without a new attempt, until the retry.
	w.Now = aug23.Add(30 * time.Minute)
	if res, ev := w.run(t); !ev.Cached || !ev.Interception || w.GDMF.Handshakes() != 1 || res.Status != probes.StatusWarn {
		t.Errorf("within the retry: cached %v, interception %v, %d handshakes", ev.Cached, ev.Interception, w.GDMF.Handshakes())
	}
	w.Now = aug23.Add(currency.Retry)
	w.GDMF.SetCertificate(w.Inter.ValidLeaf(t, "gdmf.apple.com"))
	if _, ev := w.run(t); ev.Cached || ev.Interception || ev.Error != "" || ev.State != currency.StateOutdated || w.GDMF.Requests() != 1 {
		t.Errorf("after the retry: %+v, %d requests", ev, w.GDMF.Requests())
	}
}

func TestCurrencyFailures(t *testing.T) {
	t.Run("oversize body", func(t *testing.T) {
		w := newGDMFWorld(t, "14.3", "23D56", aug23)
		w.GDMF.SetBehavior(probetest.HTTPSBehavior{Body: `{"PublicAssetSets":{"macOS":[]},"pad":"` + strings.Repeat("x", currency.MaxBody) + `"}`})
		res, ev := w.run(t)
		if ev.State != currency.StateUnknown || !strings.Contains(ev.Error, "exceeds the 2097152-byte limit") || res.Status != probes.StatusWarn {
			t.Errorf("= %s %q, state %s, error %q", res.Status, res.Summary, ev.State, ev.Error)
		}
	})
	t.Run("portal page", func(t *testing.T) {
		w := newGDMFWorld(t, "14.3", "23D56", aug23)
		w.GDMF.SetBehavior(probetest.HTTPSBehavior{Body: "<html>Sign in</html>"})
		if _, ev := w.run(t); ev.State != currency.StateUnknown || !strings.Contains(ev.Error, "not a JSON object") {
			t.Errorf("state %s, error %q", ev.State, ev.Error)
		}
	})
	t.Run("HTTP 503", func(t *testing.T) {
		w := newGDMFWorld(t, "14.3", "23D56", aug23)
		w.GDMF.SetBehavior(probetest.HTTPSBehavior{Status: 503})
		if _, ev := w.run(t); ev.State != currency.StateUnknown || !strings.Contains(ev.Error, "unexpected HTTP status 503") {
			t.Errorf("state %s, error %q", ev.State, ev.Error)
		}
	})
	t.Run("a failed refresh keeps the last list", func(t *testing.T) {
		w := newGDMFWorld(t, "14.3", "23D56", aug23)
		w.run(t)
		w.Now = aug23.Add(currency.Refresh)
		w.Route("gdmf.apple.com", "tcp", 443, probetest.Route{To: probetest.ClosedPort(t)})
		res, ev := w.run(t)
		if ev.State != currency.StateOutdated || ev.Class != probes.ClassRefused || !ev.Fetched.Equal(aug23) || res.Status != probes.StatusWarn {
			t.Errorf("= %q, state %s, class %s, fetched %s", res.Summary, ev.State, ev.Class, ev.Fetched)
		}
	})
	t.Run("too old a list cannot say current", func(t *testing.T) {
		w := newGDMFWorld(t, "26.6.2", "25G83", aug23)
		w.run(t)
		w.Now = aug23.Add(15 * 24 * time.Hour)
		w.Route("gdmf.apple.com", "tcp", 443, probetest.Route{To: probetest.ClosedPort(t)})
		if _, ev := w.run(t); ev.State != currency.StateUnknown || !strings.Contains(ev.Reason, "last read on 2026-08-23") {
			t.Errorf("state %s, reason %q", ev.State, ev.Reason)
		}
	})
	t.Run("sw_vers fails", func(t *testing.T) {
		w := newGDMFWorld(t, "14.3", "23D56", aug23)
		w.Runner.Set("/usr/bin/sw_vers", nil, os.ErrPermission)
		res, ev := w.run(t)
		if res.Status != probes.StatusWarn || ev.State != currency.StateUnknown || w.GDMF.Requests() != 0 || !strings.Contains(res.Summary, "macOS version unknown") {
			t.Errorf("= %s %q, state %s, %d requests", res.Status, res.Summary, ev.State, w.GDMF.Requests())
		}
	})
}

// The list is read on the path the OS applies: through its proxy.
func TestCurrencyThroughProxy(t *testing.T) {
	w := newGDMFWorld(t, "14.3", "23D56", aug23)
	proxy := probetest.NewConnectProxy(t, w.Dialer)
	w.Dialer.Set("tcp", "203.0.113.8:3128", probetest.Route{To: proxy.Addr()})
	w.Vars["HTTPS_PROXY"] = "http://203.0.113.8:3128"
	if _, ev := w.run(t); ev.State != currency.StateOutdated || proxy.Connects() != 1 || w.GDMF.Requests() != 1 {
		t.Errorf("state %s (%s), %d CONNECTs, %d requests", ev.State, ev.Error, proxy.Connects(), w.GDMF.Requests())
	}
	if got := proxy.Targets(); len(got) != 1 || got[0] != "gdmf.apple.com:443" {
		t.Errorf("CONNECT targets %q", got)
	}
}

// Elsewhere than macOS the probe does nothing: no command, no request.
func TestCurrencySkipsOtherSystems(t *testing.T) {
	w := newGDMFWorld(t, "14.3", "23D56", aug23)
	res := probes.Currency{Env: w.Env(), URL: currency.DefaultURL, Cache: w.Cache}.Run(context.Background())
	if res.Status != probes.StatusSkip || res.Summary != "macOS only" || w.GDMF.Requests() != 0 {
		t.Errorf("= %s %q, %d requests", res.Status, res.Summary, w.GDMF.Requests())
	}
	if _, err := os.Stat(w.Cache); !os.IsNotExist(err) {
		t.Errorf("cache written: %v", err)
	}
}

// The evidence of a real run comes back from JSON as itself.
func TestCurrencyEvidenceRoundTrip(t *testing.T) {
	w := newGDMFWorld(t, "26.3.1", "25D2128", aug23)
	w.Runner.Set("/usr/bin/sw_vers", []byte("ProductName:\tmacOS\nProductVersion:\t26.3.1\nProductVersionExtra:\t(a)\nBuildVersion:\t25D771280a\n"), nil)
	res, ev := w.run(t)
	// 26.3.2 (a), posted 2026-03-17, is newer than 26.3.1 (a).
	if ev.Installed != "26.3.1 (a)" || ev.State != currency.StateOutdated {
		t.Fatalf("installed %q state %s", ev.Installed, ev.State)
	}
	res.ID = probes.IDCurrency
	data, back := roundTrip(t, res)
	if got, ok := back.Evidence.(*probes.CurrencyEvidence); !ok || !reflect.DeepEqual(got, ev) {
		t.Errorf("came back as %#v", back.Evidence)
	}
	for _, key := range []string{`"state":"outdated"`, `"latest":"26.6.2"`, `"behind_since":"2026-03-17"`, `"installed":"26.3.1 (a)"`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON lacks %s: %s", key, data)
		}
	}
}
