// Command darwincheck type-checks Go packages as they would be compiled for
// GOOS=darwin with CGO_ENABLED=1, on a machine that has no darwin C toolchain.
//
//	go run ./.ci/darwincheck [-v] [-goarch arm64] [-tags t1,t2] [packages...]   (default ./...)
//	go run ./.ci/darwincheck -selftest
//
// `go build`/`go vet` for darwin with cgo need clang, the Objective-C
// front end and the macOS SDK, so Linux CI cannot compile the menu-bar code
// (fyne.io/systray's darwin implementation is a cgo file). `go list` does not
// run cgo, though: with GOOS=darwin CGO_ENABLED=1 it reports exactly the
// darwin file set of every package. This program parses those files
// (GoFiles + CgoFiles, never _test files) and type-checks every package,
// standard library included, from source in dependency order with go/types.
// types.Config.FakeImportC makes `import "C"` acceptable: C.xxx is left
// unchecked, everything on the Go side is checked.
//
// Errors are reported for packages of the main module (and for packages named
// on the command line). Dependencies are checked without function bodies
// (unless -full); a
// dependency that cannot be checked at all (go list error, parse error,
// missing import) makes the run fail.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

const goos = "darwin"

// listPackage is the subset of `go list -json` output that we use.
type listPackage struct {
	Dir        string
	ImportPath string
	Name       string
	Standard   bool
	DepOnly    bool
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
	ImportMap  map[string]string
	Module     *struct {
		Path      string
		Main      bool
		GoVersion string
	}
	Error *listError
}

type listError struct {
	Pos string
	Err string
}

func (e *listError) String() string {
	if e.Pos != "" {
		return e.Pos + ": " + e.Err
	}
	return e.Err
}

// diag is one reported problem.
type diag struct {
	Pkg  string
	File string // absolute path, "" if unknown
	Pos  string // file:line:col relative to the working directory, or ""
	Msg  string

	line, col int // for sorting
}

func (d diag) String() string {
	if d.Pos != "" {
		return d.Pos + ": " + d.Msg
	}
	return d.Pkg + ": " + d.Msg
}

type options struct {
	goarch  string
	tags    string
	verbose bool
	full    bool // check function bodies of dependencies too
	stderr  io.Writer
}

type result struct {
	checked int    // packages type-checked
	ours    int    // of which reported (main module or named on the command line)
	errs    []diag // errors in reported packages
	fatal   []diag // dependencies that could not be checked at all
	depErrs []diag // type errors inside dependencies (not failures)
	skipped []string
}

// pkgState carries one package through the parallel checker.
type pkgState struct {
	lp     *listPackage
	report bool
	done   chan struct{}
	tpkg   *types.Package // nil if the package could not be checked
	errs   []diag
	fatal  []diag
}

func main() {
	var (
		opt      options
		selftest bool
	)
	flag.StringVar(&opt.goarch, "goarch", "arm64", "GOARCH to check for (arm64 or amd64)")
	flag.StringVar(&opt.tags, "tags", "", "comma-separated build tags passed to go list")
	flag.BoolVar(&opt.verbose, "v", false, "verbose: list skipped packages and type errors inside dependencies")
	flag.BoolVar(&opt.full, "full", false, "also type-check function bodies of dependencies (slower; their errors are still only shown with -v)")
	flag.BoolVar(&selftest, "selftest", false, "check a seeded package inside the module and assert the expected errors are reported")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: darwincheck [-v] [-goarch arch] [-tags tags] [packages...]\n       darwincheck -selftest\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	opt.stderr = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if selftest {
		if err := runSelftest(ctx, opt); err != nil {
			fmt.Fprintf(os.Stderr, "darwincheck: selftest FAILED: %v\n", err)
			stop()
			os.Exit(1)
		}
		return
	}

	patterns := flag.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	start := time.Now()
	res, err := check(ctx, patterns, opt)
	if err != nil {
		fmt.Fprintf(os.Stderr, "darwincheck: %v\n", err)
		stop()
		os.Exit(1)
	}
	os.Exit(printResult(res, opt, time.Since(start)))
}

func printResult(res *result, opt options, elapsed time.Duration) int {
	w := opt.stderr
	for _, d := range res.fatal {
		fmt.Fprintf(w, "darwincheck: cannot check dependency: %s\n", d)
	}
	for _, d := range res.errs {
		fmt.Fprintln(w, d)
	}
	if opt.verbose {
		for _, s := range res.skipped {
			fmt.Fprintf(w, "darwincheck: skipped %s\n", s)
		}
		for _, d := range res.depErrs {
			fmt.Fprintf(w, "darwincheck: (ignored, dependency) %s\n", d)
		}
	} else if len(res.depErrs) > 0 {
		fmt.Fprintf(w, "darwincheck: note: %d type errors inside dependencies ignored (-v shows them)\n", len(res.depErrs))
	}
	fmt.Printf("darwincheck: %d packages type-checked for %s/%s (%d ours) in %.1fs\n",
		res.checked, goos, opt.goarch, res.ours, elapsed.Seconds())
	if n := len(res.errs) + len(res.fatal); n > 0 {
		fmt.Fprintf(w, "darwincheck: FAIL: %d error(s)\n", n)
		return 1
	}
	return 0
}

// goList runs `go list -e -deps -json` for darwin and decodes its output.
func goList(ctx context.Context, patterns []string, opt options) ([]*listPackage, error) {
	args := []string{"list", "-e", "-deps", "-json=Dir,ImportPath,Name,Standard,DepOnly,GoFiles,CgoFiles,Imports,ImportMap,Module,Error"}
	if opt.tags != "" {
		args = append(args, "-tags", opt.tags)
	}
	args = append(args, "--")
	args = append(args, patterns...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+opt.goarch, "CGO_ENABLED=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list failed: %v\n%s", err, strings.TrimSpace(stderr.String()))
	}
	// With -e, go list reports package problems in the JSON; anything on
	// stderr is informational (e.g. "go: downloading ...").
	if s := strings.TrimSpace(stderr.String()); s != "" && opt.verbose {
		fmt.Fprintf(opt.stderr, "darwincheck: go list: %s\n", s)
	}
	var pkgs []*listPackage
	dec := json.NewDecoder(&stdout)
	for {
		p := new(listPackage)
		if err := dec.Decode(p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("go list matched no packages for %s", strings.Join(patterns, " "))
	}
	return pkgs, nil
}

func check(ctx context.Context, patterns []string, opt options) (*result, error) {
	pkgs, err := goList(ctx, patterns, opt)
	if err != nil {
		return nil, err
	}
	cwd, _ := os.Getwd()
	sizes := types.SizesFor("gc", opt.goarch)
	if sizes == nil {
		return nil, fmt.Errorf("unknown GOARCH %q", opt.goarch)
	}

	states := make(map[string]*pkgState, len(pkgs))
	var order []*pkgState
	res := &result{}
	for _, lp := range pkgs {
		if lp.ImportPath == "unsafe" || lp.ImportPath == "C" {
			continue
		}
		st := &pkgState{
			lp:     lp,
			report: !lp.DepOnly || (lp.Module != nil && lp.Module.Main),
			done:   make(chan struct{}),
		}
		states[lp.ImportPath] = st
		order = append(order, st)
	}

	// Type-check in parallel: each package waits for its imports. go list
	// -deps guarantees every import is in the list; a missing one is a
	// fatal error reported by the importer.
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, st := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(st.done)
			for _, imp := range st.lp.Imports {
				if dep := states[imp]; dep != nil {
					<-dep.done
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				st.fatal = append(st.fatal, diag{Pkg: st.lp.ImportPath, Msg: ctx.Err().Error()})
				return
			}
			defer func() { <-sem }()
			checkPackage(st, states, sizes, cwd, opt.full)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	for _, st := range order {
		if st.tpkg != nil {
			res.checked++
			if st.report {
				res.ours++
			}
		}
		if len(st.lp.GoFiles)+len(st.lp.CgoFiles) == 0 {
			why := "no non-test Go files"
			if st.lp.Error != nil {
				why = st.lp.Error.Err
			}
			res.skipped = append(res.skipped, st.lp.ImportPath+" ("+why+")")
		}
		if st.report {
			res.errs = append(res.errs, st.fatal...)
			res.errs = append(res.errs, st.errs...)
		} else {
			res.fatal = append(res.fatal, st.fatal...)
			res.depErrs = append(res.depErrs, st.errs...)
		}
	}
	return res, nil
}

var noDarwinFiles = regexp.MustCompile(`build constraints exclude all Go files|no non-test Go files`)

func checkPackage(st *pkgState, states map[string]*pkgState, sizes types.Sizes, cwd string, full bool) {
	lp := st.lp
	fail := func(format string, args ...any) {
		st.fatal = append(st.fatal, diag{Pkg: lp.ImportPath, Msg: fmt.Sprintf(format, args...)})
	}
	files := append(append([]string(nil), lp.GoFiles...), lp.CgoFiles...)
	if lp.Error != nil {
		if len(files) == 0 && noDarwinFiles.MatchString(lp.Error.Err) {
			return // e.g. a Linux-only package named explicitly; nothing to check
		}
		fail("go list: %s", lp.Error)
		if len(files) == 0 {
			return
		}
	}
	if len(files) == 0 {
		return // test-only package
	}

	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range files {
		path := filepath.Join(lp.Dir, name)
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			fail("parse: %v", relErr(err, cwd))
			return
		}
		parsed = append(parsed, f)
	}

	goVersion := ""
	if lp.Module != nil && lp.Module.GoVersion != "" {
		goVersion = "go" + lp.Module.GoVersion
	}
	conf := types.Config{
		GoVersion:   goVersion,
		FakeImportC: true,
		Sizes:       sizes,
		// Only the API of dependencies matters to us; their bodies were
		// compiled by their authors. Skipping them is much faster and, with
		// FakeImportC, avoids noise from C-heavy code. Unused-import
		// checking needs bodies, so it goes with them.
		IgnoreFuncBodies:         !st.report && !full,
		DisableUnusedImportCheck: !st.report && !full,
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			if mapped, ok := lp.ImportMap[path]; ok {
				path = mapped
			}
			dep := states[path]
			if dep == nil {
				return nil, fmt.Errorf("package %q is not in go list -deps output", path)
			}
			<-dep.done // already closed: imports were awaited before checking
			if dep.tpkg == nil {
				return nil, fmt.Errorf("dependency %q could not be type-checked", path)
			}
			return dep.tpkg, nil
		}),
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) {
				p := te.Fset.Position(te.Pos)
				st.errs = append(st.errs, diag{Pkg: lp.ImportPath, File: p.Filename, Pos: relPos(p, cwd), Msg: te.Msg, line: p.Line, col: p.Column})
				return
			}
			st.errs = append(st.errs, diag{Pkg: lp.ImportPath, Msg: err.Error()})
		},
	}
	tpkg, _ := conf.Check(lp.ImportPath, fset, parsed, nil)
	// Import failures mean a dependency was not checkable: that is fatal,
	// not a type error of this package.
	kept := st.errs[:0]
	for _, d := range st.errs {
		if strings.HasPrefix(d.Msg, "could not import") {
			st.fatal = append(st.fatal, d)
		} else {
			kept = append(kept, d)
		}
	}
	st.errs = kept
	// go/types reports unused imports last; present errors in file order.
	sort.SliceStable(st.errs, func(i, j int) bool {
		a, b := st.errs[i], st.errs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.line < b.line || a.line == b.line && a.col < b.col
	})
	st.tpkg = tpkg
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func relPos(p token.Position, cwd string) string {
	name := p.Filename
	if r, err := filepath.Rel(cwd, name); err == nil && !strings.HasPrefix(r, "..") {
		name = r
	}
	return fmt.Sprintf("%s:%d:%d", name, p.Line, p.Column)
}

func relErr(err error, cwd string) string {
	s := err.Error()
	if cwd != "" {
		s = strings.ReplaceAll(s, cwd+string(filepath.Separator), "")
	}
	return s
}

// ---------------------------------------------------------------------------
// -selftest

// selftestFiles is a package that must produce exactly the errors listed in
// selftestWant when checked for darwin. It lives for the duration of the
// test inside the module (so it resolves fyne.io/systray through our go.mod)
// but under .ci/, which `./...` never matches.
var selftestFiles = map[string]string{
	// Correct use of darwin-only API: SetRemovalAllowed and the darwin
	// SetTitle exist for darwin only in systray's cgo file, so this file
	// checking cleanly proves the cgo file set was used.
	"ok_darwin.go": `package selftest

import "fyne.io/systray"

func Good() {
	systray.Run(func() {
		systray.SetTitle("ok")
		systray.SetRemovalAllowed(true)
		item := systray.AddMenuItem("Quit", "quit")
		go func() { <-item.ClickedCh; systray.Quit() }()
	}, func() {})
}
`,
	// The seeded error.
	"seed_darwin.go": `package selftest

import "fyne.io/systray"

func Bad() {
	systray.SetTitle(1)
}
`,
	// A cgo file of our own: C.xxx is accepted, Go-side errors are not.
	"seed_cgo_darwin.go": `package selftest

// #include <stdlib.h>
import "C"

import "unsafe"

func BadCgo() {
	C.free(unsafe.Pointer(C.malloc(16)))
	var s string = 42
	_ = s
}
`,
	// Not part of the darwin build: its error must not be reported.
	"ignored_linux.go": `package selftest

var _ int = "linux-only file must not be checked for darwin"
`,
}

var selftestWant = []struct {
	file string
	re   *regexp.Regexp
}{
	{"seed_darwin.go", regexp.MustCompile(`cannot use 1 .*as string value in argument to systray\.SetTitle`)},
	{"seed_cgo_darwin.go", regexp.MustCompile(`cannot use 42 .*as string value in variable declaration`)},
}

func runSelftest(ctx context.Context, opt options) error {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return errors.New("not inside a Go module")
	}
	root := filepath.Dir(gomod)
	dir := filepath.Join(root, ".ci", "darwincheck", fmt.Sprintf("selftest_tmp_%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for name, src := range selftestFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			return err
		}
	}

	start := time.Now()
	var buf bytes.Buffer
	opt.stderr = &buf
	res, err := check(ctx, []string{dir}, opt)
	if err != nil {
		return err
	}
	fail := func(format string, args ...any) error {
		var b strings.Builder
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\nreported errors:")
		for _, d := range append(res.fatal, res.errs...) {
			b.WriteString("\n  " + d.String())
		}
		return errors.New(b.String())
	}
	if len(res.fatal) > 0 {
		return fail("dependencies could not be checked")
	}
	if res.ours != 1 {
		return fail("expected 1 package of ours to be checked, got %d", res.ours)
	}
	matched := make([]bool, len(res.errs))
	for _, w := range selftestWant {
		found := false
		for i, d := range res.errs {
			if filepath.Base(d.File) == w.file && w.re.MatchString(d.Msg) {
				found, matched[i] = true, true
			}
		}
		if !found {
			return fail("expected an error in %s matching %q", w.file, w.re)
		}
	}
	for i, d := range res.errs {
		if !matched[i] {
			return fail("unexpected error: %s", d)
		}
	}
	fmt.Printf("darwincheck: selftest OK: %d packages type-checked for %s/%s; seeded errors reported:\n",
		res.checked, goos, opt.goarch)
	for _, d := range res.errs {
		fmt.Printf("  %s: %s\n", filepath.Base(d.File), d.Msg)
	}
	fmt.Printf("darwincheck: selftest took %.1fs\n", time.Since(start).Seconds())
	return nil
}
