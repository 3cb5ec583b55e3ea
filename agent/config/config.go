// Package config reads idpulse's configuration file. Every error names the
// key it is about ("check.deadline: …"), because the person reading it is
// usually an administrator editing a file pushed to many Macs.
package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/idpulse/idpulse/agent/managed"
	"github.com/idpulse/idpulse/agent/paths"
	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/applestatus"
	"github.com/idpulse/idpulse/probes/command"
)

// Config is the whole configuration file.
type Config struct {
	Check       probes.Config `json:"check"`
	AppleStatus AppleStatus   `json:"apple_status"`
	Agent       Agent         `json:"agent"`
}

// Agent configures the menu bar agent's schedule.
type Agent struct {
	// Interval is how often the local checks run.
	Interval probes.Duration `json:"interval"`
	// FeedInterval is how often Apple System Status is polled.
	FeedInterval probes.Duration `json:"feed_interval"`
	// Recheck is how often checks repeat while the verdict is not ok.
	Recheck probes.Duration `json:"recheck"`
	// History keeps a record of every check (agent/timeline) for
	// `idpulse history` and the HTML report; HistoryDays is how many days
	// of it are kept.
	History     bool `json:"history"`
	HistoryDays int  `json:"history_days"`
	// MetricsListen is host:port where the agent serves Prometheus's
	// /metrics ("" = off). Only a loopback address unless
	// MetricsAllowRemote: the exposition says what is wrong with this
	// computer's network, which is not for every machine on it to read.
	MetricsListen      string `json:"metrics_listen"`
	MetricsAllowRemote bool   `json:"metrics_allow_remote"`
	// MetricsTextfile is a *.prom file the agent rewrites after every
	// cycle for node_exporter's textfile collector ("" = off).
	MetricsTextfile string `json:"metrics_textfile"`
}

// MaxHistoryDays bounds agent.history_days: a year of one check a minute is
// about 250 MB, already more than a diagnostic tool should keep.
const MaxHistoryDays = 366

// Validate reports the first unusable setting, naming its key.
func (a Agent) Validate() error {
	for _, f := range []struct {
		key string
		d   probes.Duration
		min time.Duration
	}{{"interval", a.Interval, time.Second}, {"feed_interval", a.FeedInterval, 10 * time.Second}, {"recheck", a.Recheck, time.Second}} {
		if time.Duration(f.d) < f.min {
			return fmt.Errorf("%s: %s is shorter than the minimum %s", f.key, time.Duration(f.d), f.min)
		}
	}
	if a.Recheck > a.Interval {
		return fmt.Errorf("recheck: %s is longer than interval %s", time.Duration(a.Recheck), time.Duration(a.Interval))
	}
	if a.HistoryDays < 1 || a.HistoryDays > MaxHistoryDays {
		return fmt.Errorf("history_days: %d is not between 1 and %d", a.HistoryDays, MaxHistoryDays)
	}
	if a.MetricsListen != "" {
		if err := validateListen(a.MetricsListen, a.MetricsAllowRemote); err != nil {
			return fmt.Errorf("metrics_listen: %w", err)
		}
	}
	if p := a.MetricsTextfile; p != "" && (!filepath.IsAbs(p) || !strings.HasSuffix(p, ".prom") || filepath.Base(p) == ".prom") {
		return fmt.Errorf("metrics_textfile: %q is not an absolute path ending in .prom (node_exporter's textfile collector reads only *.prom)", p)
	}
	return nil
}

// validateListen accepts host:port with a numeric port, and a host that is
// a loopback address ("localhost", 127.0.0.0/8, ::1) unless remote is
// allowed. An empty host means every interface.
func validateListen(addr string, remote bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (e.g. \"127.0.0.1:9273\")", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: port %q is not a TCP port", addr, port)
	}
	if remote {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if host == "localhost" || (err == nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("%q is not a loopback address; set agent.metrics_allow_remote to true to serve other machines", addr)
}

// AppleStatus configures the Apple System Status feed.
type AppleStatus struct {
	// Enabled turns polling the feed on; offline-only fleets turn it off.
	Enabled bool   `json:"enabled"`
	URL     string `json:"url"`
	// WatchSignIn are the services whose outage explains a sign-in failure;
	// Watch are others shown and reported as findings.
	WatchSignIn []string `json:"watch_signin"`
	Watch       []string `json:"watch"`
}

// WatchList is the feed's watch list.
func (a AppleStatus) WatchList() applestatus.WatchList {
	return applestatus.WatchList{SignIn: a.WatchSignIn, Others: a.Watch}
}

// Default is the configuration with nothing set.
func Default() Config {
	w := applestatus.DefaultWatchList()
	return Config{
		Check: probes.DefaultConfig(),
		AppleStatus: AppleStatus{
			Enabled: true, URL: applestatus.ConsumerURL,
			WatchSignIn: w.SignIn, Watch: w.Others,
		},
		Agent: Agent{
			Interval:     probes.Duration(time.Minute),
			FeedInterval: probes.Duration(5 * time.Minute),
			Recheck:      probes.Duration(15 * time.Second),
			History:      true,
			HistoryDays:  timeline.DefaultDays,
		},
	}
}

// DefaultPath is where the configuration file lives when none is named,
// config.json in the config directory (see agent/paths):
// ~/Library/Application Support/idpulse/config.json on macOS,
// $XDG_CONFIG_HOME/idpulse/config.json (default ~/.config) on Linux.
func DefaultPath() (string, error) { return paths.ConfigFile("config.json") }

// LoadNamed reads the file the user named with --config, or the default file
// when they named none (then a missing file means the defaults), and lays
// the administrator's managed preferences (MDM) over it: managed keys win.
func LoadNamed(path string) (Config, error) {
	var cfg Config
	var err error
	if path != "" {
		cfg, err = Load(path, true)
	} else if p, perr := DefaultPath(); perr == nil {
		cfg, err = Load(p, false)
	} else {
		cfg = Default() // no home directory: nothing to read
	}
	if err != nil {
		return cfg, err
	}
	// Apple's release list is cached beside the state file; without a
	// state directory (no home) every cycle asks Apple.
	if p, err := paths.StateFile(CurrencyCacheName); err == nil {
		cfg.Check.CurrencyCache = p
	}
	return cfg, applyManaged(&cfg, runtime.GOOS)
}

// CurrencyCacheName is the currency probe's cache of Apple's release list
// in the state directory (see agent/paths).
const CurrencyCacheName = "gdmf-cache.json"

// applyManaged overlays the managed preferences domain (macOS only).
func applyManaged(cfg *Config, goos string) error {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ov, err := managed.Overlay(ctx, command.Exec{}, goos, name)
	if err != nil {
		return err
	}
	if len(ov) == 0 {
		return nil
	}
	if err := Parse(ov, cfg); err != nil {
		return fmt.Errorf("managed preferences: %w", err)
	}
	return nil
}

// Load reads path over the defaults. A missing file is an error only when
// required (the user named it); otherwise the defaults apply.
func Load(path string, required bool) (Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	if err := Parse(data, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes data over cfg (which holds the defaults) and validates it.
func Parse(data []byte, cfg *Config) error {
	// Editors on Windows and some MDM tools write a UTF-8 byte-order mark.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// JSON's own white space: a form feed is not, and must not make
	// "\f{}" look like an object that then fails as a syntax error.
	trimmed := bytes.Trim(data, jsonSpace)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' {
		return fmt.Errorf("the configuration must be a JSON object ({\"check\": {…}}), not %s", jsonKind(trimmed[0]))
	}
	if err := decodeStrict(data, reflect.ValueOf(cfg).Elem(), ""); err != nil {
		return err
	}
	if err := cfg.Check.Validate(); err != nil {
		return fmt.Errorf("check.%w", err)
	}
	if err := cfg.Agent.Validate(); err != nil {
		return fmt.Errorf("agent.%w", err)
	}
	if cfg.AppleStatus.Enabled {
		u, err := url.Parse(cfg.AppleStatus.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("apple_status.url: %q is not an http(s) URL", cfg.AppleStatus.URL)
		}
	}
	return nil
}

// jsonSpace is the white space JSON allows between tokens (RFC 8259).
const jsonSpace = " \t\r\n"

// jsonKind names the JSON value that starts with c.
func jsonKind(c byte) string {
	switch {
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return "valid JSON"
}

// decodeStrict decodes a JSON object into the struct v key by key, so that an
// unknown key or a value of the wrong type is reported with its full path.
func decodeStrict(data []byte, v reflect.Value, path string) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		if path == "" {
			return fmt.Errorf("not a JSON object: %w", syntaxDetail(data, err))
		}
		return fmt.Errorf("%s: want an object", path)
	}
	fields := map[string]reflect.Value{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = v.Field(i)
		}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		key := k
		if path != "" {
			key = path + "." + k
		}
		f, ok := fields[k]
		if !ok {
			return fmt.Errorf("%s: unknown key (known: %s)", key, knownKeys(fields))
		}
		if isPlainStruct(f.Type()) {
			if err := decodeStrict(raw[k], f, key); err != nil {
				return err
			}
			continue
		}
		if f.Kind() == reflect.Slice && isPlainStruct(f.Type().Elem()) {
			if err := decodeStrictSlice(raw[k], f, key); err != nil {
				return err
			}
			continue
		}
		if err := json.Unmarshal(raw[k], f.Addr().Interface()); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return fmt.Errorf("%s: want %s, got %s", key, te.Type, te.Value)
			}
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	return nil
}

// isPlainStruct reports a struct that decodes field by field (it has no
// UnmarshalJSON of its own), which decodeStrict must walk: encoding/json
// would ignore its unknown keys and match the others in any case.
func isPlainStruct(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]())
}

// decodeStrictSlice decodes a JSON array of objects into the slice v
// element by element, so that a misspelt key inside one ("services.add")
// is an error naming it, "check.services.add[0]: proBe: unknown key", as it
// is outside arrays. null empties the slice, as encoding/json does.
func decodeStrictSlice(data []byte, v reflect.Value, path string) error {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return fmt.Errorf("%s: want an array", path)
	}
	if items == nil {
		v.SetZero()
		return nil
	}
	s := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, item := range items {
		if err := decodeStrict(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

func knownKeys(fields map[string]reflect.Value) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// syntaxDetail adds the line and column to a JSON syntax error.
func syntaxDetail(data []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
	col := int(se.Offset) - bytes.LastIndexByte(data[:se.Offset], '\n') - 1
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
