package fixes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// Step time limits. An administrator step waits for a person to type a
// password, so it gets minutes where a command gets seconds.
const (
	StepTimeout  = 10 * time.Second
	AdminTimeout = 120 * time.Second
)

// ErrCancelled is returned when the user dismisses the password prompt: a
// decision, not a failure.
var ErrCancelled = errors.New("cancelled")

// NewRunner is the real Runner for an Executor. The Executor bounds every
// step itself; command.Exec's own default (3 s) would cut the password prompt
// short, so its limit is raised to the longest step.
func NewRunner() command.Runner { return command.Exec{Timeout: AdminTimeout} }

// Executor carries out plans. Every command goes through Runner (argv, no
// shell), every URL through Open, and every settings window through Launch,
// so tests record what would have happened.
type Executor struct {
	GOOS   string         // "" means runtime.GOOS
	Runner command.Runner // NewRunner in production
	// Euid is the effective user id (os.Geteuid). 0 runs administrator steps
	// directly; anyone else gets the OS's password prompt (AdminArgv).
	Euid int
	// Open opens a URL in the browser or System Settings; nil means
	// /usr/bin/open on macOS and xdg-open on Linux.
	Open func(ctx context.Context, url string) error
	// Launch starts a program without waiting for it (a settings window);
	// nil starts it with os/exec in its own session.
	Launch func(argv []string) error
	Logger *slog.Logger // nil discards
}

// Apply runs the plan's steps in order and stops at the first failure.
// Consecutive administrator steps share one password prompt. Text steps are
// advice for the caller to show; Apply only logs them. The outcome is the
// plan's past-tense sentence (or the hosts edit's own, which knows what it
// removed). A plan without steps (copy-report) does nothing: its caller
// carries it out.
func (x Executor) Apply(ctx context.Context, p Plan) (outcome string, err error) {
	if !p.Available {
		return "", fmt.Errorf("%s is not available: %s", p.Fix, p.Why)
	}
	log := x.logger().With("fix", p.Fix)
	outcome = p.Outcome
	for i := 0; i < len(p.Steps); {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		s := p.Steps[i]
		n := 1
		switch {
		case s.Hosts != nil:
			var o string
			if o, err = x.editHosts(ctx, log, s); o != "" {
				outcome = o
			}
		case s.URL != "":
			err = x.open(ctx, log, s.URL)
		case len(s.Argv) > 0 && s.Detach:
			err = x.launch(log, s.Argv)
		case len(s.Argv) > 0 && s.Admin && x.Euid != 0:
			var batch [][]string
			for n = 0; i+n < len(p.Steps) && plainAdmin(p.Steps[i+n]); n++ {
				batch = append(batch, p.Steps[i+n].Argv)
			}
			err = x.runAdmin(ctx, log, batch)
		case len(s.Argv) > 0:
			err = x.run(ctx, log, s.Argv, StepTimeout)
		case s.Text != "":
			log.Info("fix advice", "text", s.Text)
		default:
			err = errors.New("empty step")
		}
		if err != nil {
			if errors.Is(err, ErrCancelled) {
				log.Info("fix cancelled at the password prompt")
				return "", ErrCancelled
			}
			return "", fmt.Errorf("%s: %w", p.Fix, err)
		}
		i += n
	}
	log.Info("fix applied", "outcome", outcome)
	return outcome, nil
}

// plainAdmin is an administrator command that can share a password prompt.
func plainAdmin(s Step) bool {
	return s.Admin && len(s.Argv) > 0 && !s.Detach && s.Hosts == nil && s.URL == ""
}

func (x Executor) goos() string {
	if x.GOOS == "" {
		return runtime.GOOS
	}
	return x.GOOS
}

func (x Executor) logger() *slog.Logger {
	if x.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return x.Logger
}

// checkArgv refuses what exec would misread: a relative program (resolved
// through PATH, which can be hijacked) or an element holding NUL (exec would
// silently cut it there).
func checkArgv(argv []string) error {
	if len(argv) == 0 {
		return errors.New("empty command")
	}
	if !filepath.IsAbs(argv[0]) {
		return fmt.Errorf("%q is not an absolute path", argv[0])
	}
	for _, a := range argv {
		if strings.ContainsRune(a, 0) {
			return fmt.Errorf("argument %q of %s contains NUL", a, argv[0])
		}
	}
	return nil
}

// run executes argv directly and logs what it printed.
func (x Executor) run(ctx context.Context, log *slog.Logger, argv []string, timeout time.Duration) error {
	if err := checkArgv(argv); err != nil {
		return err
	}
	if x.Runner == nil {
		return errors.New("no Runner configured")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	out, err := x.Runner.Run(ctx, argv[0], argv[1:]...)
	var stderr string
	var re *command.RunError
	if errors.As(err, &re) {
		stderr = re.Stderr
	}
	log.Info("fix step", "argv", argv, "took", time.Since(start).Round(time.Millisecond),
		"stdout", logged(string(out)), "stderr", logged(stderr), "err", err)
	if err != nil && ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s timed out after %s: %w", filepath.Base(argv[0]), timeout, err)
	}
	return err
}

// runAdmin runs the commands as root: directly when idpulse already is,
// else behind one password prompt.
func (x Executor) runAdmin(ctx context.Context, log *slog.Logger, batch [][]string) error {
	for _, argv := range batch {
		if err := checkArgv(argv); err != nil {
			return err
		}
	}
	wrapped := AdminArgv(x.goos(), batch)
	if wrapped == nil {
		return fmt.Errorf("administrator rights cannot be requested on %s; run idpulse as root", x.goos())
	}
	err := x.run(ctx, log, wrapped, AdminTimeout)
	if err == nil {
		return nil
	}
	if cancelled(x.goos(), err) {
		return ErrCancelled
	}
	if x.goos() == "linux" && command.ExitCode(err) == 127 {
		return fmt.Errorf("not authorised to run %s as administrator: %w", filepath.Base(batch[0][0]), err)
	}
	return err
}

// cancelled reports whether an administrator prompt was dismissed. osascript
// reports AppleScript's "User canceled." error, number -128, on stderr;
// pkexec exits 126 when the dialog is dismissed (or authentication fails).
func cancelled(goos string, err error) bool {
	switch goos {
	case "darwin":
		var re *command.RunError
		if !errors.As(err, &re) {
			return false
		}
		s := strings.TrimSpace(re.Stderr)
		return strings.Contains(s, "User canceled") || strings.Contains(s, "User cancelled") || strings.HasSuffix(s, "(-128)")
	case "linux":
		return command.ExitCode(err) == 126
	}
	return false
}

// open shows a URL: a System Settings pane or a web page.
func (x Executor) open(ctx context.Context, log *slog.Logger, raw string) error {
	if !openable(raw) {
		return fmt.Errorf("refusing to open %q", raw)
	}
	ctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	var err error
	switch {
	case x.Open != nil:
		err = x.Open(ctx, raw)
	case x.goos() == "darwin":
		// open(1) hands the URL to Launch Services and returns at once.
		return x.run(ctx, log, []string{"/usr/bin/open", raw}, StepTimeout)
	case x.goos() == "linux":
		// xdg-open may wait for the browser it started: detach it.
		return x.launch(log, []string{xdgOpen, raw})
	default:
		err = fmt.Errorf("cannot open URLs on %s", x.goos())
	}
	log.Info("fix open", "url", raw, "err", err)
	return err
}

// openable accepts the URLs plans produce: web pages and System Settings
// panes, with nothing a command line could take for an option or a break.
func openable(raw string) bool {
	if raw == "" || strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return false
	}
	if strings.HasPrefix(raw, settingsScheme) {
		return len(raw) > len(settingsScheme)
	}
	_, ok := webURL(raw)
	return ok
}

// launch starts a program and does not wait for it.
func (x Executor) launch(log *slog.Logger, argv []string) error {
	if err := checkArgv(argv); err != nil {
		return err
	}
	start := x.Launch
	if start == nil {
		start = startDetached
	}
	err := start(argv)
	log.Info("fix launch", "argv", argv, "err", err)
	return err
}

func startDetached(argv []string) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it when the window closes; its status does not matter
	return nil
}

// editHosts removes the Apple entries: in this process when it is root,
// else by re-running idpulse behind the password prompt.
func (x Executor) editHosts(ctx context.Context, log *slog.Logger, s Step) (string, error) {
	h := s.Hosts
	if x.Euid != 0 {
		if len(s.Argv) == 0 {
			return "", fmt.Errorf("editing %s needs administrator rights, and idpulse's own path is not known: run it with sudo", h.Path)
		}
		return "", x.runAdmin(ctx, log, [][]string{s.Argv})
	}
	backup, n, err := h.Apply()
	log.Info("fix hosts edit", "path", h.Path, "removed", n, "backup", backup, "err", err)
	switch {
	case err != nil:
		return "", err
	case n == 0:
		return "No Apple entries left to remove in " + h.Path, nil
	}
	return fmt.Sprintf("Removed Apple entries from %d %s of %s (backup: %s)", n, probes.Plural(n, "line", "lines"), h.Path, backup), nil
}

// logged is a command's output as the log keeps it: trimmed, and clipped
// to 4 KiB so a chatty command keeps the log readable.
func logged(s string) string { return textsafe.Clip(strings.TrimSpace(s), 4<<10) }
