//go:build !linux && !darwin

package probes

import "syscall"

// SmallSegmentsControl is unavailable here: the MTU retry is skipped.
func SmallSegmentsControl(_, _ string, _ syscall.RawConn) error { return nil }

const smallSegmentsSupported = false
