package fixes

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/filetest"
	"github.com/idpulse/idpulse/probes/probetest"
)

var appleDomains = probes.DefaultConfig().AppleDomains

func TestDropAppleNames(t *testing.T) {
	tests := []struct {
		in   string
		want string
		keep bool
	}{
		{"0.0.0.0 gs.apple.com", "", false},
		{"0.0.0.0 gs.apple.com appleid.apple.com setup.icloud.com", "", false},
		{"127.0.0.1\tlocalhost gs.apple.com", "127.0.0.1\tlocalhost", true},
		{"0.0.0.0\tgs.apple.com\tfoo.example  bar", "0.0.0.0\tfoo.example  bar", true},
		{"0.0.0.0 foo gs.apple.com # blocked\r", "0.0.0.0 foo # blocked\r", true},
		{"  0.0.0.0   a.example   appleid.apple.com   b.example  \r", "  0.0.0.0   a.example   b.example  \r", true},
		{"0.0.0.0 GS.APPLE.COM. foo", "0.0.0.0 foo", true},
		{"0.0.0.0 apple.com notapple.com", "0.0.0.0 notapple.com", true},
		{"0.0.0.0 a gs.apple.com b mzstatic.com c", "0.0.0.0 a b c", true},
		{"0.0.0.0 gs.apple.com#no space before the comment", "", false},
		{"::1 localhost gs.apple.com\t# IPv6", "::1 localhost\t# IPv6", true},
		// NBSP is not a separator to the resolvers: one word, no mapping, untouched.
		{"0.0.0.0\u00a0gs.apple.com\u00a0keep.example", "0.0.0.0\u00a0gs.apple.com\u00a0keep.example", true},
		// A NUL ends the line for the resolvers: the name before it is mapped.
		{"0.0.0.0 gs.apple.com keep.example\x00 junk", "0.0.0.0 keep.example\x00 junk", true},
	}
	for _, tt := range tests {
		got, keep := dropAppleNames(tt.in, appleDomains)
		if got != tt.want || keep != tt.keep {
			t.Errorf("dropAppleNames(%q) = %q, %v; want %q, %v", tt.in, got, keep, tt.want, tt.keep)
		}
	}
}

func TestEditHosts(t *testing.T) {
	const std = "##\n# Host Database\n##\n127.0.0.1\tlocalhost\n255.255.255.255\tbroadcasthost\n::1             localhost\n"
	tests := []struct {
		name, in, want string
		changed        int
	}{
		{"empty", "", "", 0},
		{"macOS default", std, std, 0},
		{"only newlines", "\n\n\n", "\n\n\n", 0},
		{"commented-out entry stays", "# 0.0.0.0 gs.apple.com\n", "# 0.0.0.0 gs.apple.com\n", 0},
		{"name first is not an entry", "gs.apple.com 0.0.0.0\n", "gs.apple.com 0.0.0.0\n", 0},
		{"lookalike domain stays", "0.0.0.0 apple.com.evil.example notapple.com\n", "0.0.0.0 apple.com.evil.example notapple.com\n", 0},
		{"one line among others", std + "0.0.0.0 gs.apple.com\n# after\n\n", std + "# after\n\n", 1},
		{"activation-bypass block", std + "\n# bypass\n0.0.0.0 albert.apple.com\n0.0.0.0 gs.apple.com\n127.0.0.1 iprofiles.apple.com\n",
			std + "\n# bypass\n", 3},
		{"shared line keeps other names", "127.0.0.1 localhost gs.apple.com myhost\n", "127.0.0.1 localhost myhost\n", 1},
		{"CRLF", "127.0.0.1 localhost\r\n0.0.0.0 gs.apple.com\r\n::1 localhost\r\n", "127.0.0.1 localhost\r\n::1 localhost\r\n", 1},
		{"CRLF shared line", "127.0.0.1 localhost gs.apple.com\r\n", "127.0.0.1 localhost\r\n", 1},
		{"mixed line endings kept per line", "a.b # x\r\n0.0.0.0 gs.apple.com\n127.0.0.1 h\r\n0.0.0.0 x.icloud.com\r\nlast\n",
			"a.b # x\r\n127.0.0.1 h\r\nlast\n", 2},
		{"no trailing newline, last line removed", "127.0.0.1 localhost\n0.0.0.0 gs.apple.com", "127.0.0.1 localhost\n", 1},
		{"no trailing newline, last line kept", "0.0.0.0 gs.apple.com\n127.0.0.1 localhost", "127.0.0.1 localhost", 1},
		{"no trailing newline, shared last line", "0.0.0.0 foo apple.com", "0.0.0.0 foo", 1},
		{"zone address", "fe80::1%lo0 gs.apple.com\n", "", 1},
		{"invalid UTF-8 elsewhere is kept", "\xff\xfe junk\n0.0.0.0 gs.apple.com \xff\n", "\xff\xfe junk\n0.0.0.0 \xff\n", 1},
		{"only the Apple line, no newline", "0.0.0.0 gs.apple.com", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changes := editHosts([]byte(tt.in), appleDomains)
			if string(out) != tt.want || len(changes) != tt.changed {
				t.Errorf("editHosts =\n %q (%d changes)\nwant\n %q (%d)", out, len(changes), tt.want, tt.changed)
			}
			if left := probes.AppleHostsEntries(out, appleDomains); len(left) > 0 {
				t.Errorf("Apple entries left: %+v", left)
			}
		})
	}
}

// FuzzEditHosts checks the edit's promises on any input: no Apple entry is
// left, a second edit finds nothing, unflagged lines are kept byte for byte
// and in order, and a changed line keeps its address and a subset of its
// names.
func FuzzEditHosts(f *testing.F) {
	for _, s := range []string{"", "0.0.0.0 gs.apple.com\n", "127.0.0.1 localhost apple.com x\r\n# c\n", "::1 a\n0.0.0.0 b icloud.com #c", "\xff 1.2.3.4 apple.com"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, changes := editHosts(in, appleDomains)
		if left := probes.AppleHostsEntries(out, appleDomains); len(left) > 0 {
			t.Fatalf("Apple entries left in %q: %+v", out, left)
		}
		if again, c := editHosts(out, appleDomains); len(c) > 0 || !bytes.Equal(again, out) {
			t.Fatalf("second edit changed %q", out)
		}
		if len(changes) == 0 && !bytes.Equal(out, in) {
			t.Fatalf("no changes but %q became %q", in, out)
		}
		inLines, outLines := splitKeep(in), splitKeep(out)
		j := 0
		for i, l := range inLines {
			k := slices.IndexFunc(changes, func(c hostsChange) bool { return c.line == i+1 })
			if k < 0 {
				if j >= len(outLines) || outLines[j] != l {
					t.Fatalf("line %d %q not kept", i+1, l)
				}
				j++
				continue
			}
			c := changes[k]
			if c.drop {
				continue
			}
			was, now := strings.Fields(stripComment(c.old)), strings.Fields(stripComment(c.new))
			if len(now) < 2 || now[0] != was[0] || !isSubsequence(now[1:], was[1:]) {
				t.Fatalf("line %d %q became %q", i+1, c.old, c.new)
			}
			j++
		}
		if j != len(outLines) {
			t.Fatalf("%d output lines, %d accounted for", len(outLines), j)
		}
	})
}

func splitKeep(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(out, string(b))
		}
		out, b = append(out, string(b[:i+1])), b[i+1:]
	}
	return out
}

func stripComment(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

func isSubsequence(sub, of []string) bool {
	i := 0
	for _, s := range of {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}

// --- real files ---

var fixedNow = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

const backupSuffix = ".idpulse-20260102-030405.bak"

// hostsFile writes a hosts file into a fresh directory.
func hostsFile(t *testing.T, content string, mode os.FileMode) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "hosts")
	filetest.Write(t, path, content, mode)
	return dir, path
}

const (
	sampleHosts  = "##\n# Host Database\n##\n127.0.0.1\tlocalhost\n0.0.0.0 gs.apple.com\n127.0.0.1 localhost2 albert.apple.com\n::1 localhost\n"
	sampleEdited = "##\n# Host Database\n##\n127.0.0.1\tlocalhost\n127.0.0.1 localhost2\n::1 localhost\n"
)

func TestHostsPreview(t *testing.T) {
	_, path := hostsFile(t, sampleHosts+"0.0.0.0 evil\x1b[2Japple.com gs.apple.com\r\n", 0o644)
	h := HostsEdit{Path: path, Domains: appleDomains}
	diff, n, err := h.Preview()
	if err != nil {
		t.Fatal(err)
	}
	want := "--- " + path + "\n+++ " + path + " (Apple entries removed)\n" +
		"-5: 0.0.0.0 gs.apple.com\n" +
		"-6: 127.0.0.1 localhost2 albert.apple.com\n" +
		"+6: 127.0.0.1 localhost2\n" +
		"-8: 0.0.0.0 evil\\x1b[2Japple.com gs.apple.com\n" +
		"+8: 0.0.0.0 evil\\x1b[2Japple.com\n"
	if diff != want || n != 3 {
		t.Errorf("Preview =\n%s(%d)\nwant\n%s", diff, n, want)
	}
	if got := filetest.Read(t, path); got != sampleHosts+"0.0.0.0 evil\x1b[2Japple.com gs.apple.com\r\n" {
		t.Error("Preview changed the file")
	}
	_, clean := hostsFile(t, "127.0.0.1 localhost\n", 0o644)
	if diff, n, err := (HostsEdit{Path: clean, Domains: appleDomains}).Preview(); diff != "" || n != 0 || err != nil {
		t.Errorf("clean file: %q, %d, %v", diff, n, err)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain\tline\r":    "plain\tline",
		"\x1b]0;pwned\x07": `\x1b]0;pwned\a`,
		"bad \xff byte":    `bad \xff byte`,
		"rtl \u202e":       `rtl \u202e`,
		"日本 ok":            "日本 ok",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHostsApply(t *testing.T) {
	tests := []struct {
		name, in, want string
		mode           os.FileMode
		removed        int
	}{
		{"typical", sampleHosts, sampleEdited, 0o644, 2},
		{"private mode kept", sampleHosts, sampleEdited, 0o600, 2},
		{"group mode kept", sampleHosts, sampleEdited, 0o640, 2},
		{"CRLF", strings.ReplaceAll(sampleHosts, "\n", "\r\n"), strings.ReplaceAll(sampleEdited, "\n", "\r\n"), 0o644, 2},
		{"mixed endings", "127.0.0.1 a\r\n0.0.0.0 gs.apple.com\n# c\r\n\n0.0.0.0 b apple.com\r\n", "127.0.0.1 a\r\n# c\r\n\n0.0.0.0 b\r\n", 0o644, 2},
		{"no trailing newline", "127.0.0.1 localhost\n0.0.0.0 gs.apple.com", "127.0.0.1 localhost\n", 0o644, 1},
		{"no trailing newline kept", "0.0.0.0 gs.apple.com\n# end", "# end", 0o644, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, path := hostsFile(t, tt.in, tt.mode)
			backup, n, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow}.Apply()
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.removed || backup != path+backupSuffix {
				t.Errorf("Apply = %q, %d; want %q, %d", backup, n, path+backupSuffix, tt.removed)
			}
			if got := filetest.Read(t, path); got != tt.want {
				t.Errorf("hosts =\n %q\nwant\n %q", got, tt.want)
			}
			if got := filetest.Read(t, backup); got != tt.in {
				t.Errorf("backup = %q, want the original", got)
			}
			for _, p := range []string{path, backup} {
				if m := filetest.Stat(t, p).Mode(); m != tt.mode {
					t.Errorf("%s mode = %v, want %v", filepath.Base(p), m, tt.mode)
				}
			}
			if got, want := filetest.Names(t, dir), []string{"hosts", "hosts" + backupSuffix}; !slices.Equal(got, want) {
				t.Errorf("directory holds %q, want %q", got, want)
			}
		})
	}
}

func TestHostsApplyNothingToDo(t *testing.T) {
	for name, content := range map[string]string{"empty": "", "clean": "127.0.0.1 localhost\n", "commented": "#0.0.0.0 gs.apple.com\n"} {
		t.Run(name, func(t *testing.T) {
			dir, path := hostsFile(t, content, 0o644)
			backup, n, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow}.Apply()
			if err != nil || n != 0 || backup != "" {
				t.Errorf("Apply = %q, %d, %v", backup, n, err)
			}
			if got := filetest.Read(t, path); got != content {
				t.Errorf("content changed to %q", got)
			}
			if got := filetest.Names(t, dir); !slices.Equal(got, []string{"hosts"}) {
				t.Errorf("directory holds %q", got)
			}
		})
	}
}

func TestHostsApplyAbsent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hosts")
	h := HostsEdit{Path: path, Domains: appleDomains}
	if _, _, err := h.Apply(); err == nil || err.Error() != "hosts file "+path+" does not exist" {
		t.Errorf("Apply: %v", err)
	}
	if _, _, err := h.Preview(); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Preview: %v", err)
	}
	if got := filetest.Names(t, dir); len(got) > 0 {
		t.Errorf("files created: %q", got)
	}
	if _, _, err := (HostsEdit{Path: dir, Domains: appleDomains}).Apply(); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

func TestHostsApplyBackupCollision(t *testing.T) {
	dir, path := hostsFile(t, sampleHosts, 0o644)
	filetest.Write(t, path+backupSuffix, "older backup", 0o644)
	filetest.Write(t, path+".idpulse-20260102-030405-2.bak", "another", 0o644)
	backup, _, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow}.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".idpulse-20260102-030405-3.bak"; backup != want {
		t.Errorf("backup = %q, want %q", backup, want)
	}
	if filetest.Read(t, path+backupSuffix) != "older backup" || filetest.Read(t, backup) != sampleHosts {
		t.Error("backups mixed up")
	}
	if len(filetest.Names(t, dir)) != 4 {
		t.Errorf("directory: %q", filetest.Names(t, dir))
	}
}

// A symlinked hosts file: the link stays, its target is edited, and the
// backup sits beside the target.
func TestHostsApplySymlink(t *testing.T) {
	realDir, target := hostsFile(t, sampleHosts, 0o644)
	linkDir := t.TempDir()
	link := filepath.Join(linkDir, "hosts")
	filetest.Symlink(t, target, link)
	backup, _, err := HostsEdit{Path: link, Domains: appleDomains, Now: fixedNow}.Apply()
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("link replaced: %v", err)
	}
	if filetest.Read(t, target) != sampleEdited || backup != target+backupSuffix {
		t.Errorf("target %q, backup %q", filetest.Read(t, target), backup)
	}
	if got := filetest.Names(t, realDir); len(got) != 2 {
		t.Errorf("target dir: %q", got)
	}
}

// A huge hosts file (blocklists run to megabytes) is edited exactly.
func TestHostsApplyHuge(t *testing.T) {
	var in, want strings.Builder
	for i := 0; in.Len() < 10<<20; i++ {
		line := fmt.Sprintf("0.0.0.0 ads%d.tracker.example # blocklist entry %d\n", i, i)
		in.WriteString(line)
		want.WriteString(line)
		if i%10000 == 0 {
			in.WriteString("0.0.0.0 gs.apple.com\n")
			in.WriteString("0.0.0.0 keep.example apple.com\r\n")
			want.WriteString("0.0.0.0 keep.example\r\n")
		}
	}
	_, path := hostsFile(t, in.String(), 0o644)
	start := time.Now()
	backup, n, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow}.Apply()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d MB, %d lines changed in %v", in.Len()>>20, n, time.Since(start))
	if got := filetest.Read(t, path); got != want.String() {
		t.Error("huge file edited wrongly")
	}
	if filetest.Read(t, backup) != in.String() {
		t.Error("huge backup differs")
	}
}

// A read-only hosts file is refused, even for root (which the permission
// bits would not stop): nothing changes, no backup is written.
func TestHostsApplyReadOnlyFile(t *testing.T) {
	dir, path := hostsFile(t, sampleHosts, 0o444)
	_, _, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow}.Apply()
	if err == nil || !strings.Contains(err.Error(), "read-only (mode 0444); nothing was changed") || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("err = %v", err)
	}
	assertUntouched(t, dir, path, sampleHosts)
}

// Files and directories root cannot write either: chattr +i, where the
// filesystem allows it (IDPULSE_REQUIRE_ROOT=1 makes that a must).
func TestHostsApplyImmutable(t *testing.T) {
	for _, what := range []string{"file", "directory"} {
		t.Run(what, func(t *testing.T) {
			dir, path := hostsFile(t, sampleHosts, 0o644)
			target := path
			if what == "directory" {
				target = dir
			}
			chattrImmutable(t, target)
			_, _, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow}.Apply()
			if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
				t.Errorf("err = %v", err)
			}
			assertUntouched(t, dir, path, sampleHosts)
		})
	}
}

func chattrImmutable(t *testing.T, path string) {
	t.Helper()
	chattr := "/usr/bin/chattr"
	if out, err := exec.Command(chattr, "+i", path).CombinedOutput(); err != nil {
		probetest.RequireRoot(t, "chattr +i", fmt.Errorf("%v: %s", err, out))
	}
	t.Cleanup(func() { exec.Command(chattr, "-i", path).Run() })
}

func assertUntouched(t *testing.T, dir, path, content string) {
	t.Helper()
	if got := filetest.Read(t, path); got != content {
		t.Errorf("content changed to %q", got)
	}
	if got := filetest.Names(t, dir); !slices.Equal(got, []string{filepath.Base(path)}) {
		t.Errorf("directory holds %q", got)
	}
}

// --- injected filesystem failures ---

var errCrash = errors.New("injected crash")

// faultFS is the real filesystem with failures injected: the failAt-th
// mutating operation "crashes" — before it has any effect, with a partial
// effect (partial), or right after it completed (after). It can also make
// Replace fail like a bind mount, refuse access, or change the file between
// the two reads.
type faultFS struct {
	osFS
	failAt  int
	partial bool
	after   bool

	replaceErr   error   // Replace fails with it, touching nothing
	overwriteErr []error // the Overwrite calls fail with these, in order
	accessErr    error
	backupErr    error  // WriteNew fails with it, as in a read-only directory
	changeOnRead []byte // the second read sees this content

	ops   []string
	reads int
}

func (f *faultFS) mutate(op string, partial, full func() error) error {
	f.ops = append(f.ops, op)
	if len(f.ops) != f.failAt {
		return full()
	}
	switch {
	case f.after:
		if err := full(); err != nil {
			return err
		}
	case f.partial && partial != nil:
		partial()
	}
	return errCrash
}

func (f *faultFS) ReadFile(name string) ([]byte, error) {
	f.reads++
	if f.reads == 2 && f.changeOnRead != nil {
		return f.changeOnRead, nil
	}
	return f.osFS.ReadFile(name)
}

func (f *faultFS) CheckWritable(name string) error {
	if f.accessErr != nil {
		return f.accessErr
	}
	return f.osFS.CheckWritable(name)
}

func (f *faultFS) WriteNew(name string, data []byte, like fs.FileInfo) error {
	if f.backupErr != nil {
		return f.backupErr
	}
	return f.mutate("backup",
		func() error { return os.WriteFile(name, data[:len(data)/2], 0o644) },
		func() error { return f.osFS.WriteNew(name, data, like) })
}

func (f *faultFS) SyncDir(dir string) error {
	return f.mutate("syncdir", nil, func() error { return f.osFS.SyncDir(dir) })
}

func (f *faultFS) Replace(name string, data []byte, perm fs.FileMode) error {
	return f.mutate("replace",
		// A crash inside atomicfile.Write between the temp file and the
		// rename leaves the temp file behind and the target alone.
		func() error { return os.WriteFile(filepath.Join(filepath.Dir(name), ".hosts.tmp-crash"), data, 0o600) },
		func() error {
			if f.replaceErr != nil {
				return f.replaceErr
			}
			return f.osFS.Replace(name, data, perm)
		})
}

func (f *faultFS) Overwrite(name string, data []byte) error {
	return f.mutate("overwrite",
		func() error { return os.WriteFile(name, data[:len(data)/2], 0) }, // torn: in place is not atomic
		func() error {
			if len(f.overwriteErr) > 0 {
				err := f.overwriteErr[0]
				f.overwriteErr = f.overwriteErr[1:]
				return err
			}
			return f.osFS.Overwrite(name, data)
		})
}

// TestHostsApplyCrashes injects a crash at every step of the edit, in
// every way, and checks what a reboot would find: the hosts file is the old
// or the new content, never a mix; when it is new, a complete backup of the
// old one exists; once the backup step has passed, the backup is complete.
func TestHostsApplyCrashes(t *testing.T) {
	// Count the steps of a clean run first.
	_, path := hostsFile(t, sampleHosts, 0o644)
	probe := &faultFS{}
	if _, _, err := (HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow, fs: probe}).Apply(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"backup", "syncdir", "replace"}; !slices.Equal(probe.ops, want) {
		t.Fatalf("steps %q, want %q", probe.ops, want)
	}
	for at := 1; at <= len(probe.ops); at++ {
		for _, mode := range []string{"before", "partial", "after"} {
			t.Run(fmt.Sprintf("%s %s", probe.ops[at-1], mode), func(t *testing.T) {
				_, path := hostsFile(t, sampleHosts, 0o644)
				ffs := &faultFS{failAt: at, partial: mode == "partial", after: mode == "after"}
				backup, _, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow, fs: ffs}.Apply()
				if !errors.Is(err, errCrash) {
					t.Fatalf("err = %v, want the crash", err)
				}
				got := filetest.Read(t, path)
				if got != sampleHosts && got != sampleEdited {
					t.Fatalf("hosts file torn: %q", got)
				}
				bak, berr := os.ReadFile(path + backupSuffix)
				if got == sampleEdited && (berr != nil || string(bak) != sampleHosts) {
					t.Errorf("new content without a complete backup (%v)", berr)
				}
				if at > 1 && string(bak) != sampleHosts {
					t.Errorf("backup %q damaged after its step", bak)
				}
				if backup != "" && at > 2 && backup != path+backupSuffix {
					t.Errorf("backup reported as %q", backup)
				}
				if at == 1 && got != sampleHosts {
					t.Error("file changed although its backup failed")
				}
			})
		}
	}
}

// A file that cannot be renamed over (a bind mount: EBUSY; EXDEV) is
// rewritten in place after the backup.
func TestHostsApplyInPlace(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EBUSY, syscall.EXDEV} {
		t.Run(errno.Error(), func(t *testing.T) {
			dir, path := hostsFile(t, sampleHosts, 0o640)
			ffs := &faultFS{replaceErr: &os.LinkError{Op: "rename", Old: "tmp", New: path, Err: errno}}
			backup, n, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow, fs: ffs}.Apply()
			if err != nil || n != 2 {
				t.Fatalf("Apply = %d, %v", n, err)
			}
			if filetest.Read(t, path) != sampleEdited || filetest.Read(t, backup) != sampleHosts {
				t.Error("in-place rewrite wrong")
			}
			if m := filetest.Stat(t, path).Mode(); m != 0o640 {
				t.Errorf("mode %v", m)
			}
			if want := []string{"backup", "syncdir", "replace", "overwrite"}; !slices.Equal(ffs.ops, want) {
				t.Errorf("steps %q, want %q", ffs.ops, want)
			}
			if len(filetest.Names(t, dir)) != 2 {
				t.Errorf("directory: %q", filetest.Names(t, dir))
			}
		})
	}
	t.Run("shorter and longer rewrites truncate correctly", func(t *testing.T) {
		_, path := hostsFile(t, "0123456789", 0o644)
		if err := (osFS{}).Overwrite(path, []byte("abc")); err != nil || filetest.Read(t, path) != "abc" {
			t.Errorf("shorter: %q, %v", filetest.Read(t, path), err)
		}
		if err := (osFS{}).Overwrite(path, []byte("abcdefghijklmnop")); err != nil || filetest.Read(t, path) != "abcdefghijklmnop" {
			t.Errorf("longer: %q, %v", filetest.Read(t, path), err)
		}
	})
	busy := &os.LinkError{Op: "rename", Err: syscall.EBUSY}
	t.Run("failure restores the original", func(t *testing.T) {
		_, path := hostsFile(t, sampleHosts, 0o644)
		ffs := &faultFS{replaceErr: busy, overwriteErr: []error{syscall.ENOSPC}}
		_, _, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow, fs: ffs}.Apply()
		if err == nil || !strings.Contains(err.Error(), "it was restored") || !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("err = %v", err)
		}
		if filetest.Read(t, path) != sampleHosts || filetest.Read(t, path+backupSuffix) != sampleHosts {
			t.Error("not restored")
		}
	})
	t.Run("failed restore points at the backup", func(t *testing.T) {
		_, path := hostsFile(t, sampleHosts, 0o644)
		ffs := &faultFS{replaceErr: busy, overwriteErr: []error{syscall.EIO, syscall.EIO}}
		_, _, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow, fs: ffs}.Apply()
		if err == nil || !strings.Contains(err.Error(), "copy "+path+backupSuffix+" back over it") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("crash mid-rewrite leaves the backup whole", func(t *testing.T) {
		_, path := hostsFile(t, sampleHosts, 0o644)
		ffs := &faultFS{replaceErr: busy, failAt: 4, partial: true}
		if _, _, err := (HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow, fs: ffs}).Apply(); !errors.Is(err, errCrash) {
			t.Fatalf("err = %v", err)
		}
		if filetest.Read(t, path+backupSuffix) != sampleHosts {
			t.Error("backup damaged")
		}
	})
}

func TestHostsApplyRefusals(t *testing.T) {
	tests := []struct {
		name string
		ffs  *faultFS
		want string
	}{
		{"no write access", &faultFS{accessErr: &fs.PathError{Op: "access", Path: "hosts", Err: syscall.EACCES}},
			"administrator rights are needed); nothing was changed"},
		{"directory not writable", &faultFS{backupErr: &fs.PathError{Op: "open", Path: "hosts.bak", Err: syscall.EACCES}},
			"back up "},
		{"changed by someone else meanwhile", &faultFS{changeOnRead: []byte("127.0.0.1 new line from another editor\n")},
			"changed while it was being edited; nothing was changed"},
		{"rename refused", &faultFS{replaceErr: &os.LinkError{Op: "rename", Err: syscall.EPERM}},
			"it is unchanged (backup: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, path := hostsFile(t, sampleHosts, 0o644)
			_, _, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow, fs: tt.ffs}.Apply()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if filetest.Read(t, path) != sampleHosts {
				t.Error("file changed")
			}
			for _, name := range filetest.Names(t, dir) {
				if name != "hosts" && !strings.HasSuffix(name, ".bak") {
					t.Errorf("stray file %q", name)
				}
			}
		})
	}
}

func TestHostsEditDefaultDomains(t *testing.T) {
	_, path := hostsFile(t, sampleHosts, 0o644)
	if _, n, err := (HostsEdit{Path: path, Now: fixedNow}).Apply(); err != nil || n != 2 || filetest.Read(t, path) != sampleEdited {
		t.Errorf("Apply with nil Domains = %d, %v: %q", n, err, filetest.Read(t, path))
	}
}
