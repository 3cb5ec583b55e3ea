package fixes

import (
	"strings"

	"github.com/idpulse/idpulse/agent/applescript"
)

const (
	osascript = "/usr/bin/osascript"
	pkexec    = "/usr/bin/pkexec"
	binSh     = "/bin/sh"
)

// AdminArgv is the argv that runs the commands, in order and stopping at the
// first failure, with administrator rights behind the OS's password prompt:
//
//   - darwin: osascript -e 'do shell script "<cmd> && <cmd>" with
//     administrator privileges'. do shell script hands its string to
//     /bin/sh, so every argv element is first quoted for sh (in single
//     quotes; a quote inside is closed, escaped with a backslash and
//     reopened) and the whole command line is then made one AppleScript
//     string literal by applescript.String (\ and ", and newline, return
//     and tab as \n \r \t). Decoding the two layers gives back exactly
//     argv, whatever the elements contain: see the injection tests.
//   - linux: pkexec argv... for one command; pkexec runs a single program,
//     so several go through /bin/sh -c with the same sh quoting.
//
// It returns nil for other systems and for no commands.
func AdminArgv(goos string, argv [][]string) []string {
	if len(argv) == 0 {
		return nil
	}
	switch goos {
	case "darwin":
		script := "do shell script " + applescript.String(shellCommand(argv)) + " with administrator privileges"
		return []string{osascript, "-e", script}
	case "linux":
		if len(argv) == 1 {
			return append([]string{pkexec}, argv[0]...)
		}
		return []string{pkexec, binSh, "-c", shellCommand(argv)}
	}
	return nil
}

// shellCommand joins commands with && after quoting every word, the command
// names included: nothing in the result is left for sh to interpret but the
// spaces and the &&s this function put there.
func shellCommand(argv [][]string) string {
	cmds := make([]string, len(argv))
	for i, words := range argv {
		q := make([]string, len(words))
		for j, w := range words {
			q[j] = shellQuote(w)
		}
		cmds[i] = strings.Join(q, " ")
	}
	return strings.Join(cmds, " && ")
}

// shellQuote makes s one sh word: inside single quotes nothing is special,
// and a single quote itself is closed, escaped and reopened.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
