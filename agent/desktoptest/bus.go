//go:build linux

package desktoptest

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// startCap bounds the wait for dbus-daemon's address. It is a safety net
// against a hang, never a measurement: the daemon prints it in milliseconds.
const startCap = 30 * time.Second

// Option changes how StartBus starts the bus.
type Option func(*busOptions)

type busOptions struct {
	socketFile bool
}

// SocketFile makes the bus listen on a socket file in a temporary directory
// (unix:dir=) instead of unix:tmpdir=, which on Linux is an abstract socket.
// An abstract socket belongs to a network namespace; a socket file is
// reachable from every namespace that sees the file system, so use this when
// the code under test runs in another network namespace. StartBus then fails
// unless the address is a unix:path=.
func SocketFile() Option {
	return func(o *busOptions) { o.socketFile = true }
}

// Bus is a running private session bus.
type Bus struct {
	addr string
}

// StartBus starts a private dbus-daemon and returns it once it listens; it is
// killed at Cleanup. See RequireDaemon for what happens without dbus-daemon.
func StartBus(tb testing.TB, opts ...Option) *Bus {
	tb.Helper()
	var o busOptions
	for _, opt := range opts {
		opt(&o)
	}
	bin := RequireDaemon(tb)
	dir := tb.TempDir()
	listen := "unix:tmpdir=/tmp"
	if o.socketFile {
		listen = "unix:dir=" + dir
	}
	conf := filepath.Join(dir, "session.conf")
	if err := os.WriteFile(conf, []byte(busConfig(listen)), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+conf, "--nofork", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	// The daemon's stderr goes to a file, read only for a failure message.
	logFile := filepath.Join(dir, "dbus-daemon.log")
	stderr, err := os.Create(logFile)
	if err != nil {
		tb.Fatal(err)
	}
	defer stderr.Close() // the daemon has its own copy
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start dbus-daemon: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	daemonLog := func() string {
		b, _ := os.ReadFile(logFile)
		return strings.TrimSpace(string(b))
	}
	addr := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		addr <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case a := <-addr:
		switch {
		case a == "":
			tb.Fatalf("dbus-daemon printed no address (stderr: %s)", daemonLog())
		case o.socketFile && !strings.HasPrefix(a, "unix:path="):
			tb.Fatalf("dbus-daemon address %q is not a socket file (stderr: %s)", a, daemonLog())
		}
		return &Bus{addr: a}
	case <-time.After(startCap):
		tb.Fatalf("dbus-daemon printed no address within %s (stderr: %s)", startCap, daemonLog())
	}
	return nil
}

// busConfig is a session bus listening on listen that lets anyone own any
// name. No <servicedir>: nothing is ever auto-started on it.
func busConfig(listen string) string {
	return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>` + listen + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
}

// Address is the bus's address, for DBUS_SESSION_BUS_ADDRESS.
func (b *Bus) Address() string { return b.addr }

// Connect opens a private connection to the bus (opts as for dbus.Connect),
// closed at Cleanup. Private: what the test observes shares nothing with the
// connections of the code under test.
func (b *Bus) Connect(tb testing.TB, opts ...dbus.ConnOption) *dbus.Conn {
	tb.Helper()
	conn, err := dbus.Connect(b.addr, opts...)
	if err != nil {
		tb.Fatalf("connect to %s: %v", b.addr, err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// requestName takes name on conn, failing tb unless conn becomes its owner.
func requestName(tb testing.TB, conn *dbus.Conn, name string) {
	tb.Helper()
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		tb.Fatalf("request %s: reply %v, %v", name, reply, err)
	}
}
