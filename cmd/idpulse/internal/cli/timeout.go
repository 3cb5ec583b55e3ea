package cli

import (
	"flag"
	"fmt"
	"time"

	"github.com/idpulse/idpulse/probes"
)

// TimeoutFlag defines --timeout on fs, the same for every command: a
// duration such as "5s", from probes.MinDeadline to probes.MaxDeadline. def is
// the value when the flag is absent (0: the configuration's).
func TimeoutFlag(fs *flag.FlagSet, d *time.Duration, def time.Duration) {
	*d = def
	fs.Var((*timeoutValue)(d), "timeout", "")
}

type timeoutValue time.Duration

func (v *timeoutValue) String() string { return time.Duration(*v).String() }

func (v *timeoutValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return fmt.Errorf("want a duration such as \"5s\", got %q", s)
	case d <= 0:
		return fmt.Errorf("want a positive duration such as \"5s\", got %q", s)
	case d < probes.MinDeadline:
		return fmt.Errorf("%s is shorter than the %s a check needs to tell a dead network from its own limit", d, probes.MinDeadline)
	case d > probes.MaxDeadline:
		return fmt.Errorf("%s is longer than the %s a check may take", d, probes.MaxDeadline)
	}
	*v = timeoutValue(d)
	return nil
}
