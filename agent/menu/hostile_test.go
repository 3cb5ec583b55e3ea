package menu

import (
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// unsafeRune is the first rune in s a terminal or a menu would act on: a
// menu row is one line, so a newline counts too.
func unsafeRune(s string) (rune, bool) {
	if strings.Contains(s, "\n") {
		return '\n', true
	}
	return textsafe.Unsafe(s)
}

// everyText is each title and tooltip of m, with its item's id.
func everyText(m Model) map[string]string {
	out := map[string]string{"tooltip": m.Tooltip}
	var walk func([]Item)
	walk = func(items []Item) {
		for _, it := range items {
			out[it.ID+" title"], out[it.ID+" tooltip"] = it.Title, it.Tooltip
			walk(it.Children)
		}
	}
	walk(m.Items)
	return out
}

func TestBuildHostileText(t *testing.T) {
	d := outageDoc()
	d.Verdict.Headline += "\x1b]0;pwned\x07"
	d.Probes[0].Summary = "en0 up\x1b[2J\u202egnp.exe\nsecond line"
	svc := &d.AppleStatus.Services[0]
	svc.Name = "Apple ID\x1b]52;c;cm0gLXJmIH4=\x07"
	svc.Events[1].Message = "Users \x1b]8;;http://x\x1b\\may\x1b]8;;\x1b\\ be\u2066 unable\r\nto sign in."
	svc.Events[1].UsersAffected = "Some\u009b2J users"
	d.AppleStatus.Services = append(d.AppleStatus.Services, verdict.AppleService{Name: "Photos\u202e", Status: "issue",
		Events: []verdict.AppleEvent{{Type: "Issue\x1b[31m", Status: "ongoing", Start: ptr(at(13, 0, 0).UTC())}}})
	m := Build(Input{Doc: d, Now: at(14, 5, 0)})
	for where, s := range everyText(m) {
		if r, bad := unsafeRune(s); bad {
			t.Errorf("%s keeps %U: %q", where, r, s)
		}
	}
	all := ""
	for _, s := range everyText(m) {
		all += s + "\n"
	}
	for _, want := range []string{"✗ Apple ID — Outage since", "Users may be unable to sign in. (Some users)", "en0 up", "Photos"} {
		if !strings.Contains(all, want) {
			t.Errorf("menu lacks %q:\n%s", want, all)
		}
	}
}
