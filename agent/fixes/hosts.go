package fixes

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/idpulse/idpulse/probes"
)

// HostsEdit removes the lines of a hosts file that pin Apple's domains.
//
// Only Apple names go. A line that maps Apple names and other names keeps
// the others: "127.0.0.1 localhost gs.apple.com" becomes
// "127.0.0.1 localhost". Its address, the separator after the address,
// the separators before the names kept, trailing blanks, a comment and a CR
// stay as they were, so columns line up as well as they can. Every other
// byte of the file is kept: comments, blank lines, order, each line's CRLF
// or LF, a missing final newline, and the file's permissions and owner.
//
// Lines are recognised exactly as the hosts probe does
// (probes.AppleHostsEntries), so the fix removes what the check reported.
type HostsEdit struct {
	Path    string           `json:"path"`
	Domains []string         `json:"domains"` // nil means probes.DefaultConfig().AppleDomains
	Now     func() time.Time `json:"-"`       // names the backup; nil means time.Now

	// fs is the filesystem; nil is the real one. Tests inject failures.
	fs hostsFS
}

// hostsFS is every filesystem operation an edit makes.
type hostsFS interface {
	Stat(name string) (fs.FileInfo, error)
	ReadFile(name string) ([]byte, error)
	// CheckWritable fails when this process may not rewrite name.
	CheckWritable(name string) error
	// WriteNew creates name (fs.ErrExist when it exists) with data and
	// the mode and owner of like, fsynced before it returns.
	WriteNew(name string, data []byte, like fs.FileInfo) error
	SyncDir(dir string) error
	// Replace swaps name's content for data atomically (temp file, fsync,
	// rename), keeping its mode and owner.
	Replace(name string, data []byte, perm fs.FileMode) error
	// Overwrite rewrites name in place: for a file that cannot be renamed
	// over, such as a bind mount.
	Overwrite(name string, data []byte) error
}

// hostsChange is one line the edit changes.
type hostsChange struct {
	line     int
	old, new string // without the line break
	drop     bool   // the whole line goes
}

// Preview lists the lines the edit would change, numbered as in the file:
// "-N: line" for what goes, "+N: line" for what a partly kept line becomes.
// The diff is empty when there is nothing to remove.
func (h HostsEdit) Preview() (diff string, removed int, err error) {
	f, err := h.read()
	if err != nil || len(f.changes) == 0 {
		return "", 0, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s (Apple entries removed)\n", printable(h.Path), printable(h.Path))
	for _, c := range f.changes {
		fmt.Fprintf(&b, "-%d: %s\n", c.line, printable(c.old))
		if !c.drop {
			fmt.Fprintf(&b, "+%d: %s\n", c.line, printable(c.new))
		}
	}
	return b.String(), len(f.changes), nil
}

// Apply removes the Apple entries and returns the backup's path and the
// number of lines changed (0 and no backup when there was nothing to do).
//
// The order is what makes it safe: check the file may be written (a
// read-only file or directory fails here, with nothing changed), write and
// fsync a backup beside it, then replace the file atomically. A crash at any
// point leaves the old or the new file, never a mix, and once the file is
// new the backup is whole. A file that cannot be renamed over (EBUSY: a bind
// mount such as Docker's /etc/hosts; EXDEV) is rewritten in place instead,
// after the backup. That rewrite cannot be atomic: should it fail, the
// original bytes are written back, and a crash during it leaves the backup
// to restore from. A backup, once written, is kept whatever happens next.
func (h HostsEdit) Apply() (backup string, removed int, err error) {
	fsys := h.filesystem()
	f, err := h.read()
	if err != nil || len(f.changes) == 0 {
		return "", 0, err
	}
	path, info, data, edited := f.path, f.info, f.data, f.edited
	if info.Mode().Perm()&0o222 == 0 {
		// Root could write it anyway; a read-only hosts file is someone's
		// deliberate lock, and lifting it is the user's call.
		return "", 0, fmt.Errorf("%s is read-only (mode %04o); nothing was changed: %w", h.Path, info.Mode().Perm(), fs.ErrPermission)
	}
	if err := fsys.CheckWritable(path); err != nil {
		return "", 0, fmt.Errorf("cannot write %s (administrator rights are needed); nothing was changed: %w", h.Path, err)
	}
	backup, err = h.writeBackup(fsys, path, data, info)
	if err != nil {
		return "", 0, fmt.Errorf("back up %s; nothing was changed: %w", h.Path, err)
	}
	// Another program may have edited the file since it was read; replacing
	// it now would silently undo that edit.
	if now, err := fsys.ReadFile(path); err != nil || !bytes.Equal(now, data) {
		return backup, 0, fmt.Errorf("%s changed while it was being edited; nothing was changed, try again", h.Path)
	}
	err = fsys.Replace(path, edited, info.Mode().Perm())
	if errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.EXDEV) {
		err = h.overwrite(fsys, path, edited, data, backup)
	} else if err != nil {
		err = fmt.Errorf("replace %s; it is unchanged (backup: %s): %w", h.Path, backup, err)
	}
	if err != nil {
		return backup, 0, err
	}
	return backup, len(f.changes), nil
}

func (h HostsEdit) overwrite(fsys hostsFS, path string, edited, original []byte, backup string) error {
	err := fsys.Overwrite(path, edited)
	if err == nil {
		return nil
	}
	if rerr := fsys.Overwrite(path, original); rerr != nil {
		return fmt.Errorf("rewrite %s in place: %w; restoring it failed too (%v): copy %s back over it", h.Path, err, rerr, backup)
	}
	return fmt.Errorf("rewrite %s in place; it was restored (backup: %s): %w", h.Path, backup, err)
}

// domains are the Apple domains; nil means the checklist's defaults.
func (h HostsEdit) domains() []string {
	if h.Domains == nil {
		return probes.DefaultConfig().AppleDomains
	}
	return h.Domains
}

func (h HostsEdit) filesystem() hostsFS {
	if h.fs == nil {
		return osFS{}
	}
	return h.fs
}

// pendingEdit is the hosts file as read, and what the edit makes of it.
type pendingEdit struct {
	path    string // symbolic links resolved (see load)
	info    fs.FileInfo
	data    []byte // as read
	edited  []byte
	changes []hostsChange // none: nothing to do
}

// read loads the file and works out the edit, without writing anything.
func (h HostsEdit) read() (pendingEdit, error) {
	path, info, data, err := h.load()
	if err != nil {
		return pendingEdit{}, err
	}
	edited, changes := editHosts(data, h.domains())
	return pendingEdit{path: path, info: info, data: data, edited: edited, changes: changes}, nil
}

// load resolves a symlinked hosts file (the backup and the edit then work
// on the real file, in its own directory) and reads it.
func (h HostsEdit) load() (path string, info fs.FileInfo, data []byte, err error) {
	fsys := h.filesystem()
	if h.Path == "" {
		return "", nil, nil, errors.New("no hosts file given")
	}
	path, err = filepath.EvalSymlinks(h.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil, fmt.Errorf("hosts file %s does not exist", h.Path)
	}
	if err != nil {
		return "", nil, nil, fmt.Errorf("hosts file %s: %w", h.Path, err)
	}
	info, err = fsys.Stat(path)
	if err != nil {
		return "", nil, nil, fmt.Errorf("hosts file %s: %w", h.Path, err)
	}
	if !info.Mode().IsRegular() {
		return "", nil, nil, fmt.Errorf("hosts file %s is not a regular file", h.Path)
	}
	data, err = fsys.ReadFile(path)
	if err != nil {
		return "", nil, nil, fmt.Errorf("read hosts file %s: %w", h.Path, err)
	}
	return path, info, data, nil
}

// maxBackups bounds the search for a free backup name (many edits within
// the same second mean something is wrong).
const maxBackups = 100

// writeBackup saves data as <file>.idpulse-<YYYYMMDD-HHMMSS>.bak beside
// path, with a -N counter when that name is taken, and makes it durable:
// the replace that follows must never be on disk without it.
func (h HostsEdit) writeBackup(fsys hostsFS, path string, data []byte, info fs.FileInfo) (string, error) {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	stem := path + ".idpulse-" + now().Format("20060102-150405")
	for i := 1; i <= maxBackups; i++ {
		name := stem + ".bak"
		if i > 1 {
			name = stem + "-" + strconv.Itoa(i) + ".bak"
		}
		err := fsys.WriteNew(name, data, info)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if err := fsys.SyncDir(filepath.Dir(path)); err != nil {
			return "", fmt.Errorf("sync directory: %w", err)
		}
		return name, nil
	}
	return "", fmt.Errorf("%d backups named %s* already exist", maxBackups, stem)
}

// editHosts removes the Apple names from data. Line numbers and the lines
// touched are exactly the hosts probe's.
func editHosts(data []byte, domains []string) ([]byte, []hostsChange) {
	entries := probes.AppleHostsEntries(data, domains)
	if len(entries) == 0 {
		return data, nil
	}
	var out bytes.Buffer
	out.Grow(len(data))
	changes := make([]hostsChange, 0, len(entries))
	next := 0 // index into entries, which come in line order
	for line := 1; len(data) > 0; line++ {
		text, eol := data, []byte(nil)
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			text, eol, data = data[:i], data[i:i+1], data[i+1:]
		} else {
			data = nil
		}
		if next >= len(entries) || entries[next].Line != line {
			out.Write(text)
			out.Write(eol)
			continue
		}
		next++
		kept, ok := dropAppleNames(string(text), domains)
		c := hostsChange{line: line, old: string(text), new: kept, drop: !ok}
		changes = append(changes, c)
		if ok {
			out.WriteString(kept)
			out.Write(eol)
		}
	}
	return out.Bytes(), changes
}

// dropAppleNames removes the Apple names from one hosts line, with the
// blank before each. It returns false when no name is left, and the line
// goes. Words are split by probes.HostsLine, as the probe and the resolvers
// split them.
func dropAppleNames(text string, domains []string) (string, bool) {
	body, words, comment := probes.HostsLine(text)
	if len(words) < 2 {
		return text, true // not a mapping: the probe did not flag it
	}
	var b strings.Builder
	b.WriteString(body[:words[0][1]]) // indentation and address
	first := true
	for i := 1; i < len(words); i++ {
		w := body[words[i][0]:words[i][1]]
		if probes.CoveredBy(w, domains) {
			continue
		}
		sep := body[words[i-1][1]:words[i][0]]
		if first {
			// The first name kept takes the address's separator (often a tab).
			sep, first = body[words[0][1]:words[1][0]], false
		}
		b.WriteString(sep)
		b.WriteString(w)
	}
	if first {
		return "", false
	}
	b.WriteString(body[words[len(words)-1][1]:]) // trailing blanks, a CR
	b.WriteString(comment)
	return b.String(), true
}

// printable shows a line as it reads in an editor, but with control and
// format characters and invalid UTF-8 escaped: the file is not ours, and a
// terminal must not interpret what it contains.
func printable(s string) string {
	s = strings.TrimSuffix(s, "\r")
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
