//go:build !darwin || cgo

package tray

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/systray"

	"github.com/idpulse/idpulse/agent/icon"
	"github.com/idpulse/idpulse/agent/menu"
)

// clickBuffer is how many clicks may wait for the agent. A person clicks a
// few times a minute; the buffer only has to cover a busy moment.
const clickBuffer = 16

// Tray is the live menu bar item. Get one from Run's ready callback.
type Tray struct {
	cfg    config
	icons  map[menu.IconState][2][]byte
	clicks chan menu.Action

	// done is closed when the tray shuts down; it stops the click readers
	// and a pending re-assert.
	done     chan struct{}
	stopOnce sync.Once
	// reasserted is closed once the Linux re-assert has run or been
	// skipped (tests wait for it before counting icon updates).
	reasserted chan struct{}

	// closed is set by Quit and by the end of the loop; once set, no
	// systray call is made. It is atomic because systray's exit callback
	// sets it on the macOS main thread, which must never wait for mu: an
	// Apply holding mu may be waiting for that very thread.
	closed        atomic.Bool
	quitRequested atomic.Bool

	mu         sync.Mutex // serialises the Tray's systray calls; guards the fields below
	slots      map[string]*slot
	icon       menu.IconState // the icon shown; "" before the first
	tooltip    string
	tooltipSet bool
}

// slot is one native menu item and what it shows now.
type slot struct {
	item *systray.MenuItem
	last menu.Item // as last applied, without children
	// action is what a click sends now; nil while the row is disabled,
	// hidden or informational.
	action atomic.Pointer[menu.Action]
}

// Run runs the platform's tray loop and blocks until Quit (or, on macOS,
// until the app is terminated). On macOS it must be called on the main
// goroutine; on Linux it returns ErrNoSessionBus at once when there is no
// session bus. Run may be called once per process (systray is global).
//
// ready is called on its own goroutine once the loop is up. It must return
// quickly: on Linux the tray host cannot read the menu until it has. Start
// the UI goroutine that calls Apply there. exit, if not nil, is called
// when the loop ends — on Linux after Quit; on macOS only when AppKit
// terminates the app (logout), not after Quit (fyne-io/systray#128), so
// do cleanup after Run returns as well.
func Run(ready func(t *Tray), exit func()) error {
	return run(configFor(runtime.GOOS), ready, exit)
}

func run(cfg config, ready func(t *Tray), exit func()) (err error) {
	if cfg.needsBus && !sessionBusAvailable(os.Getenv, fileExists) {
		return ErrNoSessionBus
	}
	t := newTray(cfg)
	var exitRunning atomic.Bool
	defer func() {
		t.shutdown()
		r := recover()
		switch {
		case r == nil:
		case exitRunning.Load():
			panic(r) // the caller's exit callback: not ours to hide
		case t.quitRequested.Load():
			// systray v1.12.2 closes its D-Bus connection after Quit
			// even when it never connected (no usable bus): a nil
			// pointer panic on this goroutine, after exit has run.
			// Fixed upstream after the release (fyne-io/systray#121).
			// The tray had shut down as asked; nothing is lost.
			err = nil
		default:
			err = fmt.Errorf("tray: systray panicked: %v", r)
		}
	}()
	systray.Run(func() {
		if cfg.needsBus {
			// The SNI Title doubles as the item's Id, which panels use to
			// remember whether the user hid it; without a title systray
			// makes it "systray_<pid>", new on every launch. On macOS a
			// title would be text beside the icon, so Linux only.
			systray.SetTitle("idpulse")
		}
		go t.reassertAfter(cfg.reassert)
		go t.forwardOpened()
		if ready != nil {
			ready(t)
		}
	}, func() {
		t.closed.Store(true)
		exitRunning.Store(true)
		if exit != nil {
			exit()
		}
		exitRunning.Store(false)
	})
	return nil
}

func newTray(cfg config) *Tray {
	return &Tray{
		cfg:        cfg,
		icons:      iconsFor(cfg),
		clicks:     make(chan menu.Action, clickBuffer),
		done:       make(chan struct{}),
		reasserted: make(chan struct{}),
	}
}

// iconsFor prepares every icon once; Linux gets the pixmap-safe encoding.
func iconsFor(cfg config) map[menu.IconState][2][]byte {
	if cfg.needsBus {
		return linuxIcons(cfg.iconPx)
	}
	return icon.Set(cfg.iconPx)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Apply shows m. Call it from one UI goroutine only, so that models apply
// in order. The first call creates every item from menu.Skeleton(); later
// calls change only what differs from the last model, because on Linux
// every change is a D-Bus signal and a menu re-read by the host. Items of
// m that the skeleton does not have are ignored. After Quit, Apply does
// nothing.
func (t *Tray) Apply(m menu.Model) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed.Load() {
		return
	}
	cur := index(m.Items, map[string]menu.Item{})
	if t.slots == nil {
		t.slots = map[string]*slot{}
		t.create(menu.Skeleton().Items, nil, cur)
	}
	// Only on a change: tray hosts keep every pixmap they are sent.
	if m.Icon != t.icon {
		t.setIcon(m.Icon)
		t.icon = m.Icon
	}
	if !t.tooltipSet || m.Tooltip != t.tooltip {
		systray.SetTooltip(m.Tooltip)
		t.tooltip, t.tooltipSet = m.Tooltip, true
	}
	t.update(m.Items)
}

// update applies a model level in menu order, so that the signals a Linux
// host sees follow the menu.
func (t *Tray) update(items []menu.Item) {
	for _, it := range items {
		if s := t.slots[it.ID]; s != nil && !it.Separator {
			s.apply(it)
		}
		t.update(it.Children)
	}
}

func index(items []menu.Item, into map[string]menu.Item) map[string]menu.Item {
	for _, it := range items {
		if !it.Separator {
			into[it.ID] = it
		}
		index(it.Children, into)
	}
	return into
}

// create makes the native items for a skeleton level, in order, titled
// from the current model so the first Apply does not retitle them all.
func (t *Tray) create(items []menu.Item, parent *systray.MenuItem, cur map[string]menu.Item) {
	for _, sk := range items {
		if sk.Separator {
			if parent == nil {
				systray.AddSeparator()
			} else {
				parent.AddSeparator()
			}
			continue
		}
		it, ok := cur[sk.ID]
		if !ok {
			it = sk
		}
		checked := sk.Checkable && it.Checked
		var mi *systray.MenuItem
		switch {
		case parent == nil && sk.Checkable:
			mi = systray.AddMenuItemCheckbox(it.Title, it.Tooltip, checked)
		case parent == nil:
			mi = systray.AddMenuItem(it.Title, it.Tooltip)
		case sk.Checkable:
			mi = parent.AddSubMenuItemCheckbox(it.Title, it.Tooltip, checked)
		default:
			mi = parent.AddSubMenuItem(it.Title, it.Tooltip)
		}
		// What systray shows for a new item: enabled, visible.
		s := &slot{item: mi, last: menu.Item{ID: sk.ID, Title: it.Title, Tooltip: it.Tooltip, Enabled: true, Checked: checked}}
		t.slots[sk.ID] = s
		go t.forward(s)
		t.create(sk.Children, mi, cur)
	}
}

// apply brings one native item to it, calling systray only for changes.
func (s *slot) apply(it menu.Item) {
	mi, last := s.item, s.last
	if it.Title != last.Title {
		mi.SetTitle(it.Title)
	}
	if it.Tooltip != last.Tooltip {
		mi.SetTooltip(it.Tooltip)
	}
	if it.Enabled != last.Enabled {
		if it.Enabled {
			mi.Enable()
		} else {
			mi.Disable()
		}
	}
	if it.Checked != last.Checked {
		if it.Checked {
			mi.Check()
		} else {
			mi.Uncheck()
		}
	}
	if it.Hidden != last.Hidden {
		if it.Hidden {
			mi.Hide()
		} else {
			mi.Show()
		}
	}
	var a *menu.Action
	if it.Enabled && !it.Hidden && it.Action.Kind != menu.ActionNone {
		act := it.Action
		a = &act
	}
	s.action.Store(a)
	it.Children = nil
	s.last = it
}

// setIcon shows the icon of state; mu must be held.
func (t *Tray) setIcon(state menu.IconState) {
	pair, ok := t.icons[state]
	if !ok {
		pair = [2][]byte{icon.PNG(state, true, t.cfg.iconPx), icon.PNG(state, false, t.cfg.iconPx)}
	}
	if t.cfg.template {
		systray.SetTemplateIcon(pair[0], pair[1])
	} else {
		systray.SetIcon(pair[1])
	}
}

// reassertAfter re-sets the icon and tooltip once, d after ready (see
// config.reassert: values set while systray exports itself on Linux are
// lost). d <= 0 skips it.
func (t *Tray) reassertAfter(d time.Duration) {
	defer close(t.reasserted)
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.done:
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed.Load() || t.icon == "" {
		// Nothing shown yet: the first Apply comes after the export.
		return
	}
	t.setIcon(t.icon)
	systray.SetTooltip(t.tooltip)
}

// Clicks delivers the actions of clicked rows. It is never closed. Clicks
// on disabled, hidden and informational rows are not delivered, and a
// click arriving while the channel is full is dropped (the person clicks
// again), so a slow agent never stalls the menu.
func (t *Tray) Clicks() <-chan menu.Action { return t.clicks }

// forwardOpened reports each opening of the menu as ActionMenuOpened.
func (t *Tray) forwardOpened() {
	for {
		select {
		case <-t.done:
			return
		case <-systray.TrayOpenedCh:
			select {
			case t.clicks <- menu.Action{Kind: menu.ActionMenuOpened}:
			default: // the agent is busy; the menu already shows recent text
			}
		}
	}
}

// forward hands one item's clicks to the shared channel. Each item has its
// own reader because systray drops a click when nobody is receiving.
func (t *Tray) forward(s *slot) {
	for {
		select {
		case _, ok := <-s.item.ClickedCh:
			if !ok {
				return // the item was removed
			}
			a := s.action.Load()
			if a == nil {
				continue
			}
			select {
			case t.clicks <- *a:
			default:
			}
		case <-t.done:
			return
		}
	}
}

// Quit makes Run return. It is idempotent, and from the moment it is called
// Apply makes no systray calls (on macOS a call after the loop stops never
// returns). It waits for an Apply in progress to finish.
func (t *Tray) Quit() {
	t.mu.Lock()
	already := t.closed.Swap(true)
	if !already {
		t.quitRequested.Store(true)
	}
	t.mu.Unlock()
	if already {
		return
	}
	t.shutdown()
	// v1.12.2's panic without a session bus surfaces in Run, on the loop's
	// goroutine, not here; Run recovers it.
	systray.Quit()
}

// shutdown stops the click readers and a pending re-assert.
func (t *Tray) shutdown() {
	t.closed.Store(true)
	t.stopOnce.Do(func() { close(t.done) })
}
