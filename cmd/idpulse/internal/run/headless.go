package run

import (
	"fmt"
	"io"
	"sync"

	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// headless is the agent's face without a menu bar: one line on stdout per
// verdict transition, so `make run` is useful on any machine and in a
// terminal or a log.
type headless struct {
	out io.Writer

	mu   sync.Mutex
	last verdict.Code
	seen bool
}

func (h *headless) Actions() <-chan menu.Action { return nil }

func (h *headless) Show(_ menu.Model, doc *verdict.Document) {
	if doc == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	v := doc.Verdict
	if h.seen && v.Code == h.last {
		return
	}
	h.seen, h.last = true, v.Code
	fmt.Fprintf(h.out, "%s  %-8s %-18s %s\n", doc.Time.Local().Format("2006-01-02 15:04:05"), v.Level.Word(), v.Code, textsafe.Terminal(v.Headline))
	if v.Level != verdict.LevelOK && len(v.Fixes) > 0 {
		fmt.Fprintf(h.out, "%21s fixes: %s\n", "", joinFixes(v.Fixes))
	}
}

func joinFixes(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		out += menu.DefaultFixTitle(id)
	}
	return out
}
