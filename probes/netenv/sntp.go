package netenv

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseSntp reads macOS sntp's result line. Current releases print
//
//	+0.171773 +/- 0.105399 time.apple.com 17.253.60.45
//
// and the ntp.org sntp 4.2.8 of macOS 10.14 printed a banner line, then
//
//	2018-09-29 19:42:41.448103 (-0200) +1087.742403 +/- 725.183462 pool.ntp.org 188.68.36.203 s2 no-leap
//
// so the offset is found as the token before "+/-" rather than by position.
// Offset is how far the server's clock is ahead of this machine's (positive:
// the local clock is behind). Server is the host name sntp printed.
func ParseSntp(out []byte) (offset time.Duration, uncertainty time.Duration, server string, err error) {
	var first string
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if first == "" {
			first = strings.TrimSpace(line)
		}
		i := slices.Index(f, "+/-")
		if i < 1 || i+1 >= len(f) {
			continue
		}
		if offset, err = parseSeconds(f[i-1]); err != nil {
			return 0, 0, "", fmt.Errorf("parse sntp: offset: %w", err)
		}
		if uncertainty, err = parseSeconds(f[i+1]); err != nil {
			return 0, 0, "", fmt.Errorf("parse sntp: uncertainty: %w", err)
		}
		if i+2 < len(f) {
			server = f[i+2]
		}
		return offset, uncertainty, server, nil
	}
	// Without a result line sntp printed why (e.g. a timeout); pass it on.
	return 0, 0, "", fmt.Errorf("parse sntp: no \"<offset> +/- <error>\" line in %q", clip(first))
}

// maxSNTPSeconds keeps the conversion inside time.Duration's ±292-year range
// with a wide margin; a clock a century off is already absurd.
const maxSNTPSeconds = 100 * 365 * 24 * 3600

func parseSeconds(s string) (time.Duration, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number of seconds", clip(s))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxSNTPSeconds {
		return 0, fmt.Errorf("%q seconds is out of range", clip(s))
	}
	return time.Duration(math.Round(v * float64(time.Second))), nil
}
