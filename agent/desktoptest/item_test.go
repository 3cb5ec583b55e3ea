//go:build linux

package desktoptest

import (
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

// fakeMenu is the menu side of a fake StatusNotifierItem.
type fakeMenu struct {
	mu     sync.Mutex
	clicks []int32
}

func (m *fakeMenu) GetLayout(parent, depth int32, props []string) (uint32, rawNode, *dbus.Error) {
	leaf := func(id int32, label string) dbus.Variant {
		return dbus.MakeVariant(rawNode{ID: id, Props: map[string]dbus.Variant{"label": dbus.MakeVariant(label)}, Children: []dbus.Variant{}})
	}
	sub := rawNode{ID: 2, Props: map[string]dbus.Variant{"label": dbus.MakeVariant("More"), "children-display": dbus.MakeVariant("submenu")},
		Children: []dbus.Variant{leaf(3, "Inner")}}
	return 7, rawNode{ID: 0, Props: map[string]dbus.Variant{}, Children: []dbus.Variant{leaf(1, "Top"), dbus.MakeVariant(sub)}}, nil
}

func (m *fakeMenu) Event(id int32, event string, data dbus.Variant, ts uint32) *dbus.Error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if event == "clicked" {
		m.clicks = append(m.clicks, id)
	}
	return nil
}

func (m *fakeMenu) clicked() []int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.clicks)
}

func TestItem(t *testing.T) {
	bus := StartBus(t)
	app := bus.Connect(t)
	px := Pixmap{W: 2, H: 1, Pix: []byte{0xff, 1, 2, 3, 0x80, 4, 5, 6}}
	tooltip := struct {
		Name   string
		Icons  []Pixmap
		Title  string
		Detail string
	}{"", []Pixmap{}, "the title", "detail"}
	if _, err := prop.Export(app, ItemPath, prop.Map{ItemIface: {
		"IconPixmap": {Value: []Pixmap{px}},
		"ToolTip":    {Value: tooltip},
		"Title":      {Value: "app title"},
	}}); err != nil {
		t.Fatal(err)
	}
	m := &fakeMenu{}
	if err := app.Export(m, MenuPath, MenuIface); err != nil {
		t.Fatal(err)
	}
	dest := ItemName(os.Getpid())
	requestName(t, app, dest)

	it := NewItem(bus.Connect(t), dest)
	if got, err := it.Pixmap(); err != nil || got.W != 2 || got.H != 1 || string(got.Pix) != string(px.Pix) {
		t.Errorf("Pixmap() = %+v, %v; want %+v", got, err, px)
	}
	if got, err := it.ToolTipTitle(); err != nil || got != "the title" {
		t.Errorf("ToolTipTitle() = %q, %v", got, err)
	}
	if got, err := it.StringProp("Title"); err != nil || got != "app title" {
		t.Errorf("StringProp(Title) = %q, %v", got, err)
	}
	if _, err := it.StringProp("ToolTip"); err == nil {
		t.Error("StringProp(ToolTip) gave no error for a struct")
	}
	root, err := it.Layout()
	if err != nil {
		t.Fatal(err)
	}
	if len(root.Children) != 2 || root.Children[0].Prop("label") != "Top" || root.Children[1].ID != 2 ||
		len(root.Children[1].Children) != 1 || root.Children[1].Children[0].Prop("label") != "Inner" ||
		root.Children[0].Prop("visible") != nil {
		t.Errorf("Layout() = %+v", root)
	}
	if err := it.Click(3); err != nil {
		t.Fatal(err)
	}
	if err := it.ClickNoReply(1); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(m.clicked()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := m.clicked(); !slices.Equal(got, []int32{3, 1}) {
		t.Errorf("clicks %v, want [3 1]", got)
	}
}
