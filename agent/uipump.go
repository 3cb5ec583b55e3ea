package agent

import (
	"context"

	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/verdict"
)

// uiPump is the one goroutine that calls UI.Show. The loop hands it the
// latest model without waiting: a slow UI (a busy main thread on macOS)
// delays the picture, never the loop, and stale intermediate models are
// dropped rather than queued.
type uiPump struct {
	ui      UI
	updates chan uiUpdate
	done    chan struct{}
}

type uiUpdate struct {
	m   menu.Model
	doc *verdict.Document
}

func newUIPump(ui UI) *uiPump {
	return &uiPump{ui: ui, updates: make(chan uiUpdate, 1), done: make(chan struct{})}
}

func (p *uiPump) run(ctx context.Context) {
	defer close(p.done)
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

// stop waits until the pump has returned, so that no UI call can happen
// after the caller goes on to quit the tray (a tray call after quit
// deadlocks on macOS). The pump's context must be cancelled first.
func (p *uiPump) stop() { <-p.done }
