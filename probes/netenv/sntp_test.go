package netenv

import (
	"testing"
	"time"
)

// sntpResult is what ParseSntp returns.
type sntpResult struct {
	Offset, Uncertainty time.Duration
	Server              string
}

func TestParseSntp(t *testing.T) {
	parse := func(b []byte) (sntpResult, error) {
		off, unc, server, err := ParseSntp(b)
		return sntpResult{off, unc, server}, err
	}
	testParse(t, parse, []parseCase[sntpResult]{
		{
			name: "modern one-line format",
			in:   "+0.171773 +/- 0.105399 time.apple.com 17.253.60.45\n",
			want: sntpResult{171773 * time.Microsecond, 105399 * time.Microsecond, "time.apple.com"},
		},
		{
			name: "real 10.14 legacy capture with banner and date",
			file: "sntp-sS_mojave-10.14_legacy-format.txt",
			want: sntpResult{1087742403 * time.Microsecond, 725183462 * time.Microsecond, "pool.ntp.org"},
		},
		{
			name: "negative offset, first result line wins",
			in:   "-2.5 +/- 0.01 time.apple.com 17.253.60.45\n+9 +/- 1 other 1.2.3.4\n",
			want: sntpResult{-2500 * time.Millisecond, 10 * time.Millisecond, "time.apple.com"},
		},
		{
			name: "no server name",
			in:   "+0.5 +/- 0.1\n",
			want: sntpResult{500 * time.Millisecond, 100 * time.Millisecond, ""},
		},
		{name: "empty", in: "", wantErr: `no "<offset> +/- <error>" line`},
		{name: "sntp's own failure is passed on", in: "sntp: Exchange failed: Timeout\n", wantErr: `"sntp: Exchange failed: Timeout"`},
		{name: "separator first", in: "+/- 0.1 host\n", wantErr: `no "<offset> +/- <error>" line`},
		{name: "separator last", in: "0.1 +/-\n", wantErr: `no "<offset> +/- <error>" line`},
		{name: "offset not a number", in: "abc +/- 0.1 host\n", wantErr: `offset: "abc" is not a number`},
		{name: "uncertainty not a number", in: "0.1 +/- x host\n", wantErr: `uncertainty: "x" is not a number`},
		{name: "NaN", in: "NaN +/- 0.1 host\n", wantErr: "out of range"},
		{name: "infinite", in: "+Inf +/- 0.1 host\n", wantErr: "out of range"},
		{name: "beyond a century", in: "1e12 +/- 0.1 host\n", wantErr: "out of range"},
	})
}
