package tray

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/idpulse/idpulse/agent/icon"
	"github.com/idpulse/idpulse/agent/menu"
)

// pixmapPNG encodes img so that fyne.io/systray v1.12.2 turns it into the
// right SNI IconPixmap on Linux. That version builds each ARGB byte from the
// LOW byte of the 16-bit premultiplied value image.Color.RGBA returns,
// where it should take the high byte of the un-premultiplied one: an 8-bit
// PNG comes out with wrong colours on every anti-aliased edge pixel. A
// 16-bit image whose values are chosen so that those low bytes are exactly
// the wanted 8-bit values sidesteps it until the library is fixed.
func pixmapPNG(img *image.NRGBA) []byte {
	b := img.Bounds()
	out := image.NewNRGBA64(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.NRGBAAt(x, y)
			out.SetNRGBA64(x, y, compensate(c))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return nil // cannot happen for an in-memory image
	}
	return buf.Bytes()
}

// compensate picks the 16-bit colour whose premultiplied value has c's
// channels in its low byte and whose alpha has c.A in its low byte.
func compensate(c color.NRGBA) color.NRGBA64 {
	a16 := uint32(c.A) * 0x101
	ch := func(v uint8) uint16 {
		switch {
		case a16 == 0:
			return 0
		case a16 == 0xffff:
			return uint16(uint32(v) * 0x101)
		}
		// premultiplied = v16*a16/0xffff; make it equal v (< 256).
		return uint16((uint32(v)*0xffff + a16 - 1) / a16)
	}
	return color.NRGBA64{R: ch(c.R), G: ch(c.G), B: ch(c.B), A: uint16(a16)}
}

// linuxIcons are the colour icons encoded for systray's Linux pixmap path.
func linuxIcons(px int) map[menu.IconState][2][]byte {
	out := make(map[menu.IconState][2][]byte)
	for _, s := range menu.IconStates() {
		out[s] = [2][]byte{icon.PNG(s, true, px), pixmapPNG(icon.Image(s, false, px))}
	}
	return out
}
