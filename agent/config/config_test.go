package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
)

func TestParseErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // exact error
	}{
		{"unknown top-level key", `{"chek": {}}`, "chek: unknown key (known: agent, apple_status, check)"},
		{"unknown nested key", `{"check": {"deadlin": "5s"}}`, "check.deadlin: unknown key (known: "},
		{"wrong type", `{"check": {"https_port": "443"}}`, "check.https_port: want int, got string"},
		{"bad duration", `{"check": {"deadline": "5 seconds"}}`, `check.deadline: want a duration such as "5s", got "5 seconds"`},
		{"number for duration", `{"check": {"deadline": 5}}`, `check.deadline: want a duration such as "5s", got 5`},
		{"list of wrong type", `{"check": {"signin_hosts": "appleid.apple.com"}}`, "check.signin_hosts: want []string, got string"},
		{"section not an object", `{"check": []}`, "check: want an object"},
		{"validation", `{"check": {"probe_timeout": "9s"}}`, "check.probe_timeout: 9s is longer than deadline 5s"},
		{"an array file", `[1, 2]`, "the configuration must be a JSON object"},
		{"a string file", `"check"`, "the configuration must be a JSON object ({\"check\": {…}}), not a string"},
		{"empty ntp_server", `{"check": {"ntp_server": " "}}`, "check.ntp_server: empty"},
		{"bad captive_url", `{"check": {"captive_url": "captive.apple.com/x"}}`, `check.captive_url: "captive.apple.com/x" is not an http(s) URL`},
		{"bad signin_url", `{"check": {"signin_url": "ftp://appleid.apple.com/"}}`, "check.signin_url:"},
		{"gdmf_url over plain http", `{"check": {"gdmf_url": "http://gdmf.apple.com/v2/pmv"}}`,
			`check.gdmf_url: "http://gdmf.apple.com/v2/pmv" is not an https URL (Apple's release list is only trusted over TLS`},
		{"gdmf_url without a host", `{"check": {"gdmf_url": "https:///v2/pmv"}}`, `check.gdmf_url: "https:///v2/pmv" is not an https URL`},
		{"gdmf_url cache is not a key", `{"check": {"currency_cache": "/tmp/x"}}`, "check.currency_cache: unknown key"},
		{"apple_domains not Apple's", `{"check": {"apple_domains": ["apple.com", "com"]}}`, `check.apple_domains[1]: "com" is not one of Apple's domains`},
		{"apple_domains localhost", `{"check": {"apple_domains": ["localhost"]}}`, `check.apple_domains[0]: "localhost"`},
		{"a deadline that would overflow", `{"check": {"deadline": "2562047h"}}`, "check.deadline: 2562047h0m0s is longer than the 10m0s a cycle may take"},
		{"bad port", `{"check": {"push_port": 70000}}`, "check.push_port: 70000 is not a TCP port"},
		{"bad control target", `{"check": {"control_targets": ["1.1.1.1"]}}`, `check.control_targets: "1.1.1.1" is not host:port`},
		{"bad feed URL", `{"apple_status": {"url": "ftp://x"}}`, `apple_status.url: "ftp://x" is not an http(s) URL`},
		{"syntax error", "{\n  \"check\": {,}\n}", "not a JSON object: line 2, column 13: invalid character ',' looking for beginning of object key string"},
		{"unknown service", `{"check": {"services": {"disable": ["music"]}}}`, `check.services.disable[0]: unknown service "music"`},
		{"added host without a port", `{"check": {"services": {"add": [{"service": "icloud", "host": "a.example", "probe": "tls"}]}}}`, "check.services.add[0].port: 0 is not a port"},
		// Found by FuzzParse: encoding/json ignored unknown keys inside
		// array elements and matched the others in any case.
		{"misspelt key of an added host", `{"check": {"services": {"add": [{"service": "icloud", "host": "a.example", "port": 443, "prob": "tls"}]}}}`,
			"check.services.add[0].prob: unknown key (known: direct, host, port, probe, protocol, sample, service)"},
		{"key of an added host in another case", `{"check": {"services": {"add": [{"service": "icloud", "host": "a.example", "port": 443, "proBe": "tls"}]}}}`,
			"check.services.add[0].proBe: unknown key"},
		{"added hosts not an array", `{"check": {"services": {"add": {"service": "icloud"}}}}`, "check.services.add: want an array"},
		{"added host not an object", `{"check": {"services": {"add": ["a.example"]}}}`, "check.services.add[0]: want an object"},
		{"unknown services key", `{"check": {"services": {"remove": []}}}`, "check.services.remove: unknown key (known: add, disable)"},
		{"negative duration", `{"check": {"deadline": "-1s"}}`, `check.deadline: duration "-1s" is negative`},
		{"no history days", `{"agent": {"history_days": 0}}`, "agent.history_days: 0 is not between 1 and 366"},
		{"history as a string", `{"agent": {"history": "yes"}}`, "agent.history: want bool, got string"},
		{"metrics on every interface", `{"agent": {"metrics_listen": ":9273"}}`,
			`agent.metrics_listen: ":9273" is not a loopback address; set agent.metrics_allow_remote to true to serve other machines`},
		{"metrics on a LAN address", `{"agent": {"metrics_listen": "192.168.1.20:9273"}}`, `agent.metrics_listen: "192.168.1.20:9273" is not a loopback address`},
		{"metrics on a host name", `{"agent": {"metrics_listen": "mac.local:9273"}}`, `agent.metrics_listen: "mac.local:9273" is not a loopback address`},
		{"metrics without a port", `{"agent": {"metrics_listen": "127.0.0.1"}}`, `agent.metrics_listen: "127.0.0.1" is not host:port`},
		{"metrics on a named port", `{"agent": {"metrics_listen": "127.0.0.1:http", "metrics_allow_remote": true}}`, `agent.metrics_listen: "127.0.0.1:http": port "http" is not a TCP port`},
		{"textfile not .prom", `{"agent": {"metrics_textfile": "/var/lib/node-exporter/idpulse.txt"}}`, `agent.metrics_textfile: "/var/lib/node-exporter/idpulse.txt" is not an absolute path ending in .prom`},
		{"textfile relative", `{"agent": {"metrics_textfile": "idpulse.prom"}}`, `agent.metrics_textfile: "idpulse.prom" is not an absolute path`},
		{"allow_remote not a boolean", `{"agent": {"metrics_allow_remote": "yes"}}`, "agent.metrics_allow_remote: want bool, got string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			err := config.Parse([]byte(tt.data), &cfg)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q\nwant   %q", err, tt.want)
			}
		})
	}
}

// TestMetricsOutputs: the addresses and paths the metrics outputs accept.
func TestMetricsOutputs(t *testing.T) {
	for _, data := range []string{
		`{"agent": {"metrics_listen": "127.0.0.1:9273"}}`,
		`{"agent": {"metrics_listen": "[::1]:9273"}}`,
		`{"agent": {"metrics_listen": "localhost:9273"}}`,
		`{"agent": {"metrics_listen": "127.0.0.2:9273"}}`,
		`{"agent": {"metrics_listen": "0.0.0.0:9273", "metrics_allow_remote": true}}`,
		`{"agent": {"metrics_listen": ":9273", "metrics_allow_remote": true}}`,
		`{"agent": {"metrics_textfile": "/var/lib/prometheus/node-exporter/idpulse.prom"}}`,
	} {
		cfg := config.Default()
		if err := config.Parse([]byte(data), &cfg); err != nil {
			t.Errorf("%s: %v", data, err)
		}
	}
	if d := config.Default().Agent; d.MetricsListen != "" || d.MetricsTextfile != "" || d.MetricsAllowRemote {
		t.Errorf("metrics outputs on by default: %+v", d)
	}
}

func TestParseOverridesDefaults(t *testing.T) {
	cfg := config.Default()
	err := config.Parse([]byte(`{"check": {"deadline": "8s", "signin_hosts": ["idmsa.apple.com"]}, "apple_status": {"enabled": false}}`), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(cfg.Check.Deadline) != 8*time.Second || len(cfg.Check.SignInHosts) != 1 || cfg.AppleStatus.Enabled {
		t.Errorf("cfg = %+v", cfg)
	}
	if cfg.Check.HTTPSPort != 443 || cfg.Check.NTPServer != "time.apple.com" || cfg.Check.GDMFURL != "https://gdmf.apple.com/v2/pmv" {
		t.Errorf("unset keys lost their defaults: %+v", cfg.Check)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if _, err := config.Load(filepath.Join(dir, "absent.json"), false); err != nil {
		t.Errorf("optional missing file: %v", err)
	}
	if _, err := config.Load(filepath.Join(dir, "absent.json"), true); err == nil {
		t.Error("required missing file: no error")
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"check": {"dns_names": 3}}`), 0o644)
	_, err := config.Load(bad, true)
	if err == nil || !strings.Contains(err.Error(), "check.dns_names") || !strings.Contains(err.Error(), bad) {
		t.Errorf("error = %v, want the path and the key", err)
	}
	if _, err := config.Load("testdata/full.json", true); err != nil {
		t.Errorf("documented example: %v", err)
	}
}

// TestParseByteOrderMark: a UTF-8 BOM (Windows editors, some MDM tools) is
// not a syntax error.
func TestParseByteOrderMark(t *testing.T) {
	cfg := config.Default()
	if err := config.Parse([]byte("\xef\xbb\xbf{\"check\": {\"deadline\": \"3s\", \"probe_timeout\": \"2s\"}}"), &cfg); err != nil {
		t.Fatal(err)
	}
	if time.Duration(cfg.Check.Deadline) != 3*time.Second {
		t.Errorf("deadline %v, want 3s", time.Duration(cfg.Check.Deadline))
	}
}

// The real loader points the currency probe's cache into the state
// directory (never a configuration key); an administrator's gdmf_url is
// read from the file.
func TestLoadNamedSetsTheCurrencyCache(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	path := filepath.Join(dir, "c.json")
	if err := os.WriteFile(path, []byte(`{"check": {"gdmf_url": "https://gdmf.corp.example/v2/pmv"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadNamed(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Check.GDMFURL != "https://gdmf.corp.example/v2/pmv" {
		t.Errorf("gdmf_url = %q", cfg.Check.GDMFURL)
	}
	if want := "gdmf-cache.json"; filepath.Base(cfg.Check.CurrencyCache) != want || !strings.HasPrefix(cfg.Check.CurrencyCache, dir) {
		t.Errorf("currency cache = %q, want %s in the state directory under %s", cfg.Check.CurrencyCache, want, dir)
	}
}
