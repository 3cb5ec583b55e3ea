package netmon

import (
	"errors"
	"testing"
	"time"
)

// A burst of changes leaves exactly one pending signal, and signalling never
// blocks even when nobody is receiving.
func TestSignalCoalesces(t *testing.T) {
	m := newMonitor(nil)
	if cap(m.Changes()) != 1 {
		t.Fatalf("Changes has capacity %d, want 1", cap(m.Changes()))
	}
	for range 100 {
		m.signal()
	}
	if n := len(m.Changes()); n != 1 {
		t.Fatalf("%d pending signals after a burst, want 1", n)
	}
	<-m.Changes()
	select {
	case <-m.Changes():
		t.Fatal("a second signal was pending")
	default:
	}
	m.signal()
	if n := len(m.Changes()); n != 1 {
		t.Errorf("after draining, a new change left %d pending, want 1", n)
	}
}

type fpResult struct {
	v   string
	err error
}

// poll signals on a changed fingerprint only; the first value is the
// baseline and errors are skipped without losing the last good value.
func TestPoll(t *testing.T) {
	m := newMonitor(nil)
	feed := make(chan fpResult)
	fingerprint := func() (string, error) {
		r, ok := <-feed
		if !ok {
			return "", errors.New("test over")
		}
		return r.v, r.err
	}
	stop := make(chan struct{})
	m.stop = func() error { close(stop); close(feed); return nil }
	go m.poll(stop, time.Millisecond, fingerprint)
	defer m.Close()

	// Each step sends results; once the last send of a step is taken, the
	// earlier ones are fully processed, so pending() is then deterministic.
	steps := []struct {
		name    string
		results []fpResult
		want    bool
	}{
		{"baseline is not a change", []fpResult{{v: "a"}}, false},
		{"same value", []fpResult{{v: "a"}, {v: "a"}}, false},
		{"new value", []fpResult{{v: "b"}}, true},
		{"stays", []fpResult{{v: "b"}}, false},
		{"error keeps last value", []fpResult{{err: errors.New("ENOMEM")}, {v: "b"}}, false},
		{"burst coalesces", []fpResult{{v: "c"}, {v: "d"}, {v: "e"}}, true},
		{"back to an old value is a change", []fpResult{{v: "a"}}, true},
	}
	for _, s := range steps {
		for _, r := range s.results {
			feed <- r
		}
		feed <- fpResult{v: s.results[len(s.results)-1].v} // sync point: repeats the value
		if s.results[len(s.results)-1].err != nil {
			t.Fatal("a step must end with a value")
		}
		if got := pending(m); got != s.want {
			t.Errorf("%s: change signalled = %v, want %v", s.name, got, s.want)
		}
	}
}

func pending(m *Monitor) bool {
	select {
	case <-m.Changes():
		return true
	default:
		return false
	}
}

// The real fingerprint is stable when nothing changes.
func TestInterfacesFingerprint(t *testing.T) {
	a, err := interfacesFingerprint()
	if err != nil {
		t.Fatal(err)
	}
	b, err := interfacesFingerprint()
	if err != nil {
		t.Fatal(err)
	}
	if a == "" || a != b {
		t.Errorf("fingerprint unstable or empty:\n%s\n---\n%s", a, b)
	}
}

// New works unprivileged, and Close returns promptly (it must wake the
// blocked reader), twice, without closing Changes.
func TestNewClose(t *testing.T) {
	m, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- m.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return: the reader was not woken")
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	select {
	case _, ok := <-m.Changes():
		if !ok {
			t.Error("Changes was closed")
		}
	default:
	}
}
