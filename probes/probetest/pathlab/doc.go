// Package pathlab builds real path faults between two Linux network
// namespaces, for end-to-end tests of the built binary: latency, an MTU
// black hole and broken IPv6. It needs root, iproute2 and /dev/net/tun (and
// nft for FilterNFT); New skips the test without them, or fails it when
// IDPULSE_REQUIRE_NETNS=1 (CI sets it). The package is Linux-only; on other
// systems it is this comment.
//
// # The lab
//
// New(t, Options) creates a client and a server namespace (plab-<pid>-<hex>-c
// and -s) joined by a link of two TUN devices, plab0 in each, opened by the
// test process (setns, then /dev/net/tun with IFF_TUN|IFF_NO_PI), and a relay
// in the test process that reads each IP packet from one device's file and
// writes it to the other's:
//
//	client ns                      test process                     server ns
//	10.86.0.2  fd00:86::2 ── plab0 ⇄ relay (Delay, drops) ⇄ plab0 ── 10.86.0.1  fd00:86::1
//	default via 10.86.0.1 / fd00:86::1                               + AddAddress(…) on lo
//
// The client's IPv4 and IPv6 default routes point at the server end; the
// server namespace has no default route, and the addresses are private
// (10.86.0.0/24, the ULA fd00:86::/64), so nothing leaves the lab. Everything
// is removed in t.Cleanup, which the testing package runs after a panic too;
// what a killed test process left (a -test.timeout panic, SIGKILL) is swept
// by the next New on the machine. Every command the lab runs is bounded by
// ExecTimeout.
//
// Namespace.Do runs a function on an OS thread switched into a namespace
// (setns, restored afterwards), so a test can open listeners in the server
// namespace from its own process: a socket belongs to the namespace it was
// made in, and its file descriptor works from any thread. Namespace.Listen,
// ListenPacket and Dial wrap it. Dial takes IP literals only: for a name
// with both families net.Dialer races them on goroutines of its own, which
// do not run in the namespace. Namespace.Command and Run run a program in
// the namespace with `ip netns exec`, which also bind-mounts the files in
// /etc/netns/<name>/ over /etc: Options.ResolvConf and Options.Hosts write
// the client's (WriteEtc). cmd/idpulse/e2e's own namespaces, outside any
// lab, are NewNamespace ones: created, written and removed by the same code,
// with CheckNetns, Run and SweepStale for what its TestMain needs.
//
// # Faults
//
// Faults (in Options, or changed later with Lab.SetFaults) are:
//
//   - Delay: every packet waits that long in each direction, in order, so a
//     round trip takes at least 2×Delay. This kernel has no sch_netem
//     (CONFIG_NET_SCH_NETEM is not set), and a userspace TCP relay cannot
//     delay the handshake (the kernel answers the SYN before accept): the
//     TUN relay delays every packet, the SYN included, and DNS over UDP too.
//     A TCP connect across a 150 ms link takes at least 300 ms, an HTTP
//     request on a new connection at least 600 ms (TestLatency).
//   - DropLargerThan: server→client IP packets longer than that (the IP
//     header's total length) vanish, with no ICMP "packet too big": an MTU
//     black hole. A client with the default MSS (1460 over the 1500-byte
//     link) stalls in a TLS handshake with a long chain; one that sets
//     TCP_MAXSEG 536 before connect gets 576-byte packets and completes
//     (TestMTUBlackhole).
//   - DropIPv6: IPv6 packets vanish both ways while both ends keep their
//     IPv6 addresses and the client its IPv6 default route: an IPv6 connect
//     times out, an IPv4 one succeeds (TestBrokenIPv6).
//
// Options.Filter says who drops: FilterRelay (the default) drops in the
// relay, exactly, and Lab.Stats counts what it dropped. FilterNFT loads an
// nftables ruleset (table inet pathlab) in the client namespace instead:
// `iifname "plab0" ip length > N drop`, `ip6 length > N-40` (ip6 length is
// the payload length), and `meta nfproto ipv6 drop` on prerouting and
// output, as a firewall on the path would. The Delay stays the relay's.
//
// # Which netfilter hook sees the real segments (kernel 6.18)
//
// TestHooksSeeWireSizes counts the server's TCP segments by size at every
// hook, across the TUN link and across lo with its offloads on and off
// (run it with -v for the table). On this kernel:
//
//   - The sender's hooks never see wire sizes. TCP always builds GSO
//     "super-packets" (since Linux 4.19 GSO is always on for TCP, whatever
//     the device offers); they are cut into segments only in
//     dev_queue_xmit, after the output, postrouting and netdev egress hooks.
//     In a 256 KiB download with the client's MSS at 536, the server's
//     output hook saw about 17 packets over 1500 bytes and not one between
//     601 and 1500; on lo the same with `ethtool -K lo tso off gso off`. A length rule on the sending side therefore
//     also drops the small-MSS retry: it is not an MTU black hole.
//   - The receiver's hooks (netdev ingress, prerouting, input) see wire
//     sizes on the TUN link: a TUN device without IFF_NAPI never runs GRO,
//     though its features say gro on. In the same download: about 180
//     packets of 1201-1500 bytes at the default MSS, about 500 of at most
//     600 at MSS 536, none larger. Hence FilterNFT's rules in
//     the client's prerouting (priority raw, before conntrack).
//   - On lo, with TSO on (its default) nothing is ever segmented: even the
//     receiver's prerouting sees 64 KiB packets for a 536-byte MSS. With TSO
//     off (GSO on or off makes no difference) the stack segments before lo
//     and prerouting sees 536-byte segments. So the recipe for lo
//     works as: TSO off on lo, and the length rule in prerouting or input,
//     never output or postrouting. lo's MTU is 65536, so a default MSS there
//     is 65483 and its segments are large anyway.
//
// There is no ethtool binary on this machine (nor in CI's package list), so
// Namespace.Offloads and SetOffloads use the SIOCETHTOOL ioctl ethtool
// itself falls back to (ETHTOOL_[GS]TSO, GSO, GRO). The kernel has no dummy
// link type either (CONFIG_DUMMY is not set); TUN and veth are built in.
//
// # From an end-to-end test of the built binary
//
// The binary runs in the client namespace with Command, the fake servers in
// the server namespace: in the test process through Listen/ListenPacket on
// the server's link address or on addresses added to its lo (a fake
// Internet's, say Apple's 17.253.144.10, exists only inside the lab), or in
// a helper process started with l.Server.Command. The client's resolv.conf
// names a DNS server in the server namespace:
//
//	l := pathlab.New(t, pathlab.Options{
//		Faults:     pathlab.Faults{Delay: 300 * time.Millisecond},
//		ResolvConf: "nameserver 192.0.2.53\n",
//		Hosts:      "127.0.0.1\tlocalhost\n",
//	})
//	l.Server.AddAddress(netip.MustParsePrefix("192.0.2.53/32"))
//	l.Server.AddAddress(netip.MustParsePrefix("17.253.144.10/32"))
//	dns, _ := l.Server.ListenPacket("udp", "192.0.2.53:53")   // serve the fake DNS on it
//	https, _ := l.Server.Listen("tcp", "17.253.144.10:443")  // and Apple's host on this
//	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
//	defer cancel()
//	cmd := l.Client.Command(ctx, binPath, "check", "--json", "--config", cfg)
//	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SSL_CERT_FILE=" + caFile, "HOME=" + dir}
//	out, err := cmd.Output()
//
// For mtu_blackhole set Faults{DropLargerThan: 1200}, for ipv6_broken give
// the DNS server AAAA answers for a ULA address on the server's lo
// (AddAddress("fd00:17::10/128")) and set Faults{DropIPv6: true}, and
// for slow_network set the Delay to half the round trip wanted. SetFaults
// changes them while an agent runs.
package pathlab
