package statefile

import (
	"cmp"
	"slices"
	"strings"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/applestatus"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// The state file is rewritten every cycle and read by MDM scripts, so it
// holds a bounded summary of Apple's feed, not the feed: a 2 MiB feed once
// made a 5.9 MB file. The summary keeps idpulse.check/v1's shape; each
// service's status is the roll-up of all its events, computed before the cut,
// so a dropped event never changes what the file says about a service.
const (
	// MaxServices is how many watched services the file lists (the default
	// watch list has 13).
	MaxServices = 32
	// MaxEventsPerService is how many events a service keeps: ongoing ones
	// first, then upcoming, then the most recent by start.
	MaxEventsPerService = 5
	// MaxMessageBytes caps an event's message (and the feed error); longer
	// text is cut at a character boundary and ends in "…".
	MaxMessageBytes = 500
	// maxFieldBytes caps the short fields: names, ids, types, statuses,
	// users_affected.
	maxFieldBytes = 120
	// MaxBytes is the size Read accepts. A file Write produces stays far
	// below it; anything bigger was not written by idpulse.
	MaxBytes = 1 << 20
)

// bound returns doc with its apple_status summarised as above. doc itself is
// not modified: the agent keeps showing it in the menu.
func bound(doc verdict.Document) verdict.Document {
	in := doc.AppleStatus
	if in == nil {
		return doc
	}
	out := *in
	if in.Error != nil {
		e := textsafe.Clip(*in.Error, MaxMessageBytes)
		out.Error = &e
	}
	services := in.Services
	if len(services) > MaxServices {
		services = services[:MaxServices]
	}
	out.Services = make([]verdict.AppleService, len(services))
	for i, s := range services {
		s.Name = textsafe.Clip(s.Name, maxFieldBytes)
		s.Status = textsafe.Clip(s.Status, maxFieldBytes)
		s.Events = boundEvents(s.Events)
		out.Services[i] = s
	}
	doc.AppleStatus = &out
	return doc
}

// boundEvents keeps the MaxEventsPerService events that matter most, in the
// feed's order.
func boundEvents(events []verdict.AppleEvent) []verdict.AppleEvent {
	idx := make([]int, len(events))
	for i := range idx {
		idx[i] = i
	}
	if len(idx) > MaxEventsPerService {
		slices.SortStableFunc(idx, func(a, b int) int {
			ea, eb := events[a], events[b]
			if c := cmp.Compare(rank(ea.Status), rank(eb.Status)); c != 0 {
				return c
			}
			return -cmp.Compare(startUnix(ea), startUnix(eb)) // newest first
		})
		idx = idx[:MaxEventsPerService]
		slices.Sort(idx)
	}
	out := make([]verdict.AppleEvent, len(idx))
	for i, j := range idx {
		e := events[j]
		e.ID = textsafe.Clip(e.ID, maxFieldBytes)
		e.Type = textsafe.Clip(e.Type, maxFieldBytes)
		e.Status = textsafe.Clip(e.Status, maxFieldBytes)
		e.UsersAffected = textsafe.Clip(e.UsersAffected, maxFieldBytes)
		e.Message = textsafe.Clip(e.Message, MaxMessageBytes)
		out[i] = e
	}
	return out
}

func rank(status string) int {
	switch {
	case strings.EqualFold(status, applestatus.StatusOngoing):
		return 0
	case strings.EqualFold(status, applestatus.StatusUpcoming):
		return 1
	}
	return 2
}

func startUnix(e verdict.AppleEvent) int64 {
	if e.Start == nil {
		return 0
	}
	return e.Start.Unix()
}
