//go:build linux

package pathlab

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on a goroutine locked to an OS thread that has entered the
// namespace (setns), and restores the thread's namespace afterwards. Sockets
// fn opens belong to the namespace for good: a listener made here keeps
// accepting from any goroutine. What fn starts on other goroutines does not
// run in the namespace, and fn sees the host's /etc (only Command's
// `ip netns exec` mounts /etc/netns/<Name>/). A panic in fn is re-raised in
// the caller.
func (ns *Namespace) Do(fn func() error) error {
	type result struct {
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() { done <- r }()
		runtime.LockOSThread()
		restore, err := enter(ns.Name)
		if err != nil {
			// The thread may be half-switched: let it die with the
			// goroutine (it is still locked) rather than serve others.
			r.err = err
			return
		}
		defer func() {
			if err := restore(); err == nil {
				runtime.UnlockOSThread()
			} else if r.err == nil && r.panic == nil {
				r.err = err
			}
		}()
		defer func() { r.panic = recover() }()
		r.err = fn()
	}()
	r := <-done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}

// Listen is net.Listen inside the namespace; the listener is closed in
// Cleanup.
func (ns *Namespace) Listen(network, address string) (net.Listener, error) {
	return listenIn(ns, net.Listen, network, address)
}

// ListenPacket is net.ListenPacket inside the namespace (a DNS server's
// socket); it is closed in Cleanup.
func (ns *Namespace) ListenPacket(network, address string) (net.PacketConn, error) {
	return listenIn(ns, net.ListenPacket, network, address)
}

// listenIn calls listen inside ns and closes the socket in Cleanup.
func listenIn[S io.Closer](ns *Namespace, listen func(network, address string) (S, error), network, address string) (S, error) {
	var s S
	err := ns.Do(func() (err error) {
		s, err = listen(network, address)
		return err
	})
	if err != nil {
		var none S
		return none, fmt.Errorf("pathlab: listen %s %s in %s: %w", network, address, ns.Name, err)
	}
	ns.tb.Cleanup(func() { s.Close() })
	return s, nil
}

// Dial is d.DialContext inside the namespace (a zero d when nil). address
// must hold an IP literal: for a name with addresses of both families
// net.Dialer races them on goroutines of its own, which would dial from the
// host's namespace. To test Happy Eyeballs, run the binary with Command.
func (ns *Namespace) Dial(ctx context.Context, d *net.Dialer, network, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("pathlab: dial %s: %w", address, err)
	}
	if _, err := netip.ParseAddr(host); err != nil {
		return nil, fmt.Errorf("pathlab: dial %s: the host must be an IP literal", address)
	}
	if d == nil {
		d = &net.Dialer{}
	}
	var c net.Conn
	err = ns.Do(func() (err error) {
		c, err = d.DialContext(ctx, network, address)
		return err
	})
	return c, err
}

// enter switches the calling (locked) thread into the named namespace and
// returns how to switch it back.
func enter(name string) (restore func() error, err error) {
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("pathlab: open this thread's network namespace: %w", err)
	}
	target, err := unix.Open(filepath.Join(runNetns, name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(orig)
		return nil, fmt.Errorf("pathlab: open namespace %s: %w", name, err)
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		unix.Close(orig)
		return nil, fmt.Errorf("pathlab: setns %s: %w", name, err)
	}
	return func() error {
		defer unix.Close(orig)
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("pathlab: setns back from %s: %w", name, err)
		}
		return nil
	}, nil
}

// openTUN creates the TUN device name inside ns (IFF_TUN: IP packets, no
// Ethernet header; IFF_NO_PI: no packet-information prefix) and returns its
// file, non-blocking so that Close interrupts a pending Read. The device
// lives as long as the file: closing it removes the device.
func openTUN(ns *Namespace, name string) (*os.File, error) {
	var f *os.File
	err := ns.Do(func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err != nil {
			return fmt.Errorf("open /dev/net/tun: %w", err)
		}
		ifr, err := unix.NewIfreq(name)
		if err != nil {
			unix.Close(fd)
			return err
		}
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return fmt.Errorf("TUNSETIFF %s in %s: %w", name, ns.Name, err)
		}
		f = os.NewFile(uintptr(fd), ns.Name+"/"+name)
		return nil
	})
	return f, err
}
