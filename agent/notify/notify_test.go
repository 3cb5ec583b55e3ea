package notify

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"plain", "Apple ID server unreachable", 80, "Apple ID server unreachable"},
		{"newlines become spaces", "line one\nline two\r\nthree", 80, "line one line two three"},
		{"whitespace collapsed and trimmed", " \t a \t\t b  \n", 80, "a b"},
		{"unicode spaces", "a\u00a0\u2028\u3000b", 80, "a b"},
		{"control characters dropped", "bell\x07 esc\x1b[31mred\x00nul\x7f", 80, "bell escrednul"},
		{"OSC 52 dropped whole", "copy\x1b]52;c;cm0gLXJmIH4=\x07 done", 80, "copy done"},
		{"OSC 8 link text kept, target dropped", "\x1b]8;;http://x\x1b\\click\x1b]8;;\x1b\\ here", 80, "click here"},
		{"8-bit CSI dropped whole", "a\u009b2Jb", 80, "ab"},
		{"bidi override and zero-width dropped", "abc\u202eevil\u200bx\ufeff", 80, "abcevilx"},
		{"invalid UTF-8 dropped", "ok\xff\xfeok", 80, "okok"},
		{"literal replacement char kept", "a\ufffdb", 80, "a\ufffdb"},
		{"non-ASCII kept", "Café — 東京 ✓", 80, "Café — 東京 ✓"},
		{"emoji sequence kept", "👨\u200d👩\u200d👧", 80, "👨\u200d👩\u200d👧"},
		{"exact fit not cut", "abcde", 5, "abcde"},
		{"cut with ellipsis", "abcdefgh", 5, "abcd…"},
		{"cut counts runes", "ééééééé", 4, "ééé…"},
		{"no space before ellipsis", "abc defgh", 5, "abc…"},
		{"max 1", "abc", 1, "…"},
		{"max 0", "abc", 0, ""},
		{"only junk", "\x00\n\t\u202e", 10, ""},
		{"shell and script text untouched", `"; rm -rf ~ $(x) ` + "`y`", 80, `"; rm -rf ~ $(x) ` + "`y`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in, tt.max); got != tt.want {
				t.Errorf("Sanitize(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestAppleScriptNotification(t *testing.T) {
	tests := []struct {
		name, title, body, want string
	}{
		{"plain", "Apple ID", "Sign-in works again",
			`display notification "Sign-in works again" with title "Apple ID"`},
		{"double quotes", `say "hi"`, `a "b" c`,
			`display notification "a \"b\" c" with title "say \"hi\""`},
		{"backslash", `C:\path\`, `\"`,
			`display notification "\\\"" with title "C:\\path\\"`},
		{"breakout attempt", `" & do shell script "rm -rf ~" & "`, "x",
			`display notification "x" with title "\" & do shell script \"rm -rf ~\" & \""`},
		{"breakout with escaped quote", `\" & do shell script "id" & "\`, "x",
			`display notification "x" with title "\\\" & do shell script \"id\" & \"\\"`},
		{"shell syntax is just text", "$(id)", "`id`; rm -rf ~ | cat && echo $HOME",
			"display notification \"`id`; rm -rf ~ | cat && echo $HOME\" with title \"$(id)\""},
		{"line breaks escaped", "a\nb", "c\r\td",
			`display notification "c\r\td" with title "a\nb"`},
		{"control characters dropped", "a\x00\x07\x1bb", "\x7fc",
			`display notification "c" with title "ab"`},
		{"non-ASCII literal, not \\u escapes", "Café", "東京 ✓",
			`display notification "東京 ✓" with title "Café"`},
		{"AppleScript continuation char inside a literal", "a¬", "«data»",
			`display notification "«data»" with title "a¬"`},
		{"empty", "", "",
			`display notification "" with title ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppleScriptNotification(tt.title, tt.body)
			if got != tt.want {
				t.Errorf("script =\n%s\nwant\n%s", got, tt.want)
			}
			// Independently of the exact text: the script must be the fixed
			// command with exactly two literals, decoding to the inputs.
			skeleton, lits, err := splitAppleScript(got)
			if err != nil {
				t.Fatal(err)
			}
			if skeleton != `display notification <> with title <>` {
				t.Errorf("script outside literals = %q", skeleton)
			}
			want := []string{showable(tt.body), showable(tt.title)}
			if len(lits) != 2 || lits[0] != want[0] || lits[1] != want[1] {
				t.Errorf("literals = %q, want %q", lits, want)
			}
		})
	}
}

// splitAppleScript tokenises string literals the way AppleScript does and
// returns the text outside them (literals as <>) and the decoded literals.
func splitAppleScript(s string) (string, []string, error) {
	var out strings.Builder
	var lits []string
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '"' {
			out.WriteRune(rs[i])
			continue
		}
		var lit strings.Builder
		closed := false
		for i++; i < len(rs); i++ {
			if rs[i] == '"' {
				closed = true
				break
			}
			if rs[i] == '\\' {
				i++
				if i == len(rs) {
					return "", nil, errors.New("dangling backslash")
				}
				switch rs[i] {
				case 'n':
					lit.WriteRune('\n')
				case 'r':
					lit.WriteRune('\r')
				case 't':
					lit.WriteRune('\t')
				case '"', '\\':
					lit.WriteRune(rs[i])
				default:
					return "", nil, errors.New("unknown escape \\" + string(rs[i]))
				}
				continue
			}
			lit.WriteRune(rs[i])
		}
		if !closed {
			return "", nil, errors.New("unterminated literal")
		}
		lits = append(lits, lit.String())
		out.WriteString("<>")
	}
	return out.String(), lits, nil
}

type recorder struct {
	mu    sync.Mutex
	calls [][2]string
	err   error
}

func (r *recorder) send(_ context.Context, title, body string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, [2]string{title, body})
	return r.err
}

func TestNotifySanitisesBeforeTheBackend(t *testing.T) {
	rec := &recorder{}
	d := Desktop{send: rec.send}
	title := "Apple ID\x07 is\n\tdown " + strings.Repeat("t", 100)
	body := "\u202e" + strings.Repeat("b ", 200)
	if err := d.Notify(context.Background(), title, body); err != nil {
		t.Fatal(err)
	}
	want := [2]string{Sanitize(title, MaxTitle), Sanitize(body, MaxBody)}
	if len(rec.calls) != 1 || rec.calls[0] != want {
		t.Fatalf("backend got %q, want [%q]", rec.calls, want)
	}
	if n := len([]rune(want[0])); n != MaxTitle {
		t.Errorf("title is %d runes, want %d", n, MaxTitle)
	}
	if !strings.HasPrefix(want[0], "Apple ID is down t") || !strings.HasSuffix(want[1], "…") {
		t.Errorf("unexpected sanitised text %q", want)
	}
}

func TestNotifyErrors(t *testing.T) {
	backendErr := errors.New("org.freedesktop.DBus.Error.ServiceUnknown")
	tests := []struct {
		name        string
		title, body string
		send        sendFunc
		ctx         func() (context.Context, context.CancelFunc)
		timeout     time.Duration
		is          error  // errors.Is target
		contains    string // and the message
		wantNoCalls bool
	}{
		{name: "backend error wrapped", title: "t", send: (&recorder{err: backendErr}).send,
			is: backendErr, contains: `notify "t": org.freedesktop`},
		{name: "nothing to show", title: "\x00", body: " \n ", send: (&recorder{}).send,
			contains: "nothing to show"},
		{name: "hung backend times out", title: "t", send: hang(t), timeout: 20 * time.Millisecond,
			is: context.DeadlineExceeded, contains: "no answer within 20ms"},
		{name: "caller cancels", title: "t", send: hang(t), timeout: time.Hour,
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, func() {}
			}, is: context.Canceled},
		{name: "backend killed at the deadline", title: "t", timeout: 20 * time.Millisecond,
			send: func(ctx context.Context, _, _ string) error {
				<-ctx.Done() // like exec.CommandContext: returns its own error once killed
				return errors.New("signal: killed")
			}, is: context.DeadlineExceeded, contains: "no answer within 20ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			d := Desktop{send: tt.send, Timeout: tt.timeout}
			err := d.Notify(ctx, tt.title, tt.body)
			if err == nil {
				t.Fatal("Notify succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("err = %q, want it to contain %q", err, tt.contains)
			}
		})
	}
}

// hang is a backend that never answers (until the test ends, so the
// goroutine Notify leaves behind does not outlive the test binary's checks).
func hang(t *testing.T) sendFunc {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return func(context.Context, string, string) error {
		<-release
		return nil
	}
}

func TestDefaultTimeoutApplies(t *testing.T) {
	var deadline time.Time
	d := Desktop{send: func(ctx context.Context, _, _ string) error {
		deadline, _ = ctx.Deadline()
		return nil
	}}
	start := time.Now()
	if err := d.Notify(context.Background(), "t", "b"); err != nil {
		t.Fatal(err)
	}
	if got := deadline.Sub(start); got < DefaultTimeout || got > DefaultTimeout+time.Second {
		t.Errorf("backend deadline in %v, want about %v", got, DefaultTimeout)
	}
}
