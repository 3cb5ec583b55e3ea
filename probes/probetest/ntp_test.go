package probetest

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/beevik/ntp"
)

func TestNTPServer(t *testing.T) {
	s := NewNTPServer(t)
	opts := ntp.QueryOptions{Timeout: 10 * time.Second}
	tests := []struct {
		name    string
		b       NTPBehavior
		version int
		check   func(t *testing.T, r *ntp.Response)
	}{
		{name: "in sync", check: offsetNear(0)},
		{name: "server ahead", b: NTPBehavior{Offset: 3 * time.Second}, check: offsetNear(3 * time.Second)},
		{name: "server behind", b: NTPBehavior{Offset: -90 * time.Second}, check: offsetNear(-90 * time.Second)},
		{name: "two hours", b: NTPBehavior{Offset: 2 * time.Hour}, check: offsetNear(2 * time.Hour)},
		{name: "NTPv3", version: 3, check: func(t *testing.T, r *ntp.Response) {
			offsetNear(0)(t, r)
			if r.Version != 3 {
				t.Errorf("Version = %d, want 3", r.Version)
			}
		}},
		{name: "stratum 1", b: NTPBehavior{Stratum: 1}, check: func(t *testing.T, r *ntp.Response) {
			offsetNear(0)(t, r)
			if r.Stratum != 1 {
				t.Errorf("Stratum = %d, want 1", r.Stratum)
			}
		}},
		{name: "kiss of death", b: NTPBehavior{KissOfDeath: "RATE"}, check: func(t *testing.T, r *ntp.Response) {
			if err := r.Validate(); !errors.Is(err, ntp.ErrKissOfDeath) {
				t.Errorf("Validate = %v, want ErrKissOfDeath", err)
			}
			if !r.IsKissOfDeath() || r.KissCode != "RATE" || r.Stratum != 0 {
				t.Errorf("kiss = %v %q stratum %d, want RATE at stratum 0", r.IsKissOfDeath(), r.KissCode, r.Stratum)
			}
		}},
		{name: "unsynchronized", b: NTPBehavior{Unsynced: true}, check: func(t *testing.T, r *ntp.Response) {
			if err := r.Validate(); !errors.Is(err, ntp.ErrInvalidLeapSecond) {
				t.Errorf("Validate = %v, want ErrInvalidLeapSecond", err)
			}
			if r.Leap != ntp.LeapNotInSync {
				t.Errorf("Leap = %v, want LeapNotInSync", r.Leap)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetBehavior(tt.b)
			o := opts
			o.Version = tt.version
			r, err := ntp.QueryWithOptions(s.Addr(), o)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			tt.check(t, r)
		})
	}
	if s.Requests() != len(tests) {
		t.Errorf("Requests() = %d, want %d", s.Requests(), len(tests))
	}
}

// offsetNear checks a valid response whose offset is want within a second:
// the configured skew, not anything measured about the test's speed.
func offsetNear(want time.Duration) func(*testing.T, *ntp.Response) {
	return func(t *testing.T, r *ntp.Response) {
		t.Helper()
		if err := r.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
		if d := r.ClockOffset - want; d < -time.Second || d > time.Second {
			t.Fatalf("ClockOffset = %v, want %v ± 1s", r.ClockOffset, want)
		}
		if r.Stratum == 0 || r.Leap != ntp.LeapNoWarning {
			t.Fatalf("stratum %d leap %v", r.Stratum, r.Leap)
		}
	}
}

func TestNTPServerSilent(t *testing.T) {
	s := NewNTPServer(t)
	s.SetBehavior(NTPBehavior{Silent: true})
	_, err := ntp.QueryWithOptions(s.Addr(), ntp.QueryOptions{Timeout: 200 * time.Millisecond})
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if s.Requests() != 1 {
		t.Fatalf("Requests() = %d, want 1", s.Requests())
	}
}

// A probe reaches "time.apple.com" through the MapDialer; beevik/ntp gets the
// *net.UDPConn it needs for kernel timestamps.
func TestNTPThroughMapDialer(t *testing.T) {
	s := NewNTPServer(t)
	s.SetBehavior(NTPBehavior{Offset: -5 * time.Minute})
	d := NewMapDialer(nil)
	d.Set("udp", "17.253.34.253:123", Route{To: s.Addr()})
	var conn net.Conn
	r, err := ntp.QueryWithOptions("17.253.34.253:123", ntp.QueryOptions{
		Timeout: 10 * time.Second,
		Dialer: func(_, remote string) (net.Conn, error) {
			c, err := d.DialContext(context.Background(), "udp", remote)
			conn = c
			return c, err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := conn.(*net.UDPConn); !ok {
		t.Fatalf("conn is %T", conn)
	}
	offsetNear(-5*time.Minute)(t, r)
}
