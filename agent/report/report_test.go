package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/statefile"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/currency"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

var goldenFiles = map[Format]string{
	FormatText:     "report.txt.golden",
	FormatMarkdown: "report.md.golden",
	FormatJSON:     "report.json.golden",
}

func render(t *testing.T, in Input, f Format, r *Redactor) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, in, f, r); err != nil {
		t.Fatalf("Write(%s): %v", f, err)
	}
	return b.String()
}

// The HTML page has no golden file: its charts are the chart library's
// drawing, and TestHTMLStructure checks what the page must hold instead.
func TestGolden(t *testing.T) {
	for _, f := range []Format{FormatText, FormatMarkdown, FormatJSON} {
		t.Run(string(f), func(t *testing.T) {
			got := render(t, fixtureInput(), f, plantedRedactor())
			path := filepath.Join("testdata", goldenFiles[f])
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the output (go test -update rewrites it); diff from line %d:\n%s",
					path, firstDiff(got, string(want)), got)
			}
		})
	}
}

func firstDiff(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// secrets are the planted details in every spelling the fixture uses.
var secrets = []string{secretUser, secretHome, secretHost, "Johnnys-MacBook-Pro", "Johnny Appleseed", secretSerial, secretMAC, secretMACDash, "/Users/"}

func assertNoSecrets(t *testing.T, out string) {
	t.Helper()
	low := strings.ToLower(out)
	for _, s := range secrets {
		if i := strings.Index(low, strings.ToLower(s)); i >= 0 {
			t.Errorf("%q survived redaction: …%s…", s, out[max(0, i-60):min(len(out), i+len(s)+20)])
		}
	}
}

// What support needs is still there after redaction.
var kept = []string{"appleid.apple.com", "idmsa.apple.com", "1-courier.push.apple.com", "17.253.144.10", "0.0.0.0",
	"dns_filtered", "flush-dns", "MacBookPro18,3", "23E224", "14.4.1", "proxy.corp.example:8080", "1003214"}

func TestRedactionInEveryFormat(t *testing.T) {
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			out := render(t, fixtureInput(), f, plantedRedactor())
			assertNoSecrets(t, out)
			for _, k := range kept {
				if !strings.Contains(out, k) {
					t.Errorf("%q was redacted away", k)
				}
			}
			for _, p := range []string{PlaceholderUser, PlaceholderComputer, PlaceholderSerial, PlaceholderMAC, "~/Library"} {
				if !strings.Contains(out, p) && !strings.Contains(out, mdEscape(p)) && !strings.Contains(out, html.EscapeString(p)) {
					t.Errorf("placeholder %q missing: the planted detail was dropped, not replaced", p)
				}
			}
		})
	}
}

func TestNoRedact(t *testing.T) {
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			out := render(t, fixtureInput(), f, nil)
			for _, s := range []string{secretUser, secretHome, secretHost, secretSerial, secretMAC, secretMACDash} {
				if !strings.Contains(out, s) {
					t.Errorf("--no-redact lost %q", s)
				}
			}
			for _, p := range []string{PlaceholderUser, PlaceholderComputer, PlaceholderSerial, PlaceholderMAC} {
				if strings.Contains(out, p) {
					t.Errorf("--no-redact still wrote %q", p)
				}
			}
		})
	}
	var doc struct{ Redacted bool }
	if err := json.Unmarshal([]byte(render(t, fixtureInput(), FormatJSON, nil)), &doc); err != nil || doc.Redacted {
		t.Errorf("redacted = %v, %v; want false", doc.Redacted, err)
	}
}

// plantEverywhere appends the secrets to every string in v, reachable
// through pointers, interfaces (the probes' evidence), slices and structs.
func plantEverywhere(v reflect.Value, text string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			plantEverywhere(v.Elem(), text)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				plantEverywhere(v.Field(i), text)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			plantEverywhere(v.Index(i), text)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + text)
		}
	}
}

// Completeness: whatever field a secret sits in, no format lets it through.
// A renderer that printed some field without redaction would fail here even
// if the fixture never put a secret in that field.
func TestEveryStringFieldIsRedacted(t *testing.T) {
	in := fixtureInput()
	plant := " " + secretUser + " " + secretHome + "/x " + secretHost + " serial " + secretSerial + " " + secretMAC + " " + secretMACDash
	plantEverywhere(reflect.ValueOf(&in).Elem(), plant)
	// Probe ids select the evidence type; planted ones would turn every
	// probe into an unknown one and skip the typed renderers.
	for i := range in.Doc.Probes {
		in.Doc.Probes[i].ID = fixtureInput().Doc.Probes[i].ID
	}
	if !strings.HasSuffix(in.Doc.Probes[3].Evidence.(*probes.DNSEvidence).System[0].Resolver, secretMACDash) {
		t.Fatal("planting did not reach the evidence")
	}
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			out := render(t, in, f, plantedRedactor())
			assertNoSecrets(t, out)
			if strings.Contains(out, "evidence: {") || strings.Contains(out, "evidence:\n```") {
				t.Error("some evidence was shown raw instead of through its renderer")
			}
			if f == FormatJSON && !json.Valid([]byte(out)) {
				t.Error("invalid JSON")
			}
		})
	}
}

func TestJSONShape(t *testing.T) {
	out := render(t, fixtureInput(), FormatJSON, plantedRedactor())
	if !json.Valid([]byte(out)) {
		t.Fatalf("invalid JSON:\n%s", out)
	}
	var got struct {
		Schema    string         `json:"schema"`
		Generated time.Time      `json:"generated"`
		Version   string         `json:"version"`
		Redacted  bool           `json:"redacted"`
		Check     map[string]any `json:"check"`
		Install   struct {
			MacOS *probes.CurrencyEvidence `json:"macos"`
			TLS   struct{ State, GDMF string }
			Clock *probes.ClockEvidence `json:"clock"`
			Hosts *probes.ServiceResult `json:"update_hosts"`
		} `json:"install_update_restore"`
		Attempts    []history.Attempt    `json:"attempts"`
		Transitions []history.Transition `json:"transitions"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Schema != Schema || got.Check["schema"] != verdict.Schema || got.Version != "1.4.0" || !got.Redacted ||
		!got.Generated.Equal(utcAt(9, 30, 0)) || len(got.Attempts) != 2 || len(got.Transitions) != 3 {
		t.Errorf("envelope = %+v", got)
	}
	// The error-3014 section, and its cache error redacted like the rest.
	if i := got.Install; i.MacOS == nil || i.MacOS.State != currency.StateOutdated || i.TLS.State != "genuine" || i.TLS.GDMF != "genuine" ||
		i.Clock == nil || i.Hosts == nil || len(i.Hosts.Hosts) != 2 || !strings.Contains(i.MacOS.CacheError, "~/Library") {
		t.Errorf("install_update_restore = %+v", got.Install)
	}
	// Key order is the structs' order, not sorted: schema first.
	if !strings.HasPrefix(out, "{\n  \"schema\": \"idpulse.report/v1\",\n  \"generated\"") {
		t.Errorf("starts %q", out[:60])
	}
	// The check is the idpulse.check/v1 document, only redacted.
	doc, _ := json.Marshal(fixtureInput().Doc)
	var want, have any
	json.Unmarshal(doc, &want)
	json.Unmarshal([]byte(out), &have)
	wantProbes := want.(map[string]any)["probes"].([]any)
	haveProbes := have.(map[string]any)["check"].(map[string]any)["probes"].([]any)
	if len(wantProbes) != len(haveProbes) || !reflect.DeepEqual(wantProbes[7], haveProbes[7]) {
		t.Errorf("reach probe changed on its way into the report:\n%v\n%v", wantProbes[7], haveProbes[7])
	}
	// Empty histories are arrays, not null.
	in := fixtureInput()
	in.Attempts, in.Transitions = nil, nil
	if out := render(t, in, FormatJSON, nil); !strings.Contains(out, `"attempts": []`) || !strings.Contains(out, `"transitions": []`) {
		t.Error("empty history is not []")
	}
}

func TestTextFitsInHundredColumns(t *testing.T) {
	in := fixtureInput()
	// Long unbroken values: a URL and an error with no spaces at all.
	in.Doc.Verdict.Evidence = append(in.Doc.Verdict.Evidence, "https://"+strings.Repeat("x", 150)+".example/")
	in.Attempts[1].Error = strings.Repeat("E", 250)
	for _, r := range []*Redactor{nil, plantedRedactor()} {
		out := render(t, in, FormatText, r)
		for i, l := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(l); n > textWidth {
				t.Errorf("line %d is %d columns: %q", i+1, n, l)
			}
			if strings.TrimRight(l, " ") != l {
				t.Errorf("line %d has trailing spaces: %q", i+1, l)
			}
		}
		// Cut, not lost.
		if strings.Count(strings.ReplaceAll(out, "\n", ""), "E") < 250 {
			t.Error("long error lost characters")
		}
	}
}

// The CLI reads the last check from the state file, where evidence comes
// back through JSON: the report must read the same as for a live check.
func TestStateFileDocumentRendersTheSame(t *testing.T) {
	in := fixtureInput()
	path := filepath.Join(t.TempDir(), "state.json")
	if err := statefile.Write(path, in.Doc); err != nil {
		t.Fatal(err)
	}
	doc, err := statefile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, typed := doc.Probes[0].Evidence.(*probes.LinkEvidence); !typed {
		t.Fatalf("state file evidence is %T, want *probes.LinkEvidence", doc.Probes[0].Evidence)
	}
	for _, f := range Formats {
		live := render(t, in, f, plantedRedactor())
		in2 := in
		in2.Doc = doc
		if read := render(t, in2, f, plantedRedactor()); read != live {
			t.Errorf("%s: from the state file it differs at line %d", f, firstDiff(read, live))
		}
	}
}

func TestSections(t *testing.T) {
	hostsDoc := func() Input {
		in := fixtureInput()
		res := probes.Results{
			{ID: probes.IDHosts, Status: probes.StatusFail, Summary: "2 line(s) override Apple names", Evidence: &probes.HostsEvidence{
				Path: "/etc/hosts", Entries: []probes.HostsEntry{
					{Line: 12, Address: "0.0.0.0", Names: []string{"appleid.apple.com", "idmsa.apple.com"}, Sinkhole: true},
					{Line: 31, Address: "17.1.1.1", Names: []string{"gs.apple.com"}},
				}}},
			{ID: "future_probe", Status: probes.StatusOK, Summary: "from a newer idpulse",
				Evidence: json.RawMessage(`{"jitter_ms":3,"note":"` + secretUser + `"}`)},
			{ID: probes.IDClock, Status: probes.StatusWarn, Summary: "time server unreachable (timeout); clock not checked", Evidence: &probes.ClockEvidence{
				Source: probes.ClockSourceNone, Server: "time.apple.com", NTPClass: probes.ClassTimeout, NTPError: "ntp time.apple.com: i/o timeout"}},
		}
		in.Doc = verdict.NewDocument(utcAt(9, 0, 0), time.Second, verdict.Input{Results: res})
		in.Attempts, in.Transitions = nil, nil
		return in
	}
	onOS := func(os string) func() Input {
		return func() Input {
			in := fixtureInput()
			for i := range in.Doc.Probes {
				if ev, ok := in.Doc.Probes[i].Evidence.(*probes.SystemEvidence); ok {
					ev.OS = os
				}
			}
			return in
		}
	}
	tests := []struct {
		name string
		in   func() Input
		f    Format
		want []string
		not  []string
	}{
		{"hosts lines", hostsDoc, FormatText,
			[]string{"line 12: 0.0.0.0 → appleid.apple.com, idmsa.apple.com (sinkhole)", "line 31: 17.1.1.1 → gs.apple.com"}, nil},
		{"hosts lines markdown", hostsDoc, FormatMarkdown,
			[]string{"- line 12: `0.0.0.0` → appleid.apple.com, idmsa.apple.com (sinkhole)"}, nil},
		{"unknown probe shown raw, redacted", hostsDoc, FormatText,
			[]string{`evidence: {"jitter_ms":3,"note":"<user>"}`}, []string{secretUser}},
		{"clock not measured", hostsDoc, FormatText,
			[]string{"Source       none: the time could not be measured", "NTP failure  timeout", "NTP error: ntp time.apple.com: i/o timeout"}, []string{"Offset"}},
		{"clock and model words on macOS", onOS("macOS"), FormatText,
			[]string{"(this Mac is 1 min slow)", "Mac model     MacBookPro18,3"}, []string{"this computer"}},
		{"clock and model words on Linux", onOS("Debian GNU/Linux"), FormatText,
			[]string{"(this computer is 1 min slow)", "Model         MacBookPro18,3"}, []string{"this Mac is", "Mac model"}},
		{"no system probe", hostsDoc, FormatText, []string{"Not recorded: the system check did not run."}, nil},
		{"no history", hostsDoc, FormatText, []string{"Steps tried\n-----------\n  None recorded.", "Recent verdict changes\n----------------------\n  None recorded."}, nil},
		{"feed off", hostsDoc, FormatText, []string{"Not consulted"}, nil},
		{"verdict from hosts", hostsDoc, FormatText, []string{"the verdict comes from hosts (hosts_override)", "– link"}, nil},
		{"chain", fixtureInput, FormatText, []string{"✓ link → ✓ captive → ✓ hosts → ✗ dns → ✗ proxy", "⚠ clock → ✗ apple status"}, nil},
		{"a skipped probe is not a pass in the chain", func() Input {
			in := fixtureInput()
			for i := range in.Doc.Probes {
				if in.Doc.Probes[i].ID == probes.IDProxy {
					in.Doc.Probes[i].Status = probes.StatusSkip
				}
			}
			return in
		}, FormatText, []string{"✗ dns → – proxy"}, []string{"✓ proxy"}},
		{"attempt timings and errors", fixtureInput, FormatText, []string{
			"✗ sign-in idmsa.apple.com:443 → 0.0.0.0:443 failed at connect (refused)\n      resolve 3.9 ms · connect 0.1 ms\n      error: dial tcp 0.0.0.0:443: connect: connection refused",
			"tls 64.3 ms", "first byte 22.7 ms"}, nil},
		{"certificate facts only when a certificate was seen", fixtureInput, FormatText,
			[]string{"Issuer Apple uses    yes"}, []string{"Issuer Apple uses  no"}},
		{"steps with local time", func() Input {
			in := fixtureInput()
			in.Generated = in.Generated.In(time.FixedZone("CET", 3600))
			return in
		}, FormatText, []string{"2026-03-14 10:12:05 CET  flush-dns: DNS cache flushed", "Generated  2026-03-14 09:30:00 UTC (local 2026-03-14 10:30:00 CET)"}, nil},
		{"markdown escapes placeholders in prose", fixtureInput, FormatMarkdown,
			[]string{`VPN active: "\<user\>'s Work VPN"`, "`http://<user>:xxxxx@proxy.corp.example:8080`", "  ```text\n  dial tcp 0.0.0.0:443"}, nil},
		{"install / update / restore", fixtureInput, FormatText, []string{
			"Install / update / restore\n--------------------------\n  What Apple Support asks for",
			"macOS         macOS 14.4.1 (23E224): outdated, 14.8.9 (23J631) is current (first posted",
			"Clock         +75.230 s ± 0.013 s (1 min slow), from NTP server time.apple.com",
			"TLS           genuine: appleid.apple.com:443 issued by Apple Public Server RSA CA 12 - G1, Apple",
			"Update hosts  ⚠ 1 of 2 hosts fail: swscan.apple.com:443 timeout at connect",
			"✗ tls swscan.apple.com:443 → 17.253.5.206:443 failed at connect (timeout) · direct",
			"(macos_outdated)"}, nil},
		{"install / update / restore without the checks", hostsDoc, FormatText, []string{
			"macOS         not checked\n", "TLS           not checked\n", "Update hosts  not checked\n"}, []string{"Release list"}},
		{"gdmf and sign-in intercepted", func() Input {
			in := fixtureInput()
			for i, r := range in.Doc.Probes {
				switch ev := r.Evidence.(type) {
				case *probes.CurrencyEvidence:
					*ev = probes.CurrencyEvidence{Installed: "14.4.1", Build: "23E224", State: currency.StateUnknown, Line: "macOS 14",
						Reason: "Apple's list of releases is not available", Source: currency.DefaultURL, Interception: true,
						Issuer: "Contoso SSL Inspection CA, Contoso Ltd", Class: probes.ClassCertUntrusted,
						Error: "gdmf.apple.com's certificate is not Apple's (TLS interception?): issued by Contoso SSL Inspection CA, Contoso Ltd"}
				case *probes.TLSEvidence:
					ev.Hosts[0].Interception, ev.Hosts[0].Issuer = true, "Contoso SSL Inspection CA, Contoso Ltd"
				}
				in.Doc.Probes[i] = r
			}
			return in
		}, FormatText, []string{
			"macOS 14.4.1 (23E224): currency unknown (Apple's list of releases is not available)",
			"https://gdmf.apple.com/v2/pmv, never read; last request failed (cert_untrusted)",
			"intercepted: appleid.apple.com:443 issued by Contoso SSL Inspection CA, Contoso Ltd,",
			"not a certificate authority Apple uses; gdmf.apple.com's certificate is not Apple's",
			"(issued by Contoso SSL Inspection CA, Contoso Ltd)",
			"release list error: gdmf.apple.com's certificate is not Apple's (TLS interception?)"}, []string{"verified against Apple Root CA"}},
		{"markdown fields do not join the list before them", fixtureInput, FormatMarkdown,
			[]string{"- gsa.apple.com: servfail; public resolvers answer it\n\n**Code:** `dns_filtered` (cause: network)\\\n**Fixes:**"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, tt.in(), tt.f, plantedRedactor())
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("unexpected %q", n)
				}
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"text", FormatText, false}, {"", FormatText, false}, {"TXT", FormatText, false},
		{"markdown", FormatMarkdown, false}, {"md", FormatMarkdown, false},
		{" json ", FormatJSON, false}, {"html", FormatHTML, false}, {"HTM", FormatHTML, false}, {"pdf", "", true},
	} {
		got, err := ParseFormat(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseFormat(%q) = %q, %v", tt.in, got, err)
		}
	}
	if err := Write(&bytes.Buffer{}, fixtureInput(), "pdf", nil); err == nil {
		t.Error("Write accepted an unknown format")
	}
}

func TestMapStrings(t *testing.T) {
	upper := strings.ToUpper
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"values only, keys kept", `{"key":"value","n":[1,"a",{"k":"b"}]}`, `{"key":"VALUE","n":[1,"A",{"k":"B"}]}`},
		{"numbers verbatim", `{"a":4213,"b":0.1,"c":-1e-7,"d":12345678901234567890}`, `{"a":4213,"b":0.1,"c":-1e-7,"d":12345678901234567890}`},
		{"literals", `[true,false,null,[],{}]`, `[true,false,null,[],{}]`},
		{"no HTML escaping, control characters escaped", `{"e":"a<b>&\n\u0001"}`, "{\"e\":\"A<B>&\\n\\u0001\"}"},
		{"nested empty containers", `{"a":{},"b":[[]],"c":""}`, `{"a":{},"b":[[]],"c":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mapStrings([]byte(tt.in), upper)
			if err != nil || string(got) != tt.want {
				t.Errorf("= %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	if _, err := mapStrings([]byte(`{"a":`), upper); err == nil {
		t.Error("truncated JSON accepted")
	}
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("x", 120)
	tests := []struct {
		name         string
		text         inline
		prefix, hang string
		want         []string
	}{
		{"fits", line(plain("a b c")), "> ", "  ", []string{"> a b c"}},
		{"breaks at spaces under the hang", line(plain(strings.Repeat("word ", 25))), "", "    ",
			[]string{strings.TrimSpace(strings.Repeat("word ", 20)), "    " + strings.TrimSpace(strings.Repeat("word ", 5))}},
		{"a word longer than a line is cut", line(plain(long)), "ab ", "   ", []string{"ab " + long[:97], "   " + long[97:]}},
		{"keep spans are not broken", line(plain(strings.Repeat("y", 95)+" "), keep("✓ link")), "", "", []string{strings.Repeat("y", 95), "✓ link"}},
		{"spans join without spaces", line(plain("("), code("x"), plain(")")), "", "", []string{"(x)"}},
		{"double spaces kept", line(plain("a  b")), "", "", []string{"a  b"}},
		{"empty", nil, "key  ", "", []string{"key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrap(tt.text, tt.prefix, tt.hang)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("= %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestMarkdownEscaping(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{mdEscape("<user> *a* _b_ [c] ~d `e` |f| #g \\h"), `\<user\> \*a\* \_b\_ \[c\] \~d \` + "`e\\`" + ` \|f\| \#g \\h`},
		{mdCode("plain"), "`plain`"},
		{mdCode("a`b"), "``a`b``"},
		{mdCode("`x`"), "`` `x` ``"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("= %q, want %q", tt.got, tt.want)
		}
	}
	// An error containing a fence cannot close the block it sits in.
	var b bytes.Buffer
	writeMarkdown(&b, []block{verbatim{label: "error", text: "before\n```\nafter"}})
	if want := "error:\n````text\nbefore\n```\nafter\n````\n"; b.String() != want {
		t.Errorf("= %q, want %q", b.String(), want)
	}
}

// Every probe's evidence has its section under "Check details": a probe
// added to the registry without one fails here instead of vanishing from
// the report.
func TestEveryProbeHasASection(t *testing.T) {
	for _, reg := range probes.Registry() {
		if _, known := (model{}).evidence(probes.Result{ID: reg.ID, Evidence: reg.NewEvidence()}); !known {
			t.Errorf("probe %s: evidence %T has no section in the report (model.evidence)", reg.ID, reg.NewEvidence())
		}
	}
}
