package icon

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/idpulse/idpulse/agent/menu"
)

var updateSheet = flag.Bool("update-sheet", false, "write testdata/icons.png, the contact sheet of every icon")

func decode(t *testing.T, b []byte) *image.NRGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	n, ok := img.(*image.NRGBA)
	if !ok {
		// Convert whatever the decoder chose; the tests read NRGBA.
		n = image.NewNRGBA(img.Bounds())
		draw.Draw(n, n.Bounds(), img, img.Bounds().Min, draw.Src)
	}
	return n
}

func TestPNGSizes(t *testing.T) {
	for _, px := range []int{16, 22, 24, 32, 64} {
		for _, s := range menu.IconStates() {
			for _, tmpl := range []bool{true, false} {
				img := decode(t, PNG(s, tmpl, px))
				if b := img.Bounds(); b.Dx() != px || b.Dy() != px {
					t.Errorf("%s template=%v px=%d: size %v", s, tmpl, px, b)
				}
			}
		}
	}
	if b := decode(t, PNG(menu.IconOK, true, 1)).Bounds(); b.Dx() != MinPx {
		t.Errorf("px=1 not clamped: %v", b)
	}
}

func TestTemplateIsBlackAlpha(t *testing.T) {
	for _, s := range menu.IconStates() {
		img := decode(t, PNG(s, true, 32))
		var opaque, partial int
		for i := 0; i < len(img.Pix); i += 4 {
			r, g, b, a := img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3]
			if a > 0 && (r != 0 || g != 0 || b != 0) {
				t.Fatalf("%s: pixel %d is (%d,%d,%d,%d), want black", s, i/4, r, g, b, a)
			}
			switch {
			case a == 255:
				opaque++
			case a > 0:
				partial++
			}
		}
		if opaque < 40 {
			t.Errorf("%s: only %d opaque pixels", s, opaque)
		}
		if partial == 0 {
			t.Errorf("%s: no partially covered pixels: not anti-aliased", s)
		}
		for _, p := range [][2]int{{0, 0}, {31, 0}, {0, 31}, {31, 31}} {
			if a := img.NRGBAAt(p[0], p[1]).A; a != 0 {
				t.Errorf("%s: corner %v has alpha %d", s, p, a)
			}
		}
	}
}

// mask is the set of pixels at least half covered.
func mask(img *image.NRGBA) []bool {
	m := make([]bool, len(img.Pix)/4)
	for i := range m {
		m[i] = img.Pix[4*i+3] >= 128
	}
	return m
}

// TestShapesDiffer: the template icon is all macOS shows, so the states
// must be told apart by shape alone.
func TestShapesDiffer(t *testing.T) {
	const minDiff = 0.10 // share of the icon's pixels
	states := menu.IconStates()
	masks := map[menu.IconState][]bool{}
	for _, s := range states {
		masks[s] = mask(decode(t, PNG(s, true, 32)))
	}
	for i, a := range states {
		for _, b := range states[i+1:] {
			diff := 0
			for p := range masks[a] {
				if masks[a][p] != masks[b][p] {
					diff++
				}
			}
			share := float64(diff) / float64(len(masks[a]))
			t.Logf("%s vs %s: %.0f%% of pixels differ", a, b, share*100)
			if share < minDiff {
				t.Errorf("%s and %s differ in %.1f%% of pixels, want ≥ %.0f%%", a, b, share*100, minDiff*100)
			}
		}
	}
}

func TestColourIcons(t *testing.T) {
	// The hue each state must read as: the dominant channel(s) of its body.
	want := map[menu.IconState]func(r, g, b int) bool{
		menu.IconOK:       func(r, g, b int) bool { return g > r+60 && g > b+60 },
		menu.IconDegraded: func(r, g, b int) bool { return r > 200 && g > 120 && b < 60 },
		menu.IconDown:     func(r, g, b int) bool { return r > g+120 && r > b+120 },
		menu.IconChecking: func(r, g, b int) bool { return abs(r-g) < 20 && abs(g-b) < 20 && r > 100 },
		menu.IconPaused:   func(r, g, b int) bool { return b > r+120 && b > g+40 },
	}
	for _, s := range menu.IconStates() {
		img := decode(t, PNG(s, false, 32))
		// The centre half must carry the colour: that is what people see.
		// Not all of it: the spinner and the bars are open in the middle.
		var n, hits, dark int
		for y := 8; y < 24; y++ {
			for x := 8; x < 24; x++ {
				c := img.NRGBAAt(x, y)
				if c.A == 255 {
					n++
					if want[s](int(c.R), int(c.G), int(c.B)) {
						hits++
					}
				}
			}
		}
		for i := 0; i < len(img.Pix); i += 4 {
			if a := img.Pix[i+3]; a > 0 && a < 255 && img.Pix[i] < 40 && img.Pix[i+1] < 40 && img.Pix[i+2] < 40 {
				dark++
			}
		}
		if n < 10 || hits*2 < n {
			t.Errorf("%s: %d opaque centre pixels, %d of them in the expected hue", s, n, hits)
		}
		if dark < 20 {
			t.Errorf("%s: only %d dark outline pixels", s, dark)
		}
	}
}

func abs(x int) int { return max(x, -x) }

func TestDeterministic(t *testing.T) {
	for _, s := range menu.IconStates() {
		if !bytes.Equal(PNG(s, false, 32), PNG(s, false, 32)) {
			t.Errorf("%s: two renders differ", s)
		}
	}
	set := Set(32)
	if len(set) != len(menu.IconStates()) {
		t.Fatalf("Set has %d states", len(set))
	}
	for s, pair := range set {
		if !bytes.Equal(pair[0], PNG(s, true, 32)) || !bytes.Equal(pair[1], PNG(s, false, 32)) {
			t.Errorf("Set(32)[%s] is not (template, colour)", s)
		}
	}
	if !bytes.Equal(PNG("no-such-state", true, 32), PNG(menu.IconChecking, true, 32)) {
		t.Errorf("an unknown state should draw the checking icon")
	}
}

// sheet lays every icon out as people will see it: rows are states;
// columns are the template on a light and a dark menu bar (tinted as macOS
// does), the colour icon on light and dark, all at 64 px (16 pt at 4×),
// then the real 32 px template and colour icons magnified 2× without
// smoothing, to judge the pixels themselves.
func sheet() *image.NRGBA {
	const cell, pad = 64, 8
	light := color.NRGBA{0xF2, 0xF2, 0xF2, 255}
	dark := color.NRGBA{0x26, 0x26, 0x28, 255}
	type col struct {
		bg       color.NRGBA
		template bool
		tint     *color.NRGBA // template drawn in this colour
		px, zoom int
	}
	white := color.NRGBA{255, 255, 255, 255}
	cols := []col{
		{light, true, nil, 64, 1}, {dark, true, &white, 64, 1},
		{light, false, nil, 64, 1}, {dark, false, nil, 64, 1},
		{light, true, nil, 32, 2}, {dark, false, nil, 32, 2},
	}
	states := menu.IconStates()
	out := image.NewNRGBA(image.Rect(0, 0, len(cols)*(cell+pad)+pad, len(states)*(cell+pad)+pad))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.NRGBA{0x80, 0x80, 0x80, 255}), image.Point{}, draw.Src)
	for r, s := range states {
		for c, cl := range cols {
			x0, y0 := pad+c*(cell+pad), pad+r*(cell+pad)
			draw.Draw(out, image.Rect(x0, y0, x0+cell, y0+cell), image.NewUniform(cl.bg), image.Point{}, draw.Src)
			icon := Image(s, cl.template, cl.px)
			if cl.tint != nil {
				for i := 0; i < len(icon.Pix); i += 4 {
					icon.Pix[i], icon.Pix[i+1], icon.Pix[i+2] = cl.tint.R, cl.tint.G, cl.tint.B
				}
			}
			zoomed := image.NewNRGBA(image.Rect(0, 0, cl.px*cl.zoom, cl.px*cl.zoom))
			for y := range zoomed.Rect.Dy() {
				for x := range zoomed.Rect.Dx() {
					zoomed.SetNRGBA(x, y, icon.NRGBAAt(x/cl.zoom, y/cl.zoom))
				}
			}
			draw.Draw(out, image.Rect(x0, y0, x0+cell, y0+cell), zoomed, image.Point{}, draw.Over)
		}
	}
	return out
}

// TestContactSheet keeps testdata/icons.png, the picture reviewers look at,
// in step with the code. Regenerate it with
//
//	go test ./agent/icon -run TestContactSheet -update-sheet
func TestContactSheet(t *testing.T) {
	path := filepath.Join("testdata", "icons.png")
	got := sheet()
	if *updateSheet {
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, got); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-sheet to create it)", err)
	}
	// Compare pixels, not bytes: the PNG encoder's output may change
	// between Go releases while the picture does not.
	want := decode(t, b)
	if !want.Bounds().Eq(got.Bounds()) || !bytes.Equal(want.Pix, got.Pix) {
		t.Errorf("%s is out of date: run go test ./agent/icon -run TestContactSheet -update-sheet, then look at it", path)
	}
}

func BenchmarkSet32(b *testing.B) {
	for b.Loop() {
		Set(32)
	}
}

func Example() {
	set := Set(32)
	tmpl, colour := set[menu.IconDown][0], set[menu.IconDown][1]
	fmt.Println(len(tmpl) > 0, len(colour) > 0)
	// Output: true true
}
