package remedy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/agent/report"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/command"
)

// Clipboard puts the diagnostic report where the user can paste it: the
// clipboard (pbcopy on macOS; wl-copy or xclip on Linux), else a file whose
// path is shown.
type Clipboard struct {
	GOOS    string
	Dir     string // state directory: history and the fallback file
	Version string
	// Exists reports whether an absolute path exists; nil means os.Stat.
	Exists func(string) bool
	// Stdin runs a command with input; nil means os/exec.
	Stdin func(ctx context.Context, argv []string, in []byte) error
}

// Copy writes the redacted text report and says where it went.
func (c Clipboard) Copy(ctx context.Context, doc *verdict.Document) (string, error) {
	text, err := c.Text(doc)
	if err != nil {
		return "", err
	}
	if c.ToClipboard(ctx, text) {
		return "copied to the clipboard", nil
	}
	path := filepath.Join(c.Dir, "idpulse-report.txt")
	if err := atomicfile.Write(path, text, 0o600); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return "saved to " + path, nil
}

// Text is the redacted text report of doc with the recent fixes and
// verdict changes and the last week's incidents: what Copy copies and
// `idpulse fix copy-report` prints.
func (c Clipboard) Text(doc *verdict.Document) ([]byte, error) {
	in, red, err := c.input(doc, report.FormatText)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, in, report.FormatText, &red); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return buf.Bytes(), nil
}

// HistoryPage writes the redacted HTML report of doc, with 30 days of
// history, into the state folder (report.PageName) and returns its path:
// what the menu's Show History… opens.
func (c Clipboard) HistoryPage(_ context.Context, doc *verdict.Document) (string, error) {
	if c.Dir == "" {
		return "", fmt.Errorf("history: no state folder on this system")
	}
	in, red, err := c.input(doc, report.FormatHTML)
	if err != nil {
		return "", err
	}
	return report.WritePage(c.Dir, in, &red)
}

// input is the report of doc in format f with what the state folder holds,
// and the redactor for it.
func (c Clipboard) input(doc *verdict.Document, f report.Format) (report.Input, report.Redactor, error) {
	if doc == nil {
		return report.Input{}, report.Redactor{}, fmt.Errorf("no check yet: wait for the first result")
	}
	in := report.Input{Doc: *doc, Version: c.Version, Generated: time.Now()}
	if c.Dir != "" {
		// What cannot be read is left out; the report is still worth having.
		_ = in.ReadState(c.Dir, f)
	}
	// The serial and the full name are redacted too (the system probe's
	// evidence, `id -F` on macOS), bounded: a report is never held up.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	red := report.SystemRedactor().WithSystem(ctx, command.Exec{Timeout: time.Second}, c.GOOS, doc.Probes)
	return in, red, nil
}

// ToClipboard puts text on the clipboard with the first tool that is
// installed and works, and reports whether one did.
func (c Clipboard) ToClipboard(ctx context.Context, text []byte) bool {
	for _, argv := range c.tools() {
		if !c.exists(argv[0]) {
			continue
		}
		if err := c.stdin(ctx, argv, text); err == nil {
			return true
		}
	}
	return false
}

func (c Clipboard) tools() [][]string {
	if c.GOOS == "darwin" {
		return [][]string{{"/usr/bin/pbcopy"}}
	}
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		return [][]string{{"/usr/bin/wl-copy"}, {"/usr/bin/xclip", "-selection", "clipboard"}}
	}
	return [][]string{{"/usr/bin/xclip", "-selection", "clipboard"}, {"/usr/bin/wl-copy"}}
}

func (c Clipboard) exists(p string) bool {
	if c.Exists != nil {
		return c.Exists(p)
	}
	_, err := os.Stat(p)
	return err == nil
}

func (c Clipboard) stdin(ctx context.Context, argv []string, in []byte) error {
	if c.Stdin != nil {
		return c.Stdin(ctx, argv, in)
	}
	return runWithStdin(ctx, argv, in)
}
