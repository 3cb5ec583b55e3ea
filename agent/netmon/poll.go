package netmon

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// poll signals whenever fingerprint's value differs from the last one seen.
// The first value is the baseline and is not a change.
func (m *Monitor) poll(stop <-chan struct{}, every time.Duration, fingerprint func() (string, error)) {
	defer close(m.done)
	last, err := fingerprint()
	if err != nil {
		m.logger.Debug("network fingerprint failed", "err", err)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		cur, err := fingerprint()
		if err != nil {
			m.logger.Debug("network fingerprint failed", "err", err)
			continue
		}
		if cur != last {
			last = cur
			m.signal()
		}
	}
}

// interfacesFingerprint describes every interface with its state and
// addresses; any difference between two calls is a network change.
func interfacesFingerprint() (string, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return "", fmt.Errorf("list interfaces: %w", err)
	}
	var b strings.Builder
	for _, ifc := range ifs {
		fmt.Fprintf(&b, "%d %s %v %d %s:", ifc.Index, ifc.Name, ifc.Flags, ifc.MTU, ifc.HardwareAddr)
		addrs, err := ifc.Addrs()
		if err != nil {
			return "", fmt.Errorf("addresses of %s: %w", ifc.Name, err)
		}
		list := make([]string, 0, len(addrs))
		for _, a := range addrs {
			list = append(list, a.String())
		}
		slices.Sort(list) // the OS does not promise an order
		fmt.Fprintf(&b, "%s\n", strings.Join(list, ","))
	}
	return b.String(), nil
}
