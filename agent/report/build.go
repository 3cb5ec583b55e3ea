package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
)

// build lays the report out in the order support reads it: who and what
// (Mac, macOS), the diagnosis, what an error 3014 needs (update hosts,
// clock, TLS, macOS currency), the checks with their exact errors, Apple's
// side, then what the user already tried.
func build(m model) []block {
	var bs blocks
	bs.add(heading{level: 1, text: line(plain("idpulse diagnostic report"))})
	bs.add(m.header())
	bs.add(section(sectionSystem, "System"))
	bs.add(m.system()...)
	bs.add(section(sectionVerdict, "Verdict"))
	bs.add(m.verdict()...)
	if len(m.Doc.Findings) > 0 {
		bs.add(section(sectionFindings, "Also noticed"))
		bs.add(m.findings())
	}
	bs.add(heading{level: 2, text: line(plain("Install / update / restore"))})
	bs.add(m.readinessBlocks()...)
	bs.add(heading{level: 2, text: line(plain("Checks"))})
	bs.add(m.checks())
	bs.add(heading{level: 2, text: line(plain("Check details"))})
	for _, r := range m.Doc.Probes {
		bs.add(heading{level: 3, text: line(plain(string(r.ID)), plain(" · "+verdict.StatusSymbol(r.Status)+" "+string(r.Status)+" · "+millis(r.Duration)))})
		bs.add(para{line(plain(r.Summary))})
		ev, _ := m.evidence(r)
		bs.add(ev...)
	}
	bs.add(heading{level: 2, text: line(plain("Apple System Status"))})
	bs.add(m.apple()...)
	bs.add(section(sectionIncidents, m.incidentsTitle()))
	bs.add(m.incidents())
	bs.add(section(sectionSteps, "Steps tried"))
	bs.add(m.steps())
	bs.add(heading{level: 2, text: line(plain("Recent verdict changes"))})
	bs.add(m.transitions())
	return bs
}

const (
	stampUTC   = "2006-01-02 15:04:05 UTC"
	stampLocal = "2006-01-02 15:04:05 MST"
)

// local is a timestamp in the user's time zone, which is what they remember
// ("I flushed DNS around ten").
func (m model) local(t time.Time) string { return t.In(m.Loc).Format(stampLocal) }

func (m model) both(t time.Time) string {
	return t.UTC().Format(stampUTC) + " (local " + m.local(t) + ")"
}

func millis(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (m model) header() block {
	red := "off — this report contains the user name, computer name, home folder and serial or MAC " +
		"addresses wherever the checks saw them"
	if m.Redacted {
		red = "on — user name → <user>, home folder → ~, computer name → <computer>, " +
			"serial numbers → <serial>, MAC addresses → <mac>"
	}
	doc := m.Doc
	return fieldsOf(
		f("Generated", plain(m.both(m.Generated))),
		f("idpulse", plain(cmp.Or(m.Version, "unknown version"))),
		f("Checked", plain(m.both(doc.Time)+", took "+(time.Duration(doc.DurationMS*1e6)).Round(10*time.Millisecond).String())),
		f("Redaction", plain(red)),
	)
}

func (m model) system() []block {
	ev := probes.Evidence[probes.SystemEvidence](m.Doc.Probes)
	if ev == nil {
		return []block{para{line(plain("Not recorded: the system check did not run."))}}
	}
	osName := strings.TrimSpace(strings.Join([]string{ev.OS, ev.Version, ev.Extra}, " "))
	model := "Model"
	if ev.OS != "" && verdict.Machine(m.Doc.Probes) == verdict.MachineMac {
		model = "Mac model"
	}
	return []block{
		fieldsOf(
			f(model, plain(cmp.Or(ev.Model, "unknown"))),
			f("OS", plain(cmp.Or(osName, "unknown"))),
			f("Build", code(ev.Build)),
			f("Kernel", plain(ev.Kernel)),
			f("Architecture", plain(ev.Arch)),
		),
		errorBlock("error", ev.Error),
	}
}

func (m model) verdict() []block {
	v := m.Doc.Verdict
	var bs blocks
	bs.add(para{line(strong(v.Level.Symbol() + " " + v.Level.Word() + " — " + v.Headline))})
	if v.Detail != "" {
		bs.add(para{line(plain(v.Detail))})
	}
	if len(v.Evidence) > 0 {
		bs.add(stringList(v.Evidence))
	}
	bs.add(fieldsOf(
		f("Code", code(string(v.Code)), plain(" (cause: "+string(v.Cause)+")")),
		f("Fixes", codes(v.Fixes)...),
	))
	bs.add(m.chain())
	return bs
}

func stringList(ss []string) block {
	items := make([]item, len(ss))
	for i, s := range ss {
		items[i] = item{text: line(plain(s))}
	}
	return list{items}
}

func codes(ids []string) []span {
	if len(ids) == 0 {
		return []span{plain("none")}
	}
	var out []span
	for i, id := range ids {
		if i > 0 {
			out = append(out, plain(", "))
		}
		out = append(out, code(id))
	}
	return out
}

// chain explains the verdict: the checks in the order the verdict rules
// consult them (verdict.Rules, so it follows the rules), each with its
// outcome, and which one decided.
func (m model) chain() block {
	doc := m.Doc
	var order []probes.ID
	decided := probes.ID("")
	for _, r := range verdict.Rules() {
		if r.Kind != verdict.KindVerdict || r.Code == verdict.CodeOK {
			continue
		}
		if r.Code == doc.Verdict.Code && decided == "" {
			decided = r.Probes[0]
		}
		if !slices.Contains(order, r.Probes[0]) {
			order = append(order, r.Probes[0])
		}
	}
	var spans []span
	for _, p := range order {
		mark := m.chainMark(p)
		if p == decided {
			mark = "✗"
		}
		if len(spans) > 0 {
			spans = append(spans, plain(" → "))
		}
		spans = append(spans, keep(mark+" "+strings.ReplaceAll(string(p), "_", " ")))
	}
	how := "no check failed"
	if decided != "" {
		how = "the verdict comes from " + strings.ReplaceAll(string(decided), "_", " ") + " (" + string(doc.Verdict.Code) + ")"
	}
	legend := []span{plain("in root-cause order; " + how + ".")}
	for i, l := range []string{"✓ passed", "⚠ warning", "✗ failed", "! could not check", "– not run"} {
		sep := ", "
		if i == 0 {
			sep = " "
		}
		legend = append(legend, plain(sep), keep(l))
	}
	return fieldsOf(f("Chain", spans...), f("", legend...))
}

func (m model) chainMark(probe probes.ID) string {
	if probe != probes.IDAppleStatus {
		r, ok := m.Doc.Probes.Get(probe)
		if !ok {
			return "–"
		}
		return verdict.StatusSymbol(r.Status)
	}
	a := m.Doc.AppleStatus
	switch {
	case a == nil:
		return "–"
	case a.Error != nil && len(a.Services) == 0:
		return "!"
	}
	mark := "✓"
	for _, s := range a.Services {
		for _, e := range s.Events {
			if e.Problem() {
				if s.SignIn {
					return "✗"
				}
				mark = "⚠"
			}
		}
	}
	return mark
}

func (m model) findings() block {
	var items []item
	for _, fd := range m.Doc.Findings {
		var sub blocks
		if fd.Detail != "" {
			sub.add(para{line(plain(fd.Detail))})
		}
		if len(fd.Evidence) > 0 {
			sub.add(stringList(fd.Evidence))
		}
		if len(fd.Fixes) > 0 {
			sub.add(fieldsOf(f("Fixes", codes(fd.Fixes)...)))
		}
		mark := map[verdict.Level]string{verdict.LevelOK: "•", verdict.LevelDegraded: "⚠", verdict.LevelDown: "✗"}[fd.Level]
		items = append(items, item{mark: mark, text: line(plain(fd.Headline+" "), plain("("), code(string(fd.Code)), plain(")")), sub: sub})
	}
	return list{items}
}

func (m model) checks() block {
	t := table{head: []string{"Probe", "Status", "Time", "Summary"}, right: []bool{false, false, true, false}}
	for _, r := range m.Doc.Probes {
		t.rows = append(t.rows, []inline{
			line(plain(string(r.ID))),
			line(plain(verdict.StatusSymbol(r.Status) + " " + string(r.Status))),
			line(plain(millis(r.Duration))),
			line(plain(r.Summary)),
		})
	}
	return t
}

// evidence walks a probe's typed evidence; known is false for a type the
// report has no section for.
func (m model) evidence(r probes.Result) (bs []block, known bool) {
	switch ev := r.Evidence.(type) {
	case *probes.ErrorEvidence:
		bs = []block{errorBlock("error", ev.Error)}
	case *probes.SystemEvidence:
		bs = []block{errorBlock("error", ev.Error)}
	case *probes.LinkEvidence:
		route := "none"
		if d := ev.DefaultRoute; d != nil {
			route = d.Interface
			if d.Gateway != "" {
				route = d.Gateway + " on " + d.Interface
			}
		}
		var ifs []item
		for _, i := range ev.Interfaces {
			addrs := make([]string, len(i.Addresses))
			for j, a := range i.Addresses {
				addrs[j] = a.String()
			}
			ifs = append(ifs, item{text: line(code(i.Name), plain(": "+strings.Join(addrs, ", ")))})
		}
		bs = []block{fieldsOf(f("Default route", plain(route))), listOf(ifs), errorBlock("error", ev.Error)}
	case *probes.ControlEvidence:
		var items []item
		for _, a := range ev.Targets {
			items = append(items, attemptItem(nil, a))
		}
		bs = []block{listOf(items)}
	case *probes.CaptiveEvidence:
		bs = []block{
			fieldsOf(
				f("URL", code(ev.URL)),
				f("HTTP status", plain(statusCode(ev.StatusCode))),
				f("Redirects to", code(ev.Location)),
				f("Portal", plain(yesNo(ev.Portal))),
				f("Login page", code(ev.PortalURL)),
				f("Failure", plain(string(ev.Class))),
			),
			errorBlock("error", ev.Error),
		}
	case *probes.DNSEvidence:
		bs = dnsBlocks(ev)
	case *probes.HostsEvidence:
		var items []item
		for _, e := range ev.Entries {
			text := line(plain(fmt.Sprintf("line %d: ", e.Line)), code(e.Address), plain(" → "+strings.Join(e.Names, ", ")))
			if e.Sinkhole {
				text = append(text, plain(" (sinkhole)"))
			}
			items = append(items, item{text: text})
		}
		bs = []block{fieldsOf(f("File", code(ev.Path))), listOf(items), errorBlock("error", ev.Error)}
	case *probes.ProxyEvidence:
		bs = proxyBlocks(ev)
	case *probes.VPNEvidence:
		var items []item
		for _, s := range ev.Services {
			text := line(plain(s.Name+" "), plain("("+s.Type+"): "+s.Status))
			if s.Interface != "" {
				text = append(text, plain(" on "), code(s.Interface))
			}
			items = append(items, item{text: text})
		}
		bs = []block{
			fieldsOf(
				f("Active", plain(yesNo(ev.Active))),
				f("Default route via tunnel", plain(yesNo(ev.DefaultViaTunnel))),
				f("Interface", code(ev.Interface)),
			),
			listOf(items),
			errorBlock("error", ev.Error),
		}
	case *probes.ReachEvidence:
		var items []item
		for _, a := range ev.SignIn {
			items = append(items, attemptItem(line(plain("sign-in")), a))
		}
		if ev.Push != nil {
			items = append(items, attemptItem(line(plain("push")), *ev.Push))
		}
		bs = []block{listOf(items)}
	case *probes.TLSEvidence:
		var items []item
		for _, h := range ev.Hosts {
			it := attemptItem(nil, h.Attempt)
			valid := ""
			if !h.NotBefore.IsZero() {
				valid = h.NotBefore.UTC().Format(time.DateOnly) + " – " + h.NotAfter.UTC().Format(time.DateOnly)
			}
			// The certificate facts exist only once a certificate was seen;
			// "verified: no" for a refused connection would mislead.
			if h.Issuer != "" || len(h.Chain) > 0 {
				facts := fieldsOf(
					f("Issuer", plain(h.Issuer)),
					f("Issuer organisation", plain(h.IssuerOrg)),
					f("Verified", plain(yesNo(h.Verified))),
					f("Issuer Apple uses", plain(yesNo(h.TrustedIssuer))),
					f("Interception", plain(yesNo(h.Interception))),
					f("Validity", plain(strings.ReplaceAll(h.Validity, "_", " "))),
					f("Valid", plain(valid)),
					f("Chain", plain(strings.Join(h.Chain, " › "))),
				)
				it.sub = append([]block{facts}, it.sub...)
			}
			items = append(items, it)
		}
		bs = []block{listOf(items)}
	case *probes.HTTPSEvidence:
		bs = []block{
			fieldsOf(
				f("URL", code(ev.URL)),
				f("Via proxy", code(ev.Proxy)),
				f("HTTP status", plain(statusCode(ev.StatusCode))),
				f("Server date", plain(ev.Date)),
			),
			listOf([]item{attemptItem(nil, ev.Attempt)}),
		}
	case *probes.ClockEvidence:
		bs = clockBlocks(ev, verdict.Machine(m.Doc.Probes))
	case *probes.ServicesEvidence:
		bs = servicesBlocks(ev)
	case *probes.CurrencyEvidence:
		bs = []block{
			fieldsOf(
				f("Assessment", plain(m.macOSLine(ev))),
				f("Release list", plain(m.listLine(ev))),
				f("Interception", plain(map[bool]string{true: "yes, issued by " + ev.Issuer}[ev.Interception])),
			),
			errorBlock("error", ev.Error),
			errorBlock("cache", ev.CacheError),
		}
	case json.RawMessage:
		bs = []block{verbatim{label: "evidence", text: string(ev)}}
	default:
		return nil, false
	}
	return bs, true
}

// servicesBlocks is one item per Apple service, its hosts below it.
func servicesBlocks(ev *probes.ServicesEvidence) []block {
	scope := "sample"
	if ev.Full {
		scope = "whole catalogue"
	}
	var items []item
	for _, s := range ev.Services {
		var hosts []item
		for _, h := range s.Hosts {
			it := attemptItem(line(plain(string(h.Probe))), h.Attempt)
			it.text = append(it.text, plain(" · "+h.Path))
			if h.Issuer != "" {
				it.sub = append([]block{fieldsOf(f("Issuer", plain(h.Issuer)), f("Interception", plain(yesNo(h.Interception))))}, it.sub...)
			}
			hosts = append(hosts, it)
		}
		items = append(items, item{
			mark: verdict.StatusSymbol(s.Status),
			text: line(code(string(s.ID)), plain(" "+s.Title+": "+s.Summary)),
			sub:  []block{listOf(hosts)},
		})
	}
	return []block{fieldsOf(f("Hosts checked", plain(scope)), f("Catalogue", plain(ev.Catalog))), listOf(items)}
}

func listOf(items []item) block {
	if len(items) == 0 {
		return nil
	}
	return list{items}
}

func statusCode(c int) string {
	if c == 0 {
		return ""
	}
	return strconv.Itoa(c)
}

// attemptItem is one network exchange: where it went, where it failed and
// why, the exact error, and how long each phase took.
func attemptItem(label inline, a probes.Attempt) item {
	mark := "✓"
	if !a.OK {
		mark = "✗"
	}
	text := append(inline{}, label...)
	if len(label) > 0 {
		text = append(text, plain(" "))
	}
	text = append(text, code(cmp.Or(a.Target, "(no target)")))
	if a.Address != "" {
		text = append(text, plain(" → "), code(a.Address))
	}
	if !a.OK {
		what := " failed"
		if a.Stage != "" {
			what += " at " + a.Stage
		}
		if a.Class != "" {
			what += " (" + string(a.Class) + ")"
		}
		text = append(text, plain(what))
	}
	var sub blocks
	sub.add(para{line(plain(phases(a.Phases)))})
	sub.add(errorBlock("error", a.Error))
	return item{mark: mark, text: text, sub: sub}
}

func phases(p probes.Phases) string {
	var parts []string
	for _, ph := range []struct {
		name string
		d    time.Duration
	}{{"resolve", p.Resolve}, {"connect", p.Connect}, {"tls", p.TLS}, {"first byte", p.FirstByte}} {
		if ph.d > 0 {
			parts = append(parts, ph.name+" "+millis(ph.d))
		}
	}
	if len(parts) == 0 {
		return "no timings"
	}
	return strings.Join(parts, " · ")
}

// dnsBlocks compares, per name, what the system resolver said with what the
// public resolvers said: the comparison is the diagnosis.
func dnsBlocks(ev *probes.DNSEvidence) []block {
	var servers []string
	for _, r := range ev.Nameservers {
		s := strings.Join(r.Nameservers, ", ")
		var extra []string
		if r.Interface != "" {
			extra = append(extra, r.Interface)
		}
		if r.Domain != "" {
			extra = append(extra, "domain "+r.Domain)
		}
		if len(r.SearchDomains) > 0 {
			extra = append(extra, "search "+strings.Join(r.SearchDomains, " "))
		}
		if len(extra) > 0 {
			s += " (" + strings.Join(extra, "; ") + ")"
		}
		servers = append(servers, s)
	}
	t := table{head: []string{"Name", "Resolver", "Result", "Time", "Answer"}, right: []bool{false, false, false, true, false}}
	var errs blocks
	// Group every lookup under its name, system first, in the probe's order.
	var names []string
	byName := map[string][]probes.DNSLookup{}
	for _, l := range append(append([]probes.DNSLookup{}, ev.System...), ev.Public...) {
		if _, ok := byName[l.Name]; !ok {
			names = append(names, l.Name)
		}
		byName[l.Name] = append(byName[l.Name], l)
	}
	for _, n := range names {
		for i, l := range byName[n] {
			name := ""
			if i == 0 {
				name = n
			}
			result := string(l.Class)
			if result == "" {
				result = "ok"
			}
			addrs := make([]string, len(l.Addresses))
			for j, a := range l.Addresses {
				addrs[j] = a.String()
			}
			t.rows = append(t.rows, []inline{
				line(plain(name)), line(plain(l.Resolver)), line(plain(result)),
				line(plain(millis(probes.FromMillis(l.DurationMS)))), line(plain(cmp.Or(strings.Join(addrs, ", "), "—"))),
			})
			errs.add(errorBlock("error ("+l.Name+" via "+l.Resolver+")", l.Error))
		}
	}
	var bs blocks
	bs.add(fieldsOf(f("Name servers", plain(strings.Join(servers, "; ")))))
	if len(t.rows) > 0 {
		bs.add(t)
	}
	bs.add(fieldsOf(
		f("Filtered", plain(strings.Join(ev.Filtered, ", "))),
		f("Failed everywhere", plain(strings.Join(ev.Failed, ", "))),
	))
	bs.add(errs...)
	return bs
}

func proxyBlocks(ev *probes.ProxyEvidence) []block {
	c := ev.Config
	auto := ""
	if c.AutoDiscovery {
		auto = "on"
	}
	simple := ""
	if c.ExcludeSimpleHostnames {
		simple = "bypass the proxy"
	}
	var bs blocks
	bs.add(fieldsOf(
		f("Settings from", plain(c.Source)),
		f("HTTP proxy", code(c.HTTP)),
		f("HTTPS proxy", code(c.HTTPS)),
		f("SOCKS proxy", code(c.SOCKS)),
		f("PAC file", code(c.PACURL)),
		f("Auto-discovery", plain(auto)),
		f("Exceptions", plain(strings.Join(c.Exceptions, ", "))),
		f("Simple host names", plain(simple)),
	))
	bs.add(errorBlock("could not read the settings", ev.ReadError))
	var items []item
	if p := ev.Proxied; p != nil {
		it := attemptItem(line(plain("via proxy "), code(p.Proxy), plain(" to")), p.Attempt)
		if p.StatusCode != 0 {
			it.sub = append([]block{fieldsOf(f("CONNECT answer", plain(strconv.Itoa(p.StatusCode))))}, it.sub...)
		}
		items = append(items, it)
	}
	if ev.Direct != nil {
		items = append(items, attemptItem(line(plain("direct to")), *ev.Direct))
	}
	bs.add(listOf(items))
	if ev.Note != "" {
		bs.add(para{line(plain("Note: " + ev.Note))})
	}
	return bs
}

// clockBlocks shows the clock's measurement; machine is verdict.Machine's
// word for the machine measured.
func clockBlocks(ev *probes.ClockEvidence, machine string) []block {
	source := ev.Source
	switch ev.Source {
	case probes.ClockSourceNTP:
		source = "NTP server " + ev.Server
	case probes.ClockSourceHTTPDate:
		source = "Apple's HTTPS Date headers (NTP to " + ev.Server + " failed)"
	case probes.ClockSourceNone:
		source = "none: the time could not be measured"
	}
	offset := ""
	if ev.Source != probes.ClockSourceNone {
		offset = fmt.Sprintf("%+.3f s ± %.3f s", ev.OffsetMS/1e3, ev.UncertaintyMS/1e3)
		switch {
		case ev.Inconclusive:
			offset += " (within the uncertainty: the clock is right)"
		case ev.OffsetMS > 0:
			offset += verdict.OnMachine(" (this Mac is "+verdict.Span(probes.FromMillis(ev.OffsetMS))+" slow)", machine)
		case ev.OffsetMS < 0:
			offset += verdict.OnMachine(" (this Mac is "+verdict.Span(probes.FromMillis(ev.OffsetMS))+" fast)", machine)
		}
	}
	stratum := ""
	if ev.Stratum != 0 {
		stratum = strconv.Itoa(int(ev.Stratum))
	}
	var items []item
	for _, s := range ev.Samples {
		it := item{text: line(code(s.URL))}
		if s.Error == "" {
			it.text = append(it.text, plain(fmt.Sprintf(": offset %+.3f s, round trip %s", s.OffsetMS/1e3, millis(probes.FromMillis(s.RTTMS)))))
		}
		if e := errorBlock("error", s.Error); e != nil {
			it.sub = []block{e}
		}
		items = append(items, it)
	}
	var bs blocks
	bs.add(fieldsOf(
		f("Source", plain(source)),
		f("Offset", plain(offset)),
		f("Stratum", plain(stratum)),
		f("NTP failure", plain(string(ev.NTPClass))),
	))
	bs.add(errorBlock("NTP error", ev.NTPError))
	bs.add(listOf(items))
	return bs
}

func (m model) apple() []block {
	a := m.Doc.AppleStatus
	if a == nil {
		return []block{para{line(plain("Not consulted: reading Apple System Status is turned off."))}}
	}
	fetched := "never"
	if a.Fetched != nil {
		fetched = m.both(*a.Fetched)
	}
	var bs blocks
	bs.add(fieldsOf(f("Source", code(a.Source)), f("Fetched", plain(fetched))))
	bs.add(errorBlock("fetch error", derefString(a.Error)))
	var items []item
	for _, s := range a.Services {
		mark, word := s.Symbol(), s.Word()
		name := s.Name
		if s.SignIn {
			name += " (sign-in)"
		}
		var events []item
		for _, e := range s.Events {
			if e.Status != "ongoing" && e.Status != "upcoming" {
				continue
			}
			text := e.Type + ", " + e.Status
			if e.Start != nil {
				text += " since " + m.local(*e.Start)
				if e.Status == "upcoming" {
					text = e.Type + ", upcoming from " + m.local(*e.Start)
				}
			}
			if e.End != nil {
				text += " until " + m.local(*e.End)
			}
			if e.UsersAffected != "" {
				text += " — " + e.UsersAffected
			}
			ev := item{text: line(plain(text))}
			if e.Message != "" {
				ev.sub = append(ev.sub, para{line(plain(e.Message))})
			}
			if e.ID != "" {
				ev.sub = append(ev.sub, fieldsOf(f("Event id", code(e.ID))))
			}
			events = append(events, ev)
		}
		it := item{mark: mark, text: line(plain(name + ": " + word))}
		if l := listOf(events); l != nil {
			it.sub = []block{l}
		}
		items = append(items, it)
	}
	if len(items) == 0 && a.Error == nil {
		bs.add(para{line(plain("No watched services in the feed."))})
	}
	bs.add(listOf(items))
	return bs
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (m model) steps() block {
	if len(m.Attempts) == 0 {
		return para{line(plain("None recorded."))}
	}
	var items []item
	for _, a := range m.Attempts {
		text := line(plain(m.local(a.At)+"  "), code(a.Fix), plain(": "+cmp.Or(a.Outcome, "no outcome")))
		if a.Cancelled {
			text = append(text, plain(" (cancelled)"))
		}
		var sub blocks
		if a.VerdictAfter != "" {
			sub.add(fieldsOf(f("Verdict after", code(a.VerdictAfter))))
		}
		sub.add(errorBlock("error", a.Error))
		items = append(items, item{text: text, sub: sub})
	}
	return list{items}
}

// incidentsTitle says the window: "Incidents, last 7 days".
func (m model) incidentsTitle() string {
	days := int(m.Generated.Sub(m.IncidentsSince).Round(time.Hour).Hours()) / 24
	return fmt.Sprintf("Incidents, last %d days", days)
}

// incidents is a table of the window's incidents, newest first: when,
// how long, how bad, what, and the fixes tried meanwhile.
func (m model) incidents() block {
	if len(m.Incidents) == 0 {
		return para{line(plain("None: every recorded check was ok (or the agent recorded none)."))}
	}
	t := table{head: []string{"Start", "End", "Lasted", "Level", "What"}, right: []bool{false, false, true, false, false}}
	for _, i := range m.Incidents {
		end := "ongoing"
		if i.End != nil {
			end = i.End.In(m.Loc).Format("15:04")
			if !sameDay(i.Start.In(m.Loc), i.End.In(m.Loc)) {
				end = i.End.In(m.Loc).Format("2 Jan 15:04")
			}
		}
		what := line(plain(i.Headline+" "), plain("("), code(i.Code), plain(")"))
		// Code is the worst level's; the others seen are "also".
		if others := i.Also(); len(others) > 0 {
			what = append(what, plain(", also "))
			what = append(what, codes(others)...)
		}
		if len(i.FixesTried) > 0 {
			what = append(what, plain("; tried "))
			what = append(what, codes(i.FixesTried)...)
		}
		t.rows = append(t.rows, []inline{
			line(plain(i.Start.In(m.Loc).Format("2 Jan 15:04"))),
			line(plain(end)),
			line(plain(verdict.Span(time.Duration(i.DurationS * float64(time.Second))))),
			line(plain(i.Level)),
			what,
		})
	}
	return t
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

func (m model) transitions() block {
	if len(m.Transitions) == 0 {
		return para{line(plain("None recorded."))}
	}
	var items []item
	for _, t := range m.Transitions {
		text := line(plain(m.local(t.At) + "  "))
		if t.From == "" {
			text = append(text, plain("(first check)"))
		} else {
			text = append(text, code(t.From))
		}
		text = append(text, plain(" → "), code(t.To))
		if t.Level != "" {
			text = append(text, plain(" ("+t.Level+")"))
		}
		if t.Headline != "" {
			text = append(text, plain(": "+t.Headline))
		}
		items = append(items, item{text: text})
	}
	return list{items}
}
