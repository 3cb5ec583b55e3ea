package netenv

import (
	"strings"
	"testing"
	"time"
)

func TestParseSntp(t *testing.T) {
	tests := []struct {
		name        string
		file, in    string
		offset, unc time.Duration
		server      string
	}{
		{
			name:   "modern one-line format",
			in:     "+0.171773 +/- 0.105399 time.apple.com 17.253.60.45\n",
			offset: 171773 * time.Microsecond, unc: 105399 * time.Microsecond, server: "time.apple.com",
		},
		{
			name:   "real 10.14 legacy capture with banner and date",
			file:   "sntp-sS_mojave-10.14_legacy-format.txt",
			offset: 1087742403 * time.Microsecond, unc: 725183462 * time.Microsecond, server: "pool.ntp.org",
		},
		{
			name:   "negative offset, first result line wins",
			in:     "-2.5 +/- 0.01 time.apple.com 17.253.60.45\n+9 +/- 1 other 1.2.3.4\n",
			offset: -2500 * time.Millisecond, unc: 10 * time.Millisecond, server: "time.apple.com",
		},
		{
			name:   "no server name",
			in:     "+0.5 +/- 0.1\n",
			offset: 500 * time.Millisecond, unc: 100 * time.Millisecond,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			if tt.file != "" {
				in = readTestdata(t, tt.file)
			}
			off, unc, server, err := ParseSntp(in)
			if err != nil {
				t.Fatal(err)
			}
			if off != tt.offset || unc != tt.unc || server != tt.server {
				t.Errorf("got %v ± %v from %q, want %v ± %v from %q", off, unc, server, tt.offset, tt.unc, tt.server)
			}
		})
	}
}

func TestParseSntpErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", `no "<offset> +/- <error>" line`},
		{"sntp's own failure is passed on", "sntp: Exchange failed: Timeout\n", `"sntp: Exchange failed: Timeout"`},
		{"separator first", "+/- 0.1 host\n", `no "<offset> +/- <error>" line`},
		{"separator last", "0.1 +/-\n", `no "<offset> +/- <error>" line`},
		{"offset not a number", "abc +/- 0.1 host\n", `offset: "abc" is not a number`},
		{"uncertainty not a number", "0.1 +/- x host\n", `uncertainty: "x" is not a number`},
		{"NaN", "NaN +/- 0.1 host\n", "out of range"},
		{"infinite", "+Inf +/- 0.1 host\n", "out of range"},
		{"beyond a century", "1e12 +/- 0.1 host\n", "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := ParseSntp([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
