package launchd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	_ "unsafe" // go:linkname

	_ "github.com/kardianos/service" // the engine linked below
)

// kardianosRender is kardianos/service's own template engine (unexported in
// v1.3.0). Rendering through it proves that RenderAgent and RenderUnit
// produce exactly what kardianos/service writes for the same template and
// data. Test-only: production code never reaches into the module.
//
//go:linkname kardianosRender github.com/kardianos/service.renderTemplate
func kardianosRender(text string, data map[string]any, funcs map[string]func(string) (string, error)) (string, error)

func TestAgentRendersLikeKardianos(t *testing.T) {
	for _, tt := range agentCases {
		ours, err := RenderAgent(tt.a)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := kardianosRender(AgentTemplate(), AgentData(tt.a), PlistFuncs())
		if err != nil {
			t.Fatalf("%s: kardianos/service's engine: %v", tt.name, err)
		}
		if string(ours) != theirs {
			t.Errorf("%s: ours differs from kardianos/service's engine:\n--- ours\n%s\n--- kardianos\n%s", tt.name, ours, theirs)
		}
	}
}

func TestAutostartRendersLikeKardianos(t *testing.T) {
	a := Autostart{Program: "/home/a b/idpulse", Arguments: []string{"run", "x%y"}}
	ours, err := RenderAutostart(a)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := kardianosRender(AutostartTemplate(), map[string]any{"Path": a.Program, "Arguments": a.Arguments}, AutostartFuncs())
	if err != nil || string(ours) != theirs {
		t.Errorf("kardianos/service's engine: %v\n--- ours\n%s\n--- kardianos\n%s", err, ours, theirs)
	}
}

// TestKardianosRejectsTextTemplate: the engine really is kardianos/service's
// mini syntax, where text/template's {{.Name}} is an error.
func TestKardianosRejectsTextTemplate(t *testing.T) {
	_, err := kardianosRender("<string>{{.Name}}</string>", AgentData(agentCases[0].a), PlistFuncs())
	if err == nil || !strings.Contains(err.Error(), "unknown template key") {
		t.Errorf("{{.Name}}: %v, want unknown template key", err)
	}
}

// TestEngineCopyMatchesModule: internal/minitmpl/template.go is the module's
// template.go with only the alterations minitmpl's notice lists. A
// kardianos/service upgrade that changes the engine fails here until the
// copy follows.
func TestEngineCopyMatchesModule(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot locate the kardianos/service module")
	}
	out, err := exec.Command(goCmd, "list", "-m", "-f", "{{.Dir}}", "github.com/kardianos/service").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/kardianos/service: %v", err)
	}
	upstream, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "template.go"))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := os.ReadFile(filepath.Join("internal", "minitmpl", "template.go"))
	if err != nil {
		t.Fatal(err)
	}
	// The changes minitmpl's template.go makes to the module's, in order.
	alterations := []struct{ upstream, ours string }{
		{"\npackage service\n", "\npackage minitmpl\n"},
		{`// mustParse is parseTemplate for the built-in templates, which are constants
// and cannot fail at runtime. It panics on a malformed template, surfacing the
// mistake at init time.
func mustParse(text string) *tmpl {
	t, err := parseTemplate(text)
	if err != nil {
		panic(err)
	}
	return t
}

`, ""},
	}
	for _, alt := range alterations {
		if bytes.Count(upstream, []byte(alt.upstream)) != 1 {
			t.Fatalf("kardianos/service's template.go no longer has exactly one %q: redo the alterations of launchd/internal/minitmpl", alt.upstream)
		}
		upstream = bytes.Replace(upstream, []byte(alt.upstream), []byte(alt.ours), 1)
	}
	if !bytes.Equal(ours, upstream) {
		t.Errorf("launchd/internal/minitmpl/template.go differs from kardianos/service's template.go (beyond the listed alterations): copy it again")
	}
}
