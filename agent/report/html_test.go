package report

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/probes/probetest"
	"github.com/idpulse/idpulse/probes/textsafe"
)

var docShot = flag.String("docshot", "", "also write TestHTMLInChromium's screenshot to this file (docs/history-report.png)")

// monthTimeline is a realistic month before end at one check a minute
// (43,200 records): latency that rises in the evening, a few DNS outages,
// a slow evening, an afternoon the Mac was off (no records), and the
// fixture's own trouble this morning. Deterministic: a seeded generator.
func monthTimeline(end time.Time) []timeline.Record {
	rng := rand.New(rand.NewPCG(13, 4))
	f := func(v float64) *float64 { return &v }
	start := end.Add(-PageWindow).Truncate(time.Minute).Add(30 * time.Second)
	type trouble struct {
		from, to      time.Time
		code, level   string
		headline      string
		slow, noTimes bool
	}
	day := func(d, h, m int) time.Time {
		return start.Truncate(24*time.Hour).AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	troubles := []trouble{
		{day(4, 14, 2), day(4, 14, 14), "dns_failure", "down", "DNS is not working", false, true},
		{day(9, 19, 40), day(9, 21, 5), "slow_network", "degraded", "This network is slow", true, false},
		{day(15, 8, 10), day(15, 8, 22), "dns_failure", "down", "DNS is not working", false, true},
		{day(15, 12, 30), day(15, 12, 41), "dns_failure", "down", "DNS is not working", false, true},
		{day(22, 20, 0), day(22, 20, 35), "tls_intercepted", "down", "Something on this network intercepts Apple's secure connections", false, false},
		{day(27, 21, 15), day(27, 22, 0), "slow_network", "degraded", "This network is slow", true, false},
	}
	off := [2]time.Time{day(18, 13, 0), day(18, 17, 30)}
	out := make([]timeline.Record, 0, 30*1440)
	for at := start; at.Before(end); at = at.Add(time.Minute) {
		if !at.Before(off[0]) && at.Before(off[1]) {
			continue
		}
		h := float64(at.Hour()) + float64(at.Minute())/60
		evening := 1 + 0.6*math.Max(0, math.Sin((h-14)/10*math.Pi)) // busier 14:00–24:00
		jit := func(base, spread float64) *float64 { return f(base*evening + rng.ExpFloat64()*spread) }
		r := timeline.Record{At: at, Code: "ok", Level: "ok", Cause: "none", TookMS: 800 + 400*rng.Float64(),
			Probes:  "link=ok dns=ok tls=ok https=ok",
			Timings: timeline.Timings{DNS: jit(3, 2), Connect: jit(18, 4), TLS: jit(42, 10), FirstByte: jit(95, 25)}}
		for _, t := range troubles {
			if !at.Before(t.from) && at.Before(t.to) {
				r.Code, r.Level, r.Cause, r.Headline = t.code, t.level, "network", t.headline
				switch {
				case t.noTimes:
					r.Timings = timeline.Timings{}
				case t.slow:
					r.Timings.TLS, r.Timings.FirstByte = jit(260, 120), jit(620, 300)
				}
			}
		}
		switch {
		case !at.Before(end.Add(-25 * time.Minute)):
			r.Code, r.Level, r.Cause, r.Headline = "dns_filtered", "down", "network", "This network's DNS blocks Apple's servers"
			r.Timings = timeline.Timings{DNS: f(1.5)}
		case !at.Before(end.Add(-28 * time.Minute)):
			r.Code, r.Level, r.Cause, r.Headline = "push_blocked", "degraded", "network", "Apple push notifications are blocked on this network"
		}
		out = append(out, r)
	}
	return out
}

// monthInput is the fixture's report over a month of history.
func monthInput() Input {
	in := fixtureInput()
	in.History = HistoryOf(monthTimeline(in.Generated), in.Attempts, in.Generated)
	return in
}

func parseHTML(t *testing.T, out string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// walk calls fn on every element under n.
func walk(n *html.Node, fn func(*html.Node)) {
	if n.Type == html.ElementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// divsOfClass is every <div> under n with class among its classes, in
// document order.
func divsOfClass(n *html.Node, class string) []*html.Node {
	var out []*html.Node
	walk(n, func(e *html.Node) {
		if e.Data == "div" && hasClass(e, class) {
			out = append(out, e)
		}
	})
	return out
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	for c := range strings.FieldsSeq(v) {
		if c == class {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return b.String()
}

// selfContained fails t for anything that would make the browser load or
// run something: a script, a frame, an object, an external style sheet or
// any src/href that is not a fragment (#id) or data: URL.
func selfContained(t *testing.T, doc *html.Node) {
	t.Helper()
	walk(doc, func(n *html.Node) {
		switch n.Data {
		case "script", "iframe", "object", "embed", "link", "base", "form", "frame":
			t.Errorf("<%s> in the page", n.Data)
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") {
				t.Errorf("<%s %s=%q>: an event handler", n.Data, a.Key, a.Val)
			}
			if key == "src" || key == "href" || key == "srcset" || key == "action" || key == "poster" || (a.Namespace == "xlink" && key == "href") {
				if v := strings.TrimSpace(a.Val); !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:") {
					t.Errorf("<%s %s=%q>: a URL outside the page", n.Data, a.Key, a.Val)
				}
			}
			if key == "style" && strings.Contains(strings.ToLower(a.Val), "url(") && !strings.Contains(a.Val, "url(#") {
				t.Errorf("<%s style=%q>: a URL in a style", n.Data, a.Val)
			}
		}
	})
}

func TestHTMLStructure(t *testing.T) {
	in := monthInput()
	out := render(t, in, FormatHTML, plantedRedactor())
	doc := parseHTML(t, out)
	selfContained(t, doc)

	var csp string
	ids := map[string]*html.Node{}
	walk(doc, func(n *html.Node) {
		if n.Data == "meta" {
			if v, _ := attr(n, "http-equiv"); strings.EqualFold(v, "Content-Security-Policy") {
				csp, _ = attr(n, "content")
			}
		}
		if id, ok := attr(n, "id"); ok && n.Data == "section" {
			ids[id] = n
		}
	})
	for _, want := range []string{"default-src 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || strings.Contains(csp, "http") {
		t.Errorf("Content-Security-Policy %q allows a script or a host", csp)
	}
	for _, id := range []string{sectionVerdict, "history", sectionIncidents, sectionFindings, sectionSteps, sectionSystem} {
		if ids[id] == nil {
			t.Errorf("no <section id=%q>", id)
		}
	}
	// The page order: the verdict, then the history, then the incidents.
	if i, j, k := strings.Index(out, `id="verdict"`), strings.Index(out, `id="history"`), strings.Index(out, `id="incidents"`); !(i < j && j < k) {
		t.Errorf("sections at %d, %d, %d: want verdict, history, incidents in that order", i, j, k)
	}
	if v, _ := attr(ids[sectionVerdict], "class"); v != "banner down" {
		t.Errorf("verdict section class %q, want banner down", v)
	}

	// A strip and a plot a window; one strip cell a bucket, every cell one of
	// the four states.
	strips, plots := divsOfClass(ids["history"], "strip"), divsOfClass(ids["history"], "plot")
	if len(strips) != len(windows) || len(plots) != len(windows) {
		t.Fatalf("%d strips and %d plots, want %d of each", len(strips), len(plots), len(windows))
	}
	for i, s := range strips {
		states := map[string]int{}
		walk(s, func(n *html.Node) {
			if n.Data == "rect" {
				c, _ := attr(n, "class")
				states[c]++
			}
		})
		total := 0
		for c, k := range states {
			if c != "s-ok" && c != "s-degraded" && c != "s-down" && c != "s-none" {
				t.Errorf("strip %d: cell class %q", i, c)
			}
			total += k
		}
		if total != windows[i].Buckets || states["s-down"] == 0 || states["s-ok"] == 0 {
			t.Errorf("strip %s: %v, want %d cells with ok and down among them", windows[i].ID, states, windows[i].Buckets)
		}
	}
	// The month has the afternoon the Mac was off and both kinds of trouble.
	if month := textOf(strips[2]); !strings.Contains(out, "no check recorded") || month == "" {
		t.Error("the 30-day strip shows no gap")
	}

	// The plots: the library's SVG, lines and the incident shading.
	for i, p := range plots {
		paths, texts := 0, ""
		walk(p, func(n *html.Node) {
			switch n.Data {
			case "path":
				paths++
			case "text":
				texts += textOf(n) + "|"
			}
		})
		for _, want := range []string{"DNS lookup", "TLS handshake", "first byte", "not ok"} {
			if !strings.Contains(texts, want) {
				t.Errorf("plot %s: no legend %q in %s", windows[i].ID, want, texts)
			}
		}
		if paths < 10 {
			t.Errorf("plot %s: %d paths, want the axes, lines and shading", windows[i].ID, paths)
		}
	}

	// The incidents table lists the month's, newest first, the ongoing one
	// with both fixes tried.
	inc := textOf(ids[sectionIncidents])
	if !strings.Contains(inc, "Incidents, last 30 days") || strings.Count(inc, "DNS is not working") != 3 ||
		!strings.Contains(inc, "ongoing") || !strings.Contains(inc, "flush-dns") {
		t.Errorf("incidents section:\n%s", inc)
	}
	if a, b := strings.Index(inc, "ongoing"), strings.Index(inc, "This network is slow"); a < 0 || b < a {
		t.Error("incidents not newest first")
	}
	assertNoSecrets(t, out)
}

// An empty timeline is a page that says so, not an error or empty charts.
func TestHTMLWithoutHistory(t *testing.T) {
	in := fixtureInput()
	in.History = History{}
	out := render(t, in, FormatHTML, plantedRedactor())
	if !strings.Contains(out, "No checks recorded yet") || strings.Contains(out, `class="plot"`) {
		t.Errorf("page without history:\n%s", out)
	}
	selfContained(t, parseHTML(t, out))
}

// Hostile text from the feed and servers is text on the page: no element,
// attribute or URL of its own, no control or bidi override.
func TestHTMLHostileText(t *testing.T) {
	in := hostileInput()
	const tag = `</code><script>alert(1)</script><img src="http://evil.example/x.png" onerror="alert(2)">`
	in.Doc.AppleStatus.Services[0].Events[0].Message += tag
	in.Doc.Probes[0].Summary += `"><a href="https://evil.example/">click</a>`
	in.Doc.Verdict.Headline += tag
	in.Attempts[0].Error = tag
	records := fixtureTimeline(in.Generated)
	records[len(records)-1].Headline += tag
	records[len(records)-1].Level = `down"><script>alert(3)</script>`
	in.History = HistoryOf(records, in.Attempts, in.Generated)
	for _, r := range []*Redactor{nil, plantedRedactor()} {
		out := render(t, in, FormatHTML, r)
		doc := parseHTML(t, out)
		selfContained(t, doc)
		if r, bad := textsafe.Unsafe(out); bad {
			t.Errorf("page keeps %U", r)
		}
		walk(doc, func(n *html.Node) {
			if n.Data == "a" || n.Data == "img" {
				t.Errorf("<%s> from hostile text", n.Data)
			}
		})
		body := textOf(doc)
		for _, want := range []string{"<script>alert(1)</script>", "gnp.exe", "All users", `<a href="https://evil.example/">click</a>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the hostile text %q is not shown as text", want)
			}
		}
	}
}

// The page as the real browser draws it: Debian's chromium, headless, takes
// a screenshot that must show the page (many colours, the strip's green and
// red), not a blank or an error page.
func TestHTMLInChromium(t *testing.T) {
	bin := probetest.RequireTool(t, "IDPULSE_REQUIRE_CHROMIUM", "chromium", "apt-get install chromium")
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(render(t, monthInput(), FormatHTML, plantedRedactor())), 0o600); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--screenshot="+shot, "--window-size=1280,2400", "file://"+page)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2400 {
		t.Errorf("screenshot is %v, want 1280×2400", b)
	}
	colours, ok, down := census(img)
	t.Logf("screenshot %s: %d colours, %d ok-green and %d down-red pixels", shot, colours, ok, down)
	if colours < 64 || ok < 1000 || down < 50 {
		t.Errorf("the screenshot looks blank or lacks the strip: %d colours, %d green, %d red pixels", colours, ok, down)
	}
	if *docShot != "" {
		if err := os.WriteFile(*docShot, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// census counts img's distinct colours and the pixels of the strip's ok
// green and down red (the template's #2e7d32 and #c62828).
func census(img image.Image) (colours, ok, down int) {
	seen := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			seen[r<<16|g<<8|bl] = true
			switch {
			case r == 0x2e && g == 0x7d && bl == 0x32:
				ok++
			case r == 0xc6 && g == 0x28 && bl == 0x28:
				down++
			}
		}
	}
	return len(seen), ok, down
}

// BenchmarkHTML30Days renders the page over a month at a check a minute
// (43,200 records), from records already read.
func BenchmarkHTML30Days(b *testing.B) {
	in := monthInput()
	red := plantedRedactor()
	for b.Loop() {
		if err := Write(io.Discard, in, FormatHTML, red); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHTML30DaysFromStore is `idpulse report --format html` less the
// check: read a full 30-day store (built as the timeline's own benchmark
// builds it) and the attempts, group, render.
func BenchmarkHTML30DaysFromStore(b *testing.B) {
	dir := b.TempDir()
	in := fixtureInput()
	store := timeline.Store{Dir: timeline.In(dir)}
	for _, r := range monthTimeline(in.Generated) {
		if err := store.Append(r); err != nil {
			b.Fatal(err)
		}
	}
	red := plantedRedactor()
	for b.Loop() {
		page := Input{Doc: in.Doc, Version: in.Version, Generated: in.Generated}
		if err := page.ReadState(dir, FormatHTML); err != nil || len(page.History.Points) < 40000 {
			b.Fatal(len(page.History.Points), err)
		}
		if err := Write(io.Discard, page, FormatHTML, red); err != nil {
			b.Fatal(err)
		}
	}
}
