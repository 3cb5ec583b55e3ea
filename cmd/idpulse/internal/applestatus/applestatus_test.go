package applestatus

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// hostileFeed has escape sequences and bidi overrides in every string a
// person reads: service name, status, type, message, usersAffected.
const hostileFeed = `{"services":[{"serviceName":"Apple ID\u001b]52;c;cm0gLXJmIH4=\u0007",` +
	`"events":[{"statusType":"Outage\u001b[2J","eventStatus":"ongoing","epochStartDate":1700000000000,"epochEndDate":null,` +
	`"message":"Sign in \u001b]8;;http://x\u001b\\here\u001b]8;;\u001b\\\u202etxt.exe\nline two","usersAffected":"All\u009b2J users\u2066"}]},` +
	`{"serviceName":"Photos","events":[{"statusType":"Issue","eventStatus":"\u001b]0;pwned\u0007resolved","epochStartDate":1700000000000}]}]}`

func TestRunHostileFeed(t *testing.T) {
	w := probetest.NewWorld(t)
	w.SetFeed(hostileFeed)
	io, out, errOut := cli.Test()
	opts := &Options{Deps: cli.Deps{IO: io, Now: time.Now,
		NewEnv:     func(probes.Config) probes.Env { return w.Env() },
		LoadConfig: clitest.Loader(clitest.WorldConfig(w), nil)}}
	if err := Parse(opts, []string{"--all"}); err != nil {
		t.Fatal(err)
	}
	code := Run(context.Background(), opts)
	if code != ExitProblem {
		t.Errorf("exit %d, want %d\n%s%s", code, ExitProblem, out, errOut)
	}
	got := out.String()
	if r, bad := textsafe.Unsafe(got); bad {
		t.Errorf("output keeps %U:\n%q", r, got)
	}
	clitest.Contains(t, got, "Apple ID", "Ongoing Outage — since", "Sign in heretxt.exe line two", " · All users", "Resolved Issue")
	if lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n"); len(lines) != 8 {
		t.Errorf("got %d lines, want 8 (the message's newline stays inside its line):\n%s", len(lines), got)
	}
}

func TestRenderHostileError(t *testing.T) {
	io, out, _ := cli.Test()
	msg := "unexpected HTTP status 503 \x1b]52;c;eA==\x07Busy\u202e"
	render(io, &verdict.AppleStatus{Source: "https://www.apple.com/feed", Error: &msg}, time.Now())
	if r, bad := textsafe.Unsafe(out.String()); bad {
		t.Errorf("output keeps %U:\n%q", r, out.String())
	}
	clitest.Contains(t, out.String(), "could not be read: unexpected HTTP status 503 Busy")

	base := errors.New(msg)
	err := terminalError{base}
	if r, bad := textsafe.Unsafe(err.Error()); bad || !errors.Is(err, base) {
		t.Errorf("terminalError = %q (keeps %U), Is(base) = %v", err.Error(), r, errors.Is(err, base))
	}
}
