// Package e2e tests the built idpulse binary end to end, inside Linux network
// namespaces.
//
// Each scenario gets a fresh namespace (idp-e2e-<pid>-<n>) that looks like a
// small Internet: an uplink with a default route, Apple's hosts on
// 17.253.144.0/24, the public resolvers and control targets on 1.1.1.1 and
// 8.8.8.8, and the router's DNS on 192.0.2.53, named in
// /etc/netns/<ns>/resolv.conf. The fake servers, probetest's, bound to those
// addresses, run inside the namespace in a re-executed copy of the test
// binary (TestHelperServers). Then
// `ip netns exec <ns> idpulse check --json` runs against the real resolver,
// hosts file, routing table and sockets, with no proxy variables and the
// test CA as its only trust anchor (SSL_CERT_FILE). A scenario breaks one
// piece of that world, for example with nftables, and asserts the exit status
// and the idpulse.check/v1 verdict.
//
// The agent tests run `idpulse run` the same way, for many check cycles.
// TestAgentTrayEndToEnd gives it a private D-Bus session bus (a socket file:
// abstract sockets do not cross network namespaces) on which the test owns
// the StatusNotifierWatcher and the notification server; it reads the tray
// as a panel does (icon pixels, tooltip, dbusmenu layout), clicks Check Now
// and Quit, and counts notifications while a fault comes and goes.
// TestAgentHeadlessEndToEnd runs it with no session bus and reads the
// transition lines on stdout. BenchmarkAgentFootprint measures the headless
// agent on its default schedule (time to the first verdict, RSS, context
// switches and CPU between cycles) and RSS growth over 200 one-second
// cycles; one iteration takes about five minutes (-short: one and a half).
// BenchmarkAgentFootprintMetrics is its first part with the Prometheus
// endpoint and textfile on, nobody scraping during the idle window.
// BenchmarkAgentRSS is its memory reading alone (VmRSS, RssAnon, RssFile)
// for metrics on and off times history on and off, about five minutes.
// TestScreenshotWorld is the fake Internet of
// packaging/linux/screenshot.sh (`make screenshot`), not a test.
//
// The tests need root, iproute2 (`ip netns`) and nftables. Without them they
// skip, unless IDPULSE_REQUIRE_NETNS=1 (CI sets it), in which case they fail.
// The tray test also needs dbus-daemon, and fails without it under
// IDPULSE_REQUIRE_DBUS=1.
//
//	sudo go test -count=1 -v ./cmd/idpulse/e2e/
//	sudo go test -run='^$' -bench=. ./cmd/idpulse/e2e/
//	sudo go test -run='^$' -bench=AgentFootprint -benchtime=1x -timeout=20m ./cmd/idpulse/e2e/
//	sudo go test -run='^$' -bench=AgentRSS -benchtime=1x -timeout=20m ./cmd/idpulse/e2e/
//
// The package has no non-test code; this file only documents it.
package e2e
