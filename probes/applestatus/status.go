package applestatus

import "strings"

// Service roll-up values, worst first.
const (
	ServiceOutage      = "outage"
	ServiceIssue       = "issue"
	ServiceMaintenance = "maintenance"
	ServiceOK          = "ok"
)

// Status rolls the service's ongoing events up into one word, the worst one
// winning: "outage", "issue", "maintenance" or "ok". Only ongoing events
// count; upcoming maintenance and history leave a service "ok", because
// Apple keeps recent history in the feed and a non-empty event list does not
// mean the service is down. An ongoing event of a type Apple has not used
// before counts as an issue: something is wrong, we just cannot say how badly.
func (s *Service) Status() string {
	worst, rank := ServiceOK, 0
	for i, e := range s.Events {
		typ, status := e.Type, e.Status
		if i < len(s.listed) {
			typ, status = s.listed[i].typ, s.listed[i].status
		}
		if !strings.EqualFold(status, StatusOngoing) {
			continue
		}
		r, word := 2, ServiceIssue
		switch {
		case strings.EqualFold(typ, TypeOutage):
			r, word = 3, ServiceOutage
		case strings.EqualFold(typ, TypeMaintenance):
			r, word = 1, ServiceMaintenance
		}
		if r > rank {
			worst, rank = word, r
		}
	}
	return worst
}

// WatchList names the services whose status bears on an Apple ID sign-in
// problem. SignIn services being down explains the error outright; Others
// are collateral (they fail the same way when the account cannot sign in)
// and corroborate an Apple-side cause.
type WatchList struct {
	SignIn []string
	Others []string
}

// DefaultWatchList returns a fresh list, safe for the caller to modify.
// "Apple Account" is listed next to "Apple ID" because Apple renamed the
// account in 2024 and the feed may follow; whichever is present matches.
func DefaultWatchList() WatchList {
	return WatchList{
		SignIn: []string{"Apple ID", "Apple Account", "iCloud Account & Sign In"},
		Others: []string{
			"App Store", "Mac App Store", "iMessage", "FaceTime", "iCloud Mail",
			"iCloud Drive", "iCloud Keychain", "macOS Software Update", "Find My",
			"Sign in with Apple",
		},
	}
}

// WatchedService is a service from the snapshot that the watch list names.
type WatchedService struct {
	*Service
	SignIn bool
}

// Watched returns the watched services present in s: sign-in services first,
// each group in watch-list order. A service is returned once even when
// several watch-list names match it (it counts as sign-in if any does).
// Names missing from the feed are skipped; callers that need "we watched for
// X and Apple no longer lists it" compare against the list themselves.
func (w WatchList) Watched(s *Snapshot) []WatchedService {
	if s == nil {
		return nil
	}
	var out []WatchedService
	seen := map[*Service]bool{}
	add := func(names []string, signIn bool) {
		for _, n := range names {
			svc := s.Service(n)
			if svc == nil || seen[svc] {
				continue
			}
			seen[svc] = true
			out = append(out, WatchedService{Service: svc, SignIn: signIn})
		}
	}
	add(w.SignIn, true)
	add(w.Others, false)
	return out
}
