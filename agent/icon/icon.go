// Package icon draws the menu bar icons in code, so there are no image
// assets to keep in sync with the states they stand for.
//
// Each state has its own shape, not only its own colour: macOS shows the
// template (monochrome) icon, and people who cannot tell red from green
// still need to see "down". ok is a ring with a check mark, degraded a
// warning triangle, down a disc with an X, checking a spinner of dots and
// paused two bars.
//
// Shapes are rasterised at 4× and box-filtered down for anti-aliasing. All
// coverage tests use integer arithmetic, so the same call gives the same
// bytes on every machine.
package icon

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"

	"github.com/idpulse/idpulse/agent/menu"
)

// Size bounds for PNG; sizes outside are clamped.
const (
	MinPx = 8
	MaxPx = 512
)

// ss is the supersampling factor per axis.
const ss = 4

// PNG renders state as a px×px PNG. template=true gives a black glyph whose
// alpha is the shape (macOS tints template images for light and dark menu
// bars); template=false gives the coloured icon with a thin dark outline,
// which reads on light and dark panels alike. An unknown state draws the
// checking icon: it claims nothing.
func PNG(state menu.IconState, template bool, px int) []byte {
	img := Image(state, template, px)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		// Encoding an in-memory NRGBA into a bytes.Buffer cannot fail.
		panic("icon: png encode: " + err.Error())
	}
	return buf.Bytes()
}

// Set renders every state at px: [0] is the template icon, [1] the colour
// one — the argument order of systray's SetTemplateIcon.
func Set(px int) map[menu.IconState][2][]byte {
	out := make(map[menu.IconState][2][]byte)
	for _, s := range menu.IconStates() {
		out[s] = [2][]byte{PNG(s, true, px), PNG(s, false, px)}
	}
	return out
}

// Image renders state as an image; PNG encodes it.
func Image(state menu.IconState, template bool, px int) *image.NRGBA {
	px = min(max(px, MinPx), MaxPx)
	g := glyphFor(state, px*ss)
	pal := paletteFor(state)
	if template {
		pal = palette{body: color.NRGBA{A: 255}}
	}
	return g.render(px, pal, template)
}

// palette colours a glyph. Colours are Apple's system colours, which are
// chosen to read on both light and dark backgrounds.
type palette struct {
	body, cut color.NRGBA
}

func paletteFor(s menu.IconState) palette {
	white := color.NRGBA{R: 255, G: 255, B: 255, A: 255}
	switch s {
	case menu.IconOK:
		return palette{body: color.NRGBA{R: 0x30, G: 0xB0, B: 0x50, A: 255}, cut: white}
	case menu.IconDegraded:
		// Dark on amber, as on road signs: white on amber is too faint.
		return palette{body: color.NRGBA{R: 0xFF, G: 0xA8, B: 0x00, A: 255}, cut: color.NRGBA{R: 0x1D, G: 0x1D, B: 0x1F, A: 255}}
	case menu.IconDown:
		return palette{body: color.NRGBA{R: 0xF0, G: 0x3A, B: 0x30, A: 255}, cut: white}
	case menu.IconPaused:
		return palette{body: color.NRGBA{R: 0x0A, G: 0x84, B: 0xFF, A: 255}, cut: white}
	}
	return palette{body: color.NRGBA{R: 0x8E, G: 0x8E, B: 0x93, A: 255}, cut: white}
}

// glyph is a shape on the supersampled grid: body is drawn, cut is knocked
// out of it (transparent in a template, a contrasting colour otherwise).
type glyph struct {
	n         int // supersampled grid size
	body, cut shape
}

// shape reports whether a point is covered. Points are in half-subpixel
// units: the centre of subpixel i is 2i+1, so every test is exact integer
// arithmetic.
type shape func(x, y int64) bool

// geom converts unit-square coordinates (0..1) to grid units.
type geom int64

func (g geom) v(f float64) int64 { return int64(math.Round(f * float64(g))) }

func glyphFor(s menu.IconState, n int) glyph {
	u := geom(2 * n)
	c := u.v(0.5)
	switch s {
	case menu.IconOK:
		return glyph{n: n, body: union(
			ring(c, c, u.v(0.335), u.v(0.43)),
			capsule(u.v(0.31), u.v(0.52), u.v(0.44), u.v(0.65), u.v(0.105)),
			capsule(u.v(0.44), u.v(0.65), u.v(0.685), u.v(0.37), u.v(0.105)),
		)}
	case menu.IconDegraded:
		a := [2]int64{u.v(0.5), u.v(0.17)}
		b := [2]int64{u.v(0.125), u.v(0.80)}
		d := [2]int64{u.v(0.875), u.v(0.80)}
		r := u.v(0.13) // corner rounding, as a stroke width around the triangle
		return glyph{n: n,
			body: union(triangle(a, b, d), capsule(a[0], a[1], b[0], b[1], r), capsule(b[0], b[1], d[0], d[1], r), capsule(d[0], d[1], a[0], a[1], r)),
			cut:  union(capsule(c, u.v(0.385), c, u.v(0.585), u.v(0.105)), disc(c, u.v(0.715), u.v(0.058))),
		}
	case menu.IconDown:
		lo, hi, w := u.v(0.345), u.v(0.655), u.v(0.11)
		return glyph{n: n,
			body: disc(c, c, u.v(0.43)),
			cut:  union(capsule(lo, lo, hi, hi, w), capsule(hi, lo, lo, hi, w)),
		}
	case menu.IconPaused:
		w := u.v(0.17)
		return glyph{n: n, body: union(
			capsule(u.v(0.355), u.v(0.26), u.v(0.355), u.v(0.74), w),
			capsule(u.v(0.645), u.v(0.26), u.v(0.645), u.v(0.74), w),
		)}
	}
	// Checking: a spinner, dots shrinking clockwise from the top.
	const dots = 8
	var parts []shape
	for i := range dots {
		a := 2 * math.Pi * float64(i) / dots
		x := 0.5 + 0.34*math.Sin(a)
		y := 0.5 - 0.34*math.Cos(a)
		r := 0.10 - 0.06*float64(i)/(dots-1)
		parts = append(parts, disc(u.v(x), u.v(y), u.v(r)))
	}
	return glyph{n: n, body: union(parts...)}
}

func disc(cx, cy, r int64) shape {
	return func(x, y int64) bool {
		dx, dy := x-cx, y-cy
		return dx*dx+dy*dy <= r*r
	}
}

func ring(cx, cy, inner, outer int64) shape {
	return func(x, y int64) bool {
		dx, dy := x-cx, y-cy
		d := dx*dx + dy*dy
		return d >= inner*inner && d <= outer*outer
	}
}

// capsule is a stroke of width w from a to b with round caps.
func capsule(ax, ay, bx, by, w int64) shape {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	return func(x, y int64) bool {
		px, py := x-ax, y-ay
		t := px*dx + py*dy
		var d4 int64 // 4 × squared distance, compared with w²
		switch {
		case t <= 0:
			d4 = 4 * (px*px + py*py)
		case t >= l2:
			qx, qy := x-bx, y-by
			d4 = 4 * (qx*qx + qy*qy)
		default:
			// distance² = cross² / l2
			cross := px*dy - py*dx
			return 4*cross*cross <= w*w*l2
		}
		return d4 <= w*w
	}
}

func triangle(a, b, c [2]int64) shape {
	edge := func(p, q [2]int64, x, y int64) int64 {
		return (q[0]-p[0])*(y-p[1]) - (q[1]-p[1])*(x-p[0])
	}
	return func(x, y int64) bool {
		e1, e2, e3 := edge(a, b, x, y), edge(b, c, x, y), edge(c, a, x, y)
		return (e1 >= 0 && e2 >= 0 && e3 >= 0) || (e1 <= 0 && e2 <= 0 && e3 <= 0)
	}
}

func union(parts ...shape) shape {
	return func(x, y int64) bool {
		for _, p := range parts {
			if p(x, y) {
				return true
			}
		}
		return false
	}
}

// Coverage classes of one subpixel.
const (
	empty uint8 = iota
	edge        // the outline around a coloured icon
	body
	cut
)

func (g glyph) render(px int, pal palette, template bool) *image.NRGBA {
	n := g.n
	cls := make([]uint8, n*n)
	for j := range n {
		y := int64(2*j + 1)
		for i := range n {
			x := int64(2*i + 1)
			switch {
			case g.cut != nil && g.cut(x, y) && g.body(x, y):
				cls[j*n+i] = cut
			case g.body(x, y):
				cls[j*n+i] = body
			}
		}
	}
	if template {
		// A template has no second colour: the cut-out stays transparent.
		for i, c := range cls {
			if c == cut {
				cls[i] = empty
			}
		}
	} else {
		outline(cls, n, max(1, n/32))
	}

	img := image.NewNRGBA(image.Rect(0, 0, px, px))
	// The edge is a translucent dark line: it keeps a coloured icon visible
	// on a panel of a similar colour without looking like a border.
	colours := [4]color.NRGBA{empty: {}, edge: {A: 110}, body: pal.body, cut: pal.cut}
	for py := range px {
		for pxl := range px {
			// Average premultiplied colour over the ss×ss block.
			var r, gr, b, a uint32
			for sy := range ss {
				row := (py*ss + sy) * n
				for sx := range ss {
					c := colours[cls[row+pxl*ss+sx]]
					r += uint32(c.R) * uint32(c.A)
					gr += uint32(c.G) * uint32(c.A)
					b += uint32(c.B) * uint32(c.A)
					a += uint32(c.A)
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(pxl, py, color.NRGBA{
				R: uint8((r + a/2) / a), G: uint8((gr + a/2) / a), B: uint8((b + a/2) / a),
				A: uint8((a + ss*ss/2) / (ss * ss)),
			})
		}
	}
	return img
}

// outline marks empty subpixels within radius r of the drawn shape. It uses
// an exact squared Euclidean distance transform (Felzenszwalb and
// Huttenlocher), linear in the number of subpixels, so large app icons
// render as fast as menu bar ones.
func outline(cls []uint8, n, r int) {
	const inf = 1 << 40
	d := make([]int64, n*n)
	for i, c := range cls {
		if c >= body {
			d[i] = 0
		} else {
			d[i] = inf
		}
	}
	f := make([]int64, n)
	out := make([]int64, n)
	v := make([]int, n)
	z := make([]float64, n+1)
	for x := range n { // columns
		for y := range n {
			f[y] = d[y*n+x]
		}
		edt1d(f, out, v, z)
		for y := range n {
			d[y*n+x] = out[y]
		}
	}
	for y := range n { // then rows
		copy(f, d[y*n:(y+1)*n])
		edt1d(f, out, v, z)
		copy(d[y*n:(y+1)*n], out)
	}
	r2 := int64(r) * int64(r)
	for i, c := range cls {
		if c == empty && d[i] <= r2 {
			cls[i] = edge
		}
	}
}

// edt1d is the one-dimensional squared distance transform of f into out:
// the lower envelope of the parabolas rooted at each sample.
func edt1d(f, out []int64, v []int, z []float64) {
	n := len(f)
	k := 0
	v[0] = 0
	z[0], z[1] = math.Inf(-1), math.Inf(1)
	for q := 1; q < n; q++ {
		var s float64
		for {
			// z[0] is -Inf, so this ends by k == 0 at the latest.
			p := v[k]
			s = (float64(f[q]+int64(q*q)) - float64(f[p]+int64(p*p))) / float64(2*(q-p))
			if s > z[k] {
				break
			}
			k--
		}
		k++
		v[k] = q
		z[k], z[k+1] = s, math.Inf(1)
	}
	k = 0
	for q := range n {
		for z[k+1] < float64(q) {
			k++
		}
		p := v[k]
		out[q] = int64((q-p)*(q-p)) + f[p]
	}
}
