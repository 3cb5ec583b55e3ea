// Command icons renders idpulse's app icon from the code-drawn icons in
// agent/icon (the "ok" state, in colour):
//
//	go run ./packaging/cmd/icons -iconset DIR/idpulse.iconset   # for iconutil (macOS .icns)
//	go run ./packaging/cmd/icons -png FILE -size 256            # one PNG (Linux hicolor theme)
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/idpulse/idpulse/agent/icon"
	"github.com/idpulse/idpulse/agent/menu"
)

// IconsetEntry is one file iconutil expects in an .iconset directory.
type IconsetEntry struct {
	Name string
	Px   int
}

// Iconset lists the files of a macOS .iconset: 16 to 512 points at 1x and
// 2x (Apple's "iconutil" naming).
func Iconset() []IconsetEntry {
	var out []IconsetEntry
	for _, pt := range []int{16, 32, 128, 256, 512} {
		out = append(out,
			IconsetEntry{fmt.Sprintf("icon_%dx%d.png", pt, pt), pt},
			IconsetEntry{fmt.Sprintf("icon_%dx%d@2x.png", pt, pt), 2 * pt})
	}
	return out
}

// nativeMax is the largest size drawn by agent/icon; larger sizes are that
// drawing scaled up. agent/icon draws up to icon.MaxPx (512), but its
// outline pass grows with the fourth power of the size: 256 px takes ~4 s,
// 512 px minutes. Tests lower it.
var nativeMax = min(256, icon.MaxPx)

// Render draws the app icon at px.
func Render(px int) ([]byte, error) {
	n := min(px, nativeMax)
	data := icon.PNG(menu.IconOK, false, n)
	if n == px {
		return data, nil
	}
	src, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, scale(src, px)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// scale resizes src to px×px by bilinear interpolation.
func scale(src image.Image, px int) *image.NRGBA {
	b := src.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, px, px))
	sw, sh := b.Dx(), b.Dy()
	at := func(x, y int) [4]float64 {
		x = max(0, min(sw-1, x))
		y = max(0, min(sh-1, y))
		r, g, bb, a := src.At(b.Min.X+x, b.Min.Y+y).RGBA()
		// premultiplied 16-bit
		return [4]float64{float64(r), float64(g), float64(bb), float64(a)}
	}
	for y := 0; y < px; y++ {
		y0, ty := tap(y, px, sh)
		for x := 0; x < px; x++ {
			x0, tx := tap(x, px, sw)
			p00, p10, p01, p11 := at(x0, y0), at(x0+1, y0), at(x0, y0+1), at(x0+1, y0+1)
			var c [4]float64
			for i := range c {
				top := p00[i]*(1-tx) + p10[i]*tx
				bot := p01[i]*(1-tx) + p11[i]*tx
				c[i] = top*(1-ty) + bot*ty
			}
			o := dst.PixOffset(x, y)
			if a := c[3]; a > 0 {
				dst.Pix[o+0] = uint8(c[0] / a * 255)
				dst.Pix[o+1] = uint8(c[1] / a * 255)
				dst.Pix[o+2] = uint8(c[2] / a * 255)
				dst.Pix[o+3] = uint8(a / 0xffff * 255)
			}
		}
	}
	return dst
}

// tap is where pixel i of n output pixels falls on a source axis of size
// pixels: the source pixel at or before its centre (-1 before the first
// one's centre) and how far it is on towards the next.
func tap(i, n, size int) (int, float64) {
	f := (float64(i)+0.5)*float64(size)/float64(n) - 0.5
	i0 := int(f) // f >= -0.5, so this is floor but for (-0.5, 0)
	if f < 0 {
		i0 = -1
	}
	return i0, f - float64(i0)
}

func main() {
	iconset := flag.String("iconset", "", "write a macOS .iconset into this directory")
	out := flag.String("png", "", "write one PNG to this file")
	size := flag.Int("size", 256, "with -png: the size in pixels")
	flag.Parse()
	if err := run(*iconset, *out, *size); err != nil {
		fmt.Fprintln(os.Stderr, "icons:", err)
		os.Exit(1)
	}
}

func run(iconset, out string, size int) error {
	switch {
	case iconset != "" && out == "":
		if err := os.MkdirAll(iconset, 0o755); err != nil {
			return err
		}
		for _, e := range Iconset() {
			data, err := Render(e.Px)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(iconset, e.Name), data, 0o644); err != nil {
				return err
			}
		}
		return nil
	case out != "" && iconset == "":
		if size < 16 || size > 1024 {
			return fmt.Errorf("-size %d: want 16..1024", size)
		}
		data, err := Render(size)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	}
	return errors.New("give exactly one of -iconset DIR or -png FILE")
}
