package currency

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// Version is one macOS release as sw_vers and Apple's list name it:
// ProductVersion ("14.7.2"), ProductVersionExtra (a Rapid Security Response
// or Background Security Improvement, "(a)") and BuildVersion ("23H311",
// "25A5279m" for a beta).
type Version struct {
	Major, Minor, Patch int
	Extra               string // "" or "(a)", "(b)", …
	Build               string // "" when not known
}

// ParseVersion reads sw_vers's (or gdmf's) three fields. The version must
// be one to three decimal numbers ("26", "14.7", "10.15.7"); extra is empty
// or one lower-case letter in parentheses; the build is kept as given (it
// only decides between betas, see Beta).
func ParseVersion(productVersion, extra, build string) (Version, error) {
	pv := strings.TrimSpace(productVersion)
	parts := strings.Split(pv, ".")
	if pv == "" || len(parts) > 3 {
		return Version{}, fmt.Errorf("macOS version %q: want one to three numbers such as 14.7.2", productVersion)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p[0] == '+' || p[0] == '-' {
			return Version{}, fmt.Errorf("macOS version %q: %q is not a number", productVersion, p)
		}
		n[i] = v
	}
	if n[0] == 0 {
		return Version{}, fmt.Errorf("macOS version %q: no major version", productVersion)
	}
	extra = strings.TrimSpace(extra)
	if extra != "" && extraRank(extra) == 0 {
		return Version{}, fmt.Errorf("macOS version extra %q: want a letter in parentheses such as (a)", extra)
	}
	return Version{Major: n[0], Minor: n[1], Patch: n[2], Extra: extra, Build: strings.TrimSpace(build)}, nil
}

// extraRank orders the security responses of one version: "" 0, "(a)" 1,
// "(b)" 2; anything else is 0 (and refused by ParseVersion).
func extraRank(extra string) int {
	if len(extra) == 3 && extra[0] == '(' && extra[2] == ')' && extra[1] >= 'a' && extra[1] <= 'z' {
		return int(extra[1]-'a') + 1
	}
	return 0
}

// IsZero reports whether v is no version at all.
func (v Version) IsZero() bool { return v.Major == 0 }

// String is the version as Apple writes it: "14.7.2", "26.0", "26.3.1 (a)".
func (v Version) String() string {
	if v.Extra != "" {
		return v.Number() + " " + v.Extra
	}
	return v.Number()
}

// Number is the version without its Extra: "14.7.2", "26.0".
func (v Version) Number() string {
	if v.Patch != 0 {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// Beta reports whether v is a pre-release: Apple's beta and release
// candidate builds end in a lower-case letter ("25A5279m", "23E5180j").
// Security responses end in one too ("25D771400a"); they carry an Extra,
// which tells them apart.
func (v Version) Beta() bool {
	b := v.Build
	return v.Extra == "" && len(b) > 1 && b[len(b)-1] >= 'a' && b[len(b)-1] <= 'z' && b[0] >= '0' && b[0] <= '9'
}

// Line is a major release line: macOS 11 and later count majors by their
// first number (14.x is one line), Mac OS X and macOS 10 by the second
// (10.14 and 10.15 are separate majors with their own updates).
type Line struct{ Major, Minor int }

// Line is the major release line v belongs to.
func (v Version) Line() Line {
	if v.Major == 10 {
		return Line{10, v.Minor}
	}
	return Line{v.Major, 0}
}

func (l Line) String() string {
	if l.Major == 10 {
		return fmt.Sprintf("macOS 10.%d", l.Minor)
	}
	return fmt.Sprintf("macOS %d", l.Major)
}

// Compare orders versions: by major, minor and patch, then security
// response ("(b)" after "(a)" after none), then a beta before the release
// of the same version. Two releases that differ only in build are the same
// release (Apple forks builds for new hardware: 14.3 is 23D56 or 23D60);
// two betas of one version are ordered by build.
func Compare(a, b Version) int {
	if c := cmp.Or(cmp.Compare(a.Major, b.Major), cmp.Compare(a.Minor, b.Minor), cmp.Compare(a.Patch, b.Patch),
		cmp.Compare(extraRank(a.Extra), extraRank(b.Extra))); c != 0 {
		return c
	}
	switch ab, bb := a.Beta(), b.Beta(); {
	case ab && !bb:
		return -1
	case !ab && bb:
		return 1
	case ab && bb:
		return compareBuilds(a.Build, b.Build)
	}
	return 0
}

// compareBuilds orders builds such as "23E5180j": the leading number (the
// Darwin major), the letter (the minor), the number after it, then the
// trailing letter. Unparseable builds compare as text.
func compareBuilds(a, b string) int {
	ka, oka := buildKey(a)
	kb, okb := buildKey(b)
	if !oka || !okb {
		return strings.Compare(a, b)
	}
	for i := range ka {
		if c := cmp.Compare(ka[i], kb[i]); c != 0 {
			return c
		}
	}
	return 0
}

func buildKey(b string) ([4]int, bool) {
	var k [4]int
	i := 0
	num := func() (int, bool) {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if j == i || i-j > 9 {
			return 0, false
		}
		n, _ := strconv.Atoi(b[j:i])
		return n, true
	}
	var ok bool
	if k[0], ok = num(); !ok || i >= len(b) || b[i] < 'A' || b[i] > 'Z' {
		return k, false
	}
	k[1] = int(b[i])
	i++
	if k[2], ok = num(); !ok {
		return k, false
	}
	if i < len(b) {
		if i != len(b)-1 || b[i] < 'a' || b[i] > 'z' {
			return k, false
		}
		k[3] = int(b[i])
	}
	return k, true
}
