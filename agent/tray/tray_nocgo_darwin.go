//go:build darwin && !cgo

package tray

import "github.com/idpulse/idpulse/agent/menu"

// Tray is a stand-in: without cgo there is no menu bar on macOS.
type Tray struct{}

// Run returns ErrNoCgo at once; ready and exit are not called.
func Run(ready func(t *Tray), exit func()) error { return ErrNoCgo }

// Apply does nothing.
func (t *Tray) Apply(m menu.Model) {}

// Clicks returns nil: no click ever arrives.
func (t *Tray) Clicks() <-chan menu.Action { return nil }

// Quit does nothing.
func (t *Tray) Quit() {}
