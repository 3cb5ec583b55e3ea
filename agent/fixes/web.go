package fixes

import (
	"net/url"
	"strings"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/applestatus"
)

// Apple's pages for people. They are the same on every OS: all a web fix
// needs is a browser. (The System Status page is applestatus.PageURL, next
// to the feed it shows.)
const (
	iforgotURL    = "https://iforgot.apple.com/"
	getSupportURL = "https://getsupport.apple.com/"
)

func webFix(id, title, explain, link, outcome string) Fix {
	return Fix{
		ID: id, Title: title, Explain: explain,
		plan: always(outcome, Step{URL: link}),
	}
}

func resetPassword() Fix {
	return webFix(FixResetPassword, "Reset Apple Account Password",
		"Opens Apple's password reset page, for when sign-in fails because the password is not accepted.",
		iforgotURL, "Opened Apple's password reset page")
}

func openSystemStatus() Fix {
	return webFix(verdict.FixOpenSystemStatus, "Open Apple System Status",
		"Opens Apple's System Status page, which shows outages on Apple's side that nothing on this computer can fix.",
		applestatus.PageURL, "Opened Apple System Status")
}

func contactSupport() Fix {
	return webFix(verdict.FixContactSupport, "Contact Apple Support",
		"Opens Apple Support to get help from Apple when nothing here fixes sign-in.",
		getSupportURL, "Opened Apple Support")
}

// openCaptivePortal opens the Wi-Fi login page. Its address came from the
// network (a redirect), so only a plain http(s) URL is accepted; anything
// else falls back to the probe URL, which a portal redirects anyway.
func openCaptivePortal() Fix {
	return Fix{
		ID: verdict.FixOpenCaptivePortal, Title: "Open Wi-Fi Login Page",
		Explain: "Opens the network's login page in the browser so you can sign in or accept its terms.",
		plan: func(c Context) (Plan, error) {
			link := probes.DefaultConfig().CaptiveURL
			if ev := evidence[probes.CaptiveEvidence](c.Doc); ev != nil {
				if u, ok := webURL(ev.PortalURL); ok {
					link = u
				} else if u, ok := webURL(ev.URL); ok {
					link = u
				}
			}
			return available("Opened the Wi-Fi login page", Step{URL: link})
		},
	}
}

// webURL returns raw normalised when it is an absolute http or https URL
// with a host and no user name (a "user@" prefix can disguise a host), and
// no whitespace or control characters that url.Parse would tolerate. The
// result never contains a quote, a backtick, whitespace or a backslash.
func webURL(raw string) (string, bool) {
	if raw == "" || strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return "", false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	// url leaves ' unescaped (RFC 3986 allows it). Escaping it anyway costs
	// nothing and keeps the URL inert in helpers that are shell scripts
	// (xdg-open) should one ever quote carelessly.
	return strings.ReplaceAll(u.String(), "'", "%27"), true
}

// openAppleAccount: signing out and back in refreshes the account's tokens,
// which clears many "cannot connect" errors that outlive their cause.
func openAppleAccount() Fix {
	return Fix{
		ID: FixOpenAppleAccount, Title: "Open Apple Account Settings",
		Explain: "Opens Apple Account settings, where signing out and back in refreshes the account's sign-in.",
		plan: func(c Context) (Plan, error) {
			if c.GOOS != "darwin" {
				return unavailable("Apple Account settings exist only on macOS")
			}
			id := "com.apple.systempreferences.AppleIDSettings"
			if c.legacyMac() {
				id = "com.apple.preferences.AppleIDPrefPane"
			}
			return available("Opened Apple Account settings",
				Step{URL: settingsScheme + id},
				Step{Text: "Sign out and back in: click Sign Out at the bottom of the page, then sign in again."})
		},
	}
}

// copyReport is carried out by the caller (the CLI prints or saves the
// report, the agent copies it to the clipboard): its plan has no steps.
func copyReport() Fix {
	return Fix{
		ID: FixCopyReport, Title: "Copy Diagnostic Report",
		Explain: "Copies a diagnostic report of the last check, to send to Apple Support or your IT department.",
		plan:    always(""),
	}
}
