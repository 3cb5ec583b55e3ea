package agent

import (
	"context"

	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/verdict"
)

// uiPump is the one goroutine that calls UI.Show. The loop hands it the
// latest model without waiting: a slow UI (a busy main thread on macOS)
// delays the picture, never the loop, and stale intermediate models are
// dropped rather than queued. Run waits for the pump to return.
type uiPump struct {
	ui      UI
	updates chan uiUpdate
}

type uiUpdate struct {
	m   menu.Model
	doc *verdict.Document
}

func newUIPump(ui UI) *uiPump {
	return &uiPump{ui: ui, updates: make(chan uiUpdate, 1)}
}

func (p *uiPump) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case u := <-p.updates:
			if p.ui != nil {
				p.ui.Show(u.m, u.doc)
			}
		}
	}
}

// show replaces any update still waiting with this one.
func (p *uiPump) show(m menu.Model, doc *verdict.Document) {
	u := uiUpdate{m: m, doc: doc}
	for {
		select {
		case p.updates <- u:
			return
		default:
		}
		select {
		case <-p.updates:
		default:
		}
	}
}
