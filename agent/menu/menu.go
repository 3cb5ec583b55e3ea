// Package menu is the menu bar menu as plain data: what the tray shows for
// the agent's current state. It imports no UI library, so every row can be
// tested without a desktop.
//
// The menu has a fixed shape. Tray libraries append items and cannot insert
// them or remove separators (fyne.io/systray), so the tray creates every slot
// once, from Skeleton, and afterwards only retitles, hides, shows, enables and
// checks them. Build therefore always returns the same item tree — the same
// IDs in the same order — and expresses "no such row now" with Hidden.
package menu

import (
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/applestatus"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// IconState picks the menu bar icon.
type IconState string

const (
	IconOK       IconState = "ok"
	IconDegraded IconState = "degraded"
	IconDown     IconState = "down"
	IconChecking IconState = "checking"
	IconPaused   IconState = "paused"
)

// IconStates lists every icon state, for code that prepares all icons.
func IconStates() []IconState {
	return []IconState{IconOK, IconDegraded, IconDown, IconChecking, IconPaused}
}

// ActionKind says what a click on a row asks the agent to do.
type ActionKind string

const (
	// ActionNone marks an informational row: clicking it does nothing.
	ActionNone                ActionKind = ""
	ActionCheckNow            ActionKind = "check-now"
	ActionFix                 ActionKind = "fix"      // Arg: the fix id
	ActionOpenURL             ActionKind = "open-url" // Arg: the URL
	ActionToggleNotifications ActionKind = "toggle-notifications"
	ActionPause1h             ActionKind = "pause-1h"
	ActionPauseTomorrow       ActionKind = "pause-tomorrow"
	ActionResume              ActionKind = "resume"
	ActionToggleRecovery      ActionKind = "toggle-recovery"
	ActionToggleQuietHours    ActionKind = "toggle-quiet-hours"
	ActionToggleLaunchAtLogin ActionKind = "toggle-launch-at-login"
	ActionCopyReport          ActionKind = "copy-report"
	ActionShowHistory         ActionKind = "show-history" // the HTML report with the history, in the browser
	ActionQuit                ActionKind = "quit"
	// ActionMenuOpened is not a row: the tray reports that the menu was
	// opened, so relative times ("next in 45 s") are brought up to date
	// exactly when someone looks, with nothing ticking in between.
	ActionMenuOpened ActionKind = "menu-opened"
)

// Action is what a row does when clicked.
type Action struct {
	Kind ActionKind
	Arg  string // the fix id or the URL
}

// Item is one slot of the menu.
type Item struct {
	// ID is the slot's stable name ("headline", "fix.0", "checks.3"); the
	// tray keys its native items by it.
	ID        string
	Title     string
	Tooltip   string
	Enabled   bool
	Hidden    bool
	Checkable bool // created as a checkbox item (Linux shows check marks only on those)
	Checked   bool
	Action    Action
	Children  []Item // a submenu
	// Separator marks a separator slot. Separators are never hidden: the
	// tray libraries cannot hide or remove them one by one, so the layout
	// keeps every section non-empty instead.
	Separator bool
}

// Model is everything the tray shows.
type Model struct {
	Icon    IconState
	Tooltip string
	Items   []Item
}

// Find returns the item with the given ID, searching submenus too.
func (m Model) Find(id string) (Item, bool) {
	return find(m.Items, id)
}

func find(items []Item, id string) (Item, bool) {
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
		if c, ok := find(it.Children, id); ok {
			return c, true
		}
	}
	return Item{}, false
}

// Fix is one entry of the "All Fixes" submenu.
type Fix struct{ ID, Title string }

// Notifications are the notification settings the menu shows and toggles.
type Notifications struct {
	Enabled, Recovery, QuietHours bool
	QuietLabel                    string // "22:00–07:00"; empty leaves it out of the title
}

// Input is the agent state a menu is built from.
type Input struct {
	Doc         *verdict.Document // nil before the first check
	Checking    bool              // a cycle is running
	LastChecked time.Time         // zero: use Doc.Time
	NextCheck   time.Time         // zero: not scheduled
	// Now is the time the relative texts ("next in 45 s") are computed
	// from; its location is the one times are shown in.
	Now           time.Time
	Paused        bool
	PausedUntil   time.Time // zero: paused without an end
	Notifications Notifications
	LaunchAtLogin *bool // nil: not available on this system (the row is disabled)
	// FixTitle names a fix id; nil means DefaultFixTitle.
	FixTitle func(id string) string
	// RunningFix is the fix in progress: its row says so, and every fix
	// row is disabled until it finishes (fixes must not overlap).
	RunningFix string
	AllFixes   []Fix // the "All Fixes" submenu; hidden when empty
	Version    string
	StatusURL  string // Apple's System Status page; empty means applestatus.PageURL
	// LogFailing: the agent's log cannot be written (a full disk); the
	// status row says so until a write works again.
	LogFailing bool
	// IncidentSince is when the ongoing incident's first check started
	// (consecutive checks not ok); zero when there is none. The status row
	// then says "Down since 14:02 (12 min)".
	IncidentSince time.Time
}

// Fixed slot counts. Rows beyond what the state needs are hidden; state
// beyond the slots is cut (fixes and checks are far fewer in practice).
const (
	MaxFixes    = 4
	MaxChecks   = 24
	MaxServices = 12
	MaxAllFixes = 24
)

// Skeleton is the menu with every slot present, for the tray to create its
// items from. Build always returns this shape; only titles and flags differ.
func Skeleton() Model {
	// Build emits every slot whatever the input, so the empty state is as
	// good a skeleton as any; keeping one code path means the two cannot
	// drift apart.
	return Build(Input{})
}

// Build is the menu for one moment of the agent's state.
func Build(in Input) Model {
	b := builder{in: in, loc: in.Now.Location()}
	if b.in.FixTitle == nil {
		b.in.FixTitle = DefaultFixTitle
	}
	if b.in.StatusURL == "" {
		b.in.StatusURL = applestatus.PageURL
	}
	head := b.headline()
	items := []Item{
		info("headline", head, b.headlineTooltip()),
		b.pausedRow(),
		b.statusRow(),
		separator("sep.status"),
	}
	items = append(items, b.fixRows()...)
	items = append(items,
		b.allFixes(),
		action("copy-report", "Copy Diagnostic Report", b.in.Doc != nil, Action{Kind: ActionCopyReport}),
		// The page is the report plus the history: it needs a check too.
		action("show-history", "Show History…", b.in.Doc != nil, Action{Kind: ActionShowHistory}),
		separator("sep.fixes"),
		b.checks(),
		b.services(),
		action("check-now", "Check Now", !b.in.Checking, Action{Kind: ActionCheckNow}),
		action("status-page", "Open Apple System Status", true, Action{Kind: ActionOpenURL, Arg: b.in.StatusURL}),
		separator("sep.settings"),
		b.notifications(),
		b.launchAtLogin(),
		b.about(),
		action("quit", "Quit idpulse", true, Action{Kind: ActionQuit}),
	)
	return Model{Icon: b.icon(), Tooltip: textsafe.Terminal("idpulse — " + head), Items: safe(items)}
}

// safe passes every title and tooltip through textsafe.Terminal: rows
// carry the feed's service names and messages and the probes' summaries,
// and a bidi override or control from the network must not reach the menu
// bar. One pass over the finished model, so no row can be missed.
func safe(items []Item) []Item {
	for i := range items {
		items[i].Title = textsafe.Terminal(items[i].Title)
		items[i].Tooltip = textsafe.Terminal(items[i].Tooltip)
		items[i].Children = safe(items[i].Children)
	}
	return items
}

type builder struct {
	in  Input
	loc *time.Location
}

func info(id, title, tooltip string) Item {
	return Item{ID: id, Title: title, Tooltip: tooltip}
}

func action(id, title string, enabled bool, a Action) Item {
	return Item{ID: id, Title: title, Enabled: enabled, Action: a}
}

func checkbox(id, title string, enabled, checked bool, kind ActionKind) Item {
	return Item{ID: id, Title: title, Enabled: enabled, Checkable: true, Checked: checked, Action: Action{Kind: kind}}
}

func separator(id string) Item { return Item{ID: id, Separator: true} }

func (b builder) icon() IconState {
	switch {
	case b.in.Paused:
		return IconPaused
	case b.in.Doc == nil:
		// A re-check keeps the last result's icon: flashing "checking"
		// every cycle would hide the state the user watches for.
		return IconChecking
	}
	switch b.in.Doc.Verdict.Level {
	case verdict.LevelOK:
		return IconOK
	case verdict.LevelDegraded:
		return IconDegraded
	}
	return IconDown
}

// maxHeadline keeps a menu from growing as wide as a long sentence; the
// full text is in the tooltip.
const maxHeadline = 80

func (b builder) headline() string {
	if b.in.Doc == nil {
		return "Checking…"
	}
	return truncate(b.in.Doc.Verdict.Headline, maxHeadline)
}

func (b builder) headlineTooltip() string {
	if b.in.Doc == nil {
		return "idpulse is running its first check of Apple ID connectivity."
	}
	v := b.in.Doc.Verdict
	if truncated(v.Headline, maxHeadline) {
		return v.Headline + ". " + v.Detail
	}
	return v.Detail
}

func (b builder) pausedRow() Item {
	it := info("paused", "Notifications paused", "")
	it.Hidden = !b.in.Paused
	if b.in.Paused && !b.in.PausedUntil.IsZero() {
		it.Title += " until " + b.dayTime(b.in.PausedUntil)
	}
	return it
}

// statusRow says when the last check ran and when the next one will. It is
// hidden while the first check runs: the headline already says "Checking…".
// LogFailingTitle is the status row while the log cannot be written.
const LogFailingTitle = "idpulse cannot write its log"

func (b builder) statusRow() Item {
	it := info("status", "", "")
	switch {
	case b.in.LogFailing:
		// Records are being lost; saying so beats "Last checked".
		it.Title = LogFailingTitle
		it.Tooltip = "Its records are lost until it can (is the disk full?); it retries with each one."
	case b.incident():
		// During an outage "since when" is what the user wants to know (and
		// what Apple Support asks); it stays through the frequent rechecks
		// rather than flipping to "Checking…" every 15 s.
		it.Title = b.incidentTitle()
		it.Tooltip = b.lastNext()
	case b.in.Checking && b.in.Doc != nil:
		it.Title = "Checking…"
	case b.in.Checking:
		it.Hidden = true
	default:
		it.Title = b.lastNext()
		it.Hidden = it.Title == ""
	}
	return it
}

func (b builder) incident() bool {
	return !b.in.IncidentSince.IsZero() && b.in.Doc != nil && b.in.Doc.Verdict.Level != verdict.LevelOK
}

// incidentTitle is "Down since 14:02 (12 min)", or "Degraded since …" while
// the current verdict is only degraded.
func (b builder) incidentTitle() string {
	state := "Down"
	if b.in.Doc.Verdict.Level == verdict.LevelDegraded {
		state = "Degraded"
	}
	return state + " since " + b.dayTime(b.in.IncidentSince) + " (" + verdict.Span(b.in.Now.Sub(b.in.IncidentSince)) + ")"
}

func (b builder) lastNext() string {
	last := b.in.LastChecked
	if last.IsZero() && b.in.Doc != nil {
		last = b.in.Doc.Time
	}
	next := ""
	if !b.in.NextCheck.IsZero() {
		next = b.relativeNext(b.in.NextCheck)
	}
	switch {
	case !last.IsZero() && next != "":
		return "Last checked " + b.dayTime(last) + " · next " + next
	case !last.IsZero():
		return "Last checked " + b.dayTime(last)
	case next != "":
		return "Next check " + next
	}
	return ""
}

// fixRows are the current verdict's fixes, most likely first.
func (b builder) fixRows() []Item {
	var ids []string
	if b.in.Doc != nil {
		for _, id := range b.in.Doc.Verdict.Fixes {
			// The menu always has "Open Apple System Status"; a second
			// row saying the same as a "fix" would only add noise.
			if id != verdict.FixOpenSystemStatus {
				ids = append(ids, id)
			}
		}
	}
	rows := make([]Item, MaxFixes)
	for i := range rows {
		rows[i] = Item{ID: slot("fix", i), Hidden: true}
		if i < len(ids) {
			rows[i] = b.fixItem(rows[i].ID, "Fix: ", ids[i], b.in.FixTitle(ids[i]))
		}
	}
	return rows
}

func (b builder) fixItem(id, prefix, fix, title string) Item {
	it := action(id, prefix+title, b.in.RunningFix == "", Action{Kind: ActionFix, Arg: fix})
	if fix == b.in.RunningFix {
		it.Title += " (running…)"
	}
	return it
}

func (b builder) allFixes() Item {
	parent := Item{ID: "all-fixes", Title: "All Fixes", Enabled: true, Hidden: len(b.in.AllFixes) == 0}
	parent.Children = make([]Item, MaxAllFixes)
	for i := range parent.Children {
		parent.Children[i] = Item{ID: slot("all-fixes", i), Hidden: true}
		if i < len(b.in.AllFixes) {
			f := b.in.AllFixes[i]
			title := f.Title
			if title == "" {
				title = b.in.FixTitle(f.ID)
			}
			parent.Children[i] = b.fixItem(parent.Children[i].ID, "", f.ID, title)
		}
	}
	return parent
}

// maxSummary keeps check rows readable; the full summary is the tooltip.
const maxSummary = 60

func (b builder) checks() Item {
	parent := Item{ID: "checks", Title: "Checks", Enabled: true}
	var results []resultRow
	if b.in.Doc != nil {
		for _, r := range b.in.Doc.Probes {
			if rows, ok := serviceRows(r); ok {
				results = append(results, rows...)
				continue
			}
			results = append(results, resultRow{label: ProbeLabel(r.ID), status: r.Status, summary: r.Summary})
		}
	}
	empty := info("checks.none", "No results yet", "")
	empty.Hidden = len(results) > 0
	parent.Children = append(parent.Children, empty)
	for i := range MaxChecks {
		row := Item{ID: slot("checks", i), Hidden: true}
		if i < len(results) {
			r := results[i]
			row = info(row.ID, verdict.StatusSymbol(r.status)+" "+r.label, r.summary)
			if r.summary != "" {
				row.Title += " — " + truncate(r.summary, maxSummary)
			}
		}
		parent.Children = append(parent.Children, row)
	}
	return parent
}

type resultRow struct {
	label   string
	status  probes.Status
	summary string
}

// serviceRows turns the services probe's result into one row per Apple
// service it checked ("✗ iCloud — all 2 hosts fail: …"), which is the
// question a person asks of it; a service left to other probes (sign-in)
// or disabled shows no row. ok is false for any other probe, and for a
// services result without its evidence (then the probe's own row shows).
func serviceRows(r probes.Result) ([]resultRow, bool) {
	ev, ok := r.Evidence.(*probes.ServicesEvidence)
	if r.ID != probes.IDServices || !ok || ev == nil {
		return nil, false
	}
	var rows []resultRow
	for _, s := range ev.Services {
		if s.Status == probes.StatusSkip {
			continue
		}
		rows = append(rows, resultRow{label: s.Title, status: s.Status, summary: s.Summary})
	}
	return rows, true
}

// ProbeLabel names a probe the way a Mac user would (probes.Registry);
// unknown ids show as is.
func ProbeLabel(id probes.ID) string { return id.Label() }

func (b builder) services() Item {
	parent := Item{ID: "services", Title: "Apple Services", Enabled: true}
	var st *verdict.AppleStatus
	if b.in.Doc != nil {
		st = b.in.Doc.AppleStatus
	}
	note := info("services.note", "", "")
	switch {
	case st == nil:
		note.Title = "Not checked yet"
		note.Tooltip = "Apple System Status has not been read yet."
	case st.Error != nil:
		note.Title = "Status unavailable"
		note.Tooltip = *st.Error
		if len(st.Services) > 0 {
			note.Title = "Status unavailable — showing the last known"
		}
	case len(st.Services) == 0:
		note.Title = "No watched services listed"
	default:
		note.Hidden = true
	}
	parent.Children = append(parent.Children, note)
	for i := range MaxServices {
		row := Item{ID: slot("services", i), Hidden: true}
		if st != nil && i < len(st.Services) {
			title, tip := b.serviceRow(st.Services[i])
			row = info(row.ID, title, tip)
		}
		parent.Children = append(parent.Children, row)
	}
	return parent
}

func (b builder) notifications() Item {
	n := b.in.Notifications
	quiet := "Quiet Hours"
	if n.QuietLabel != "" {
		quiet += " (" + n.QuietLabel + ")"
	}
	pause1h := action("notifications.pause-1h", "Pause for 1 Hour", n.Enabled, Action{Kind: ActionPause1h})
	pauseTomorrow := action("notifications.pause-tomorrow", "Pause Until Tomorrow", n.Enabled, Action{Kind: ActionPauseTomorrow})
	resume := action("notifications.resume", "Resume", true, Action{Kind: ActionResume})
	pause1h.Hidden = b.in.Paused
	pauseTomorrow.Hidden = b.in.Paused
	resume.Hidden = !b.in.Paused
	return Item{ID: "notifications", Title: "Notifications", Enabled: true, Children: []Item{
		checkbox("notifications.enabled", "Enabled", true, n.Enabled, ActionToggleNotifications),
		pause1h,
		pauseTomorrow,
		resume,
		separator("notifications.sep"),
		// Recovery and quiet hours stay clickable with notifications off:
		// people set them up before turning notifications back on.
		checkbox("notifications.recovery", "Notify on Recovery", true, n.Recovery, ActionToggleRecovery),
		checkbox("notifications.quiet", quiet, true, n.QuietHours, ActionToggleQuietHours),
	}}
}

func (b builder) launchAtLogin() Item {
	if b.in.LaunchAtLogin == nil {
		it := checkbox("launch-at-login", "Launch at Login", false, false, ActionToggleLaunchAtLogin)
		it.Tooltip = "Not available on this system"
		return it
	}
	return checkbox("launch-at-login", "Launch at Login", true, *b.in.LaunchAtLogin, ActionToggleLaunchAtLogin)
}

// about is an informational row: the version is what a support request
// needs, and a link would be one more URL to keep alive.
func (b builder) about() Item {
	v := b.in.Version
	if v == "" {
		v = "(development build)"
	}
	return info("about", "About idpulse "+v, "idpulse diagnoses \u201cCan\u2019t connect to the Apple ID server\u201d.")
}
