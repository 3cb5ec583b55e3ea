package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// module is the import path every package of ours starts with.
const module = "github.com/idpulse/idpulse"

// systray is the menu bar library: cgo and Cocoa on macOS, so one package
// (agent/tray) hides it and the rest of the tree stays portable.
const systray = "fyne.io/systray"

// importGraph maps each of the module's packages, by its path inside the
// module ("probes/command"), to what it imports directly: the module's
// packages by their path inside the module, others by their full path.
type importGraph map[string]imports

// imports are one package's: its own files', and those only its tests add.
// A test's imports are its package's business, not its importers'.
type imports struct{ Files, Tests []string }

func (i imports) all() []string { return slices.Concat(i.Files, i.Tests) }

// under reports whether pkg is dir or inside it.
func under(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

// ours reports whether p (a key or an import of an importGraph) is one of the
// module's packages.
func (g importGraph) ours(p string) bool { _, ok := g[p]; return ok }

// reach returns, for every package of the module that from or its tests
// reach through imports, the chain of imports that leads there from from.
func (g importGraph) reach(from string) map[string][]string {
	chains := map[string][]string{from: {from}}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		next := g[p].Files
		if p == from {
			next = g[p].all()
		}
		for _, q := range next {
			if _, seen := chains[q]; seen || !g.ours(q) {
				continue
			}
			chains[q] = append(slices.Clone(chains[p]), q)
			queue = append(queue, q)
		}
	}
	return chains
}

// violations lists every broken import rule of g, one line each, sorted:
//   - nothing under probes/ depends on anything under agent/ or cmd/ (the
//     probes are a library the agent and the commands use, never the reverse);
//   - probes/command, the one exec boundary, imports none of the module's
//     packages: everything may use it;
//   - only agent/tray imports fyne.io/systray;
//   - a package under cmd/ is imported only from cmd/, and one under
//     cmd/NAME/internal/ only from cmd/NAME/.
func violations(g importGraph) []string {
	var out []string
	for p, imp := range g {
		if under(p, "probes") {
			for q, chain := range g.reach(p) {
				if under(q, "agent") || under(q, "cmd") {
					out = append(out, p+" depends on "+q+" (probes never import agent or cmd): "+strings.Join(chain, " → "))
				}
			}
		}
		for _, q := range imp.all() {
			if p == "probes/command" && g.ours(q) {
				out = append(out, "probes/command imports "+q+" (the exec boundary is a leaf)")
			}
			if q == systray && p != "agent/tray" {
				out = append(out, p+" imports "+systray+" (only agent/tray does)")
			}
			switch {
			case under(q, "cmd") && !under(p, "cmd"):
				out = append(out, p+" imports "+q+" (nothing outside cmd imports cmd)")
			case under(q, "cmd") && !under(p, cmdOwner(q)):
				out = append(out, p+" imports "+q+" (only "+cmdOwner(q)+"/... imports it)")
			}
		}
	}
	slices.Sort(out)
	return out
}

// cmdOwner is the tree allowed to import q, a package under cmd/: its
// command for cmd/NAME/internal/..., all of cmd otherwise.
func cmdOwner(q string) string {
	parts := strings.Split(q, "/")
	if len(parts) >= 3 && parts[2] == "internal" {
		return "cmd/" + parts[1]
	}
	return "cmd"
}

// listImports is the module's import graph as `go list` sees it for goos,
// tests included.
func listImports(t *testing.T, goos string) importGraph {
	t.Helper()
	goCmd, err := exec.LookPath("go") // go test puts GOROOT/bin first on PATH
	if err != nil {
		t.Fatalf("the go command: %v", err)
	}
	// A bound, not a measurement: go list takes a second or two, and a hung
	// toolchain must not hang the suite.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "list", "-json=ImportPath,Imports,TestImports,XTestImports", module+"/...")
	// cgo on, as for a real darwin build: the tray's Cocoa files count.
	cmd.Env = append(os.Environ(), "GOOS="+goos, "CGO_ENABLED=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("GOOS=%s go list: %v\n%s", goos, err, stderr.String())
	}
	g, err := parseList(out)
	if err != nil {
		t.Fatalf("GOOS=%s go list: %v", goos, err)
	}
	return g
}

// parseList reads `go list -json` output: a stream of package objects.
func parseList(data []byte) (importGraph, error) {
	rel := func(p string) string {
		if p == module {
			return "."
		}
		if r, ok := strings.CutPrefix(p, module+"/"); ok {
			return r
		}
		return p
	}
	g := importGraph{}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var pkg struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&pkg); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		p := rel(pkg.ImportPath)
		var imp imports
		for _, q := range pkg.Imports {
			imp.Files = append(imp.Files, rel(q))
		}
		for _, q := range slices.Concat(pkg.TestImports, pkg.XTestImports) {
			// An external test imports its own package.
			if q = rel(q); q != p && !slices.Contains(imp.all(), q) {
				imp.Tests = append(imp.Tests, q)
			}
		}
		g[p] = imp
	}
	if len(g) == 0 {
		return nil, errors.New("no packages listed")
	}
	return g, nil
}

// TestImportBoundaries holds the tree to its layering, for each OS we ship.
func TestImportBoundaries(t *testing.T) {
	for _, goos := range []string{"linux", "darwin"} {
		g := listImports(t, goos)
		// The rules must have something to bite on.
		for _, p := range []string{"probes", "probes/command", "agent/tray", "cmd/idpulse/internal/root"} {
			if !g.ours(p) {
				t.Fatalf("GOOS=%s: go list does not list %s; the graph is not the module's", goos, p)
			}
		}
		if !slices.Contains(g["agent/tray"].Files, systray) {
			t.Errorf("GOOS=%s: agent/tray does not import %s; the rule about it checks nothing", goos, systray)
		}
		for _, v := range violations(g) {
			t.Errorf("GOOS=%s: %s", goos, v)
		}
	}
}

// TestImportRules: each rule catches a graph that breaks it, and only that.
func TestImportRules(t *testing.T) {
	files := func(paths ...string) imports { return imports{Files: paths} }
	clean := importGraph{
		"probes":           files("probes/command", "net"),
		"probes/command":   files("os/exec"),
		"probes/probetest": files("probes", "testing"),
		"probes/netenv":    files("launchd"),
		"agent/tray":       files(systray, "agent/menu"),
		"agent/menu":       files("probes"),
		// A package's tests may import what its importers must not reach.
		"launchd":                    {Files: []string{"probes/command"}, Tests: []string{"agent/service"}},
		"agent/service":              files("launchd", "probes/command"),
		"cmd/idpulse":                files("cmd/idpulse/internal/root"),
		"cmd/idpulse/internal/root":  files("agent/tray", "cmd/idpulse/internal/cli"),
		"cmd/idpulse/internal/cli":   files("agent/menu"),
		"cmd/idpulse/internal/check": {Files: []string{"cmd/idpulse/internal/cli"}, Tests: []string{"probes/probetest"}},
		"cmd/idpulse/e2e":            {Tests: []string{"probes/probetest", "cmd/idpulse/internal/cli"}},
		"cmd/other":                  files("cmd/shared"),
		"cmd/shared":                 files(),
		"packaging/cmd/icons":        files("agent/menu"),
	}
	if v := violations(clean); len(v) > 0 {
		t.Fatalf("a clean graph breaks rules: %q", v)
	}
	for _, tt := range []struct {
		name     string
		from, to string
		test     bool // the import is a test's
		want     []string
	}{
		{name: "probe imports agent", from: "probes/probetest", to: "agent/menu",
			want: []string{"probes/probetest depends on agent/menu (probes never import agent or cmd): probes/probetest → agent/menu"}},
		{name: "probe's test imports agent", from: "probes", to: "agent/menu", test: true,
			want: []string{"probes depends on agent/menu (probes never import agent or cmd): probes → agent/menu"}},
		{name: "probe reaches agent through another package", from: "launchd", to: "agent/menu",
			want: []string{"probes/netenv depends on agent/menu (probes never import agent or cmd): probes/netenv → launchd → agent/menu"}},
		{name: "probe imports cmd", from: "probes/command", to: "cmd/shared", want: []string{
			"probes depends on cmd/shared (probes never import agent or cmd): probes → probes/command → cmd/shared",
			"probes/command depends on cmd/shared (probes never import agent or cmd): probes/command → cmd/shared",
			"probes/command imports cmd/shared (nothing outside cmd imports cmd)",
			"probes/command imports cmd/shared (the exec boundary is a leaf)",
			"probes/netenv depends on cmd/shared (probes never import agent or cmd): probes/netenv → launchd → probes/command → cmd/shared",
			"probes/probetest depends on cmd/shared (probes never import agent or cmd): probes/probetest → probes → probes/command → cmd/shared",
		}},
		{name: "exec boundary's test imports a probe", from: "probes/command", to: "probes/probetest", test: true,
			want: []string{"probes/command imports probes/probetest (the exec boundary is a leaf)"}},
		{name: "systray outside the tray", from: "cmd/idpulse/internal/root", to: systray,
			want: []string{"cmd/idpulse/internal/root imports fyne.io/systray (only agent/tray does)"}},
		{name: "the agent imports cmd", from: "agent/service", to: "cmd/shared",
			want: []string{"agent/service imports cmd/shared (nothing outside cmd imports cmd)"}},
		{name: "packaging imports a command's internals", from: "packaging/cmd/icons", to: "cmd/idpulse/internal/cli",
			want: []string{"packaging/cmd/icons imports cmd/idpulse/internal/cli (nothing outside cmd imports cmd)"}},
		{name: "another command imports idpulse's internals", from: "cmd/other", to: "cmd/idpulse/internal/cli", test: true,
			want: []string{"cmd/other imports cmd/idpulse/internal/cli (only cmd/idpulse/... imports it)"}},
	} {
		g := importGraph{}
		for p, imp := range clean {
			g[p] = imports{Files: slices.Clone(imp.Files), Tests: slices.Clone(imp.Tests)}
		}
		imp := g[tt.from]
		if tt.test {
			imp.Tests = append(imp.Tests, tt.to)
		} else {
			imp.Files = append(imp.Files, tt.to)
		}
		g[tt.from] = imp
		if got := violations(g); !slices.Equal(got, tt.want) {
			t.Errorf("%s: violations\n  %s\nwant\n  %s", tt.name, strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
		}
	}
}

func TestParseList(t *testing.T) {
	out := []byte(`{"ImportPath": "github.com/idpulse/idpulse/probes", "Imports": ["net", "github.com/idpulse/idpulse/probes/command"],
	  "TestImports": ["net", "testing"],
	  "XTestImports": ["github.com/idpulse/idpulse/probes", "github.com/idpulse/idpulse/probes/probetest"]}
	{"ImportPath": "github.com/idpulse/idpulse/probes/command", "TestImports": ["testing"]}
	{"ImportPath": "github.com/idpulse/idpulse", "Imports": ["fmt"]}`)
	g, err := parseList(out)
	if err != nil {
		t.Fatal(err)
	}
	want := importGraph{
		"probes":         {Files: []string{"net", "probes/command"}, Tests: []string{"testing", "probes/probetest"}},
		".":              {Files: []string{"fmt"}},
		"probes/command": {Tests: []string{"testing"}},
	}
	if len(g) != len(want) {
		t.Fatalf("graph %q, want %q", g, want)
	}
	for p, imp := range want {
		if !slices.Equal(g[p].Files, imp.Files) || !slices.Equal(g[p].Tests, imp.Tests) {
			t.Errorf("%s imports %q, want %q", p, g[p], imp)
		}
	}
	if _, err := parseList(nil); err == nil {
		t.Error("an empty listing parsed")
	}
}
