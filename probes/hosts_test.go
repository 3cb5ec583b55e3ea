package probes_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/catalog"
)

var appleDomains = probes.DefaultConfig().AppleDomains

func TestAppleHostsEntries(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []probes.HostsEntry
	}{
		{"empty", "", nil},
		// As glibc and macOS read it: a NUL ends the line, so the Apple
		// name before it is applied...
		{"NUL ends the line", "0.0.0.0 appleid.apple.com\x00trailing\n",
			[]probes.HostsEntry{{Line: 1, Address: "0.0.0.0", Names: []string{"appleid.apple.com"}, Sinkhole: true}}},
		// ...and only ASCII blanks separate words: with NBSP it is one word.
		{"NBSP is no separator", "0.0.0.0\u00a0appleid.apple.com\n", nil},
		{"NEL is no separator", "0.0.0.0\u0085appleid.apple.com\n", nil},
		{"vertical tab and form feed are", "0.0.0.0\vappleid.apple.com\fgsa.apple.com\n",
			[]probes.HostsEntry{{Line: 1, Address: "0.0.0.0", Names: []string{"appleid.apple.com", "gsa.apple.com"}, Sinkhole: true}}},
		{"stock macOS", "##\n# Host Database\n##\n127.0.0.1\tlocalhost\n255.255.255.255\tbroadcasthost\n::1             localhost\n", nil},
		{"apple entries", "127.0.0.1 localhost\n0.0.0.0 gs.apple.com # ota block\n17.1.1.1  mesu.apple.com  example.com\n",
			[]probes.HostsEntry{
				{Line: 2, Address: "0.0.0.0", Names: []string{"gs.apple.com"}, Sinkhole: true},
				{Line: 3, Address: "17.1.1.1", Names: []string{"mesu.apple.com"}, Sinkhole: false},
			}},
		{"CRLF and no trailing newline", "127.0.0.1 localhost\r\n127.0.0.1 albert.apple.com\r\n::1 iCloud.COM",
			[]probes.HostsEntry{
				{Line: 2, Address: "127.0.0.1", Names: []string{"albert.apple.com"}, Sinkhole: true},
				{Line: 3, Address: "::1", Names: []string{"iCloud.COM"}, Sinkhole: true},
			}},
		{"commented out and lookalikes", "# 0.0.0.0 appleid.apple.com\n0.0.0.0 notapple.com apple.com.evil.example\n",
			nil},
		{"zone index and tabs", "fe80::1%lo0\tgsa.apple.com\n",
			[]probes.HostsEntry{{Line: 1, Address: "fe80::1%lo0", Names: []string{"gsa.apple.com"}, Sinkhole: true}}},
		{"not an address", "appleid.apple.com 0.0.0.0\n", nil},
		{"subdomains of every domain", "1.2.3.4 a.cdn-apple.com b.mzstatic.com c.apple-cloudkit.com d.icloud-content.com\n",
			[]probes.HostsEntry{{Line: 1, Address: "1.2.3.4", Names: []string{"a.cdn-apple.com", "b.mzstatic.com", "c.apple-cloudkit.com", "d.icloud-content.com"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := probes.AppleHostsEntries([]byte(tt.data), appleDomains)
			for i := range got {
				got[i].Services = nil // TestHostsEntryServices
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestHostsEntryServices: each entry names the Apple services its names
// belong to, from the host catalogue, so that a line pinning an update
// host says so.
func TestHostsEntryServices(t *testing.T) {
	for line, want := range map[string][]catalog.ServiceID{
		"0.0.0.0 gs.apple.com mesu.apple.com":         {catalog.SoftwareUpdate},
		"0.0.0.0 appleid.apple.com":                   {catalog.SignIn},
		"0.0.0.0 albert.apple.com":                    {catalog.DeviceManagement},
		"0.0.0.0 x.push.apple.com swscan.apple.com":   {catalog.Push, catalog.SoftwareUpdate},
		"1.2.3.4 b.mzstatic.com c.apple-cloudkit.com": {catalog.ICloud, catalog.AppStore},
	} {
		got := probes.AppleHostsEntries([]byte(line+"\n"), appleDomains)
		if len(got) != 1 || !slices.Equal(got[0].Services, want) {
			t.Errorf("%q: entries %+v, want one naming %v", line, got, want)
		}
	}
}

func TestAppleHostsEntriesLongLines(t *testing.T) {
	data := "127.0.0.1 " + strings.Repeat("x", 2<<20) + "\n0.0.0.0 appleid.apple.com\n"
	got := probes.AppleHostsEntries([]byte(data), appleDomains)
	if len(got) != 1 || got[0].Line != 2 {
		t.Fatalf("a 2 MiB line must not hide the next one: %+v", got)
	}
}

func TestHostsProbe(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content *string
		status  probes.Status
	}{
		{"missing file", nil, probes.StatusOK},
		{"clean", ptr("127.0.0.1 localhost\n"), probes.StatusOK},
		{"overrides", ptr("0.0.0.0 appleid.apple.com\n"), probes.StatusFail},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "hosts"+string(rune('0'+i)))
			if tt.content != nil {
				os.WriteFile(path, []byte(*tt.content), 0o644)
			}
			r := probes.Hosts{Path: path, Domains: appleDomains}.Run(context.Background())
			if r.Status != tt.status {
				t.Errorf("status = %s (%s), want %s", r.Status, r.Summary, tt.status)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func FuzzAppleHostsEntries(f *testing.F) {
	for _, s := range []string{"", "127.0.0.1 localhost\n", "0.0.0.0 appleid.apple.com\r\n", "fe80::1%lo0 gs.apple.com", "# x\n\n\t\n", "::ffff:0.0.0.0 icloud.com"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		prev := 0
		for _, e := range probes.AppleHostsEntries(data, appleDomains) {
			if e.Line <= prev || e.Line > lines {
				t.Fatalf("line numbers out of order or range: %d after %d (of %d)", e.Line, prev, lines)
			}
			prev = e.Line
			if len(e.Names) == 0 {
				t.Fatalf("entry without names: %+v", e)
			}
			for _, n := range e.Names {
				if !probes.CoveredBy(n, appleDomains) {
					t.Fatalf("%q reported but not an Apple name", n)
				}
			}
		}
	})
}
