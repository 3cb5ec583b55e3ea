package netenv

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/probes/command/commandtest"
	"github.com/idpulse/idpulse/probes/filetest"
)

// parseCase is one input of a parser's table: a capture in testdata (file)
// or inline text (in), and what the parser must make of it.
type parseCase[T any] struct {
	name     string
	file, in string
	want     T
	// wantErr is a substring of the error; "" means success. The result of
	// a failed parse is not compared.
	wantErr string
}

// testParse runs parse on every case, each as a subtest. Tests of parsers
// with more than one result (or a derived fact worth pinning, such as
// errors.Is) pass a parse that bundles them into one comparable value.
func testParse[T any](t *testing.T, parse func([]byte) (T, error), cases []parseCase[T]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := []byte(c.in)
			if c.file != "" {
				in = readTestdata(t, c.file)
			}
			got, err := parse(in)
			if c.wantErr != "" {
				wantError(t, err, c.wantErr)
				return
			}
			wantResult(t, got, err, c.want, "")
		})
	}
}

// wantResult fails t unless err contains wantErr ("" means no error) and,
// error or not, got equals want.
func wantResult[T any](t *testing.T, got T, err error, want T, wantErr string) {
	t.Helper()
	wantError(t, err, wantErr)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// wantError fails t unless err contains want; "" means no error.
func wantError(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("error %v, want none", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("error %v, want one containing %q", err, want)
	}
}

// replay is a runner answering replies (command line → reply); commands
// not in it fail.
func replay(replies map[string]commandtest.Reply) *commandtest.Runner {
	r := commandtest.New()
	for cmdline, reply := range replies {
		r.Replace(cmdline, reply)
	}
	return r
}

func readTestdata(t testing.TB, name string) []byte { t.Helper(); return filetest.Testdata(t, name) }

// testdataPath is for readers that take a file path.
func testdataPath(name string) string { return filepath.Join("testdata", name) }

// addTestdataSeeds seeds a fuzz target with every testdata capture whose name
// starts with prefix, so fuzzing starts from real shapes.
func addTestdataSeeds(f *testing.F, prefix string) {
	f.Helper()
	matches, err := filepath.Glob(filepath.Join("testdata", prefix+"*"))
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, m := range matches {
		if strings.HasSuffix(m, ".source.txt") {
			continue
		}
		f.Add(readTestdata(f, filepath.Base(m)))
		n++
	}
	if n == 0 {
		f.Fatalf("no testdata seeds for %q", prefix)
	}
}

func TestRunNilRunner(t *testing.T) {
	_, err := run(context.Background(), nil, "/usr/sbin/scutil", "--proxy")
	wantError(t, err, "no Runner")
}
