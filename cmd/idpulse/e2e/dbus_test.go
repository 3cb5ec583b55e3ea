//go:build linux

package e2e

// The desktop side of the agent tests, all over a private D-Bus daemon: a
// StatusNotifierWatcher the tray registers with, a notification server that
// records what the agent announces, and a reader for the tray's
// StatusNotifierItem and com.canonical.dbusmenu objects — what a panel sees.

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"github.com/idpulse/idpulse/agent/icon"
	"github.com/idpulse/idpulse/agent/menu"
)

const (
	// requireDBusEnv=1 (CI) turns "no dbus-daemon" from a skip into a failure.
	requireDBusEnv = "IDPULSE_REQUIRE_DBUS"

	watcherName   = "org.kde.StatusNotifierWatcher"
	watcherPath   = "/StatusNotifierWatcher"
	sniIface      = "org.kde.StatusNotifierItem"
	sniPath       = "/StatusNotifierItem"
	menuPath      = "/StatusNotifierItem/menu"
	dbusmenuIface = "com.canonical.dbusmenu"
	notifyName    = "org.freedesktop.Notifications"
	notifyPath    = "/org/freedesktop/Notifications"
)

// requireDBus skips tb (fails it under IDPULSE_REQUIRE_DBUS=1) when there is
// no dbus-daemon, and returns its path.
func requireDBus(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err == nil {
		return bin
	}
	msg := fmt.Sprintf("needs dbus-daemon (apt-get install dbus): %v", err)
	if os.Getenv(requireDBusEnv) == "1" {
		tb.Fatalf("%s (%s=1: the D-Bus tests must run on this machine)", msg, requireDBusEnv)
	}
	tb.Skip(msg)
	return ""
}

// startBus starts a private session bus and returns its address. It listens
// on a socket file, not an abstract socket: abstract unix sockets belong to
// a network namespace, and the agent runs inside one. No <servicedir>:
// nothing is ever auto-started on this bus (no real notification daemon).
func startBus(tb testing.TB) string {
	tb.Helper()
	bin := requireDBus(tb)
	dir := tb.TempDir()
	conf := filepath.Join(dir, "session.conf")
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=`+dir+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+conf, "--nofork", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start dbus-daemon: %v", err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		addr <- strings.TrimSpace(line)
		io.Copy(io.Discard, r)
	}()
	select {
	case a := <-addr:
		if !strings.HasPrefix(a, "unix:path=") {
			tb.Fatalf("dbus-daemon address %q is not a socket file (stderr: %s)", a, stderr)
		}
		return a
	case <-time.After(execTimeout):
		tb.Fatalf("dbus-daemon printed no address within %s (stderr: %s)", execTimeout, stderr)
	}
	return ""
}

// connect opens a private connection to the bus at addr, closed in Cleanup.
func connect(tb testing.TB, addr string) *dbus.Conn {
	tb.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		tb.Fatalf("connect to %s: %v", addr, err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// watcher is a deterministic org.kde.StatusNotifierWatcher (Debian's is
// racy): it records every item that registers and says a host is there.
type watcher struct {
	conn  *dbus.Conn
	props *prop.Properties

	mu         sync.Mutex
	items      []string
	registered chan string // each registration, "<unique name>/<path>"
}

// RegisterStatusNotifierItem is the watcher's method. systray sends only its
// object path; the item is then the sender's unique name plus that path.
func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	item := service
	if strings.HasPrefix(service, "/") {
		item = string(sender) + service
	}
	w.mu.Lock()
	w.items = append(w.items, item)
	items := slices.Clone(w.items)
	w.mu.Unlock()
	w.props.SetMust(watcherName, "RegisteredStatusNotifierItems", items)
	w.conn.Emit(watcherPath, watcherName+".StatusNotifierItemRegistered", item)
	select {
	case w.registered <- item:
	default:
	}
	return nil
}

// RegisterStatusNotifierHost accepts a host; this watcher always has one.
func (w *watcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

// serveWatcher owns org.kde.StatusNotifierWatcher on conn. The object and
// its properties are exported before the name is requested, so a call
// that follows the name's appearance always finds them.
func serveWatcher(tb testing.TB, conn *dbus.Conn) *watcher {
	tb.Helper()
	w := &watcher{conn: conn, registered: make(chan string, 16)}
	if err := conn.Export(w, watcherPath, watcherName); err != nil {
		tb.Fatal(err)
	}
	props, err := prop.Export(conn, watcherPath, prop.Map{watcherName: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitConst},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	w.props = props
	requestName(tb, conn, watcherName)
	return w
}

func requestName(tb testing.TB, conn *dbus.Conn, name string) {
	tb.Helper()
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		tb.Fatalf("request %s: reply %v, %v", name, reply, err)
	}
}

// notification is one Notify call the agent made.
type notification struct {
	App, Summary, Body string
	At                 time.Time
}

// notifications is a test-owned org.freedesktop.Notifications: it records
// each call instead of drawing anything.
type notifications struct {
	mu    sync.Mutex
	calls []notification
}

func (n *notifications) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, notification{App: app, Summary: summary, Body: body, At: time.Now()})
	return uint32(len(n.calls)), nil
}

func (n *notifications) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body"}, nil
}

func (n *notifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "idpulse-e2e", "idpulse", "1", "1.2", nil
}

func (n *notifications) CloseNotification(id uint32) *dbus.Error { return nil }

// all returns a copy of every call so far.
func (n *notifications) all() []notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.calls)
}

func (n *notifications) String() string {
	var b strings.Builder
	for i, c := range n.all() {
		fmt.Fprintf(&b, "  %d. %s [%s] %q: %q\n", i+1, c.At.Format("15:04:05.000"), c.App, c.Summary, c.Body)
	}
	if b.Len() == 0 {
		return "  (none)\n"
	}
	return b.String()
}

// serveNotifications owns org.freedesktop.Notifications on conn.
func serveNotifications(tb testing.TB, conn *dbus.Conn) *notifications {
	tb.Helper()
	n := &notifications{}
	if err := conn.Export(n, notifyPath, notifyName); err != nil {
		tb.Fatal(err)
	}
	requestName(tb, conn, notifyName)
	return n
}

// trayView reads one StatusNotifierItem the way a panel does.
type trayView struct {
	conn *dbus.Conn
	dest string // org.kde.StatusNotifierItem-<pid>-1
	item dbus.BusObject
	menu dbus.BusObject
}

func newTrayView(conn *dbus.Conn, dest string) *trayView {
	return &trayView{conn: conn, dest: dest, item: conn.Object(dest, sniPath), menu: conn.Object(dest, menuPath)}
}

// pixmap is one entry of IconPixmap: ARGB32, network byte order.
type pixmap struct {
	W, H int32
	Pix  []byte
}

func (v *trayView) pixmap() (pixmap, error) {
	p, err := v.item.GetProperty(sniIface + ".IconPixmap")
	if err != nil {
		return pixmap{}, err
	}
	var px []pixmap
	if err := p.Store(&px); err != nil {
		return pixmap{}, err
	}
	if len(px) != 1 {
		return pixmap{}, fmt.Errorf("IconPixmap has %d images, want 1", len(px))
	}
	return px[0], nil
}

func (v *trayView) stringProp(name string) (string, error) {
	p, err := v.item.GetProperty(sniIface + "." + name)
	if err != nil {
		return "", err
	}
	s, ok := p.Value().(string)
	if !ok {
		return "", fmt.Errorf("%s is %s, not a string", name, p.Signature())
	}
	return s, nil
}

// tooltip is the ToolTip property's title, (sa(iiay)ss).
func (v *trayView) tooltip() (string, error) {
	p, err := v.item.GetProperty(sniIface + ".ToolTip")
	if err != nil {
		return "", err
	}
	var tt struct {
		Name   string
		Icons  []pixmap
		Title  string
		Detail string
	}
	if err := p.Store(&tt); err != nil {
		return "", err
	}
	return tt.Title, nil
}

// layoutNode is one com.canonical.dbusmenu layout entry, (ia{sv}av).
type layoutNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// row is one menu item as the panel would draw it.
type row struct {
	ID      int32 // the dbusmenu id, for Event
	Label   string
	Visible bool
	Enabled bool
	Toggle  int32 // toggle-state: 1 checked, 0 not, -1 none
}

// menuView is the tray's menu keyed by the menu model's item IDs.
type menuView map[string]row

// menu reads the whole layout and pairs it, by position, with
// menu.Skeleton(): systray appends items in creation order, which is the
// skeleton's. It fails while the layout is incomplete — the first GetLayout
// after start returns the top level only.
func (v *trayView) menuLayout() (menuView, error) {
	var rev uint32
	var root layoutNode
	if err := v.menu.Call(dbusmenuIface+".GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		return nil, err
	}
	out := menuView{}
	if err := pair(root, menu.Skeleton().Items, out); err != nil {
		return nil, err
	}
	return out, nil
}

func pair(n layoutNode, items []menu.Item, out menuView) error {
	if len(n.Children) != len(items) {
		return fmt.Errorf("menu entry %d has %d children, the skeleton %d", n.ID, len(n.Children), len(items))
	}
	for i, it := range items {
		var c layoutNode
		if err := dbus.Store([]any{n.Children[i].Value()}, &c); err != nil {
			return fmt.Errorf("layout child %d of %d: %v", i, n.ID, err)
		}
		if it.Separator {
			if t, _ := c.Props["type"].Value().(string); t != "separator" {
				return fmt.Errorf("entry %d (%s) is not a separator", c.ID, it.ID)
			}
			continue
		}
		r := row{ID: c.ID, Visible: true, Enabled: true, Toggle: -1}
		if l, ok := c.Props["label"]; ok {
			r.Label, _ = l.Value().(string)
		}
		if x, ok := c.Props["visible"]; ok {
			r.Visible, _ = x.Value().(bool)
		}
		if x, ok := c.Props["enabled"]; ok {
			r.Enabled, _ = x.Value().(bool)
		}
		if x, ok := c.Props["toggle-state"]; ok {
			r.Toggle, _ = x.Value().(int32)
		}
		out[it.ID] = r
		if len(it.Children) > 0 {
			if err := pair(c, it.Children, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// visible lists the labels of the visible rows whose IDs start with prefix,
// in menu order.
func (m menuView) visible(prefix string) []string {
	var out []string
	for _, it := range flatten(menu.Skeleton().Items) {
		if r, ok := m[it.ID]; ok && r.Visible && strings.HasPrefix(it.ID, prefix) {
			out = append(out, r.Label)
		}
	}
	return out
}

func flatten(items []menu.Item) []menu.Item {
	var out []menu.Item
	for _, it := range items {
		if !it.Separator {
			out = append(out, it)
		}
		out = append(out, flatten(it.Children)...)
	}
	return out
}

// String is the visible menu, indented, for failure messages.
func (m menuView) String() string {
	var b strings.Builder
	var walk func(items []menu.Item, depth int)
	walk = func(items []menu.Item, depth int) {
		for _, it := range items {
			if it.Separator {
				fmt.Fprintf(&b, "%s----\n", strings.Repeat("  ", depth))
				continue
			}
			r, ok := m[it.ID]
			if !ok || !r.Visible {
				continue
			}
			flags := ""
			if !r.Enabled {
				flags += " (disabled)"
			}
			if r.Toggle == 1 {
				flags += " [x]"
			}
			fmt.Fprintf(&b, "%s%s%s\n", strings.Repeat("  ", depth), r.Label, flags)
			walk(it.Children, depth+1)
		}
	}
	walk(menu.Skeleton().Items, 1)
	return b.String()
}

// click sends a dbusmenu "clicked" event, as a panel does, and waits for the
// reply.
func (v *trayView) click(id int32) error {
	return v.menu.Call(dbusmenuIface+".Event", 0, id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
}

// clickNoReply sends the event without waiting for a reply: the app quits
// on it and never answers.
func (v *trayView) clickNoReply(id int32) error {
	return v.menu.Go(dbusmenuIface+".Event", dbus.FlagNoReplyExpected, nil, id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
}

// iconState names the agent icon that px shows, "" when none. It compares
// with the straight-alpha ARGB of icon.Image: every pixel's alpha, and the
// colour of the opaque ones. The anti-aliased edge's colours are left out:
// fyne.io/systray v1.12.2 mangles them (see edgeErrors).
func iconState(px pixmap) menu.IconState {
	for _, s := range menu.IconStates() {
		if sameIcon(px, icon.Image(s, false, int(px.W))) {
			return s
		}
	}
	return ""
}

func sameIcon(px pixmap, img *image.NRGBA) bool {
	b := img.Bounds()
	if int(px.W) != b.Dx() || int(px.H) != b.Dy() || len(px.Pix) != b.Dx()*b.Dy()*4 {
		return false
	}
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.NRGBAAt(x, y)
			if px.Pix[i] != c.A || (c.A == 0xff && !bytes.Equal(px.Pix[i+1:i+4], []byte{c.R, c.G, c.B})) {
				return false
			}
			i += 4
		}
	}
	return true
}

// edgeErrors counts the semi-transparent pixels of px whose colour is more
// than 8/255 off the icon's (straight alpha, as StatusNotifierItem wants),
// out of all semi-transparent pixels. fyne.io/systray's argbForImage writes
// the LOW byte of each 16-bit premultiplied channel, which speckles the
// anti-aliased edges with stray colours.
func edgeErrors(px pixmap, state menu.IconState) (bad, semi int) {
	img := icon.Image(state, false, int(px.W))
	b := img.Bounds()
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.NRGBAAt(x, y)
			if c.A != 0 && c.A != 0xff && i+3 < len(px.Pix) {
				semi++
				for k, want := range []byte{c.R, c.G, c.B} {
					if d := int(px.Pix[i+1+k]) - int(want); d > 8 || d < -8 {
						bad++
						break
					}
				}
			}
			i += 4
		}
	}
	return bad, semi
}

// dominantColour is the most common colour among px's opaque pixels as
// "#rrggbb", a human check that the ok icon is green and the down one red.
func dominantColour(px pixmap) string {
	count := map[[3]byte]int{}
	for i := 0; i+3 < len(px.Pix); i += 4 {
		if px.Pix[i] == 0xff {
			count[[3]byte{px.Pix[i+1], px.Pix[i+2], px.Pix[i+3]}]++
		}
	}
	var best [3]byte
	n := -1
	for c, k := range count {
		if k > n || (k == n && bytes.Compare(c[:], best[:]) < 0) {
			best, n = c, k
		}
	}
	if n < 0 {
		return "(no opaque pixel)"
	}
	return fmt.Sprintf("#%02x%02x%02x", best[0], best[1], best[2])
}
