package pac

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkFindProxyCorporate: one evaluation of the corporate PAC for an
// Apple URL, the whole chain down to its default rule (a fresh runtime, the
// guards, the helpers, the top level and FindProxyForURL).
func BenchmarkFindProxyCorporate(b *testing.B) {
	s := loadPAC(b, "corporate.pac")
	s.Env, _ = testEnv("10.2.3.4")
	u, _ := url.Parse("https://gsa.apple.com/grandslam/GsService2/lookup")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.FindProxy(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseCorporate: compiling the corporate PAC and its trial run.
func BenchmarkParseCorporate(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "corporate.pac"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}
