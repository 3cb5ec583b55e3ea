package service

import (
	"context"
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
	ctx, cancel := loginCtx(ctx)
	defer cancel()
	return l.M.b.loginEnabled(ctx)
}

// SetEnabled turns Launch at Login on or off.
func (l *LoginItem) SetEnabled(ctx context.Context, on bool) error {
	ctx, cancel := loginCtx(ctx)
	defer cancel()
	if on {
		return l.M.Install(ctx, false)
	}
	return l.M.b.disableLogin(ctx)
}
