package pac

import (
	"errors"
	"strings"
	"testing"
)

func TestParseResult(t *testing.T) {
	tests := []struct {
		in   string
		want string // rendered hops, or "error: <substring>"
	}{
		{"DIRECT", "DIRECT"},
		{"PROXY proxy.example:8080", "PROXY proxy.example:8080"},
		{"PROXY a:8080; PROXY b:8080; DIRECT", "PROXY a:8080; PROXY b:8080; DIRECT"},
		{"PROXY host:port; SOCKS5 h:1080; HTTPS h:443; DIRECT", "error: bad port"},
		{"PROXY host:3128; SOCKS5 h:1080; HTTPS h:443; DIRECT", "PROXY host:3128; SOCKS5 h:1080; HTTPS h:443; DIRECT"},
		{"proxy a:1;direct", "PROXY a:1; DIRECT"},
		{"  Proxy   A.Example:1  ;  Direct ;;; ", "PROXY a.example:1; DIRECT"},
		{"PROXY a:1;", "PROXY a:1"},
		{"\tSOCKS s:1080\t", "SOCKS s:1080"},
		{"SOCKS4 s:1080; SOCKS5 t:1081", "SOCKS4 s:1080; SOCKS5 t:1081"},
		{"HTTP a:81", "PROXY a:81"},
		{"PROXY a", "PROXY a:80"},
		{"HTTPS a", "HTTPS a:443"},
		{"SOCKS5 a", "SOCKS5 a:1080"},
		{"PROXY [2001:db8::1]:3128", "PROXY [2001:db8::1]:3128"},
		{"PROXY [2001:db8::1]", "PROXY [2001:db8::1]:80"},
		{"PROXY 10.0.0.3:3128", "PROXY 10.0.0.3:3128"},
		{"PROXY a:08080", "PROXY a:8080"},
		{"", "error: no proxy or DIRECT entry"},
		{" ; ;", "error: no proxy or DIRECT entry"},
		{"PROXY", "error: PROXY needs exactly one host:port"},
		{"PROXY a:1 b:2", "error: PROXY needs exactly one host:port"},
		{"DIRECT a:1", "error: DIRECT takes no address"},
		{"FORWARD a:1", `error: unknown keyword "FORWARD"`},
		{"PROXY a:1, PROXY b:2", "error: PROXY needs exactly one host:port"},
		{"PROXY a:0", "error: bad port"},
		{"PROXY a:65536", "error: bad port"},
		{"PROXY a:+80", "error: bad port"},
		{"PROXY a:", "error: bad port"},
		{"PROXY :80", "error: bad host"},
		{"PROXY http://a:80", "error: bad address"},
		{"PROXY a/b:80", "error: bad host"},
		{"PROXY 2001:db8::1", "error: bad address"},
		{"PROXY a:80; GARBAGE", `error: unknown keyword "GARBAGE"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			hops, err := ParseResult(tt.in)
			if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
				checkErr(t, err, ErrBadAnswer, want)
				if err != nil && !strings.Contains(err.Error(), tt.in) {
					t.Errorf("error %q does not quote the answer", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseResult(%q): %v", tt.in, err)
			}
			if got := render(hops); got != tt.want {
				t.Errorf("ParseResult(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseResultKinds(t *testing.T) {
	hops, err := ParseResult("PROXY a:1; HTTPS b:2; SOCKS c:3; SOCKS4 d:4; SOCKS5 e:5; DIRECT")
	if err != nil {
		t.Fatal(err)
	}
	want := []Hop{{KindProxy, "a:1"}, {KindHTTPS, "b:2"}, {KindSOCKS, "c:3"}, {KindSOCKS4, "d:4"}, {KindSOCKS5, "e:5"}, {KindDirect, ""}}
	if len(hops) != len(want) {
		t.Fatalf("got %v", hops)
	}
	for i := range want {
		if hops[i] != want[i] {
			t.Errorf("hop %d = %+v, want %+v", i, hops[i], want[i])
		}
	}
}

// FuzzParseResult: ParseResult never panics; what it accepts renders to an
// answer that parses back to the same hops, and every error names the answer.
func FuzzParseResult(f *testing.F) {
	for _, s := range []string{
		"DIRECT", "PROXY a:8080; PROXY b:8080; DIRECT", "proxy A:1;;direct;", "SOCKS5 [::1]:1080",
		"HTTPS h", "PROXY a:99999", "PROXY", "", "PROXY a:1 b", "SOCKS4 1.2.3.4:5\tDIRECT",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, answer string) {
		hops, err := ParseResult(answer)
		if err != nil {
			if !errors.Is(err, ErrBadAnswer) || hops != nil {
				t.Fatalf("ParseResult(%q) = %v, %v", answer, hops, err)
			}
			return
		}
		if len(hops) == 0 {
			t.Fatalf("ParseResult(%q) accepted no hops", answer)
		}
		again, err := ParseResult(render(hops))
		if err != nil {
			t.Fatalf("rendered %q does not parse: %v", render(hops), err)
		}
		if render(again) != render(hops) {
			t.Fatalf("round trip %q -> %q -> %q", answer, render(hops), render(again))
		}
		for _, h := range hops {
			if (h.Kind == KindDirect) != (h.Addr == "") {
				t.Fatalf("hop %+v from %q", h, answer)
			}
		}
	})
}
