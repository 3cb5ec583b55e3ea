package verdict

import (
	"time"

	"github.com/idpulse/idpulse/probes/applestatus"
)

// FromFeed turns a feed poll into the contract's apple_status: the watched
// services, sign-in first, each with its current and recent events. When the
// poll failed but an earlier one succeeded, cached is shown with the error.
func FromFeed(source string, fetched applestatus.FetchResult, err error, cached *applestatus.FetchResult, watch applestatus.WatchList) *AppleStatus {
	st := &AppleStatus{Source: source, Services: []AppleService{}}
	if err != nil {
		msg := err.Error()
		st.Error = &msg
		if cached == nil {
			return st
		}
		fetched = *cached
	}
	if fetched.Snapshot == nil {
		return st
	}
	if !fetched.Fetched.IsZero() {
		t := fetched.Fetched.UTC().Truncate(time.Second)
		st.Fetched = &t
	}
	for _, w := range watch.Watched(fetched.Snapshot) {
		svc := AppleService{Name: w.Name, Status: w.Status(), SignIn: w.SignIn, Events: []AppleEvent{}}
		for _, e := range w.Events {
			ae := AppleEvent{ID: e.ID, Type: e.Type, Status: e.Status, UsersAffected: e.UsersAffected, Message: e.Message}
			if !e.Start.IsZero() {
				s := e.Start.UTC()
				ae.Start = &s
			}
			if e.End != nil {
				end := e.End.UTC()
				ae.End = &end
			}
			svc.Events = append(svc.Events, ae)
		}
		st.Services = append(st.Services, svc)
	}
	return st
}
