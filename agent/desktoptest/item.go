//go:build linux

package desktoptest

import (
	"fmt"

	"github.com/godbus/dbus/v5"
)

const (
	// ItemIface is the StatusNotifierItem interface (properties, signals).
	ItemIface = "org.kde.StatusNotifierItem"
	// ItemPath is the item's object.
	ItemPath = "/StatusNotifierItem"
	// MenuIface is the menu's interface.
	MenuIface = "com.canonical.dbusmenu"
	// MenuPath is the item's menu object.
	MenuPath = "/StatusNotifierItem/menu"
)

// ItemName is the bus name fyne.io/systray takes in process pid.
func ItemName(pid int) string {
	return fmt.Sprintf("%s-%d-1", ItemIface, pid)
}

// Item reads one StatusNotifierItem and its menu the way a panel does.
type Item struct {
	obj, menu dbus.BusObject
}

// NewItem reads the item that dest owns, over conn. It calls nothing yet.
func NewItem(conn *dbus.Conn, dest string) *Item {
	return &Item{obj: conn.Object(dest, ItemPath), menu: conn.Object(dest, MenuPath)}
}

// Pixmap is one entry of IconPixmap: W×H pixels of ARGB32, network byte
// order (A, R, G, B), straight alpha.
type Pixmap struct {
	W, H int32
	Pix  []byte
}

// Pixmap returns the IconPixmap property, which must hold exactly one image.
func (it *Item) Pixmap() (Pixmap, error) {
	p, err := it.obj.GetProperty(ItemIface + ".IconPixmap")
	if err != nil {
		return Pixmap{}, err
	}
	var px []Pixmap
	if err := p.Store(&px); err != nil {
		return Pixmap{}, err
	}
	if len(px) != 1 {
		return Pixmap{}, fmt.Errorf("IconPixmap has %d images, want 1", len(px))
	}
	return px[0], nil
}

// ToolTipTitle returns the title of the ToolTip property, (sa(iiay)ss).
func (it *Item) ToolTipTitle() (string, error) {
	p, err := it.obj.GetProperty(ItemIface + ".ToolTip")
	if err != nil {
		return "", err
	}
	var tt struct {
		Name   string
		Icons  []Pixmap
		Title  string
		Detail string
	}
	if err := p.Store(&tt); err != nil {
		return "", err
	}
	return tt.Title, nil
}

// StringProp returns the string property name (Title, Id, Status, …).
func (it *Item) StringProp(name string) (string, error) {
	p, err := it.obj.GetProperty(ItemIface + "." + name)
	if err != nil {
		return "", err
	}
	s, ok := p.Value().(string)
	if !ok {
		return "", fmt.Errorf("%s is %s, not a string", name, p.Signature())
	}
	return s, nil
}

// Node is one com.canonical.dbusmenu layout entry, (ia{sv}av), with its
// children decoded.
type Node struct {
	ID       int32 // the dbusmenu id, for Click
	Props    map[string]dbus.Variant
	Children []Node
}

// Prop is the value of property name, nil when the entry does not send it
// (dbusmenu then means the default: visible, enabled, no toggle).
func (n Node) Prop(name string) any {
	if v, ok := n.Props[name]; ok {
		return v.Value()
	}
	return nil
}

// Layout reads the whole menu, GetLayout(0, -1).
//
// One read may not be the whole menu: the first GetLayout after systray
// starts returns the top level only (it does that on purpose, for
// libdbusmenu-gtk), and an application changes its menu at any time. A
// caller therefore polls Layout until it shows what the caller expects.
func (it *Item) Layout() (Node, error) {
	var rev uint32
	var root rawNode
	if err := it.menu.Call(MenuIface+".GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		return Node{}, err
	}
	return root.decode()
}

// rawNode is a layout entry as it comes off the wire: children in variants.
type rawNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

func (r rawNode) decode() (Node, error) {
	n := Node{ID: r.ID, Props: r.Props, Children: make([]Node, len(r.Children))}
	for i, v := range r.Children {
		var c rawNode
		if err := dbus.Store([]any{v.Value()}, &c); err != nil {
			return Node{}, fmt.Errorf("layout child %d of %d: %v", i, r.ID, err)
		}
		var err error
		if n.Children[i], err = c.decode(); err != nil {
			return Node{}, err
		}
	}
	return n, nil
}

// Click sends a dbusmenu "clicked" event for entry id, as a panel does, and
// waits for the reply.
func (it *Item) Click(id int32) error {
	return it.menu.Call(MenuIface+".Event", 0, id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
}

// ClickNoReply sends the event without waiting for a reply, for an entry
// the application quits on without answering.
func (it *Item) ClickNoReply(id int32) error {
	return it.menu.Go(MenuIface+".Event", dbus.FlagNoReplyExpected, nil, id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
}
