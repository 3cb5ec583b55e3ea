package probetest

import (
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"
)

// NTPBehavior is how an NTPServer answers.
type NTPBehavior struct {
	// Offset skews the server's clock: server time = now + Offset.
	Offset time.Duration
	// KissOfDeath, when set (for example "RATE"), answers stratum 0 with this
	// kiss code as the reference ID.
	KissOfDeath string
	// Unsynced sets leap indicator 3 (alarm: clock not synchronized).
	Unsynced bool
	// Silent reads requests and never answers.
	Silent bool
	// Stratum is the server's stratum; 0 means 2.
	Stratum uint8
}

// NTPServer is an NTPv3/v4 server on UDP.
type NTPServer struct {
	pc net.PacketConn

	mu       sync.Mutex
	behavior NTPBehavior
	requests int
}

// ntpEpochOffset is the number of seconds from 1900-01-01 (NTP era 0) to 1970-01-01.
const ntpEpochOffset = 2208988800

// NewNTPServer starts an NTP server on Loopback. Replies are mode 4 with
// the request's version, the request's transmit timestamp echoed as origin, a
// recent reference time, and receive/transmit times of now + Offset.
func NewNTPServer(t testing.TB) *NTPServer {
	t.Helper()
	return NewNTPServerOn(t, ListenPacket(t, Loopback))
}

// NewNTPServerOn is NewNTPServer answering on pc, a UDP socket the caller
// opened; pc is closed at cleanup.
func NewNTPServerOn(t testing.TB, pc net.PacketConn) *NTPServer {
	t.Helper()
	s := &NTPServer{pc: pc}
	servePackets(t, s.pc, s.answer)
	return s
}

// Addr is the server's "ip:port".
func (s *NTPServer) Addr() string { return s.pc.LocalAddr().String() }

// SetBehavior changes how the following requests are answered.
func (s *NTPServer) SetBehavior(b NTPBehavior) { store(&s.mu, &s.behavior, b) }

// Requests is the number of requests received, answered or not.
func (s *NTPServer) Requests() int { return load(&s.mu, &s.requests) }

func (s *NTPServer) answer(pc net.PacketConn, req []byte, from net.Addr) {
	recv := time.Now()
	if len(req) < 48 {
		return
	}
	s.mu.Lock()
	s.requests++
	b := s.behavior
	s.mu.Unlock()
	if !b.Silent {
		pc.WriteTo(ntpReply(req, b, recv), from)
	}
}

func ntpReply(req []byte, b NTPBehavior, recv time.Time) []byte {
	resp := make([]byte, 48)
	version := (req[0] >> 3) & 0x7
	var leap byte
	if b.Unsynced {
		leap = 3
	}
	resp[0] = leap<<6 | version<<3 | 4 // mode 4: server
	stratum := b.Stratum
	if stratum == 0 {
		stratum = 2
	}
	refID := []byte{17, 253, 34, 125}
	if b.KissOfDeath != "" {
		stratum = 0
		refID = []byte{0, 0, 0, 0}
		copy(refID, b.KissOfDeath)
	}
	resp[1] = stratum
	resp[2] = req[2] // poll
	if resp[2] == 0 {
		resp[2] = 6
	}
	resp[3] = 0xec                                                 // precision 2^-20 s
	binary.BigEndian.PutUint32(resp[4:], 655)                      // root delay 10 ms
	binary.BigEndian.PutUint32(resp[8:], 328)                      // root dispersion 5 ms
	copy(resp[12:16], refID)                                       // reference ID
	putNTPTime(resp[16:], recv.Add(b.Offset).Add(-16*time.Second)) // reference time
	copy(resp[24:32], req[40:48])                                  // origin = client's transmit
	putNTPTime(resp[32:], recv.Add(b.Offset))                      // receive
	xmit := time.Now()
	if xmit.Before(recv) {
		xmit = recv
	}
	putNTPTime(resp[40:], xmit.Add(b.Offset)) // transmit
	return resp
}

// putNTPTime writes t as a 64-bit NTP timestamp (seconds since 1900, wrapping
// into the next era in 2036, and a 32-bit binary fraction).
func putNTPTime(b []byte, t time.Time) {
	sec := uint32(t.Unix() + ntpEpochOffset)
	frac := uint32((uint64(t.Nanosecond()) << 32) / uint64(time.Second))
	binary.BigEndian.PutUint32(b, sec)
	binary.BigEndian.PutUint32(b[4:], frac)
}
