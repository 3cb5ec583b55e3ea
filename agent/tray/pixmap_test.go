package tray

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/idpulse/idpulse/agent/icon"
	"github.com/idpulse/idpulse/agent/menu"
)

// TestPixmapSurvivesSystrayConversion decodes the PNG we hand systray and
// converts it the way v1.12.2 does (low byte of the premultiplied 16-bit
// value), and expects exactly the icon's 8-bit colours back.
func TestPixmapSurvivesSystrayConversion(t *testing.T) {
	for _, s := range menu.IconStates() {
		want := icon.Image(s, false, 32)
		img, err := png.Decode(bytes.NewReader(pixmapPNG(want)))
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, a := img.At(x, y).RGBA()
				got := [4]uint8{uint8(a), uint8(r), uint8(g), uint8(bl)} // systray: byte(v), the low byte
				c := want.NRGBAAt(x, y)
				exp := [4]uint8{c.A, c.R, c.G, c.B}
				if c.A == 0 {
					exp = [4]uint8{}
				}
				if got != exp {
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d pixels would be drawn wrong", s, bad, b.Dx()*b.Dy())
		}
	}
}
