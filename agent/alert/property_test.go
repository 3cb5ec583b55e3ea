package alert_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/idpulse/idpulse/agent/alert"
	"github.com/idpulse/idpulse/agent/verdict"
)

// script decodes bytes into a policy configuration and a sequence of events,
// so the fuzzer and the seeded property test explore the same space.
type script struct {
	cfg            alert.Config
	notifyRecovery bool
	quiet          alert.QuietHours
	ops            []op
}

type op struct {
	kind int // 0..8 observe, 9 woke, 10 tick, 11 pause, 12 resume, 13 tick at NextTick
	key  string
	gap  time.Duration // time since the previous event
	arg  time.Duration // pause length
}

var opKeys = []string{"ok", "ok", "ok", "dns", "dns", "clock", "push", "offline", "outage"}

func decode(data []byte) script {
	b := func(i int) byte {
		if i < len(data) {
			return data[i]
		}
		return 0
	}
	sc := script{cfg: alert.Config{
		RaiseAfter: 1 + int(b(0)%3),
		PerCause:   1 + int(b(0)>>2%4),
		WakeGrace:  []time.Duration{0, 20 * time.Second}[b(0)>>4&1],
		Window:     []time.Duration{10 * time.Minute, time.Hour}[b(0)>>5&1],
	}}
	sc.notifyRecovery = b(0)&0x40 != 0
	if b(1)&1 != 0 {
		sc.quiet = alert.QuietHours{Enabled: true, Start: time.Duration(b(1)>>1%24) * time.Hour, End: time.Duration(b(2)%24) * time.Hour}
	}
	for i := 3; i+1 < len(data); i += 2 {
		k, g := data[i], data[i+1]
		o := op{kind: int(k % 14), gap: time.Duration(g)*7*time.Second + time.Second}
		if o.kind <= 8 {
			o.key = opKeys[o.kind]
		}
		if o.kind == 11 {
			o.arg = time.Duration(k>>4) * 5 * time.Minute
		}
		sc.ops = append(sc.ops, o)
	}
	return sc
}

type sent struct {
	at time.Time
	n  alert.Notification
}

// play runs the script and returns every notification with its time. It
// fails the test if NextTick ever asks for a tick that has nothing to do
// (the agent loop would spin).
func play(t *testing.T, sc script, enabled bool) []sent {
	p := alert.New(sc.cfg)
	s := alert.Settings{Enabled: enabled, NotifyRecovery: sc.notifyRecovery, Quiet: sc.quiet}
	now := t0
	var out []sent
	emit := func(ns []alert.Notification) {
		for _, n := range ns {
			out = append(out, sent{now, n})
		}
	}
	for _, o := range sc.ops {
		now = now.Add(o.gap)
		switch {
		case o.kind <= 8:
			emit(p.Observe(obsAt(now, o.key), s))
		case o.kind == 9:
			p.Woke(now)
		case o.kind == 10:
			emit(p.Tick(now, s))
		case o.kind == 11:
			s.PausedUntil = now.Add(o.arg)
		case o.kind == 12:
			s.PausedUntil = time.Time{}
		case o.kind == 13:
			if nt := p.NextTick(now, s); nt.After(now) {
				now = nt
				emit(p.Tick(now, s))
			}
		}
		if nt := p.NextTick(now, s); !nt.IsZero() && !nt.After(now) {
			ns := p.Tick(now, s)
			if len(ns) == 0 {
				t.Fatalf("NextTick asked for a tick at %s (now) that delivered nothing", nt)
			}
			emit(ns)
			if nt := p.NextTick(now, s); !nt.IsZero() && !nt.After(now) {
				t.Fatalf("NextTick keeps asking for now after a tick")
			}
		}
	}
	return out
}

func checkInvariants(t *testing.T, data []byte) {
	sc := decode(data)
	if off := play(t, sc, false); len(off) != 0 {
		t.Fatalf("notified while disabled: %+v", off[0].n)
	}
	out := play(t, sc, true)
	var lastTold verdict.Code // code of the last problem the user heard of; "*" after a summary
	for i, x := range out {
		n := x.n
		for _, txt := range []string{n.Title, n.Body} {
			if txt == "" || !utf8.ValidString(txt) || strings.ContainsFunc(txt, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("bad text %q in %+v", txt, n)
			}
		}
		if utf8.RuneCountInString(n.Title) > alert.MaxTitle || utf8.RuneCountInString(n.Body) > alert.MaxBody {
			t.Fatalf("text too long: %+v", n)
		}
		switch n.Kind {
		case alert.KindProblem, alert.KindCauseChanged:
			if n.Code == "offline" || n.Code == "ok" {
				t.Fatalf("announced %q as a problem", n.Code)
			}
			lastTold = n.Code
		case alert.KindSummary:
			lastTold = "*"
		case alert.KindRecovered, alert.KindBackOnline:
			if !sc.notifyRecovery {
				t.Fatalf("%s without NotifyRecovery", n.Kind)
			}
			if n.Kind == alert.KindRecovered && lastTold != n.Code && lastTold != "*" {
				t.Fatalf("recovered %q, but the user last heard of %q", n.Code, lastTold)
			}
			lastTold = ""
		}
		// Rule 6 in any window starting at a notification of this cause.
		if n.Code == "" {
			continue
		}
		normal, unstable := 0, 0
		for _, y := range out[i:] {
			if y.n.Code != n.Code || y.at.Sub(x.at) >= sc.cfg.Window {
				continue
			}
			if y.n.Kind == alert.KindUnstable {
				unstable++
			} else {
				normal++
			}
		}
		if normal > sc.cfg.PerCause || unstable > 1 {
			t.Fatalf("%d+%d notifications for %s within %s from %s (PerCause %d)",
				normal, unstable, n.Code, sc.cfg.Window, x.at.Sub(t0), sc.cfg.PerCause)
		}
	}
}

func TestPolicyProperties(t *testing.T) {
	for seed := range uint64(500) {
		rng := rand.New(rand.NewPCG(seed, 7))
		data := make([]byte, 3+2*rng.IntN(300))
		for i := range data {
			data[i] = byte(rng.UintN(256))
		}
		// Flapping is where the limits bite: bias half the runs towards
		// short gaps and problem/ok alternation.
		if seed%2 == 0 {
			for i := 3; i+1 < len(data); i += 2 {
				data[i] = []byte{0, 3, 5, 0, 4, 6, 8, 7}[rng.IntN(8)]
				data[i+1] = byte(rng.IntN(10))
			}
		}
		checkInvariants(t, data)
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
	}
}

func FuzzPolicy(f *testing.F) {
	f.Add([]byte{0, 0, 0, 3, 1, 3, 1, 0, 1, 3, 1, 3, 1, 0, 1, 3, 1, 3, 1, 0, 1})
	f.Add([]byte{0x41, 0x2d, 7, 11, 0, 3, 1, 3, 1, 5, 1, 5, 1, 0, 200, 13, 0, 10, 1})
	f.Add([]byte{0x7f, 0, 0, 9, 0, 7, 0, 7, 1, 7, 1, 0, 1, 10, 5, 3, 0, 3, 0})
	f.Fuzz(checkInvariants)
}
