//go:build linux

package pathlab

import (
	"encoding/binary"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// minIPv6MTU is the smallest MTU an IPv6 link may have (RFC 8200).
const minIPv6MTU = 1280

// Direction is which way a packet crosses the link.
type Direction int

const (
	ClientToServer Direction = iota
	ServerToClient
)

func (d Direction) String() string {
	if d == ClientToServer {
		return "client→server"
	}
	return "server→client"
}

// fate is what the relay does with one packet.
type fate int

const (
	forward fate = iota
	dropLarge
	dropIPv6
	dropMalformed
)

// packetFate decides one packet's fate under f. packet is what a TUN device
// with IFF_NO_PI reads: a bare IPv4 or IPv6 packet. The length checked is
// the header's own total length (what nft's `ip length`/`ip6 length` see,
// the IPv6 one plus its 40-byte header), which on a TUN link is the wire
// size: nothing there coalesces or splits segments.
func packetFate(packet []byte, dir Direction, f Faults) fate {
	if len(packet) < 1 {
		return dropMalformed
	}
	var size int
	switch packet[0] >> 4 {
	case 4:
		if len(packet) < 20 {
			return dropMalformed
		}
		size = int(binary.BigEndian.Uint16(packet[2:4]))
	case 6:
		if len(packet) < 40 {
			return dropMalformed
		}
		if f.DropIPv6 {
			return dropIPv6
		}
		size = 40 + int(binary.BigEndian.Uint16(packet[4:6]))
	default:
		return dropMalformed
	}
	if dir == ServerToClient && f.DropLargerThan > 0 && size > f.DropLargerThan {
		return dropLarge
	}
	return forward
}

// DirStats counts one direction of the relay.
type DirStats struct {
	// Forwarded packets and their bytes.
	Forwarded, Bytes uint64
	// DroppedLarge and DroppedIPv6 are the Faults' drops (FilterRelay).
	DroppedLarge, DroppedIPv6 uint64
	// Malformed packets were neither IPv4 nor IPv6; Overflow ones found the
	// delay queue full (a router's tail drop).
	Malformed, Overflow uint64
	// Largest is the largest packet forwarded, in bytes.
	Largest uint64
}

// Stats counts both directions of the relay.
type Stats struct {
	ClientToServer, ServerToClient DirStats
}

// queueLen bounds the packets one direction holds for its Delay: at 150 ms
// that is about 40 MB/s of full-size packets, more than a test needs; beyond
// it packets are dropped as a full router queue would.
const queueLen = 4096

// maxPacket is the read buffer: a TUN device without GSO hands over at most
// its MTU, but the buffer must hold anything it could.
const maxPacket = 65535

type packet struct {
	data []byte
	due  time.Time
}

// relay copies packets between the two TUN files, one pipe per direction.
type relay struct {
	files    [2]io.ReadWriteCloser // client, server
	pipes    [2]*pipe              // ClientToServer, ServerToClient
	done     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
}

// pipe is one direction: a reader that classifies and stamps packets, a
// queue, and a writer that releases each packet at its due time. One writer
// per direction keeps the order.
type pipe struct {
	dir    Direction
	faults func() *Faults
	queue  chan packet

	forwarded, bytes, largest atomic.Uint64
	droppedLarge, droppedIPv6 atomic.Uint64
	malformed, overflow       atomic.Uint64
}

// startRelay relays between client and server until stop; faults is read
// for every packet.
func startRelay(client, server io.ReadWriteCloser, faults func() *Faults) *relay {
	r := &relay{files: [2]io.ReadWriteCloser{client, server}, done: make(chan struct{})}
	for i, dir := range []Direction{ClientToServer, ServerToClient} {
		p := &pipe{dir: dir, faults: faults, queue: make(chan packet, queueLen)}
		r.pipes[i] = p
		from, to := r.files[i], r.files[1-i]
		r.wg.Add(2)
		go func() { defer r.wg.Done(); p.read(from, r.done) }()
		go func() { defer r.wg.Done(); p.write(to, r.done) }()
	}
	return r
}

// stop closes both devices and waits for the relay's goroutines.
func (r *relay) stop() {
	r.stopOnce.Do(func() {
		close(r.done)
		for _, f := range r.files {
			f.Close() // interrupts the pending Reads
		}
		r.wg.Wait()
	})
}

func (r *relay) stats() Stats {
	return Stats{ClientToServer: r.pipes[0].stats(), ServerToClient: r.pipes[1].stats()}
}

func (p *pipe) stats() DirStats {
	return DirStats{
		Forwarded:    p.forwarded.Load(),
		Bytes:        p.bytes.Load(),
		DroppedLarge: p.droppedLarge.Load(),
		DroppedIPv6:  p.droppedIPv6.Load(),
		Malformed:    p.malformed.Load(),
		Overflow:     p.overflow.Load(),
		Largest:      p.largest.Load(),
	}
}

func (p *pipe) read(from io.Reader, done <-chan struct{}) {
	buf := make([]byte, maxPacket)
	for {
		n, err := from.Read(buf)
		if err != nil {
			return // closed by stop
		}
		// The time a packet entered the wire, taken before anything else
		// so that the Delay is a lower bound.
		now := time.Now()
		f := p.faults()
		switch packetFate(buf[:n], p.dir, *f) {
		case dropLarge:
			p.droppedLarge.Add(1)
			continue
		case dropIPv6:
			p.droppedIPv6.Add(1)
			continue
		case dropMalformed:
			p.malformed.Add(1)
			continue
		}
		pk := packet{data: append([]byte(nil), buf[:n]...), due: now.Add(f.Delay)}
		select {
		case p.queue <- pk:
		case <-done:
			return
		default:
			p.overflow.Add(1)
		}
	}
}

func (p *pipe) write(to io.Writer, done <-chan struct{}) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		var pk packet
		select {
		case pk = <-p.queue:
		case <-done:
			return
		}
		if wait := time.Until(pk.due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-done:
				return
			}
		}
		if _, err := to.Write(pk.data); err != nil {
			select {
			case <-done:
				return
			default:
				continue // the kernel refused this one packet: lost on the wire
			}
		}
		p.forwarded.Add(1)
		p.bytes.Add(uint64(len(pk.data)))
		for n := uint64(len(pk.data)); ; {
			old := p.largest.Load()
			if n <= old || p.largest.CompareAndSwap(old, n) {
				break
			}
		}
	}
}
