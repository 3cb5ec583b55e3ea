package fixes

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/applescript/applescripttest"
)

// decodeDoShellScript reads exactly the script AdminArgv writes: one string
// literal (read by AppleScript's rules) that must end where the script says
// "with administrator privileges" — a quote that escaped the literal would
// end it early and fail here.
func decodeDoShellScript(script string) (string, error) {
	const pre, post = `do shell script `, ` with administrator privileges`
	rest, ok := strings.CutPrefix(script, pre)
	if !ok {
		return "", fmt.Errorf("script does not start with %q: %q", pre, script)
	}
	lit, rest, err := applescripttest.Cut(rest)
	if err != nil {
		return "", err
	}
	if rest != post {
		return "", fmt.Errorf("string literal ends early, script goes on with %q", rest)
	}
	return lit, nil
}

// splitQuotedShell is a strict POSIX sh word splitter for what shellCommand
// writes: commands joined by " && ", words separated by one space, and every
// word made only of '…' spans and \' (the quote escaped between spans).
// Anything else — an unquoted character of any kind — is an error, which is
// how the tests prove nothing reaches sh unquoted.
func splitQuotedShell(s string) ([][]string, error) {
	var cmds [][]string
	var words []string
	pos := 0
	for {
		var w strings.Builder
		parts := 0
		for pos < len(s) {
			if s[pos] == '\'' {
				end := strings.IndexByte(s[pos+1:], '\'')
				if end < 0 {
					return nil, fmt.Errorf("unterminated quote at %d", pos)
				}
				w.WriteString(s[pos+1 : pos+1+end])
				pos += end + 2
			} else if strings.HasPrefix(s[pos:], `\'`) {
				w.WriteByte('\'')
				pos += 2
			} else {
				break
			}
			parts++
		}
		if parts == 0 {
			return nil, fmt.Errorf("unquoted text at %d: %q", pos, s[pos:])
		}
		words = append(words, w.String())
		switch {
		case pos == len(s):
			return append(cmds, words), nil
		case strings.HasPrefix(s[pos:], " && "):
			cmds, words = append(cmds, words), nil
			pos += 4
		case s[pos] == ' ':
			pos++
		default:
			return nil, fmt.Errorf("unquoted text at %d: %q", pos, s[pos:])
		}
	}
}

// decodeAdminArgv undoes AdminArgv: the commands the prompt would run.
func decodeAdminArgv(goos string, wrapped []string) ([][]string, error) {
	switch {
	case goos == "darwin":
		if len(wrapped) != 3 || wrapped[0] != "/usr/bin/osascript" || wrapped[1] != "-e" {
			return nil, fmt.Errorf("not an osascript call: %q", wrapped)
		}
		sh, err := decodeDoShellScript(wrapped[2])
		if err != nil {
			return nil, err
		}
		return splitQuotedShell(sh)
	case goos == "linux" && len(wrapped) == 4 && wrapped[0] == "/usr/bin/pkexec" && wrapped[1] == "/bin/sh" && wrapped[2] == "-c":
		return splitQuotedShell(wrapped[3])
	case goos == "linux" && len(wrapped) > 1 && wrapped[0] == "/usr/bin/pkexec":
		if wrapped[1] == "/bin/sh" {
			return nil, fmt.Errorf("unexpected shell call %q", wrapped)
		}
		return [][]string{wrapped[1:]}, nil
	}
	return nil, fmt.Errorf("unknown wrapper %q", wrapped)
}

func TestAdminArgv(t *testing.T) {
	flush := [][]string{{"/usr/bin/dscacheutil", "-flushcache"}, {"/usr/bin/killall", "-HUP", "mDNSResponder"}}
	tests := []struct {
		name string
		goos string
		argv [][]string
		want []string
	}{
		{"darwin two commands", "darwin", flush, []string{"/usr/bin/osascript", "-e",
			`do shell script "'/usr/bin/dscacheutil' '-flushcache' && '/usr/bin/killall' '-HUP' 'mDNSResponder'" with administrator privileges`}},
		{"darwin one command", "darwin", [][]string{{"/usr/bin/sntp", "-sS", "time.apple.com"}}, []string{"/usr/bin/osascript", "-e",
			`do shell script "'/usr/bin/sntp' '-sS' 'time.apple.com'" with administrator privileges`}},
		{"darwin quotes of both kinds", "darwin", [][]string{{"/bin/x", `it's "quoted" \ back`}}, []string{"/usr/bin/osascript", "-e",
			`do shell script "'/bin/x' 'it'\\''s \"quoted\" \\ back'" with administrator privileges`}},
		{"darwin newline", "darwin", [][]string{{"/bin/x", "a\nb\tc\rd"}}, []string{"/usr/bin/osascript", "-e",
			`do shell script "'/bin/x' 'a\nb\tc\rd'" with administrator privileges`}},
		{"darwin empty argument", "darwin", [][]string{{"/bin/x", ""}}, []string{"/usr/bin/osascript", "-e",
			`do shell script "'/bin/x' ''" with administrator privileges`}},
		{"linux one command runs directly", "linux", [][]string{{"/usr/bin/resolvectl", "flush-caches"}},
			[]string{"/usr/bin/pkexec", "/usr/bin/resolvectl", "flush-caches"}},
		{"linux one command keeps hostile text as one element", "linux", [][]string{{"/usr/bin/x", "$(id) 'a' `b`"}},
			[]string{"/usr/bin/pkexec", "/usr/bin/x", "$(id) 'a' `b`"}},
		{"linux two commands through sh, quoted", "linux", [][]string{{"/usr/bin/a", "x y"}, {"/usr/bin/b", "it's"}},
			[]string{"/usr/bin/pkexec", "/bin/sh", "-c", `'/usr/bin/a' 'x y' && '/usr/bin/b' 'it'\''s'`}},
		{"windows", "windows", flush, nil},
		{"no commands", "darwin", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AdminArgv(tt.goos, tt.argv)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("AdminArgv =\n %q\nwant\n %q", got, tt.want)
			}
			if got == nil {
				return
			}
			back, err := decodeAdminArgv(tt.goos, got)
			if err != nil || !reflect.DeepEqual(back, tt.argv) {
				t.Errorf("decoded = %q, %v; want %q", back, err, tt.argv)
			}
		})
	}
}

// hostile are texts that would break out of a naive quoting: shell and
// AppleScript metacharacters, command substitution, line breaks, and the
// classic AppleScript breakout.
var hostile = []string{
	`'`, `''`, `'\''`, `"`, `\`, `\"`, `\\"`, `"\`,
	`$(touch CANARY)`, "`touch CANARY`", `${HOME}`, `$HOME`,
	`; touch CANARY`, `&& touch CANARY`, `| touch CANARY`, `& touch CANARY &`,
	"a\ntouch CANARY", "a\rtouch CANARY", "\ttab", "a\n\n",
	`" & do shell script "touch CANARY" & "`,
	`" with administrator privileges
do shell script "touch CANARY`,
	`\" & do shell script \"touch CANARY\" & \"`,
	`'; touch CANARY; '`, `'"$(touch CANARY)"'`, `-rf`, `--`, ` leading and trailing `, "",
	"ünïcødé ✓ 日本", "\u202e reversed", "!", "#comment", "*", "~", "a b  c",
}

// TestAdminArgvInjection: every hostile argv decodes back to itself through
// both layers, on both systems, alone and combined.
func TestAdminArgvInjection(t *testing.T) {
	for _, h := range hostile {
		cases := [][][]string{
			{{"/usr/sbin/scutil", "--nc", "stop", h}},
			{{"/usr/bin/idpulse", "fix", "remove-hosts-entries", "--yes", "--hosts-file", "/etc/" + h}},
			{{"/usr/bin/a", h, h}, {"/Applications/" + h + "/idpulse", h}},
		}
		for _, argv := range cases {
			for _, goos := range []string{"darwin", "linux"} {
				wrapped := AdminArgv(goos, argv)
				back, err := decodeAdminArgv(goos, wrapped)
				if err != nil || !reflect.DeepEqual(back, argv) {
					t.Errorf("%s %q:\n wrapped %q\n decoded %q, %v", goos, h, wrapped, back, err)
				}
			}
		}
	}
}

// The splitter is the test's safety net: make sure it rejects what it must.
func TestSplitQuotedShellRejectsUnquoted(t *testing.T) {
	for _, s := range []string{
		`'a' b`, `'a' ; 'b'`, `'a'$(x)`, "'a' `x`", `'a' && b`, `'a'  'b'`, `'a' &&'b'`, `'a`, ``, `'a' && `, `'a'"b"`,
		"'a'\n'b'", `'a' | 'b'`,
	} {
		if got, err := splitQuotedShell(s); err == nil {
			t.Errorf("splitQuotedShell(%q) = %q, want an error", s, got)
		}
	}
	for _, s := range []string{`do shell script "x"`, `do shell script "x" & "y" with administrator privileges`, `do shell script "x`, "do shell script \"a\nb\" with administrator privileges"} {
		if got, err := decodeDoShellScript(s); err == nil {
			t.Errorf("decodeDoShellScript(%q) = %q, want an error", s, got)
		}
	}
}

func FuzzAdminArgvRoundTrip(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.ContainsRune(a+b, 0) {
			t.Skip("exec cannot carry NUL; checkArgv refuses it")
		}
		for _, argv := range [][][]string{{{"/bin/x", a}}, {{"/bin/x", a, b}, {"/bin/" + b}}} {
			for _, goos := range []string{"darwin", "linux"} {
				back, err := decodeAdminArgv(goos, AdminArgv(goos, argv))
				if err != nil || !reflect.DeepEqual(back, argv) {
					t.Fatalf("%s %q: decoded %q, %v", goos, argv, back, err)
				}
			}
		}
	})
}

// TestShellQuotingRealShells runs the quoted command lines through the real
// shells on this machine — dash as /bin/sh, and bash in POSIX mode, which is
// what macOS's /bin/sh is — and checks each program received exactly its
// argv, with none of the hostile texts' commands having run.
func TestShellQuotingRealShells(t *testing.T) {
	printf := "/usr/bin/printf"
	if !exists(printf) {
		t.Skip("no /usr/bin/printf")
	}
	shells := [][]string{{"/bin/sh", "-c"}}
	if exists("/bin/bash") {
		shells = append(shells, []string{"/bin/bash", "--posix", "-c"})
	}
	dir := t.TempDir()
	for _, sh := range shells {
		for _, h := range hostile {
			argv := [][]string{
				{printf, `%s\000`, h, "second " + h},
				{printf, `%s\000`, h},
			}
			// The darwin path: decode the AppleScript literal, then let a
			// real shell parse what do shell script would hand it.
			script, err := decodeDoShellScript(AdminArgv("darwin", argv)[2])
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range []string{script, AdminArgv("linux", argv)[3]} {
				cmd := exec.Command(sh[0], append(sh[1:], line)...)
				cmd.Dir = dir
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("%s %q: %v: %s", sh[0], line, err, stderr.String())
				}
				want := h + "\x00second " + h + "\x00" + h + "\x00"
				if string(out) != want {
					t.Errorf("%s %q:\n got %q\nwant %q", sh[0], line, out, want)
				}
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "CANARY")); err == nil {
		t.Fatal("a hostile argument ran a command")
	}
}
