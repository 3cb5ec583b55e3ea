package report

import (
	"cmp"
	"fmt"
	"html/template"
	"math"
	"slices"
	"time"

	"github.com/go-analyze/charts"

	"github.com/idpulse/idpulse/agent/incidents"
)

// The history part of the HTML page. A month is about 43,000 records; each
// window is first aggregated into a fixed number of buckets (the worst
// level and the median timings of each), so the page and its rendering cost
// do not grow with the record.
//
// Only numbers, times and the closed set of levels reach this file (Point,
// incidents.Day): no text of a record (the headline) is in a chart, so
// nothing here needs redacting; the incidents' words come from the
// redacted tree.

// window is one span of the history: its length and its buckets.
type window struct {
	Title   string
	ID      string
	Length  time.Duration
	Buckets int // the strip's cells
	// PlotBuckets are the plot's points, fewer than the strip's cells: the
	// library keeps 2 px either side of a bar, so a bar in a slot narrower
	// than about 10 px is a hairline and the shading would not show.
	PlotBuckets int
	// Label is the time layout of the plot's axis and the strip's ticks.
	Label string
}

var windows = []window{
	// Cells of 15 min, 1 h and 4 h; points of 15 min, 2 h and 8 h.
	{Title: "Last 24 hours", ID: "24h", Length: 24 * time.Hour, Buckets: 96, PlotBuckets: 96, Label: "15:04"},
	{Title: "Last 7 days", ID: "7d", Length: 7 * 24 * time.Hour, Buckets: 168, PlotBuckets: 84, Label: "Mon 15h"},
	{Title: "Last 30 days", ID: "30d", Length: PageWindow, Buckets: 180, PlotBuckets: 90, Label: "2 Jan"},
}

// bucket is one cell of a window.
type bucket struct {
	Start      time.Time
	Checks, OK int
	Worst      int // rank: -1 no check, 0 ok, 1 degraded, 2 down
	dns, tls   []float32
	firstByte  []float32
}

var stateNames = []string{"ok", "degraded", "down"}

func (b bucket) state() string {
	if b.Worst < 0 {
		return "none"
	}
	return stateNames[b.Worst]
}

// bucketize spreads points (oldest first) over n buckets of w ending at
// end.
func bucketize(points []Point, w window, n int, end time.Time) []bucket {
	step := w.Length / time.Duration(n)
	start := end.Add(-w.Length)
	out := make([]bucket, n)
	for i := range out {
		out[i] = bucket{Start: start.Add(time.Duration(i) * step), Worst: -1}
	}
	for _, p := range pointsFrom(points, start) {
		i := int(time.Duration(p.At-start.UnixNano()) / step)
		if i >= n {
			break
		}
		b := &out[i]
		b.Checks++
		if p.Rank == 0 {
			b.OK++
		}
		b.Worst = max(b.Worst, int(p.Rank))
		add := func(dst *[]float32, v float32) {
			if !math.IsNaN(float64(v)) {
				*dst = append(*dst, v)
			}
		}
		add(&b.dns, p.DNS)
		add(&b.tls, p.TLS)
		add(&b.firstByte, p.FirstByte)
	}
	return out
}

// pointsFrom is the points at or after from.
func pointsFrom(points []Point, from time.Time) []Point {
	i, _ := slices.BinarySearchFunc(points, from.UnixNano(), func(p Point, t int64) int { return cmp.Compare(p.At, t) })
	return points[i:]
}

// median is the middle value, the chart library's null when there is none
// (no measurement in the bucket: a gap in the line, not a zero).
func median(vs []float32) float64 {
	if len(vs) == 0 {
		return charts.GetNullValue()
	}
	slices.Sort(vs)
	if n := len(vs); n%2 == 0 {
		return (float64(vs[n/2-1]) + float64(vs[n/2])) / 2
	}
	return float64(vs[len(vs)/2])
}

// htmlHistory is the template's view of the timeline.
type htmlHistory struct {
	Checks       int
	Days         int // the page's window
	Strips       []htmlStrip
	Plots        []htmlPlot
	Availability template.HTML
}

type htmlStrip struct {
	Title string
	Cells []htmlCell
	Ticks []htmlTick
}

type htmlCell struct {
	X, W  float64 // in the strip's 1000-unit-wide viewBox
	State string
	Tip   string
}

type htmlTick struct {
	X    float64
	Text string
}

type htmlPlot struct {
	Title string
	SVG   template.HTML
}

// stripWidth is the strip's viewBox width.
const stripWidth = 1000

func historyView(m model, hist History) (*htmlHistory, error) {
	end := m.Generated
	from := end.Add(-PageWindow)
	points := pointsFrom(hist.Points, from)
	h := &htmlHistory{Checks: len(points), Days: int(PageWindow / (24 * time.Hour))}
	for _, w := range windows {
		h.Strips = append(h.Strips, strip(w, bucketize(points, w, w.Buckets, end), m))
		svg, err := latencyPlot(w, bucketize(points, w, w.PlotBuckets, end), m)
		if err != nil {
			return nil, fmt.Errorf("%s latency: %w", w.ID, err)
		}
		h.Plots = append(h.Plots, htmlPlot{Title: w.Title, SVG: svg})
	}
	var days []incidents.Day
	for _, d := range hist.Days {
		if d.Date >= from.In(m.Loc).Format(time.DateOnly) {
			days = append(days, d)
		}
	}
	svg, err := availabilityChart(days)
	if err != nil {
		return nil, fmt.Errorf("availability: %w", err)
	}
	h.Availability = svg
	return h, nil
}

// strip is hand-built SVG: one rect a bucket, filled with its state's
// pattern (defined once in the template), so it reads in grey too.
func strip(w window, bs []bucket, m model) htmlStrip {
	s := htmlStrip{Title: w.Title}
	cw := float64(stripWidth) / float64(len(bs))
	step := w.Length / time.Duration(len(bs))
	for i, b := range bs {
		tip := b.Start.In(m.Loc).Format("2 Jan 15:04") + "–" + b.Start.Add(step).In(m.Loc).Format("15:04") + ": "
		switch {
		case b.Checks == 0:
			tip += "no check recorded"
		default:
			tip += fmt.Sprintf("%s, %d of %d checks ok", b.state(), b.OK, b.Checks)
		}
		s.Cells = append(s.Cells, htmlCell{X: float64(i) * cw, W: cw, State: b.state(), Tip: tip})
	}
	for i := 0; i <= 4; i++ {
		at := m.Generated.Add(-w.Length + time.Duration(i)*w.Length/4)
		s.Ticks = append(s.Ticks, htmlTick{X: float64(i) * stripWidth / 4, Text: at.In(m.Loc).Format(w.Label)})
	}
	return s
}

// The plots' colours: distinct in hue and in lightness, so the three lines
// stay apart in grey; the shading is a pale red.
var (
	colorDNS       = charts.Color{R: 31, G: 119, B: 180, A: 255}
	colorTLS       = charts.Color{R: 255, G: 127, B: 14, A: 255}
	colorFirstByte = charts.Color{R: 44, G: 44, B: 44, A: 255}
	colorShade     = charts.Color{R: 214, G: 39, B: 40, A: 56}
	colorBar       = charts.Color{R: 46, G: 125, B: 50, A: 255}
)

func chartFont() charts.FontStyle { return charts.FontStyle{FontSize: 11} }

// latencyPlot is the window's median DNS, TLS handshake and first-byte
// times per bucket, drawn by the chart library. The x-axis is the buckets
// in time order, equal spans of time each, so it is a time axis; the
// library labels a few of them. Incidents are shaded by the library too:
// a bar series on a hidden 0–1 second axis, full height in every bucket
// with a check that was not ok, drawn behind the lines (the library has no
// mark area; bars are its own shapes, placed on its own x scale, so the
// shading cannot drift from the lines the way separately drawn SVG
// rectangles could).
func latencyPlot(w window, bs []bucket, m model) (template.HTML, error) {
	n := len(bs)
	shade := make([]float64, n)
	dns, tls, fb := make([]float64, n), make([]float64, n), make([]float64, n)
	labels := make([]string, n)
	for i := range bs {
		if bs[i].Worst > 0 {
			shade[i] = 1
		}
		dns[i], tls[i], fb[i] = median(bs[i].dns), median(bs[i].tls), median(bs[i].firstByte)
		labels[i] = bs[i].Start.In(m.Loc).Format(w.Label)
	}
	series := charts.NewSeriesListGeneric([][]float64{shade}, charts.ChartTypeBar)
	series[0].YAxisIndex = 1
	series = append(series, charts.NewSeriesListGeneric([][]float64{dns, tls, fb}, charts.ChartTypeLine)...)
	theme := charts.GetTheme(charts.ThemeLight).WithSeriesColors([]charts.Color{colorShade, colorDNS, colorTLS, colorFirstByte})
	opt := charts.ChartOption{
		OutputFormat: charts.ChartOutputSVG,
		Width:        1000,
		Height:       260,
		Theme:        theme,
		Padding:      charts.NewBox(10, 10, 20, 10),
		SeriesList:   series,
		Symbol:       charts.Symbol{Shape: charts.SymbolNone},
		BarSize:      1,
		XAxis: charts.XAxisOption{
			Labels: labels, LabelCount: 7, BoundaryGap: charts.Ptr(true), LabelFontStyle: chartFont(),
		},
		YAxis: []charts.YAxisOption{
			{Title: "ms", Min: charts.Ptr(0.0), LabelFontStyle: chartFont(), TitleFontStyle: chartFont()},
			{Show: charts.Ptr(false), Min: charts.Ptr(0.0), Max: charts.Ptr(1.0)},
		},
		Legend: charts.LegendOption{
			SeriesNames: []string{"not ok", "DNS lookup", "TLS handshake", "first byte"},
			FontStyle:   chartFont(), Symbol: charts.SymbolSquare,
		},
		LineStrokeWidth: 1.5,
	}
	return renderChart(opt)
}

// availabilityChart is each day's share of ok checks, one bar a day. The
// axis starts below the worst day (not at 0): 99 % and 100 % must look
// different.
func availabilityChart(days []incidents.Day) (template.HTML, error) {
	if len(days) == 0 {
		return "", nil
	}
	values := make([]float64, len(days))
	labels := make([]string, len(days))
	lowest := 100.0
	for i, d := range days {
		values[i] = math.Round(d.Ratio*1000) / 10
		lowest = min(lowest, values[i])
		// Date is ours (incidents.Availability); anything else is not
		// shown, so no text but a date reaches the chart.
		if t, err := time.Parse(time.DateOnly, d.Date); err == nil {
			labels[i] = t.Format("2 Jan")
		}
	}
	floor := math.Max(0, math.Floor(lowest/5)*5-5)
	// A label every 5 % (every 10 % below 50 %).
	unit := 5.0
	if floor < 50 {
		unit = 10
	}
	opt := charts.ChartOption{
		OutputFormat: charts.ChartOutputSVG,
		Width:        1000,
		Height:       240,
		Theme:        charts.GetTheme(charts.ThemeLight).WithSeriesColors([]charts.Color{colorBar}),
		Padding:      charts.NewBox(10, 10, 20, 10),
		SeriesList:   charts.NewSeriesListGeneric([][]float64{values}, charts.ChartTypeBar),
		XAxis:        charts.XAxisOption{Labels: labels, LabelCount: min(len(labels), 8), LabelFontStyle: chartFont()},
		YAxis: []charts.YAxisOption{{Title: "% of checks ok", Min: charts.Ptr(floor), Max: charts.Ptr(100.0),
			LabelCount: int((100-floor)/unit) + 1, LabelFontStyle: chartFont(), TitleFontStyle: chartFont()}},
	}
	return renderChart(opt)
}

// renderChart draws opt as SVG for inline use. The SVG is the library's own
// output from numbers and from labels made here (times, fixed names): no
// text from a record or the network is in it, so it is inserted as is.
func renderChart(opt charts.ChartOption) (template.HTML, error) {
	p, err := charts.Render(opt)
	if err != nil {
		return "", err
	}
	svg, err := p.Bytes()
	if err != nil {
		return "", err
	}
	return template.HTML(svg), nil
}
