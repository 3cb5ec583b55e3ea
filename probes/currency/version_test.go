package currency

import (
	"strings"
	"testing"
)

func mustVersion(t testing.TB, pv, extra, build string) Version {
	t.Helper()
	v, err := ParseVersion(pv, extra, build)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseVersion(t *testing.T) {
	for _, tt := range []struct {
		pv, extra, build string
		want             Version
		str              string
		err              string
	}{
		{pv: "14.7.2", build: "23H311", want: Version{14, 7, 2, "", "23H311"}, str: "14.7.2"},
		{pv: "26", want: Version{26, 0, 0, "", ""}, str: "26.0"},
		{pv: "26.0", build: "25A354", want: Version{26, 0, 0, "", "25A354"}, str: "26.0"},
		{pv: "10.15.7", build: "19H2026", want: Version{10, 15, 7, "", "19H2026"}, str: "10.15.7"},
		{pv: " 13.4.1 ", extra: "(c)", build: "22F770820d", want: Version{13, 4, 1, "(c)", "22F770820d"}, str: "13.4.1 (c)"},
		{pv: "", err: "want one to three numbers"},
		{pv: "14.7.2.1", err: "want one to three numbers"},
		{pv: "14.x", err: `"x" is not a number`},
		{pv: "14..2", err: `"" is not a number`},
		{pv: "14.-1", err: `"-1" is not a number`},
		{pv: "14.+1", err: `"+1" is not a number`},
		{pv: "0.1", err: "no major version"},
		{pv: "14.3", extra: "a", err: "want a letter in parentheses"},
		{pv: "14.3", extra: "(A)", err: "want a letter in parentheses"},
	} {
		t.Run(tt.pv+tt.extra, func(t *testing.T) {
			got, err := ParseVersion(tt.pv, tt.extra, tt.build)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want || got.String() != tt.str {
				t.Errorf("= %+v %q, %v; want %+v %q", got, got.String(), err, tt.want, tt.str)
			}
		})
	}
}

// The comparison table: majors (10.x against 11 and later), minors,
// patches, security responses and betas, each pair both ways.
func TestCompare(t *testing.T) {
	type v = [3]string // version, extra, build
	for _, tt := range []struct {
		name string
		a, b v
		want int
	}{
		{"major", v{"15.0", "", "24A335"}, v{"14.7.2", "", "23H311"}, 1},
		{"11 after 10.15", v{"11.0.1", "", "20B29"}, v{"10.15.7", "", "19H2026"}, 1},
		{"10.15 after 10.9: numbers, not text", v{"10.15", "", "19A583"}, v{"10.9.5", "", "13F34"}, 1},
		{"minor", v{"14.7", "", "23H124"}, v{"14.3", "", "23D56"}, 1},
		{"minor 10 after 9: numbers, not text", v{"14.10", "", ""}, v{"14.9", "", ""}, 1},
		{"patch", v{"14.7.2", "", "23H311"}, v{"14.7.1", "", "23H222"}, 1},
		{"x.0 equals x", v{"26.0", "", "25A354"}, v{"26", "", "25A354"}, 0},
		{"forked builds are one release", v{"14.3", "", "23D60"}, v{"14.3", "", "23D56"}, 0},
		{"RSR after its version", v{"13.4.1", "(a)", "22F770820b"}, v{"13.4.1", "", "22F82"}, 1},
		{"RSR (c) after (a)", v{"13.4.1", "(c)", "22F770820d"}, v{"13.4.1", "(a)", "22F770820b"}, 1},
		{"next patch after an RSR", v{"13.4.2", "", ""}, v{"13.4.1", "(c)", "22F770820d"}, 1},
		{"beta before its release", v{"26.1", "", "25B5042k"}, v{"26.1", "", "25B78"}, -1},
		{"beta after the release before", v{"26.1", "", "25B5042k"}, v{"26.0.1", "", "25A362"}, 1},
		{"later beta", v{"26.1", "", "25B5057f"}, v{"26.1", "", "25B5042k"}, 1},
		{"same beta", v{"26.0", "", "25A5279m"}, v{"26.0", "", "25A5279m"}, 0},
		{"an RSR build is not a beta", v{"26.3.1", "(a)", "25D771280a"}, v{"26.3.1", "", "25D2128"}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := mustVersion(t, tt.a[0], tt.a[1], tt.a[2]), mustVersion(t, tt.b[0], tt.b[1], tt.b[2])
			if got := Compare(a, b); got != tt.want {
				t.Errorf("Compare(%s %s, %s %s) = %d, want %d", a, a.Build, b, b.Build, got, tt.want)
			}
			if got := Compare(b, a); got != -tt.want {
				t.Errorf("Compare(%s %s, %s %s) = %d, want %d", b, b.Build, a, a.Build, got, -tt.want)
			}
		})
	}
}

func TestBetaAndLine(t *testing.T) {
	for _, tt := range []struct {
		pv, extra, build string
		beta             bool
		line             string
	}{
		{"26.0", "", "25A5279m", true, "macOS 26"},
		{"14.4", "", "23E5180j", true, "macOS 14"},
		{"14.4", "", "23E214", false, "macOS 14"},
		{"26.3.1", "(a)", "25D771280a", false, "macOS 26"},
		{"14.4", "", "", false, "macOS 14"},
		{"10.15.7", "", "19H2026", false, "macOS 10.15"},
		{"10.14.6", "", "18G9323", false, "macOS 10.14"},
		{"11.7.10", "", "20G1427", false, "macOS 11"},
	} {
		v := mustVersion(t, tt.pv, tt.extra, tt.build)
		if v.Beta() != tt.beta || v.Line().String() != tt.line {
			t.Errorf("%s %s: beta %v line %q, want %v %q", v, v.Build, v.Beta(), v.Line(), tt.beta, tt.line)
		}
	}
}

func TestCompareBuilds(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"25B5057f", "25B5042k", 1},
		{"25B5042k", "25B5042m", -1},
		{"25C5031i", "25B5057f", 1},
		{"26A5001a", "25C5031i", 1},
		{"weird", "weirder", -1}, // unparseable: as text
	} {
		if got := compareBuilds(tt.a, tt.b); got != tt.want {
			t.Errorf("compareBuilds(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
