package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/idpulse/idpulse/launchd"
)

// LoginItem is the menu's Launch at Login (agent.LoginItem). Turning it on
// installs the service definition without starting anything (the agent
// asking is already running); turning it off removes the definition without
// stopping anything (bootout or systemctl stop would end the agent that
// asked). The running agent is untouched either way.
type LoginItem struct {
	M *Manager
}

// LoginItem is the Launch at Login toggle for m.
func (m *Manager) LoginItem() *LoginItem { return &LoginItem{M: m} }

func loginCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, CommandTimeout)
}

// Enabled reports whether the agent starts at login.
func (l *LoginItem) Enabled(ctx context.Context) (bool, error) {
	m := l.M
	switch m.GOOS {
	case "darwin":
		return exists(m.plistPath())
	case "linux":
		ctx, cancel := loginCtx(ctx)
		defer cancel()
		if m.userManager(ctx) {
			if ok, err := exists(m.unitPath()); err != nil || !ok {
				return false, err
			}
			// is-enabled exits non-zero for disabled; its output says which.
			out, _ := m.systemctl(ctx, "is-enabled", launchd.UnitName)
			return strings.TrimSpace(string(out)) == "enabled", nil
		}
		return exists(m.autostartPath())
	}
	return false, ErrUnsupported
}

// SetEnabled turns Launch at Login on or off.
func (l *LoginItem) SetEnabled(ctx context.Context, on bool) error {
	m := l.M
	ctx, cancel := loginCtx(ctx)
	defer cancel()
	if on {
		return m.Install(ctx, false)
	}
	switch m.GOOS {
	case "darwin":
		if _, err := removeIfExists(m.plistPath()); err != nil {
			return fmt.Errorf("remove the launch agent: %w", err)
		}
		return nil
	case "linux":
		if m.userManager(ctx) {
			if ok, _ := exists(m.unitPath()); ok {
				if _, err := m.systemctl(ctx, "disable", launchd.UnitName); err != nil {
					return err
				}
			}
			if _, err := removeIfExists(m.unitPath()); err != nil {
				return err
			}
			if _, err := m.systemctl(ctx, "daemon-reload"); err != nil {
				return err
			}
		} else if _, err := removeIfExists(m.unitPath()); err != nil {
			return err
		}
		_, err := removeIfExists(m.autostartPath())
		return err
	}
	return ErrUnsupported
}
