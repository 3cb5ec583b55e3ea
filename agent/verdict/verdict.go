// Package verdict turns one cycle's probe results into the root cause: a
// dependency-ordered chain of rules where the first that matches wins, so a
// consequence (Apple unreachable) is never reported instead of its cause
// (no internet). Pure functions: no I/O, no clock.
package verdict

import (
	"github.com/idpulse/idpulse/probes"
)

// Level is how bad things are for Apple ID sign-in.
type Level string

const (
	LevelOK       Level = "ok"
	LevelDegraded Level = "degraded"
	LevelDown     Level = "down"
)

// Rank orders levels: ok < degraded < down.
func (l Level) Rank() int {
	switch l {
	case LevelDegraded:
		return 1
	case LevelDown:
		return 2
	}
	return 0
}

// Cause says where the problem is, which decides what the user can do.
type Cause string

const (
	CauseNone    Cause = "none"
	CauseLocal   Cause = "local"   // this Mac's settings
	CauseNetwork Cause = "network" // the network it is on
	CauseApple   Cause = "apple"   // Apple's side: nothing to fix here
)

// Code identifies a verdict or a finding. Verdict codes are part of the
// idpulse.check/v1 contract.
type Code string

const (
	CodeOK               Code = "ok"
	CodeOffline          Code = "offline"
	CodeCaptivePortal    Code = "captive_portal"
	CodeHostsOverride    Code = "hosts_override"
	CodeDNSFiltered      Code = "dns_filtered"
	CodeDNSFailure       Code = "dns_failure"
	CodeProxyFailure     Code = "proxy_failure"
	CodeBlocked          Code = "blocked"
	CodeTLSInterception  Code = "tls_interception"
	CodeClockSkew        Code = "clock_skew"
	CodeAppleOutage      Code = "apple_outage"
	CodeAppleUnreachable Code = "apple_unreachable"
	CodePushBlocked      Code = "push_blocked"

	FindingVPNActive       Code = "vpn_active"
	FindingProxyConfigured Code = "proxy_configured"
)

// Fix ids: what the user can do. agent/fixes implements them.
const (
	FixFlushDNS            = "flush-dns"
	FixRemoveHostsEntries  = "remove-hosts-entries"
	FixOpenNetworkSettings = "open-network-settings"
	FixOpenProxySettings   = "open-proxy-settings"
	FixOpenVPNSettings     = "open-vpn-settings"
	FixDisconnectVPN       = "disconnect-vpn"
	FixOpenCaptivePortal   = "open-captive-portal"
	FixTryOtherNetwork     = "try-other-network"
	FixToggleWiFi          = "toggle-wifi"
	FixRenewDHCP           = "renew-dhcp"
	FixSyncClock           = "sync-clock"
	FixOpenDateTime        = "open-date-time"
	FixOpenSystemStatus    = "open-system-status"
	FixContactSupport      = "contact-support"
)

// Verdict is the root cause of the current state, in words a Mac user
// understands, with the fixes that apply.
type Verdict struct {
	Level    Level    `json:"level"`
	Code     Code     `json:"code"`
	Cause    Cause    `json:"cause"`
	Headline string   `json:"headline"`
	Detail   string   `json:"detail"`
	Fixes    []string `json:"fixes"`
	// Evidence is the handful of facts the verdict stands on.
	Evidence []string `json:"evidence"`
}

// Finding is a secondary observation that follows the verdict.
type Finding struct {
	Verdict
	Probe probes.ID `json:"probe"`
}

// Input is everything a verdict is decided from.
type Input struct {
	Results probes.Results
	// Apple is the System Status snapshot, nil when the feed was not read.
	Apple *AppleStatus
}
