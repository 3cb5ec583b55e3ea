package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/probes/textsafe"
)

// Hostile text in every place the feed and servers write: the report must
// show it without a terminal control, a bidi override, a markdown line of its
// own or a link (a line of its own would be a heading or a list item).
const (
	osc52     = "\x1b]52;c;cm0gLXJmIH4=\x07"
	osc8      = "\x1b]8;;http://x\x1b\\"
	clear     = "\x1b[2J"
	injection = "\n# Apple ID is healthy\n- [Open](http://evil)\n"
)

func hostileInput() Input {
	in := fixtureInput()
	st := in.Doc.AppleStatus
	st.Services[0].Name += osc52
	st.Services[0].Events[0].Message += osc8 + "click" + osc8 + "\u202egnp.exe" + injection
	st.Services[0].Events[0].UsersAffected = "All users" + clear + "\u2066"
	st.Services[0].Events[0].Type += "\u009b2J"
	msg := "unexpected HTTP status 503 " + osc52 + "Busy" + injection
	st.Error = &msg
	in.Doc.Probes[0].Summary += clear + injection
	return in
}

func TestHostileText(t *testing.T) {
	for _, f := range []Format{FormatText, FormatMarkdown} {
		for _, redact := range []*Redactor{nil, plantedRedactor()} {
			t.Run(fmt.Sprintf("%s redacted=%v", f, redact != nil), func(t *testing.T) {
				var b bytes.Buffer
				if err := Write(&b, hostileInput(), f, redact); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				if r, bad := textsafe.Unsafe(out); bad {
					t.Errorf("report keeps %U", r)
				}
				if f == FormatMarkdown {
					// Outside fenced blocks (where an error keeps its
					// lines, as code), no line or link of the feed's own.
					fenced := false
					for _, l := range strings.Split(out, "\n") {
						l = strings.TrimSpace(l)
						if strings.HasPrefix(l, "```") {
							fenced = !fenced
							continue
						}
						injected := strings.HasPrefix(strings.TrimLeft(l, `\#- `), "Apple ID is healthy") ||
							strings.HasPrefix(strings.TrimLeft(l, `\#- `), "[Open]")
						if !fenced && (injected ||
							strings.Contains(strings.ReplaceAll(l, `\](`, ""), "](http://evil)")) {
							t.Errorf("injected line or link: %q", l)
						}
					}
				}
				if !strings.Contains(out, "gnp.exe") || !strings.Contains(out, "All users") {
					t.Errorf("the printable text is lost:\n%s", out)
				}
				if t.Failed() {
					t.Logf("report:\n%s", out)
				}
			})
		}
	}
}
