package probes_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/probes"
)

// A DNS lookup that never answers fails the https probe at "resolve": the
// transport gives up at the deadline without waiting for its dial, and the
// stage must not fall through to the TLS that never started.
func TestHTTPSFailsAtResolveWhenDNSHangs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	resolver := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		cancel() // the probe's deadline, while the lookup is outstanding
		<-release
		return nil, context.Canceled
	}}
	env := probes.Env{Dialer: &net.Dialer{}, Resolver: resolver, GOOS: "linux"}
	res := probes.HTTPS{Env: env, URL: "https://appleid.example.test/"}.Run(ctx)
	ev, _ := res.Evidence.(*probes.HTTPSEvidence)
	if res.Status != probes.StatusFail || ev == nil || ev.Stage != "resolve" || !strings.Contains(res.Summary, "failed at resolve") {
		t.Errorf("https = %s %q, evidence %+v; want a failure at resolve", res.Status, res.Summary, ev)
	}
}
