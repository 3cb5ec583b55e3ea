package netenv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/idpulse/idpulse/probes/command/commandtest"
)

func TestParseScutilDNS(t *testing.T) {
	testParse(t, ParseScutilDNS, []parseCase[[]Resolver]{
		{
			name: "real head-truncated capture (dnsmasq on 127.0.0.1)",
			file: "scutil-dns_head_dnsmasq-127.0.0.1.txt",
			want: []Resolver{{Nameservers: []string{"127.0.0.1"}, SearchDomains: []string{"whatever"}}},
		},
		{
			name: "default plus VPN split DNS; mDNS blocks and scoped section left out",
			file: "scutil-dns_full_vpn-split.txt",
			want: []Resolver{
				{Nameservers: []string{"192.168.1.1", "fe80::1%en0"}, SearchDomains: []string{"home.arpa"}, Interface: "en0"},
				{Nameservers: []string{"10.8.0.53"}, Domain: "corp.example.com", Interface: "utun4"},
			},
		},
		{
			name: "no DNS configuration at all",
			in:   "No DNS configuration available\n",
			want: []Resolver{},
		},
		{
			name: "if_index without a name",
			in:   "DNS configuration\n\nresolver #1\n  nameserver[0] : 1.1.1.1\n  if_index : 6\n",
			want: []Resolver{{Nameservers: []string{"1.1.1.1"}}},
		},
		{name: "empty", in: "", wantErr: `no "DNS configuration" or "resolver #" line`},
		{name: "garbage", in: "garbage\n", wantErr: `no "DNS configuration" or "resolver #" line`},
		{name: "nameserver outside a resolver", in: "nameserver[0] : 1.1.1.1\n", wantErr: `no "DNS configuration" or "resolver #" line`},
	})
}

func TestParseResolvConf(t *testing.T) {
	testParse(t, ParseResolvConf, []parseCase[[]Resolver]{
		{
			name: "systemd-resolved stub",
			in: "# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\n" +
				"nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan example.com\n",
			want: []Resolver{{Nameservers: []string{"127.0.0.53"}, SearchDomains: []string{"lan", "example.com"}}},
		},
		{
			name: "comments, invalid addresses skipped, capped at three",
			in: "; comment\n# comment\nnameserver 10.0.0.1\nnameserver not-an-ip\nnameserver fe80::1%eth0\n" +
				"nameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver\n",
			want: []Resolver{{Nameservers: []string{"10.0.0.1", "fe80::1%eth0", "10.0.0.2"}}},
		},
		{
			name: "domain after search wins",
			in:   "search a.example b.example\ndomain corp.example\n",
			want: []Resolver{{Nameservers: []string{}, Domain: "corp.example"}},
		},
		{
			name: "search after domain wins",
			in:   "domain corp.example\nsearch a.example\n",
			want: []Resolver{{Nameservers: []string{}, SearchDomains: []string{"a.example"}}},
		},
		{
			name: "empty file",
			in:   "",
			want: []Resolver{{Nameservers: []string{}}},
		},
		{
			// Found by FuzzParseResolvConf: strings.Fields split at NBSP
			// and NEL, which the C library does not.
			name: "only ASCII blanks separate words",
			in:   "nameserver\u00a01.1.1.1\n\u00a0nameserver 8.8.8.8\nnameserver\t9.9.9.9\r\nsearch a.example\u00a0b.example\u0085c.example\n",
			want: []Resolver{{Nameservers: []string{"9.9.9.9"}, SearchDomains: []string{"a.example\u00a0b.example\u0085c.example"}}},
		},
	})
}

func TestReadNameservers(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(conf, []byte("nameserver 192.0.2.53\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dns := string(readTestdata(t, "scutil-dns_head_dnsmasq-127.0.0.1.txt"))
	tests := []struct {
		name       string
		goos, path string
		replies    map[string]commandtest.Reply
		want       []Resolver
		wantErr    string
	}{
		{
			name:    "darwin",
			goos:    "darwin",
			replies: map[string]commandtest.Reply{"/usr/sbin/scutil --dns": commandtest.OK(dns)},
			want:    []Resolver{{Nameservers: []string{"127.0.0.1"}, SearchDomains: []string{"whatever"}}},
		},
		{
			name:    "darwin scutil fails",
			goos:    "darwin",
			replies: map[string]commandtest.Reply{"/usr/sbin/scutil --dns": {Err: errors.New("exit status 1")}},
			wantErr: "read name servers: exit status 1",
		},
		{
			name:    "darwin garbage",
			goos:    "darwin",
			replies: map[string]commandtest.Reply{"/usr/sbin/scutil --dns": commandtest.OK("?")},
			wantErr: "read name servers: parse scutil --dns",
		},
		{
			name: "linux file",
			goos: "linux",
			path: conf,
			want: []Resolver{{Nameservers: []string{"192.0.2.53"}}},
		},
		{
			name:    "linux missing file",
			goos:    "linux",
			path:    filepath.Join(dir, "missing"),
			wantErr: "read name servers: open ",
		},
		{
			name:    "windows",
			goos:    "windows",
			wantErr: `not supported on "windows"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadNameservers(context.Background(), replay(tt.replies), tt.goos, tt.path)
			wantResult(t, got, err, tt.want, tt.wantErr)
		})
	}
}
