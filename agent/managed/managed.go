// Package managed reads the settings an MDM enforces on macOS: the managed
// preferences of idpulse's domain (io.idpulse.agent), which a configuration
// profile installs as
//
//	/Library/Managed Preferences/io.idpulse.agent.plist          (device)
//	/Library/Managed Preferences/<user>/io.idpulse.agent.plist   (user)
//
// The profile's keys are the configuration file's keys, in the same shape:
// dictionaries "check", "apple_status" and "agent" holding the file's keys
// (packaging/mdm/io.idpulse.agent.mobileconfig documents every one).
// Overlay returns them as one JSON object, which agent/config decodes over the
// user's file, so a managed key always wins.
//
// The plists are converted by /usr/bin/plutil (`-convert json -o -`) through
// a command.Runner: no plist parser ships in the binary, and the darwin path
// is tested on Linux with a fake Runner.
package managed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/idpulse/idpulse/launchd"
	"github.com/idpulse/idpulse/probes/command"
)

// Domain is the managed preferences domain: the app's bundle identifier.
const Domain = launchd.Label

// Root is where macOS puts managed preferences.
const Root = "/Library/Managed Preferences"

const plutilPath = "/usr/bin/plutil"

// Sections are the configuration file's top-level keys; a managed profile
// may set any of them.
var Sections = []string{"agent", "apple_status", "check"}

// Overlay returns the managed settings as a JSON object of configuration
// file keys, the user-level profile's keys over the device-level one's. It
// returns nil when nothing is managed (not macOS, no profile, or a profile
// that sets none of the keys). user is the login name (os/user's Username);
// "" skips the user-level file.
//
// A profile that cannot be read is an error naming its file: MDM settings
// must never be silently dropped.
func Overlay(ctx context.Context, r command.Runner, goos, user string) ([]byte, error) {
	return overlay(ctx, r, goos, user, Root)
}

// Files are the managed preference files for user, device-level first;
// later files win.
func Files(user string) []string {
	return files(user, Root)
}

func files(user, root string) []string {
	out := []string{filepath.Join(root, Domain+".plist")}
	// A user name never holds a path separator; refuse to be steered
	// elsewhere by one.
	if user != "" && user != "." && user != ".." && !strings.ContainsAny(user, `/\`) {
		out = append(out, filepath.Join(root, user, Domain+".plist"))
	}
	return out
}

func overlay(ctx context.Context, r command.Runner, goos, user, root string) ([]byte, error) {
	if goos != "darwin" {
		return nil, nil
	}
	merged := map[string]any{}
	for _, path := range files(user, root) {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("managed preferences %s: %w", path, err)
		}
		prefs, err := read(ctx, r, path)
		if err != nil {
			return nil, fmt.Errorf("managed preferences %s: %w", path, err)
		}
		if err := checkKeys(prefs); err != nil {
			return nil, fmt.Errorf("managed preferences %s: %w", path, err)
		}
		merge(merged, prefs)
	}
	if len(merged) == 0 {
		return nil, nil
	}
	return json.Marshal(merged)
}

// read converts one plist to JSON with plutil and decodes it. Numbers stay
// json.Number, so 443 is written back as 443, not 443.0.
func read(ctx context.Context, r command.Runner, path string) (map[string]any, error) {
	if r == nil {
		return nil, errors.New("no Runner configured")
	}
	out, err := r.Run(ctx, plutilPath, "-convert", "json", "-o", "-", path)
	if err != nil {
		// plutil cannot express <date> or <data> in JSON; neither is a
		// configuration value, so that too is a broken profile.
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("plutil output: %w", err)
	}
	prefs, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the property list is not a dictionary")
	}
	return prefs, nil
}

// checkKeys drops profile bookkeeping (Payload…, which some MDM servers
// leave in the domain) and rejects any other key that is not a
// configuration section, so a misspelt section is reported rather than
// ignored. Keys inside the sections are checked by agent/config.
func checkKeys(prefs map[string]any) error {
	var unknown []string
	for k := range prefs {
		switch {
		case strings.HasPrefix(k, "Payload"):
			delete(prefs, k)
		case !isSection(k):
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown key %q (known: %s)", unknown[0], strings.Join(Sections, ", "))
	}
	for _, s := range Sections {
		if v, ok := prefs[s]; ok {
			if _, ok := v.(map[string]any); !ok {
				return fmt.Errorf("%s: want a dictionary", s)
			}
		}
	}
	return nil
}

func isSection(k string) bool {
	for _, s := range Sections {
		if k == s {
			return true
		}
	}
	return false
}

// merge copies src over dst: dictionaries merge key by key, anything else
// (arrays included) replaces.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sv, ok := v.(map[string]any); ok {
			if dv, ok := dst[k].(map[string]any); ok {
				merge(dv, sv)
				continue
			}
			cp := map[string]any{}
			merge(cp, sv)
			dst[k] = cp
			continue
		}
		dst[k] = v
	}
}
