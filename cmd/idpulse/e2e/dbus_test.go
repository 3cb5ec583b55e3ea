//go:build linux

package e2e

// The desktop side of the agent tests, all over a private D-Bus daemon: a
// StatusNotifierWatcher the tray registers with, a notification server that
// records what the agent announces, and a reader for the tray's
// StatusNotifierItem and com.canonical.dbusmenu objects — what a panel sees.
// The plumbing is agent/desktoptest; here is what is the agent's own: its
// menu paired with menu.Skeleton, and its icon recognised by its pixels.

import (
	"bytes"
	"fmt"
	"image"
	"strings"

	"github.com/godbus/dbus/v5"

	"github.com/idpulse/idpulse/agent/desktoptest"
	"github.com/idpulse/idpulse/agent/icon"
	"github.com/idpulse/idpulse/agent/menu"
)

// trayView reads one StatusNotifierItem the way a panel does.
type trayView struct {
	*desktoptest.Item
}

func newTrayView(conn *dbus.Conn, dest string) *trayView {
	return &trayView{desktoptest.NewItem(conn, dest)}
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

// menuLayout reads the whole layout and pairs it, by position, with
// menu.Skeleton(): systray appends items in creation order, which is the
// skeleton's. It fails while the layout is incomplete — the first GetLayout
// after start returns the top level only.
func (v *trayView) menuLayout() (menuView, error) {
	root, err := v.Layout()
	if err != nil {
		return nil, err
	}
	out := menuView{}
	if err := pair(root, menu.Skeleton().Items, out); err != nil {
		return nil, err
	}
	return out, nil
}

func pair(n desktoptest.Node, items []menu.Item, out menuView) error {
	if len(n.Children) != len(items) {
		return fmt.Errorf("menu entry %d has %d children, the skeleton %d", n.ID, len(n.Children), len(items))
	}
	for i, it := range items {
		c := n.Children[i]
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

// iconState names the agent icon that px shows, "" when none. It compares
// with the straight-alpha ARGB of icon.Image: every pixel's alpha, and the
// colour of the opaque ones. The anti-aliased edge's colours are left out:
// fyne.io/systray v1.12.2 mangles them (see edgeErrors).
func iconState(px desktoptest.Pixmap) menu.IconState {
	for _, s := range menu.IconStates() {
		if sameIcon(px, icon.Image(s, false, int(px.W))) {
			return s
		}
	}
	return ""
}

func sameIcon(px desktoptest.Pixmap, img *image.NRGBA) bool {
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
func edgeErrors(px desktoptest.Pixmap, state menu.IconState) (bad, semi int) {
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
func dominantColour(px desktoptest.Pixmap) string {
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
