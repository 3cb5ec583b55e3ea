// Package probetest holds the loopback fakes that the probe, scenario and
// end-to-end tests run against: a DNS server, a test PKI, HTTPS, captive-portal,
// TCP, NTP and CONNECT-proxy servers, a dialer that maps Apple's addresses onto
// those servers, a whole fake World built from them, and the helpers tests
// share (Require, SyncBuffer).
//
// Every fake is a real server on 127.0.0.1:0 (Loopback), so probes exercise
// the real net, tls and http stacks; nothing here touches the internet. The
// ...At constructors bind any address instead: cmd/idpulse/e2e runs the same
// fakes on Apple-like public addresses inside a network namespace. The ...On
// constructors serve on a listener or UDP socket the caller opened, such as
// one pathlab's Namespace.Listen made in a lab's server namespace from the
// test's own process. Constructors take a testing.TB and close what they open
// through t.Cleanup. Setters are safe to call from any goroutine, also while
// a probe is using the fake.
package probetest

// maxRecorded bounds what a fake remembers (dial attempts, Host headers,
// command lines): long soak runs measure the code under test, not a fake's
// ever-growing log. Tests look at the most recent entries only.
const maxRecorded = 256

// keepLast appends v, dropping the oldest entries beyond maxRecorded.
func keepLast(list []string, v string) []string {
	list = append(list, v)
	if len(list) > maxRecorded {
		list = append(list[:0:0], list[len(list)-maxRecorded:]...)
	}
	return list
}
