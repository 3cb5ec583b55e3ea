package netenv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/idpulse/idpulse/probes/command"
)

// nmcliPath is NetworkManager's command-line client on Debian, Ubuntu and
// Fedora. Where it is absent NetworkManager is not in use, and there are
// no NetworkManager connections to name.
const nmcliPath = "/usr/bin/nmcli"

// nmcliTimeout bounds the one nmcli call of a check: nmcli asks
// NetworkManager over D-Bus, and a wedged daemon must not hold the probe.
const nmcliTimeout = 3 * time.Second

// nmcliNotRunning is nmcli's exit status for "NetworkManager is not
// running" (nmcli(1), EXIT STATUS): a desktop without it has no
// NetworkManager VPN, which is not a failure to read one.
const nmcliNotRunning = 8

// nmcliActiveArgs ask for the active connections, one per line, in terse
// form: fields joined by ':', a ':' or '\' inside a value escaped with '\'.
func nmcliActiveArgs() []string {
	return []string{"-t", "-f", "NAME,UUID,TYPE,DEVICE", "connection", "show", "--active"}
}

// NMConnection is one active NetworkManager connection.
type NMConnection struct {
	Name   string // the connection's name, as the user sees it
	UUID   string
	Type   string // "vpn", "wireguard", "802-3-ethernet", …
	Device string // "" for a VPN plugin connection without its own device
}

// IsVPN reports whether the connection is a VPN: a VPN plugin connection
// (OpenVPN, OpenConnect, strongSwan, …) or a WireGuard one.
func (c NMConnection) IsVPN() bool { return c.Type == "vpn" || c.Type == "wireguard" }

// ParseNmcliActive reads `nmcli -t -f NAME,UUID,TYPE,DEVICE connection show
// --active`: one line per connection, four fields separated by unescaped
// ':', a backslash taking the next character literally. A line with another
// number of fields, a dangling backslash or no UUID is an error, not a
// guess: the UUID is what a fix hands back to nmcli.
func ParseNmcliActive(out []byte) ([]NMConnection, error) {
	conns := []NMConnection{}
	n := 0
	for line := range strings.Lines(string(out)) {
		n++
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			continue
		}
		fields, err := splitTerse(line)
		if err != nil {
			return nil, fmt.Errorf("parse nmcli connection show: line %d: %w: %q", n, err, clip(line))
		}
		if len(fields) != 4 {
			return nil, fmt.Errorf("parse nmcli connection show: line %d: %d fields, want 4 (NAME:UUID:TYPE:DEVICE): %q", n, len(fields), clip(line))
		}
		c := NMConnection{Name: fields[0], UUID: fields[1], Type: fields[2], Device: fields[3]}
		if c.UUID == "" {
			return nil, fmt.Errorf("parse nmcli connection show: line %d: no UUID: %q", n, clip(line))
		}
		conns = append(conns, c)
	}
	return conns, nil
}

// splitTerse splits one line of nmcli's terse output into its fields.
func splitTerse(line string) ([]string, error) {
	var fields []string
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '\\':
			if i+1 == len(line) {
				return nil, errors.New("dangling backslash")
			}
			i++
			b.WriteByte(line[i])
		case ':':
			fields = append(fields, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(fields, b.String()), nil
}

// readNMVPNs are the active NetworkManager VPN and WireGuard connections as
// services, the form the evidence and the disconnect-vpn fix share with
// macOS's `scutil --nc list`: ID is the connection's UUID. No nmcli (or no
// NetworkManager running) is no connections, not an error.
func readNMVPNs(ctx context.Context, r command.Runner) ([]NCService, error) {
	ctx, cancel := context.WithTimeout(ctx, nmcliTimeout)
	defer cancel()
	out, err := run(ctx, r, nmcliPath, nmcliActiveArgs()...)
	switch {
	case errors.Is(err, fs.ErrNotExist), command.ExitCode(err) == nmcliNotRunning:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read NetworkManager connections: %w", err)
	}
	conns, err := ParseNmcliActive(out)
	if err != nil {
		return nil, fmt.Errorf("read NetworkManager connections: %w", err)
	}
	var vpns []NCService
	for _, c := range conns {
		if c.IsVPN() {
			vpns = append(vpns, NCService{Enabled: true, Status: "Connected", ID: c.UUID, Interface: c.Device, Name: c.Name, Type: c.Type})
		}
	}
	return vpns, nil
}
