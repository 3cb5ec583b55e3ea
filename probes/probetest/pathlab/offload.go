//go:build linux

package pathlab

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Offloads are a device's segmentation offloads, as `ethtool -k` names
// them. With TSO or GSO on, TCP hands the stack "super-packets" of many
// segments, split only at the device (TSO) or just before it (GSO), after
// every netfilter hook; with GRO on, a receiving device merges segments
// before prerouting. Either way a length rule sees sizes no wire carries.
type Offloads struct {
	TSO, GSO, GRO bool
}

// ethtoolValue is struct ethtool_value, the legacy one-feature ioctl
// argument.
type ethtoolValue struct {
	cmd, data uint32
}

// ifreqPtr is struct ifreq carrying a pointer (ifr_data).
type ifreqPtr struct {
	name [unix.IFNAMSIZ]byte
	data unsafe.Pointer
	_    [24 - unsafe.Sizeof(uintptr(0))]byte
}

// Offloads reads ifname's offloads inside the namespace. It uses the
// SIOCETHTOOL ioctl that ethtool(8) falls back to, so it needs no ethtool
// binary (this machine and CI's have none).
func (ns *Namespace) Offloads(ifname string) (Offloads, error) {
	var o Offloads
	err := ns.Do(func() error {
		for _, f := range []struct {
			cmd uint32
			v   *bool
		}{{unix.ETHTOOL_GTSO, &o.TSO}, {unix.ETHTOOL_GGSO, &o.GSO}, {unix.ETHTOOL_GGRO, &o.GRO}} {
			v, err := ethtool(ifname, f.cmd, 0)
			if err != nil {
				return err
			}
			*f.v = v != 0
		}
		return nil
	})
	return o, err
}

// SetOffloads sets ifname's offloads inside the namespace (`ethtool -K
// ifname tso … gso … gro …`) and fails when the device keeps another
// value.
func (ns *Namespace) SetOffloads(ifname string, o Offloads) error {
	err := ns.Do(func() error {
		for _, f := range []struct {
			cmd uint32
			on  bool
		}{{unix.ETHTOOL_STSO, o.TSO}, {unix.ETHTOOL_SGSO, o.GSO}, {unix.ETHTOOL_SGRO, o.GRO}} {
			data := uint32(0)
			if f.on {
				data = 1
			}
			if _, err := ethtool(ifname, f.cmd, data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	got, err := ns.Offloads(ifname)
	if err != nil {
		return err
	}
	if got != o {
		return fmt.Errorf("pathlab: %s in %s: offloads are %+v after setting %+v", ifname, ns.Name, got, o)
	}
	return nil
}

// ethtool runs one legacy ETHTOOL_[GS]* command on ifname in the calling
// thread's namespace and returns the value it reports.
func ethtool(ifname string, cmd, data uint32) (uint32, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("pathlab: ethtool socket: %w", err)
	}
	defer unix.Close(fd)
	v := ethtoolValue{cmd: cmd, data: data}
	var ifr ifreqPtr
	if len(ifname) >= len(ifr.name) {
		return 0, fmt.Errorf("pathlab: interface name %q too long", ifname)
	}
	copy(ifr.name[:], ifname)
	ifr.data = unsafe.Pointer(&v)
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr)))
	runtime.KeepAlive(&v)
	if errno != 0 {
		return 0, fmt.Errorf("pathlab: ethtool command %#x on %s: %w", cmd, ifname, errno)
	}
	return v.data, nil
}
