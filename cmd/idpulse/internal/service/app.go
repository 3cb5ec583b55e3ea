package service

import (
	"path/filepath"
	"strings"
)

// AppArgs is the command line to act on when the binary is started as the
// app: Finder, Login Items or `open idpulse.app` start
// idpulse.app/Contents/MacOS/idpulse with no command (very old macOS added a
// -psn_… argument), which means `idpulse run`. Any other start keeps args.
func AppArgs(exe string, args []string) []string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-psn_") {
			return args
		}
	}
	dir := filepath.ToSlash(filepath.Dir(exe))
	if strings.HasSuffix(dir, ".app/Contents/MacOS") {
		return []string{"run"}
	}
	return args
}
