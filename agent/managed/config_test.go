package managed_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/managed"
	"github.com/idpulse/idpulse/probes"
)

// An external test package: agent/config will import agent/managed, so a
// test inside package managed could not import agent/config.

// TestOverlayOverridesUserFile is the merge agent/config does: the user's
// file over the defaults, then the overlay over that, key by key.
func TestOverlayOverridesUserFile(t *testing.T) {
	root := t.TempDir()
	managed.WritePlist(t, root, "io.idpulse.agent.plist", map[string]any{
		"check": map[string]any{"deadline": "9s", "public_resolvers": []any{"10.0.0.53:53"}},
		"agent": map[string]any{"recheck": "30s"},
	})
	overlayJSON, err := managed.OverlayAt(context.Background(), managed.NewFakePlutil(t), "darwin", "", root)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	user := []byte(`{"check": {"deadline": "3s", "probe_timeout": "2s", "public_resolvers": ["9.9.9.9:53", "1.1.1.1:53"]},
	                 "agent": {"interval": "2m"}}`)
	if err := config.Parse(user, &cfg); err != nil {
		t.Fatal(err)
	}
	if err := config.Parse(overlayJSON, &cfg); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct{ got, want any }{
		"managed deadline wins":          {cfg.Check.Deadline, probes.Duration(9 * time.Second)},
		"user probe_timeout kept":        {cfg.Check.ProbeTimeout, probes.Duration(2 * time.Second)},
		"managed array replaces":         {cfg.Check.PublicResolvers, []string{"10.0.0.53:53"}},
		"user interval kept":             {cfg.Agent.Interval, probes.Duration(2 * time.Minute)},
		"managed recheck wins":           {cfg.Agent.Recheck, probes.Duration(30 * time.Second)},
		"default feed interval kept":     {cfg.Agent.FeedInterval, config.Default().Agent.FeedInterval},
		"default apple_status untouched": {cfg.AppleStatus.Enabled, true},
	} {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: %v, want %v", name, tt.got, tt.want)
		}
	}

	// A managed value of the wrong type is reported by config with its key.
	root = t.TempDir()
	managed.WritePlist(t, root, "io.idpulse.agent.plist", map[string]any{"check": map[string]any{"deadline": 5}})
	overlayJSON, err = managed.OverlayAt(context.Background(), managed.NewFakePlutil(t), "darwin", "", root)
	if err != nil {
		t.Fatal(err)
	}
	cfg = config.Default()
	if err := config.Parse(overlayJSON, &cfg); err == nil || !strings.Contains(err.Error(), "check.deadline") {
		t.Errorf("integer duration: %v", err)
	}
}
