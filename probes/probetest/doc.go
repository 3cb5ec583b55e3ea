// Package probetest holds the loopback fakes that the probe, scenario and
// end-to-end tests run against: a DNS server, a test PKI, HTTPS, captive-portal,
// TCP, NTP and CONNECT-proxy servers, a dialer that maps Apple's addresses onto
// those servers, and a fake command runner.
//
// Every fake is a real server on 127.0.0.1:0, so probes exercise the real
// net, tls and http stacks; nothing here touches the internet. Constructors take
// a testing.TB and close what they open through t.Cleanup. Setters are safe to
// call from any goroutine, also while a probe is using the fake.
package probetest
