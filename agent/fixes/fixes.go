// Package fixes is what idpulse can do about a verdict: one Fix per fix id,
// each turning a check (its evidence) into a Plan of concrete steps for this
// OS, and an Executor that carries a Plan out.
//
// A Plan is data (argv vectors, URLs, advice), so the CLI can show exactly
// what will run before asking, tests can assert it on any OS, and the only
// code that touches the system is the Executor behind an injected Runner.
// Nothing from a check's evidence (VPN names, portal URLs, interface names,
// paths) is ever parsed by a shell: it travels as an argv element, and the one
// place a command line is built as a string (the administrator prompt) quotes
// every element for both AppleScript and sh; see AdminArgv.
package fixes

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
)

// Fix ids that verdict does not (yet) offer itself; the others are
// verdict.Fix*.
const (
	FixOpenAppleAccount = "open-apple-account"
	FixResetPassword    = "reset-password"
	FixCopyReport       = "copy-report"
)

// Fix is one thing the user can do about a problem.
type Fix struct {
	ID      string
	Title   string // "Flush DNS Cache": a menu row, a CLI heading
	Explain string // one sentence: what it does and why it may help
	// NeedsAdmin is true when the fix asks for an administrator password on
	// macOS. On Linux each Step says for itself (polkit lets the logged-in
	// user do some of them).
	NeedsAdmin bool
	// ChangesState is true when the fix changes the system (as opposed to
	// opening a window or a web page): the CLI confirms before it runs.
	ChangesState bool

	plan planner
}

// Context is what a plan is made from.
type Context struct {
	GOOS string // "" means runtime.GOOS
	// MacOSMajor is the macOS major version from the system probe (see
	// MacOSMajor); 0 means unknown, which is taken as 13 or later.
	MacOSMajor int
	// Doc is the check the fix answers: the VPN service, the portal URL and
	// the interface come from its evidence. nil is allowed: fixes that need
	// evidence then fall back to defaults or report themselves unavailable.
	Doc *verdict.Document
	// HostsPath is the hosts file to edit; "" means /etc/hosts.
	HostsPath string
	// AppleDomains are the domains whose hosts entries are removed; nil
	// means the checklist's defaults (probes.DefaultConfig).
	AppleDomains []string
	// Self is the absolute path of the idpulse binary: a non-root user's
	// hosts edit re-runs it with administrator rights.
	Self string
	// LookPath reports whether an absolute path exists; nil means os.Stat.
	// Injected so that Linux plans are tested against any set of tools.
	LookPath func(abs string) bool
}

// Step is one action of a plan. Exactly one of Argv, URL, Text or Hosts
// drives it (Hosts comes with the Argv of its elevated fallback). Plans
// marshal to JSON, for a dry run that shows what would be done.
type Step struct {
	// Argv is run directly (absolute path first, no shell), or through the
	// administrator prompt when Admin is set and idpulse is not root.
	Argv  []string `json:"argv,omitempty"`
	Admin bool     `json:"admin,omitempty"`
	// Detach starts Argv without waiting for it: a settings window stays
	// open long after the fix is done.
	Detach bool   `json:"detach,omitempty"`
	URL    string `json:"url,omitempty"`  // opened instead of running anything (System Settings, web pages)
	Text   string `json:"text,omitempty"` // advice shown to the user; nothing runs
	// Hosts is an in-process edit of the hosts file, done directly when
	// idpulse is root; otherwise Argv (idpulse re-running itself) is run
	// with Admin.
	Hosts *HostsEdit `json:"hosts,omitempty"`
}

// Plan is how a fix is carried out on one system.
type Plan struct {
	Fix       string `json:"fix"`
	Available bool   `json:"available"`
	Why       string `json:"why,omitempty"` // why the fix is not available here; empty when Available
	Steps     []Step `json:"steps"`
	// Outcome is the short past-tense sentence reported once the steps ran
	// ("DNS cache flushed").
	Outcome string `json:"outcome,omitempty"`
}

// Plan works out how f is carried out in c. An unavailable fix is a Plan
// with Available false and a Why, not an error; the error is for a context
// that cannot be planned from at all.
func (f Fix) Plan(c Context) (Plan, error) {
	if f.plan == nil {
		return Plan{}, fmt.Errorf("fix %q has no plan", f.ID)
	}
	c = c.withDefaults()
	p, err := f.plan(c)
	if err != nil {
		return Plan{}, fmt.Errorf("%s: %w", f.ID, err)
	}
	p.Fix = f.ID
	if p.Available && c.GOOS == "linux" && opensURL(p) && !c.LookPath(xdgOpen) {
		// The Executor opens URLs on Linux with xdg-open and nothing else.
		p.Available, p.Why = false, notInstalled("xdg-open", xdgOpen)
	}
	if !p.Available {
		p.Steps, p.Outcome = nil, ""
		if p.Why == "" {
			p.Why = "not available on " + c.GOOS
		}
	} else {
		p.Why = ""
	}
	return p, nil
}

// xdgOpen is how the Executor opens a URL on Linux.
const xdgOpen = "/usr/bin/xdg-open"

func opensURL(p Plan) bool {
	for _, s := range p.Steps {
		if s.URL != "" {
			return true
		}
	}
	return false
}

// Registry is every fix, in the order the "All Fixes" menu lists them. It is
// built on each call, so callers cannot change another caller's fixes.
func Registry() []Fix {
	return []Fix{
		flushDNS(),
		removeHostsEntries(),
		openCaptivePortal(),
		disconnectVPN(),
		openVPNSettings(),
		toggleWiFi(),
		renewDHCP(),
		openNetworkSettings(),
		openProxySettings(),
		syncClock(),
		openDateTime(),
		tryOtherNetwork(),
		openAppleAccount(),
		resetPassword(),
		openSoftwareUpdate(),
		openSystemStatus(),
		contactSupport(),
		copyReport(),
	}
}

// Lookup finds a fix by id.
func Lookup(id string) (Fix, bool) {
	for _, f := range Registry() {
		if f.ID == id {
			return f, true
		}
	}
	return Fix{}, false
}

// Applicable lists the fix ids a check offers: the verdict's, then each
// finding's, in order and without repeats. Ids this package does not know
// are left out, so every id returned can be looked up.
func Applicable(doc *verdict.Document) []string {
	if doc == nil {
		return nil
	}
	ids := slices.Clone(doc.Verdict.Fixes)
	for _, f := range doc.Findings {
		ids = append(ids, f.Fixes...)
	}
	var out []string
	for _, id := range ids {
		if _, ok := Lookup(id); ok && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// MacOSMajor reads the macOS major version from the doc's system evidence
// ("14.4.1" → 14); 0 when it is not a Mac or the version is unknown.
func MacOSMajor(doc *verdict.Document) int {
	sys := evidence[probes.SystemEvidence](doc)
	if sys == nil || !strings.Contains(strings.ToLower(sys.OS), "mac") {
		return 0
	}
	head, _, _ := strings.Cut(strings.TrimSpace(sys.Version), ".")
	n, err := strconv.Atoi(head)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func (c Context) withDefaults() Context {
	if c.GOOS == "" {
		c.GOOS = runtime.GOOS
	}
	if c.HostsPath == "" {
		c.HostsPath = "/etc/hosts"
	}
	if c.AppleDomains == nil {
		c.AppleDomains = probes.DefaultConfig().AppleDomains
	}
	if c.LookPath == nil {
		c.LookPath = exists
	}
	return c
}

// legacyMac is macOS 12 or earlier: System Preferences, not System Settings.
func (c Context) legacyMac() bool { return c.MacOSMajor > 0 && c.MacOSMajor <= 12 }

func exists(abs string) bool {
	if !filepath.IsAbs(abs) {
		return false
	}
	_, err := os.Stat(abs)
	return err == nil
}

// evidence returns the evidence of type T from doc, nil without a doc.
// A document read back from the state file holds typed evidence too (see
// probes.Result.UnmarshalJSON), so fixes work from either.
func evidence[T any](doc *verdict.Document) *T {
	if doc == nil {
		return nil
	}
	return probes.Evidence[T](doc.Probes)
}

func unavailable(why string) (Plan, error) { return Plan{Why: why}, nil }

func available(outcome string, steps ...Step) (Plan, error) {
	return Plan{Available: true, Steps: steps, Outcome: outcome}, nil
}

func notSupported(goos string) (Plan, error) { return unavailable("not supported on " + goos) }
