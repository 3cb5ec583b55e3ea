package netmon

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/idpulse/idpulse/probes/probetest"
)

func nlmsg(typ uint16, payload []byte) []byte {
	b := make([]byte, unix.NLMSG_HDRLEN, unix.NLMSG_HDRLEN+len(payload)+3)
	b = append(b, payload...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	binary.NativeEndian.PutUint32(b[0:4], uint32(unix.NLMSG_HDRLEN+len(payload)))
	binary.NativeEndian.PutUint16(b[4:6], typ)
	return b
}

func rtattr(typ uint16, data []byte) []byte {
	b := make([]byte, 4, 4+len(data)+3)
	binary.NativeEndian.PutUint16(b[0:2], uint16(4+len(data)))
	binary.NativeEndian.PutUint16(b[2:4], typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func link(attrs ...[]byte) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	for _, a := range attrs {
		b = append(b, a...)
	}
	return b
}

func rtmsg(flags uint32) []byte {
	b := make([]byte, unix.SizeofRtMsg)
	binary.NativeEndian.PutUint32(b[8:12], flags)
	return b
}

func TestInterestingLinux(t *testing.T) {
	ifname := rtattr(unix.IFLA_IFNAME, []byte("wlan0\x00"))
	tests := []struct {
		name string
		msg  []byte
		want bool
	}{
		{"new link", nlmsg(unix.RTM_NEWLINK, link(ifname)), true},
		{"deleted link", nlmsg(unix.RTM_DELLINK, link(ifname)), true},
		{"new address", nlmsg(unix.RTM_NEWADDR, make([]byte, unix.SizeofIfAddrmsg)), true},
		{"deleted address", nlmsg(unix.RTM_DELADDR, make([]byte, unix.SizeofIfAddrmsg)), true},
		{"new route", nlmsg(unix.RTM_NEWROUTE, rtmsg(0)), true},
		{"deleted route", nlmsg(unix.RTM_DELROUTE, rtmsg(0)), true},
		{"wireless scan event", nlmsg(unix.RTM_NEWLINK, link(ifname, rtattr(unix.IFLA_WIRELESS, []byte{1, 2, 3, 4}))), false},
		{"cloned route", nlmsg(unix.RTM_NEWROUTE, rtmsg(unix.RTM_F_CLONED)), false},
		{"neighbour entry", nlmsg(unix.RTM_NEWNEIGH, make([]byte, 12)), false},
		{"done", nlmsg(unix.NLMSG_DONE, []byte{0, 0, 0, 0}), false},
		{"noise then a change in one batch",
			append(nlmsg(unix.RTM_NEWROUTE, rtmsg(unix.RTM_F_CLONED)), nlmsg(unix.RTM_NEWADDR, make([]byte, unix.SizeofIfAddrmsg))...), true},
		{"unparseable counts as a change", func() []byte {
			b := nlmsg(unix.RTM_NEWNEIGH, nil)
			binary.NativeEndian.PutUint32(b[0:4], 100) // longer than the datagram
			return b
		}(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := interesting(tt.msg); got != tt.want {
				t.Errorf("interesting = %v, want %v", got, tt.want)
			}
		})
	}
}

// netnsEnv=1 (CI) turns "cannot use a network namespace here" from a skip
// into a failure.
const netnsEnv = "IDPULSE_REQUIRE_NETNS"

// The Monitor sees real kernel changes. Each case runs in a fresh network
// namespace (so the host is never touched): setup commands run first, then
// the Monitor starts in a helper process inside the namespace, then the
// trigger runs, and the helper must report a change.
func TestMonitorSeesNamespaceChanges(t *testing.T) {
	if os.Geteuid() != 0 {
		probetest.Require(t, netnsEnv, errors.New("needs root to create network namespaces"), "run as root")
	}
	ip := probetest.RequireTool(t, netnsEnv, "ip", "apt-get install iproute2")
	tests := []struct {
		name    string
		setup   [][]string
		trigger [][]string // alternatives: the first that succeeds is used; none: expect silence
	}{
		{name: "no change, no signal", setup: [][]string{{"link", "set", "lo", "up"}}},
		{name: "interface added",
			// dummy first, as in production-like setups; veth where the dummy module is missing.
			trigger: [][]string{{"link", "add", "d0", "type", "dummy"}, {"link", "add", "v0", "type", "veth", "peer", "name", "v1"}}},
		{name: "link up", trigger: [][]string{{"link", "set", "lo", "up"}}},
		{name: "IPv4 address added", setup: [][]string{{"link", "set", "lo", "up"}},
			trigger: [][]string{{"addr", "add", "192.0.2.1/24", "dev", "lo"}}},
		{name: "IPv6 address added", setup: [][]string{{"link", "set", "lo", "up"}},
			trigger: [][]string{{"-6", "addr", "add", "2001:db8::1/64", "dev", "lo"}}},
		{name: "route added", setup: [][]string{{"link", "set", "lo", "up"}, {"addr", "add", "192.0.2.1/24", "dev", "lo"}},
			trigger: [][]string{{"route", "add", "198.51.100.0/24", "via", "192.0.2.2"}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := fmt.Sprintf("idp-netmon-%d-%d", os.Getpid(), i)
			if out, err := exec.Command(ip, "netns", "add", ns).CombinedOutput(); err != nil {
				probetest.Require(t, netnsEnv, fmt.Errorf("ip netns add: %v: %s", err, out), "needs root with CAP_SYS_ADMIN")
			}
			t.Cleanup(func() {
				if out, err := exec.Command(ip, "netns", "delete", ns).CombinedOutput(); err != nil {
					t.Errorf("ip netns delete %s: %v: %s", ns, err, out)
				}
			})
			inNS := func(args []string) ([]byte, error) {
				return exec.Command(ip, append([]string{"-n", ns}, args...)...).CombinedOutput()
			}
			for _, a := range tt.setup {
				if out, err := inNS(a); err != nil {
					t.Fatalf("setup ip %s: %v: %s", strings.Join(a, " "), err, out)
				}
			}

			helper := exec.Command(ip, "netns", "exec", ns, os.Args[0], "-test.run=^TestHelperNetmon$", "-test.count=1")
			helper.Env = append(os.Environ(), "IDPULSE_NETMON_HELPER=1")
			stdout, err := helper.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr probetest.SyncBuffer // os/exec writes it while a failure reads it
			helper.Stderr = &stderr
			if err := helper.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				helper.Process.Kill()
				helper.Wait()
			})
			lines := make(chan string, 16)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- strings.TrimSpace(sc.Text())
				}
				close(lines)
			}()
			waitLine := func(want string) {
				t.Helper()
				timeout := time.After(10 * time.Second) // a cap, not a sleep
				for {
					select {
					case l, ok := <-lines:
						if !ok {
							t.Fatalf("helper exited before %q; stderr:\n%s", want, stderr.String())
						}
						if l == want {
							return
						}
					case <-timeout:
						t.Fatalf("no %q from the helper within 10s; stderr:\n%s", want, stderr.String())
					}
				}
			}
			waitLine("ready")

			if tt.trigger == nil {
				// Quiet namespace: nothing may be reported (proves the other
				// cases see their trigger, not start-up noise).
				select {
				case l := <-lines:
					t.Fatalf("helper printed %q with no change made", l)
				case <-time.After(500 * time.Millisecond):
				}
				return
			}
			var triggerErr []string
			for _, a := range tt.trigger {
				out, err := inNS(a)
				if err == nil {
					triggerErr = nil
					break
				}
				triggerErr = append(triggerErr, fmt.Sprintf("ip %s: %v: %s", strings.Join(a, " "), err, strings.TrimSpace(string(out))))
			}
			if triggerErr != nil {
				probetest.Require(t, netnsEnv, fmt.Errorf("cannot make this change here: %s", strings.Join(triggerErr, "; ")), "")
			}
			waitLine("change")
		})
	}
}

// TestHelperNetmon is not a test on its own: TestMonitorSeesNamespaceChanges
// runs it inside a network namespace.
func TestHelperNetmon(t *testing.T) {
	if os.Getenv("IDPULSE_NETMON_HELPER") != "1" {
		t.Skip("helper process for TestMonitorSeesNamespaceChanges")
	}
	m, err := New(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	fmt.Println("ready")
	select {
	case <-m.Changes():
		fmt.Println("change")
	case <-time.After(30 * time.Second):
		t.Fatal("no change seen")
	}
}
