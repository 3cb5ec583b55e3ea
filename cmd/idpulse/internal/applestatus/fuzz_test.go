package applestatus

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/notify"
	"github.com/idpulse/idpulse/agent/report"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	feed "github.com/idpulse/idpulse/probes/applestatus"
	"github.com/idpulse/idpulse/probes/probetest"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// FuzzRenderFeed parses a feed body as the client does and shows it through
// every renderer of feed text: apple-status, the text and markdown reports,
// the menu, and a Linux notification body (sanitised, then escaped for a
// markup server). Whatever the feed says, no escape, BEL, C1 control or bidi
// override reaches the output. It lives here, the one package that can reach
// apple-status's renderer; the others are called through their APIs.
func FuzzRenderFeed(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "..", "probes", "applestatus", "testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, ".txt") || strings.HasSuffix(name, ".md") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(probetest.HealthyFeed))
	f.Add([]byte(hostileFeed))
	f.Add([]byte(`{"services":[{"serviceName":"\u009d52;c;eA==\u009c\u2067x","events":[{"statusType":"Outage","eventStatus":"ongoing",` +
		`"epochStartDate":1700000000000,"message":"\u001bP$q\u001b\\\r\n## fine\n[x](http://evil)","usersAffected":"\u202d\u007f"}]}]}`))
	f.Fuzz(renderFeed)
}

// renderFeed is FuzzRenderFeed's check of one feed body.
func renderFeed(t *testing.T, body []byte) {
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	snap, err := feed.Parse(body)
	if err != nil {
		return
	}
	st := verdict.FromFeed(feed.DeveloperURL, feed.FetchResult{Snapshot: snap, Fetched: now}, nil, nil, allServices(snap, feed.WatchList{}))
	doc := verdict.NewDocument(now, time.Second, verdict.Input{Apple: st})
	shown := map[string]string{}

	io, out, _ := cli.Test()
	render(io, st, now)
	shown["apple-status"] = out.String()

	for _, format := range []report.Format{report.FormatText, report.FormatMarkdown} {
		var b bytes.Buffer
		if err := report.Write(&b, report.Input{Doc: doc, Version: "fuzz", Generated: now}, format, nil); err != nil {
			t.Fatalf("report %s: %v", format, err)
		}
		shown["report "+string(format)] = b.String()
	}

	m := menu.Build(menu.Input{Doc: &doc, Now: now})
	var rows strings.Builder
	rows.WriteString(m.Tooltip + "\n")
	var walk func([]menu.Item)
	walk = func(items []menu.Item) {
		for _, it := range items {
			rows.WriteString(it.Title + "\n" + it.Tooltip + "\n")
			walk(it.Children)
		}
	}
	walk(m.Items)
	shown["menu"] = rows.String()

	var bodies strings.Builder
	bodies.WriteString(notify.Sanitize(doc.Verdict.Headline, notify.MaxTitle) + "\n")
	for _, s := range st.Services {
		for _, e := range s.Events {
			bodies.WriteString(textsafe.NotificationBody(notify.Sanitize(s.Name+": "+e.Message+" ("+e.UsersAffected+")", notify.MaxBody), true) + "\n")
		}
	}
	shown["notification"] = bodies.String()

	for where, s := range shown {
		if r, bad := textsafe.Unsafe(s); bad {
			t.Fatalf("%s keeps %U:\n%q", where, r, s)
		}
	}
	if strings.ContainsAny(shown["notification"], "<>") {
		t.Fatalf("notification body keeps markup: %q", shown["notification"])
	}
}
